"""Running the room on a board: comments, dot voting, section sign-off, private writing.

Facilitator actions are ops like any other: they are ordered, stored, replayed and in history.
Some ops carry a `server` object the room adds when it accepts them (the voter's role, the
content a reveal makes visible); a client never sends it, and replay reads it back.
"""

from __future__ import annotations

from typing import Any

from board.model import expect
from board.model.checks import (
    Context,
    allowed,
    as_board,
    card_of,
    facilitator_only,
    fields_of,
    refuse,
    string_id,
    text_field,
)
from board.model.permissions import Action, Role
from board.model.state import BoardState

COMMENT_MAX = 1000
DOTS_MAX = 20


# Section sign-off ---------------------------------------------------------------------------


def check_unlocked(state: BoardState, section: str, ctx: Context) -> None:
    """Cards of an agreed section are locked for everyone but the facilitator."""
    if section in state.locks and ctx.actor is not None and ctx.actor.role is not Role.FACILITATOR:
        raise refuse(
            "forbidden",
            "This section was agreed and is locked; ask the facilitator to unlock it.",
        )


def section_lock(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    as_board(state)
    section = op.get("section")
    if section not in state.sections:
        raise refuse("bad_request", f"There is no section {section!r} on this canvas.")
    locked = op.get("locked")
    if not isinstance(locked, bool):
        raise refuse("bad_request", "'locked' must be true or false.")
    facilitator_only(ctx, "mark a section agreed")
    expect.check_lock(state, section, op)
    if locked:
        state.locks[section] = {"by": ctx.by, "at": ctx.at}
    else:
        state.locks.pop(section, None)


# Comments -----------------------------------------------------------------------------------


def _comment(state: BoardState, comment_id: Any) -> dict[str, Any]:
    comment = state.comments.get(string_id(comment_id, "comment id"))
    if comment is None:
        raise refuse("not_found", "That comment is not on this board (it may have been deleted).")
    return comment


def _may_moderate(state: BoardState, ctx: Context, comment: dict[str, Any]) -> bool:
    actor = ctx.actor
    if actor is None or actor.role is Role.FACILITATOR or comment["author"] == actor.id:
        return True
    card = state.cards.get(comment["card"], {})
    return card.get("author") == actor.id or (actor.role is Role.MAYOR and state.mayor == actor.id)


def comment_add(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    as_board(state)
    body = fields_of(op, "comment")
    comment_id = string_id(body.get("id"), "comment id")
    if comment_id in state.comments:
        raise refuse("conflict", "A comment with this id already exists on this board.")
    card = card_of(state, body.get("card"))
    text = text_field(body.get("text"), "text", COMMENT_MAX)
    if set(body) - {"id", "card", "text"}:
        raise refuse("bad_request", "A comment has only id, card and text.")
    allowed(state, ctx, Action.COMMENT)
    check_not_private(card, ctx)
    state.comments[comment_id] = {
        "id": comment_id,
        "card": card["id"],
        "text": text,
        "author": ctx.by,
        "created_at": ctx.at,
        "updated_at": ctx.at,
        "resolved": False,
        "resolved_by": None,
    }


def comment_update(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    comment = _comment(state, op.get("comment"))
    text = text_field(op.get("text"), "text", COMMENT_MAX)
    if ctx.actor is not None and comment["author"] != ctx.actor.id:
        raise refuse("forbidden", "You can only edit your own comments.")
    comment["text"] = text
    comment["updated_at"] = ctx.at


def comment_resolve(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    comment = _comment(state, op.get("comment"))
    resolved = op.get("resolved", True)
    if not isinstance(resolved, bool):
        raise refuse("bad_request", "'resolved' must be true or false.")
    if not _may_moderate(state, ctx, comment):
        raise refuse(
            "forbidden",
            "Only the comment's or the card's author, the board's mayor "
            "or the facilitator can resolve it.",
        )
    comment["resolved"] = resolved
    comment["resolved_by"] = ctx.by if resolved else None
    comment["updated_at"] = ctx.at


def comment_delete(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    comment = _comment(state, op.get("comment"))
    actor = ctx.actor
    if actor is not None and actor.role is not Role.FACILITATOR and comment["author"] != actor.id:
        raise refuse("forbidden", "You can only delete your own comments.")
    del state.comments[comment["id"]]


def drop_votes_of(state: BoardState, card_id: str, dropped: Any = None) -> None:
    """A deleted card gives its dots back in open rounds (closed rounds keep their result).

    `dropped` (the `server.votes_dropped` the room adds to the op) names whose blind dots were
    on the card: a replica that sees those dots without their cards removes one of each voter's
    hidden dots, so its counts stay right before the reveal.
    """
    for found in state.rounds.values():
        if found["status"] == "open":
            found["votes"] = [v for v in found["votes"] if v["card"] != card_id]
    for entry in dropped if isinstance(dropped, list) else ():
        found = state.rounds.get(entry.get("round")) if isinstance(entry, dict) else None
        if found is None or found["status"] != "open":
            continue
        votes = found["votes"]
        for index, vote in enumerate(votes):
            if vote["card"] is None and vote["by"] == entry.get("by"):
                del votes[index]
                break


def blind_votes_on(state: BoardState, card_id: Any) -> list[dict[str, str]]:
    """Whose dots in open blind rounds are on this card: what others cannot tell by themselves
    when it is deleted (each voter's number of dots is public; where they went is not)."""
    return [
        {"round": round_id, "by": vote["by"]}
        for round_id, found in state.rounds.items()
        if found["status"] == "open" and found["blind"] and not found["revealed"]
        for vote in found["votes"]
        if vote["card"] == card_id
    ]


def check_not_private(card: dict[str, Any], ctx: Context) -> None:
    """A card written in private is its author's alone until the reveal: nobody else (who
    only sees a placeholder) may change, move, delete or comment on it."""
    if card.get("private") and ctx.actor is not None and card["author"] != ctx.actor.id:
        raise refuse(
            "forbidden",
            "This card is private to its author until the facilitator reveals private writing.",
        )


def drop_comments_of(state: BoardState, card_id: str) -> None:
    """A deleted card takes its comments with it."""
    for comment_id in [c for c, v in state.comments.items() if v["card"] == card_id]:
        del state.comments[comment_id]


# Dot voting ---------------------------------------------------------------------------------


def _round(state: BoardState, round_id: Any) -> dict[str, Any]:
    found = state.rounds.get(string_id(round_id, "round id"))
    if found is None:
        raise refuse("not_found", "There is no such voting round on this board.")
    return found


def vote_open(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    as_board(state)
    body = fields_of(op, "round")
    round_id = string_id(body.get("id"), "round id")
    dots = body.get("dots")
    if isinstance(dots, bool) or not isinstance(dots, int) or not 1 <= dots <= DOTS_MAX:
        raise refuse("bad_request", f"'dots' must be a whole number from 1 to {DOTS_MAX}.")
    sections = body.get("sections")
    if sections is not None and (
        not isinstance(sections, list)
        or not sections
        or any(s not in state.sections for s in sections)
    ):
        raise refuse("bad_request", "'sections' must list sections of this canvas, or be null.")
    blind = body.get("blind", False)
    if not isinstance(blind, bool):
        raise refuse("bad_request", "'blind' must be true or false.")
    title = text_field(body.get("title", "Dot vote"), "title", 200)
    facilitator_only(ctx, "open a voting round")  # the role before the board's state
    if round_id in state.rounds:
        raise refuse("conflict", "A voting round with this id already exists.")
    if any(r["status"] == "open" for r in state.rounds.values()):
        raise refuse("conflict", "Close the open voting round first.")
    state.rounds[round_id] = {
        "id": round_id,
        "title": title,
        "dots": dots,
        "sections": sections,
        "blind": blind,
        "status": "open",
        "revealed": not blind,
        "opened_by": ctx.by,
        "opened_at": ctx.at,
        "closed_at": None,
        "votes": [],
    }


def _voter_role(op: dict[str, Any], ctx: Context) -> str:
    role = (op.get("server") or {}).get("role")
    if role is None and ctx.actor is not None:
        role = ctx.actor.role.value
    return role or "expert"


def vote_place(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    found = _round(state, op.get("round"))
    card = card_of(state, op.get("card"))
    if found["status"] != "open":
        raise refuse("conflict", "This voting round is closed.")
    if found["sections"] is not None and card["section"] not in found["sections"]:
        raise refuse("bad_request", "This round is not voting on that section.")
    if ctx.actor is not None and ctx.actor.role is Role.OBSERVER:
        raise refuse("forbidden", "Observers do not vote.")
    mine = sum(1 for v in found["votes"] if v["by"] == ctx.by)
    if mine >= found["dots"]:
        raise refuse(
            "conflict", f"You have placed all {found['dots']} of your dots; remove one to move it."
        )
    found["votes"].append({"by": ctx.by, "role": _voter_role(op, ctx), "card": card["id"]})


def vote_remove(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    found = _round(state, op.get("round"))
    card_id = string_id(op.get("card"), "card id")
    if found["status"] != "open":
        raise refuse("conflict", "This voting round is closed.")
    for index, vote in enumerate(found["votes"]):
        if vote["by"] == ctx.by and vote["card"] == card_id:
            del found["votes"][index]
            return
    raise refuse("not_found", "You have no dot on that card in this round.")


def vote_close(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    found = _round(state, op.get("round"))
    facilitator_only(ctx, "close a voting round")
    if found["status"] != "open":
        raise refuse("conflict", "This voting round is already closed.")
    found["status"] = "closed"
    found["closed_at"] = ctx.at


def vote_reveal(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    found = _round(state, op.get("round"))
    facilitator_only(ctx, "reveal a voting round")
    if found["status"] == "open":
        found["status"], found["closed_at"] = "closed", ctx.at
    found["revealed"] = True
    votes = (op.get("server") or {}).get("votes")
    if votes is not None:  # a replica that saw only hidden dots learns them here
        found["votes"] = [dict(v) for v in votes]


def tally(found: dict[str, Any]) -> dict[str, Any]:
    """Dots per card, overall and by role, ranked: what a reveal shows and the plan exports."""
    totals: dict[str, int] = {}
    by_role: dict[str, dict[str, int]] = {}
    for vote in found["votes"]:
        if vote["card"] is None:
            continue
        totals[vote["card"]] = totals.get(vote["card"], 0) + 1
        per = by_role.setdefault(vote["card"], {})
        per[vote["role"]] = per.get(vote["role"], 0) + 1
    ranking = sorted(totals, key=lambda c: (-totals[c], c))
    return {"totals": totals, "by_role": by_role, "ranking": ranking}


# Private writing ----------------------------------------------------------------------------


def private_start(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    as_board(state)
    facilitator_only(ctx, "start private writing")
    if state.private is not None:
        raise refuse("conflict", "Private writing is already on.")
    state.private = {"by": ctx.by, "at": ctx.at}


def private_reveal(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    as_board(state)
    facilitator_only(ctx, "reveal private writing")
    if state.private is None:
        raise refuse("conflict", "Private writing is not on.")
    server = op.get("server") or {}
    for card_id, card in (server.get("cards") or {}).items():  # replicas that saw placeholders
        if card_id in state.cards:  # get the real cards, and their comments
            state.cards[card_id] = dict(card)
    for comment_id, comment in (server.get("comments") or {}).items():
        if comment["card"] in state.cards:
            state.comments[comment_id] = dict(comment)
    for card in state.cards.values():
        card.pop("private", None)
    state.private = None


HANDLERS = {
    "section.lock": section_lock,
    "comment.add": comment_add,
    "comment.update": comment_update,
    "comment.resolve": comment_resolve,
    "comment.delete": comment_delete,
    "vote.open": vote_open,
    "vote.place": vote_place,
    "vote.remove": vote_remove,
    "vote.close": vote_close,
    "vote.reveal": vote_reveal,
    "private.start": private_start,
    "private.reveal": private_reveal,
}
