"""A board's activity log as CSV: who did what, when, from the op log.

Pure: it reads op events as one person may see them (the caller cuts each stored op with the
visibility rule first, so a private card's ops arrive as placeholders and say only that
something private happened). It follows cards and comments as the events go, so an edit, a
move or a comment names the card and its section at that moment.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from board.exports.plan import readable_time
from board.exports.text import no_formula

HEADER = ["seq", "time_utc", "time_local", "person", "role", "action", "section", "card", "text"]
Event = dict[str, Any]
COMMENT_VERBS = {
    "comment.add": "commented on",
    "comment.update": "edited a comment on",
    "comment.delete": "deleted a comment on",
}
VOTE_ACTIONS = {
    "vote.place": "placed a dot",
    "vote.remove": "took back a dot",
    "vote.close": "closed the voting round",
    "vote.reveal": "revealed the votes",
}


class _Trail:
    """What the log has said so far: each card's section, type and text; each comment's card."""

    def __init__(self) -> None:
        self.cards: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, str] = {}

    def see(self, op: dict[str, Any]) -> None:
        kind, target = op.get("kind"), op.get("card")
        if kind in ("card.add", "card.restore") and isinstance(target, dict):
            server = op.get("server")
            whole = isinstance(server, dict) and server.get("id") == target.get("id")
            self.cards[target["id"]] = dict(server if whole else target)  # type: ignore[arg-type]
        elif kind == "card.update" and target in self.cards:
            self.cards[target].update(op.get("set") or {})
        elif kind == "card.move" and target in self.cards:
            self.cards[target]["section"] = op.get("section")
        elif kind == "comment.add" and isinstance(op.get("comment"), dict):
            self.comments[op["comment"].get("id")] = op["comment"].get("card")
        elif kind == "private.reveal":
            server = op.get("server") or {}
            self.cards.update({k: dict(c) for k, c in (server.get("cards") or {}).items()})
            self.comments.update({k: c["card"] for k, c in (server.get("comments") or {}).items()})

    def card_of(self, op: dict[str, Any]) -> str | None:
        """The card an op is about (a comment's card for a comment op)."""
        target = op.get("card")
        if isinstance(target, dict):
            return target.get("id")
        if isinstance(target, str):
            return target
        comment = op.get("comment")
        if isinstance(comment, dict):
            return comment.get("card")
        return self.comments.get(comment) if isinstance(comment, str) else None


def _words(names: Iterable[str]) -> str:
    return ", ".join(n.replace("_", " ") for n in names)


def describe(op: dict[str, Any], card: dict[str, Any]) -> tuple[str, str]:
    """(what happened, the text it carries) for one op as the reader sees it."""
    kind = op.get("kind", "")
    hidden = bool(op.get("hidden"))
    a_card = "a private card" if hidden else "a card"
    changed = op.get("set") if isinstance(op.get("set"), dict) else {}
    if hidden:
        text = ""
    elif kind == "card.add":
        text = str(op["card"].get("text", ""))
    elif kind == "card.update":
        text = str(changed.get("text", ""))
    elif kind == "card.restore":
        text = str(card.get("text", ""))
    elif kind == "text.splice":
        text = str(op.get("insert", ""))
    elif kind == "comment.add":
        text = str((op.get("comment") or {}).get("text", ""))
    elif kind == "comment.update":
        text = str(op.get("text", ""))
    else:
        text = ""
    if kind == "card.add":
        typed = card.get("type") or "card"
        article = "an" if typed[:1] in "aeiou" else "a"
        return ("added a private card" if hidden else f"added {article} {typed} card"), text
    if kind == "card.update":
        return f"edited {a_card}" + ("" if hidden else f" ({_words(changed)})"), text
    if kind in ("card.move", "card.delete"):
        return {"card.move": "moved a card", "card.delete": "deleted a card"}[kind], text
    if kind == "card.restore":
        return f"brought back {a_card}", text
    if kind == "text.splice":
        where = f"the brief ({_words([op['brief']])})" if op.get("brief") else a_card
        return f"typed in {where}", text
    if kind == "board.update":
        brief = changed.get("brief") or {}
        fields = [k for k in changed if k != "brief"] + [f"brief {k}" for k in brief]
        return f"changed the board's {_words(fields)}", text
    if kind == "section.lock":
        return ("marked the section agreed" if op.get("locked") else "reopened the section"), text
    if kind == "comment.resolve":
        verb = "resolved" if op.get("resolved", True) else "reopened"
        return f"{verb} a comment on {a_card}", text
    if kind in COMMENT_VERBS:
        return f"{COMMENT_VERBS[kind]} {a_card}", text
    if kind == "vote.open":
        found = op.get("round") if isinstance(op.get("round"), dict) else {}
        blind = "blind " if found.get("blind") else ""
        return f"opened a {blind}voting round ({found.get('dots', '?')} dots each)", text
    if kind in VOTE_ACTIONS:
        return VOTE_ACTIONS[kind].replace("a dot", "a blind dot" if hidden else "a dot"), text
    if kind == "private.start":
        return "started private writing", text
    if kind == "private.reveal":
        shown = len((op.get("server") or {}).get("cards") or {})
        return f"revealed private writing ({shown} card{'' if shown == 1 else 's'})", text
    return kind, text


def activity_csv(
    events: Iterable[Event],
    *,
    names: dict[str, str],
    roles: dict[str, str],
    sections: dict[str, str],
    timezone: str = "UTC",
) -> str:
    """One row per op, oldest first; `events` are op events as the reader may see them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    trail = _Trail()
    for event in events:
        op = event["op"]
        trail.see(op)
        card_id = trail.card_of(op)
        card = trail.cards.get(card_id, {}) if card_id else {}
        section = op.get("section") if op.get("kind") in ("card.move", "section.lock") else None
        section = section or card.get("section")
        action, text = describe(op, card)
        writer.writerow(
            [
                event["seq"],
                event["at"],
                readable_time(event["at"], timezone),
                no_formula(names.get(event["by"], "a former participant")),
                roles.get(event["by"], ""),
                action,
                sections.get(section, "") if isinstance(section, str) else "",
                card_id or "",
                no_formula(text),
            ]
        )
    return out.getvalue()
