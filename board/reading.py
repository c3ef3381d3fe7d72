"""Reading a board for a person: its committed state, live or as a snapshot froze it, cut by
the one visibility rule (`board.model.visibility.visible_to`).

Every reader outside the socket (the HTTP state, history, diffs, exports, the pre-read, the
workshop ZIP) reads through here, so none of them can hand out the raw state by mistake.
"""

from __future__ import annotations

from typing import Any

from board.codec import decode
from board.model.visibility import Form, Viewer, visible_to
from board.rooms import RoomRegistry
from board.store import SnapshotRow

Wire = dict[str, Any]


async def live(
    rooms: RoomRegistry, board_id: str, viewer: Viewer, *, form: Form = "replica"
) -> Wire:
    """The board's committed state now, as `viewer` may see it."""
    room = await rooms.room(board_id)
    if room is None:
        raise LookupError("There is no such board.")
    return visible_to(await room.read(), viewer, form=form)


def frozen(snapshot: SnapshotRow, viewer: Viewer, *, form: Form = "replica") -> Wire:
    """A snapshot's state as `viewer` may see it: what was hidden at its moment stays hidden."""
    assert snapshot.state is not None, "read the snapshot with its state"
    return visible_to(decode(snapshot.state), viewer, form=form)
