"""Documents to text: one outline (outline.py), one Jinja2 template per format.

HTML is rendered with autoescape on, so every piece of text people wrote reaches the page as
text. Markdown has no autoescape of its own: the Markdown environment escapes every value a
template prints (`finalize`), so a card cannot turn into a link, a heading or HTML. Templates
ship inside the package (board/exports/templates/).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from board.exports import outline
from board.exports.outline import Document

DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
"""What an exported HTML document may do: nothing but show itself (no script at all)."""

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|])")


def md(value: Any) -> str:
    """Markdown-escape text so it reads as written (no links, no HTML, no headings)."""
    if value is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(value)).replace("\r", "").replace("\n", " ")


def _tests(env: Environment) -> None:
    env.tests.update(
        paragraph=lambda b: isinstance(b, outline.Paragraph),
        cards=lambda b: isinstance(b, outline.Cards),
        table=lambda b: isinstance(b, outline.Table),
        links=lambda b: isinstance(b, outline.Links),
        items=lambda b: isinstance(b, outline.Items),
    )


@cache
def _html() -> Environment:
    env = Environment(
        loader=PackageLoader("board.exports", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    _tests(env)
    return env


@cache
def _markdown() -> Environment:
    env = Environment(
        loader=PackageLoader("board.exports", "templates"),
        autoescape=False,
        finalize=md,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    _tests(env)
    return env


@cache
def _style() -> Markup:
    css = resources.files("board.exports").joinpath("document.css").read_text("utf-8")
    return Markup(css)  # our own stylesheet, not user text


def html(document: Document) -> str:
    """A printable, self-contained page: its own CSS, no script, no outside resource."""
    template = _html().get_template("document.html.j2")
    return template.render(doc=document, style=_style(), csp=DOCUMENT_CSP)


def markdown(document: Document) -> str:
    text = _markdown().get_template("document.md.j2").render(doc=document)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
