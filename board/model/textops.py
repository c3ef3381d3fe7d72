"""`text.splice`: character-level edits of card text and brief fields, merged by OT.

The op says where the author's cursor was in the text as of seq `base`. Before applying it,
the server rebases it over the changes to that field since `base` (board.model.text) and
stores the result under `server.ops`; replay and every replica apply exactly that.
"""

from __future__ import annotations

from typing import Any

from board.model import collab
from board.model.checks import Context, allowed, as_board, card_of, refuse, string_id
from board.model.permissions import Action
from board.model.state import BoardState
from board.model.text import TextOp, apply_text, base_length, rebase, replace_all, splice

LOG_LIMIT = 1000  # changes kept per field; a splice older than all of them cannot be merged


def target_of(op: dict[str, Any]) -> str:
    if op.get("card") is not None:
        return f"card:{op['card']}:{op.get('field', 'text')}"
    return f"brief:{op.get('brief')}"


def record(state: BoardState, target: str, old: str, new: str) -> None:
    """Note a whole-value change of a text field (card.update, board.update)."""
    if old != new:
        log_change(state, target, replace_all(old, new))


def log_change(state: BoardState, target: str, change: TextOp) -> None:
    log = state.text_log.setdefault(target, [])
    log.append((state.seq + 1, change))  # the seq this op is about to get
    if len(log) > LOG_LIMIT:
        del log[: len(log) - LOG_LIMIT]


def forget_card(state: BoardState, card_id: str) -> None:
    prefix = f"card:{card_id}:"
    for key in [k for k in state.text_log if k.startswith(prefix)]:
        del state.text_log[key]


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise refuse("bad_request", f"'{name}' must be a whole number, 0 or more.")
    return value


def _field(state: BoardState, op: dict[str, Any]) -> tuple[str, str, int, dict[str, Any] | None]:
    """(target key, current text, max length, the card or None for the brief)."""
    if op.get("card") is not None:
        card = card_of(state, op["card"])
        name = op.get("field", "text")
        if name == "text":
            return target_of(op), card["text"], state.template.text_max, card
        spec = state.template.fields_for(card["type"], card["section"]).get(name)
        if spec is None or spec["kind"] != "text":
            raise refuse("bad_request", f"'{name}' is not a text field of this card.")
        return target_of(op), card.get(name, ""), spec.get("max", 500), card
    name = string_id(op.get("brief"), "brief field")
    spec = state.template.brief_fields.get(name)
    if spec is None:
        raise refuse("bad_request", f"The brief has no field '{name}'.")
    return target_of(op), state.brief.get(name, ""), spec["max"], None


def rebased(state: BoardState, op: dict[str, Any]) -> TextOp:
    """The splice as a change of the current text: rebased over what happened since `base`."""
    target, current, _, _ = _field(state, op)
    base = _int(op.get("base"), "base")
    if base > state.seq:
        raise refuse("bad_request", "'base' is ahead of this board.")
    if base < state.text_floor:
        raise refuse(
            "conflict",
            "This text was edited too long ago to merge; reload the board "
            "and type the change again.",
        )
    since = [change for seq, change in state.text_log.get(target, []) if seq > base]
    length = base_length(since[0]) if since else len(current)
    try:
        change = splice(
            length,
            _int(op.get("at"), "at"),
            _int(op.get("delete"), "delete"),
            op.get("insert") if isinstance(op.get("insert"), str) else "",
        )
    except ValueError:
        raise refuse(
            "conflict", "This edit does not fit the text it was typed into; reload the board."
        ) from None
    return rebase(change, since)


def text_splice(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    as_board(state)
    if not isinstance(op.get("insert", ""), str):
        raise refuse("bad_request", "'insert' must be text.")
    target, current, limit, card = _field(state, op)
    server = op.get("server") or {}
    change = server.get("ops") if "ops" in server else rebased(state, op)
    try:
        new = apply_text(current, change)
    except ValueError:
        raise refuse(
            "conflict", "This edit does not fit the current text; reload the board."
        ) from None
    if len(new) > limit:
        raise refuse("bad_request", f"This text is limited to {limit} characters.")
    if card is not None:
        if op.get("field", "text") == "text" and not new.strip():
            raise refuse("bad_request", "A card needs some text.")
        allowed(state, ctx, Action.EDIT_CARD, card)
        collab.check_unlocked(state, card["section"], ctx)
        collab.check_not_private(card, ctx)
    else:
        allowed(state, ctx, Action.EDIT_BOARD)
    log_change(state, target, change)
    if card is not None:
        card[op.get("field", "text")] = new
        card["updated_at"], card["updated_by"] = ctx.at, ctx.by
    else:
        state.brief[op["brief"]] = new


HANDLERS = {"text.splice": text_splice}
