"""What each participant may see: blind votes and private writing, hidden until revealed.

The server keeps everything; what leaves it is cut per viewer. An op that touches hidden
content reaches its own author whole and everyone else as a *placeholder* op
(`"hidden": true`, no content), so every replica still sees every seq. The reveal op carries
the hidden content (the room adds it under `server`), so a replica that only ever saw
placeholders ends up with exactly the server's state.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from board.model.checks import Context, Refused
from board.model.collab import blind_votes_on
from board.model.expect import predecessor
from board.model.permissions import Actor
from board.model.state import BoardState
from board.model.textops import rebased
from board.model.trash import deleted

PLACEHOLDER_TEXT = "(private)"
Wire = dict[str, Any]


def enrich(state: BoardState, op: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """The op as stored: with what the server adds (the voter's role, what a reveal shows)."""
    kind = op.get("kind")
    if kind == "text.splice":
        try:
            return {**op, "server": {"ops": rebased(state, op)}}
        except Refused:
            return op  # the reducer refuses it with the same sentence
    if kind == "card.delete":
        dropped = blind_votes_on(state, op.get("card"))
        return {**op, "server": {"votes_dropped": dropped}} if dropped else op
    if kind == "card.restore":
        found = deleted(state, op)
        if found is not None:  # the card as it was, for replicas that never saw it
            return {**op, "server": copy.deepcopy(found)}
    if kind == "vote.place" and ctx.actor is not None:
        return {**op, "server": {"role": ctx.actor.role.value}}
    if kind == "vote.reveal":
        found = state.rounds.get(op.get("round"))
        if found is not None:
            return {**op, "server": {"votes": copy.deepcopy(found["votes"])}}
    if kind == "private.reveal":
        hidden = {cid: dict(c) for cid, c in state.cards.items() if c.get("private")}
        for card in hidden.values():
            card.pop("private", None)
        comments = {k: dict(c) for k, c in state.comments.items() if c["card"] in hidden}
        return {**op, "server": {"cards": hidden, "comments": comments}}
    return op


def placeholder(state: BoardState, op: dict[str, Any]) -> dict[str, Any] | None:
    """The op as others see it, right after it was applied; None when all may see it."""
    kind = op.get("kind")
    if kind == "text.splice" and op.get("card") is not None:
        card = state.cards.get(op["card"])
        if card is not None and card.get("private"):
            return {"kind": kind, "hidden": True, "card": op["card"]}
        return None
    if kind in ("comment.add", "comment.update", "comment.resolve", "comment.delete"):
        comment_id = op["comment"]["id"] if kind == "comment.add" else op["comment"]
        comment = state.comments.get(comment_id)
        card = state.cards.get(comment["card"]) if comment is not None else None
        if card is not None and card.get("private"):
            return {"kind": kind, "hidden": True}
        return None
    if kind == "card.restore":
        card = state.cards.get(op["card"])
        if card is None or not card.get("private"):
            return None
        return {
            "kind": kind,
            "hidden": True,
            "card": {k: card[k] for k in ("id", "section", "author", "created_at")},
            "after": predecessor(state, card),  # where it went, exactly
        }
    if kind in ("card.add", "card.update"):
        card_id = op["card"]["id"] if kind == "card.add" else op["card"]
        card = state.cards.get(card_id)
        if card is None or not card.get("private"):
            return None
        if kind == "card.add":
            return {
                "kind": kind,
                "hidden": True,
                "card": {"id": card_id, "section": card["section"]},
                "after": op.get("after"),
            }
        return {"kind": kind, "hidden": True, "card": card_id, "set": {}}
    if kind in ("vote.place", "vote.remove"):
        found = state.rounds.get(op.get("round"))
        if found is not None and found["blind"] and not found["revealed"]:
            return {"kind": kind, "hidden": True, "round": op["round"]}
    return None


def placeholder_before(state: BoardState, op: dict[str, Any]) -> dict[str, Any] | None:
    """The placeholder of an op that removes what it hides (a comment deleted from a private
    card), decided before it is applied: afterwards nothing shows where the comment was."""
    return placeholder(state, op) if op.get("kind") == "comment.delete" else None


def has_hidden(state: BoardState) -> bool:
    """Whether anything on the board is hidden from someone right now (cheap to ask)."""
    return state.private is not None or any(
        r["blind"] and not r["revealed"] for r in state.rounds.values()
    )


Viewer = Actor | str | None
"""Who reads: a participant (or their id), or None for nobody in particular (a record made
outside any session, such as the command line's export)."""

Form = Literal["replica", "document"]


def sees_hidden_of(viewer: Viewer, author: str) -> bool:
    """THE rule: hidden content (a private card, a blind dot) is seen by the person who made
    it and by nobody else, the facilitator included, until it is revealed."""
    viewer_id = viewer.id if isinstance(viewer, Actor) else viewer
    return viewer_id is not None and viewer_id == author


def visible_to(board: BoardState | Wire, viewer: Viewer, *, form: Form = "replica") -> Wire:
    """What `viewer` may see of a board (live or a snapshot), as of the moment it shows.

    The one door every reader goes through: the socket's welcome, the HTTP state, snapshot
    reads, diffs, exports, the pre-read and the workshop ZIP. A snapshot keeps the hidden
    markers of its moment (private cards, unrevealed blind rounds), so what was hidden when
    it was taken stays hidden in it; the live board and later snapshots show the reveal.

    `form="replica"` keeps a placeholder for each hidden card (the shape a replica applies
    events to, as the socket sends it); `form="document"` leaves hidden cards out altogether
    (exports, diffs, the pre-read: a document should not list "(private)" cards, and an
    exported board must import without them). Comments on hidden cards are left out, and a
    hidden dot keeps its voter but loses its card and role. Returns `board`'s own wire
    object, uncopied, when nothing in it is hidden from this viewer.
    """
    wire = board.to_wire() if isinstance(board, BoardState) else board
    if wire.get("kind") == "stage":
        return wire
    hidden = {
        cid
        for cid, c in wire["cards"].items()
        if c.get("private") and not sees_hidden_of(viewer, c["author"])
    }
    blind = [r for r in wire["rounds"].values() if r["blind"] and not r["revealed"]]
    if not hidden and not blind:
        return wire
    out = {**wire, "cards": dict(wire["cards"]), "rounds": copy.deepcopy(wire["rounds"])}
    if form == "replica":
        for cid in hidden:
            out["cards"][cid] = _placeholder_card(wire["cards"][cid])
    else:
        for cid in hidden:
            del out["cards"][cid]
        out["sections"] = [
            {**s, "cards": [c for c in s["cards"] if c not in hidden]} for s in wire["sections"]
        ]
    for found in out["rounds"].values():
        concealed = found["blind"] and not found["revealed"]
        for vote in found["votes"]:
            if (concealed and not sees_hidden_of(viewer, vote["by"])) or (
                form == "document" and vote["card"] in hidden
            ):
                vote["card"] = None
                vote["role"] = None
    out["comments"] = {k: c for k, c in wire["comments"].items() if c["card"] not in hidden}
    return out


def _placeholder_card(card: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": card["id"],
        "section": card["section"],
        "type": "idea",
        "text": PLACEHOLDER_TEXT,
        "author": card["author"],
        "created_at": card["created_at"],
        "updated_at": card["created_at"],
        "updated_by": card["author"],
        "private": True,
        "hidden": True,
    }


def apply_placeholder(state: BoardState, event: dict[str, Any]) -> None:
    """What a replica does with a placeholder op (the browser's sync.js does the same)."""
    op, by = event["op"], event["by"]
    kind = op["kind"]
    if kind in ("card.add", "card.restore"):  # a restored card keeps its author and time
        card = {
            "id": op["card"]["id"],
            "section": op["card"]["section"],
            "author": op["card"].get("author", by),
            "created_at": op["card"].get("created_at", event["at"]),
        }
        state.cards[card["id"]] = _placeholder_card(card)
        ids = state.sections[card["section"]]
        after = op.get("after")
        ids.insert(
            ids.index(after) + 1 if after in ids else (0 if after is None else len(ids)), card["id"]
        )
    elif kind == "vote.place":
        state.rounds[op["round"]]["votes"].append({"by": by, "role": None, "card": None})
    elif kind == "vote.remove":
        votes = state.rounds[op["round"]]["votes"]
        for index, vote in enumerate(votes):
            if vote["by"] == by and vote["card"] is None:
                del votes[index]
                break
    state.seq += 1
