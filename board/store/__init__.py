"""Persistence: the only package that imports SQLAlchemy.

`Store` is the narrow interface the rest of the server uses; the tables and the group-commit
writer are details behind it.
"""

from board.store.engine import StorageError, Store
from board.store.problems import DatabaseProblem
from board.store.records import (
    BoardRow,
    OpRecord,
    ParticipantRow,
    SnapshotRow,
    WorkshopRow,
)

__all__ = [
    "BoardRow",
    "DatabaseProblem",
    "OpRecord",
    "ParticipantRow",
    "SnapshotRow",
    "StorageError",
    "Store",
    "WorkshopRow",
]
