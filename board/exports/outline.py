"""The outline of a document: what it says, before it is HTML or Markdown.

The action plan, the pre-read and the archive's index are each built once as a `Document` (a
header, then parts of blocks); `render.py` turns the same outline into HTML and into Markdown
with one template each, so the formats cannot disagree about what a document says. Every
string here is plain text as people wrote it; the templates escape it for their format.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    lead: str = ""
    """A bold label before the text ("The problem:")."""
    kind: str = "text"
    """"text", "note" (muted), "empty" (nothing recorded) or "alert" (a gap, a warning)."""


@dataclass(frozen=True, slots=True)
class Card:
    type: str
    """The card type's label ("Action")."""
    text: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    """(label, value) of each type field it carries."""
    credit: str = ""
    """Who wrote it, where the document credits people."""


@dataclass(frozen=True, slots=True)
class Cards:
    cards: list[Card]
    empty: str = ""
    """What to say when there are none; nothing at all when empty."""


@dataclass(frozen=True, slots=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    empty: str = ""
    totals: list[list[str]] = field(default_factory=list)
    """Rows set apart at the foot (sums)."""
    numeric: frozenset[int] = frozenset()
    """Columns of amounts, aligned right."""


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    href: str
    """A path relative to the document (the archive's files)."""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Links:
    links: list[Link]
    empty: str = ""


@dataclass(frozen=True, slots=True)
class Items:
    """A plain bulleted list."""

    items: list[str]


Block = Paragraph | Cards | Table | Links | Items


@dataclass(frozen=True, slots=True)
class Part:
    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
    """2 for a part, 3 for a part within the previous one."""
    prompt: str = ""
    """The canvas section's guiding question, under its title."""
    new_page: bool = False
    """Printed from a new page (the pre-read's chapters)."""
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    """What it is, above the title ("Action plan")."""
    title: str
    meta: list[tuple[str, str]] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    footer: str = ""
