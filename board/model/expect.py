"""`expect`: an op's precondition on what it changes, so an undo never overwrites another
person's edit (docs/undo.md).

Undo is done by the browser as new ordinary ops (ordered, stored, permission-checked, in the
history). card.update, card.move, card.delete and section.lock may carry `expect`: the values
the undo expects to find, i.e. what the person's own op left there. If someone else changed one
of them meanwhile, the op is refused with `conflict` and a sentence, atomically in the room's
order, however the ops interleave.
"""

from __future__ import annotations

from typing import Any

from board.model.checks import refuse
from board.model.state import BoardState, Card

SCALARS = (str, int, float, bool, type(None))


def same(a: Any, b: Any) -> bool:
    """JSON equality of two scalars (true is not 1, as with the browser's ===)."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def expected(op: dict[str, Any]) -> dict[str, Any] | None:
    """The op's `expect` object, checked for shape; None when it has none."""
    expect = op.get("expect")
    if expect is None:
        return None
    if not isinstance(expect, dict):
        raise refuse("bad_request", "'expect' must be an object.")
    for value in expect.values():
        if not isinstance(value, SCALARS):
            raise refuse(
                "bad_request", "'expect' values must be text, numbers, true/false or null."
            )
    return expect


def predecessor(state: BoardState, card: Card) -> str | None:
    """The card this one follows in its section (None: it is first)."""
    ids = state.sections[card["section"]]
    index = ids.index(card["id"])
    return ids[index - 1] if index > 0 else None


def check_card(state: BoardState, card: Card, op: dict[str, Any]) -> None:
    """Refuse with `conflict` when the card no longer holds what `expect` names: a field's
    value (a missing field is null), or its place: `section`, and `after` (the card it follows,
    null when first)."""
    expect = expected(op)
    for name in sorted(expect or ()):
        found = predecessor(state, card) if name == "after" else card.get(name)
        if same(found, expect[name]):  # type: ignore[index]
            continue
        if name in ("section", "after"):
            raise refuse(
                "conflict",
                "This card was moved since (or the card it followed was); "
                "your undo leaves it where it is.",
            )
        raise refuse(
            "conflict",
            f"Someone else changed this card's {name} since; your undo leaves it as it is.",
        )


def check_lock(state: BoardState, section: str, op: dict[str, Any]) -> None:
    """section.lock's `expect`: {"by": who signed the section off, null for nobody}."""
    expect = expected(op)
    if expect is None:
        return
    if set(expect) - {"by"}:
        raise refuse("bad_request", "A sign-off's 'expect' names only 'by'.")
    found = state.locks.get(section)
    if "by" in expect and not same(found["by"] if found else None, expect["by"]):
        raise refuse(
            "conflict",
            "Someone else changed this section's sign-off since; your undo leaves it as it is.",
        )
