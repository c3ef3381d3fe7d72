"""Persistence: the only package that imports SQLAlchemy.

`Store` is the narrow interface the rest of the server uses; the tables and the group-commit
writer are details behind it.
"""

from sqlalchemy.exc import SQLAlchemyError

from board.store.engine import StorageError, Store
from board.store.problems import DatabaseProblem
from board.store.records import (
    BoardRow,
    OpRecord,
    ParticipantRow,
    SnapshotRow,
    WorkshopRow,
)

STORAGE_ERRORS: tuple[type[Exception], ...] = (StorageError, SQLAlchemyError, ConnectionError)
"""What a failed or unreachable database raises through the Store: the web layer answers
them as 503 `unavailable` (retryable), as the socket does."""

__all__ = [
    "STORAGE_ERRORS",
    "BoardRow",
    "DatabaseProblem",
    "OpRecord",
    "ParticipantRow",
    "SnapshotRow",
    "StorageError",
    "Store",
    "WorkshopRow",
]
