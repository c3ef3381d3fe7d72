"""The registry of op kinds: for each, its check and apply, what the server adds to it when it
accepts it (enrich), and what others see of it while it touches hidden content (its
placeholder).

`accept` is the live path, one call: enrich, apply, and decide the placeholder, returning the
op as stored and its form for everyone but its author. `apply` and `replay` are the reducer for
stored ops (which carry what the server added and are never enriched again). A new kind is one
entry in REGISTRY, next to everything that is decided about it.

What a *person* may see of a whole board is decided in board.model.visibility (`visible_to`),
by the same rule: hidden content is seen by the one who made it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from board.model import collab, ops, stage, textops, trash
from board.model.checks import Context, Refusal, Refused
from board.model.expect import predecessor
from board.model.state import BoardState

Op = dict[str, Any]
Handler = Callable[[BoardState, Op, Context], None]
Enrich = Callable[[BoardState, Op, Context], Op]
Hide = Callable[[BoardState, Op], Op | None]


@dataclass(frozen=True, slots=True)
class Kind:
    apply: Handler
    """Checks everything, then changes the state in place (raises Refused, changing nothing)."""
    enrich: Enrich | None = None
    """The op as stored: with what the server adds under `server` (a voter's role, a rebased
    splice, what a reveal shows), so replay and every replica apply exactly that."""
    hide: Hide | None = None
    """The op as everyone but its author sees it, when it touches hidden content; else None."""
    hide_before: bool = False
    """`hide` is decided before the op is applied (the op removes what it hides)."""
    makes_card: bool = False
    """It puts a new card on the board (the room's card cap counts it)."""
    on_stage: bool = False
    """It changes the workshop's stage (spotlight, timer, agenda), not a board."""


@dataclass(frozen=True, slots=True)
class Accepted:
    op: Op
    """As stored and as its author (and anyone who may see it whole) receives it."""
    hidden: Op | None
    """As everyone else receives it, when it touches hidden content."""


# What the server adds ----------------------------------------------------------------------


def _rebase_splice(state: BoardState, op: Op, ctx: Context) -> Op:
    try:
        return {**op, "server": {"ops": textops.rebased(state, op)}}
    except Refused:
        return op  # the reducer refuses it with the same sentence


def _name_dropped_dots(state: BoardState, op: Op, ctx: Context) -> Op:
    dropped = collab.blind_votes_on(state, op.get("card"))
    return {**op, "server": {"votes_dropped": dropped}} if dropped else op


def _carry_deleted_card(state: BoardState, op: Op, ctx: Context) -> Op:
    found = trash.deleted(state, op)
    if found is None:
        return op
    return {**op, "server": copy.deepcopy(found)}  # for replicas that never saw the card


def _voter_role(state: BoardState, op: Op, ctx: Context) -> Op:
    return op if ctx.actor is None else {**op, "server": {"role": ctx.actor.role.value}}


def _show_votes(state: BoardState, op: Op, ctx: Context) -> Op:
    found = state.rounds.get(op.get("round"))
    if found is None:
        return op
    return {**op, "server": {"votes": copy.deepcopy(found["votes"])}}


def _show_private_cards(state: BoardState, op: Op, ctx: Context) -> Op:
    hidden = {cid: dict(c) for cid, c in state.cards.items() if c.get("private")}
    for card in hidden.values():
        card.pop("private", None)
    comments = {k: dict(c) for k, c in state.comments.items() if c["card"] in hidden}
    return {**op, "server": {"cards": hidden, "comments": comments}}


# What others see of it ---------------------------------------------------------------------


def _private(state: BoardState, card_id: Any) -> dict[str, Any] | None:
    card = state.cards.get(card_id) if isinstance(card_id, str) else None
    return card if card is not None and card.get("private") else None


def _hide_card_add(state: BoardState, op: Op) -> Op | None:
    card_id = op["card"]["id"]
    card = _private(state, card_id)
    if card is None:
        return None
    section = {"id": card_id, "section": card["section"]}
    return {"kind": op["kind"], "hidden": True, "card": section, "after": op.get("after")}


def _hide_card_update(state: BoardState, op: Op) -> Op | None:
    if _private(state, op["card"]) is None:
        return None
    return {"kind": op["kind"], "hidden": True, "card": op["card"], "set": {}}


def _hide_card_restore(state: BoardState, op: Op) -> Op | None:
    card = _private(state, op["card"])
    if card is None:
        return None
    return {
        "kind": op["kind"],
        "hidden": True,
        "card": {k: card[k] for k in ("id", "section", "author", "created_at")},
        "after": predecessor(state, card),  # where it went, exactly
    }


def _hide_comment(state: BoardState, op: Op) -> Op | None:
    comment_id = op["comment"]["id"] if op["kind"] == "comment.add" else op["comment"]
    comment = state.comments.get(comment_id)
    if comment is None or _private(state, comment["card"]) is None:
        return None
    return {"kind": op["kind"], "hidden": True}


def _hide_dot(state: BoardState, op: Op) -> Op | None:
    found = state.rounds.get(op.get("round"))
    if found is not None and found["blind"] and not found["revealed"]:
        return {"kind": op["kind"], "hidden": True, "round": op["round"]}
    return None


def _hide_splice(state: BoardState, op: Op) -> Op | None:
    if op.get("card") is None or _private(state, op["card"]) is None:
        return None
    return {"kind": op["kind"], "hidden": True, "card": op["card"]}


# The registry, in the order the kinds are named to a client ---------------------------------

REGISTRY: dict[str, Kind] = {
    "card.add": Kind(ops.card_add, hide=_hide_card_add, makes_card=True),
    "card.update": Kind(ops.card_update, hide=_hide_card_update),
    "card.move": Kind(ops.card_move),
    "card.delete": Kind(ops.card_delete, enrich=_name_dropped_dots),
    "card.restore": Kind(
        trash.card_restore, enrich=_carry_deleted_card, hide=_hide_card_restore, makes_card=True
    ),
    "board.update": Kind(ops.board_update),
    "section.lock": Kind(collab.section_lock),
    "comment.add": Kind(collab.comment_add, hide=_hide_comment),
    "comment.update": Kind(collab.comment_update, hide=_hide_comment),
    "comment.resolve": Kind(collab.comment_resolve, hide=_hide_comment),
    "comment.delete": Kind(collab.comment_delete, hide=_hide_comment, hide_before=True),
    "vote.open": Kind(collab.vote_open),
    "vote.place": Kind(collab.vote_place, enrich=_voter_role, hide=_hide_dot),
    "vote.remove": Kind(collab.vote_remove, hide=_hide_dot),
    "vote.close": Kind(collab.vote_close),
    "vote.reveal": Kind(collab.vote_reveal, enrich=_show_votes),
    "private.start": Kind(collab.private_start),
    "private.reveal": Kind(collab.private_reveal, enrich=_show_private_cards),
    "stage.spotlight": Kind(stage.spotlight, on_stage=True),
    "timer.start": Kind(stage.timer_start, on_stage=True),
    "timer.pause": Kind(stage.timer_pause, on_stage=True),
    "timer.extend": Kind(stage.timer_extend, on_stage=True),
    "timer.reset": Kind(stage.timer_reset, on_stage=True),
    "agenda.start": Kind(stage.agenda_start, on_stage=True),
    "text.splice": Kind(textops.text_splice, enrich=_rebase_splice, hide=_hide_splice),
}

KINDS = tuple(REGISTRY)
STAGE_KINDS = tuple(name for name, kind in REGISTRY.items() if kind.on_stage)
UNKNOWN = Refusal("bad_request", f"Unknown operation; the kinds are {', '.join(KINDS)}.")


def kind_of(op: Any) -> Kind | None:
    return REGISTRY.get(op.get("kind")) if isinstance(op, dict) else None  # type: ignore[arg-type]


def apply(state: BoardState, op: Op, ctx: Context) -> BoardState | Refusal:
    """Apply one op as given (a stored one, or one that needs nothing added): the updated
    state (the same object, seq advanced), or why not. Every check runs before the first
    write, so a refusal leaves `state` exactly as it was."""
    kind = kind_of(op)
    if kind is None:
        return UNKNOWN
    try:
        kind.apply(state, op, ctx)
    except Refused as refused:
        return refused.refusal
    state.seq += 1
    return state


def enrich(state: BoardState, op: Op, ctx: Context) -> Op:
    """The op as it will be stored: with what the server adds to its kind, if anything."""
    kind = kind_of(op)
    return op if kind is None or kind.enrich is None else kind.enrich(state, op, ctx)


def placeholder(state: BoardState, op: Op) -> Op | None:
    """What others see of an op just applied (None: all may see it whole). For a kind whose
    placeholder is decided before it applies, `accept` is the place to ask."""
    kind = kind_of(op)
    if kind is None or kind.hide is None or kind.hide_before:
        return None
    return kind.hide(state, op)


def accept(state: BoardState, op: Op, ctx: Context) -> Accepted | Refusal:
    """A person's op, now: enriched, applied, and its placeholder decided. The one call the
    room makes for each op it receives."""
    kind = kind_of(op)
    if kind is None:
        return UNKNOWN
    stored = op if kind.enrich is None else kind.enrich(state, op, ctx)
    hidden = kind.hide(state, stored) if kind.hide is not None and kind.hide_before else None
    result = apply(state, stored, ctx)
    if isinstance(result, Refusal):
        return result
    if kind.hide is not None and not kind.hide_before:
        hidden = kind.hide(state, stored)
    return Accepted(stored, hidden)


def makes_cards(ops_: Iterable[Op]) -> int:
    """How many new cards these ops would put on a board (for the card cap)."""
    return sum(1 for op in ops_ if (kind := kind_of(op)) is not None and kind.makes_card)


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
