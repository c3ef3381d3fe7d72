"""The pure core: board state, the canvas template and the reducer.

Nothing in this package does I/O or imports the web, socket or database layers, so it can be
tested exhaustively and replayed anywhere (the browser carries a JavaScript twin of it).
"""

from board.model.checks import Context, Refusal
from board.model.kinds import apply, replay
from board.model.permissions import Actor, can
from board.model.state import BoardState, new_board
from board.model.template import Template, load_template

__all__ = [
    "Actor",
    "BoardState",
    "Context",
    "Refusal",
    "Template",
    "apply",
    "can",
    "load_template",
    "new_board",
    "replay",
]
