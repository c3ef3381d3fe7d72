"""The reducer: `apply(state, op, ctx)` for every v1 operation, and `replay` of an op log.

Ops arrive as plain dicts (the `op` object of PROTOCOL.md), already parsed from JSON. The
reducer checks everything it relies on itself, so a replay, an import or a conformance vector
goes through exactly the rules a live op does.

For speed the accepted op updates `state` in place (a 10,000-card board is not copied per op);
a refusal leaves it untouched, because every check runs before the first write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from board.model import collab, expect, stage, textops, trash
from board.model.checks import (
    CARD_CORE_FIELDS,
    CARD_SERVER_FIELDS,
    ID_MAX,
    Context,
    Refusal,
    Refused,
    allowed,
    as_board,
    card_of,
    fields_of,
    refuse,
    string_id,
)
from board.model.permissions import Action
from board.model.state import BOARD_FIELDS, BoardState, Card
from board.model.template import check_field

BOARD_TEXT_MAX = {"title": 200, "initiative": 300, "theme": 100}
__all__ = ["CARD_CORE_FIELDS", "CARD_SERVER_FIELDS", "ID_MAX", "Context", "Refusal", "apply"]


def _section(state: BoardState, section_id: Any) -> str:
    if section_id not in state.sections:
        raise refuse("bad_request", f"There is no section {section_id!r} on this canvas.")
    return section_id


def _after(value: Any) -> str | None:
    if value is None:
        return None
    return string_id(value, "'after' card id")


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise refuse("bad_request", "A card needs some text.")
    if len(value) > limit:
        raise refuse("bad_request", f"Card text is limited to {limit} characters.")
    return value


def _check_fields(
    state: BoardState, card_type: str, section: str, values: dict[str, Any], ctx: Context
) -> None:
    fields = state.template.fields_for(card_type, section)
    for name, value in values.items():
        spec = fields.get(name)
        if spec is None:
            raise refuse("bad_request", f"A {card_type} card has no field '{name}' here.")
        problem = check_field(name, spec, value, live=ctx.actor is not None)
        if problem:
            raise refuse("bad_request", problem)


def _card_type(state: BoardState, value: Any) -> str:
    if value not in state.template.card_fields:
        kinds = ", ".join(state.template.card_fields)
        raise refuse("bad_request", f"The card type must be one of {kinds}.")
    return value


def _place(ids: list[str], card_id: str, after: str | None) -> None:
    """Insert after `after`; an `after` no longer in the section (moved or deleted by someone
    else meanwhile) puts the card last, so a concurrent edit never loses the card."""
    if after is None:
        ids.insert(0, card_id)
        return
    try:
        ids.insert(ids.index(after) + 1, card_id)
    except ValueError:
        ids.append(card_id)


def _text_fields(state: BoardState, card: Card) -> set[str]:
    """The card's fields that hold free text (mergeable with text.splice)."""
    fields = state.template.fields_for(card["type"], card["section"])
    return {"text"} | {n for n, spec in fields.items() if spec["kind"] == "text" and n in card}


def _card_add(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    as_board(state)
    body = fields_of(op, "card")
    card_id = string_id(body.get("id"), "card id")
    if card_id in state.cards:
        raise refuse("conflict", "A card with this id already exists on this board.")
    section = _section(state, body.get("section"))
    card_type = _card_type(state, body.get("type"))
    text = _text(body.get("text"), state.template.text_max)
    extra = {k: v for k, v in body.items() if k not in CARD_CORE_FIELDS}
    _check_fields(state, card_type, section, extra, ctx)
    after = _after(op.get("after"))
    allowed(state, ctx, Action.ADD_CARD)
    collab.check_unlocked(state, section, ctx)
    card: Card = {"id": card_id, "section": section, "type": card_type, "text": text}
    card.update((k, v) for k, v in extra.items() if v is not None)
    card.update(author=ctx.by, created_at=ctx.at, updated_at=ctx.at, updated_by=ctx.by)
    if state.private is not None:
        card["private"] = True
    state.cards[card_id] = card
    _place(state.sections[section], card_id, after)


def _card_update(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    card = card_of(state, op.get("card"))
    changes = fields_of(op, "set")
    if not changes:
        raise refuse("bad_request", "'set' names no field to change.")
    for name in ("id", "section", *sorted(CARD_SERVER_FIELDS)):
        if name in changes:
            hint = " (use card.move)" if name == "section" else ""
            raise refuse("bad_request", f"'{name}' cannot be changed with card.update{hint}.")
    card_type = _card_type(state, changes.get("type", card["type"]))
    if "text" in changes:
        _text(changes["text"], state.template.text_max)
    extra = {k: v for k, v in changes.items() if k not in CARD_CORE_FIELDS}
    _check_fields(state, card_type, card["section"], extra, ctx)
    allowed(state, ctx, Action.EDIT_CARD, card)
    collab.check_unlocked(state, card["section"], ctx)
    collab.check_not_private(card, ctx)
    expect.check_card(state, card, op)
    if card_type != card["type"]:
        keep = state.template.fields_for(card_type, card["section"])
        for name in [k for k in card if k not in CARD_CORE_FIELDS | CARD_SERVER_FIELDS]:
            if name not in keep:
                del card[name]
    before = dict(card)
    for name, value in changes.items():
        if value is None:
            card.pop(name, None)
        else:
            card[name] = value
    for name in _text_fields(state, before) | _text_fields(state, card):
        textops.record(state, f"card:{card['id']}:{name}", before.get(name, ""), card.get(name, ""))
    card["updated_at"] = ctx.at
    card["updated_by"] = ctx.by


def _card_move(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    card = card_of(state, op.get("card"))
    section = _section(state, op.get("section"))
    after = _after(op.get("after"))
    if after == card["id"]:
        raise refuse("bad_request", "A card cannot be placed after itself.")
    allowed(state, ctx, Action.MOVE_CARD, card)
    collab.check_unlocked(state, card["section"], ctx)
    collab.check_unlocked(state, section, ctx)
    collab.check_not_private(card, ctx)
    expect.check_card(state, card, op)
    state.sections[card["section"]].remove(card["id"])
    card["section"] = section
    _place(state.sections[section], card["id"], after)
    card["updated_at"] = ctx.at
    card["updated_by"] = ctx.by


def _server_part(op: dict[str, Any]) -> dict[str, Any]:
    server = op.get("server")
    return server if isinstance(server, dict) else {}


def _card_delete(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    card = card_of(state, op.get("card"))
    allowed(state, ctx, Action.DELETE_CARD, card)
    collab.check_unlocked(state, card["section"], ctx)
    collab.check_not_private(card, ctx)
    expect.check_card(state, card, op)
    trash.keep(state, card, ctx)
    state.sections[card["section"]].remove(card["id"])
    del state.cards[card["id"]]
    collab.drop_comments_of(state, card["id"])
    collab.drop_votes_of(state, card["id"], _server_part(op).get("votes_dropped"))
    textops.forget_card(state, card["id"])


def _board_update(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    as_board(state)
    changes = fields_of(op, "set")
    if not changes:
        raise refuse("bad_request", "'set' names no field to change.")
    brief = changes.get("brief", {})
    for name, value in changes.items():
        if name in BOARD_FIELDS:
            limit = BOARD_TEXT_MAX[name]
            if not isinstance(value, str) or len(value) > limit:
                raise refuse("bad_request", f"'{name}' must be text of at most {limit} characters.")
            if name == "title" and not value.strip():
                raise refuse("bad_request", "A board needs a title.")
        elif name != "brief":
            known = ", ".join(sorted({*BOARD_FIELDS, "brief"}))
            raise refuse("bad_request", f"A board has no field '{name}' (try {known}).")
    if not isinstance(brief, dict):
        raise refuse("bad_request", "'brief' must be an object.")
    for name, value in brief.items():
        spec = state.template.brief_fields.get(name)
        if spec is None:
            raise refuse("bad_request", f"The brief has no field '{name}'.")
        if value is not None and (not isinstance(value, str) or len(value) > spec["max"]):
            raise refuse("bad_request", f"'{name}' must be text of at most {spec['max']} chars.")
    allowed(state, ctx, Action.EDIT_BOARD)
    for name in BOARD_FIELDS:
        if name in changes:
            setattr(state, name, changes[name])
    for name, value in brief.items():
        textops.record(state, f"brief:{name}", state.brief.get(name, ""), value or "")
        if value is None:
            state.brief.pop(name, None)
        else:
            state.brief[name] = value


_HANDLERS: dict[str, Callable[[BoardState, dict[str, Any], Context], None]] = {
    "card.add": _card_add,
    "card.update": _card_update,
    "card.move": _card_move,
    "card.delete": _card_delete,
    **trash.HANDLERS,
    "board.update": _board_update,
    **collab.HANDLERS,
    **stage.HANDLERS,
    **textops.HANDLERS,
}

KINDS = tuple(_HANDLERS)


def apply(state: BoardState, op: dict[str, Any], ctx: Context) -> BoardState | Refusal:
    """Apply one op: the updated state (the same object, seq advanced), or why not.

    Every check runs before the first write, so a refusal leaves `state` exactly as it was.
    """
    handler = _HANDLERS.get(op.get("kind")) if isinstance(op, dict) else None
    if handler is None:
        return Refusal("bad_request", f"Unknown operation; the kinds are {', '.join(KINDS)}.")
    try:
        handler(state, op, ctx)
    except Refused as refused:
        return refused.refusal
    state.seq += 1
    return state


def replay(state: BoardState, events: Iterable[dict[str, Any]]) -> BoardState:
    """Re-apply stored op events (with their own `by` and `at`) on top of `state`.

    Events were accepted once, so permissions are not checked again. An event that no longer
    applies would mean a corrupt log, so it raises rather than being skipped silently.
    """
    for event in events:
        if event["seq"] != state.seq + 1:
            raise ValueError(f"op log gap: expected seq {state.seq + 1}, got {event['seq']}")
        result = apply(state, event["op"], Context(at=event["at"], by=event["by"]))
        if isinstance(result, Refusal):
            raise ValueError(f"op log seq {event['seq']} does not apply: {result.message}")
    return state
