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

LOG_BYTES = 4096
"""The most a field's history of changes may hold, in bytes of their JSON (docs/text-merge.md):
older changes are dropped, always keeping the newest, and the field's floor rises to the
last dropped seq; a splice based below the floor cannot be merged and is refused."""


def target_of(op: dict[str, Any]) -> str:
    if op.get("card") is not None:
        return f"card:{op['card']}:{op.get('field', 'text')}"
    return f"brief:{op.get('brief')}"


def record(state: BoardState, target: str, old: str, new: str) -> None:
    """Note a whole-value change of a text field (card.update, board.update)."""
    if old != new:
        log_change(state, target, replace_all(old, new))


def change_bytes(change: TextOp) -> int:
    """The size of a change as JSON, near enough: what a log entry costs (seq included)."""
    size = 8 + len(change)
    for c in change:
        size += len(str(c)) if isinstance(c, int) else len(c.encode("utf-8", "surrogatepass")) + 2
    return size


def log_change(state: BoardState, target: str, change: TextOp) -> None:
    log = state.text_log.setdefault(target, [])
    log.append((state.seq + 1, change))  # the seq this op is about to get
    size = state.text_bytes.get(target)
    if size is None:  # first change since the state was loaded
        size = sum(change_bytes(c) for _, c in log)
    else:
        size += change_bytes(change)
    drop = 0
    while size > LOG_BYTES and drop < len(log) - 1:
        size -= change_bytes(log[drop][1])
        drop += 1
    if drop:
        state.text_floors[target] = log[drop - 1][0]
        del log[:drop]
    state.text_bytes[target] = size


def floor_of(state: BoardState, target: str) -> int:
    """The seq below which a splice of this field cannot be rebased any more."""
    return max(state.text_floor, state.text_floors.get(target, 0))


def forget_card(state: BoardState, card_id: str) -> None:
    prefix = f"card:{card_id}:"
    for key in [k for k in state.text_log if k.startswith(prefix)]:
        del state.text_log[key]
        state.text_floors.pop(key, None)
        state.text_bytes.pop(key, None)


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
    if base < floor_of(state, target):
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
