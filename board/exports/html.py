"""The action plan and the pre-read packet as printable, self-contained HTML documents.

Both are outlines (plan_outline.py, preread.py) rendered by one Jinja2 template with
autoescape (render.py): user text is always text. The documents carry their own print CSS and
no script, so they open from a ZIP on any laptop; the server serves them with a CSP that
forbids script entirely.
"""

from __future__ import annotations

from typing import Any

from board.exports import render
from board.exports.plan import Plan
from board.exports.plan_outline import plan_document
from board.exports.preread import preread_document
from board.exports.render import DOCUMENT_CSP

__all__ = ["DOCUMENT_CSP", "action_plan_html", "pre_read_html"]


def action_plan_html(plan: Plan) -> str:
    return render.html(plan_document(plan))


def pre_read_html(
    workshop: dict[str, Any],
    people: list[dict[str, Any]],
    boards: list[dict[str, Any]],
    template: dict[str, Any],
) -> str:
    """The packet each mayor reads before Day 1: one chapter per city."""
    return render.html(preread_document(workshop, people, boards, template))
