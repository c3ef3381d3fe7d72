"""Why a database cannot be opened, in words a facilitator can act on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url


class DatabaseProblem(Exception):
    """The database cannot be used as it is. The message says what to do; nothing was changed.

    The command line prints it as is (no traceback) and exits non-zero.
    """


def shown(url: str) -> str:
    """The database as a person would name it: the file for SQLite, the URL (no password)
    otherwise."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database
    return parsed.render_as_string(hide_password=True)


def restore_hint(url: str) -> str:
    """The command that puts a backup back into this database."""
    from board.store.engine import default_url

    db = (
        ""
        if url == default_url()
        else f" --db {make_url(url).render_as_string(hide_password=True)}"
    )
    return f"python run.py restore BACKUP-FILE{db}"


def damaged(url: str, detail: str) -> DatabaseProblem:
    return DatabaseProblem(
        f"the database {shown(url)} is damaged ({detail}).\n"
        "Brickboard did not start and changed nothing. Move the damaged file aside (keep it),\n"
        f"then restore the last good backup:\n    {restore_hint(url)}"
    )


def missing(url: str, marker: Path) -> DatabaseProblem:
    return DatabaseProblem(
        f"the database {shown(url)} is missing, but {marker.name} beside it says this folder\n"
        "has held a workshop. Brickboard did not start a fresh, empty one in its place (every\n"
        f"invite link would die). Restore the last good backup:\n    {restore_hint(url)}\n"
        f"or, to start afresh on purpose, delete {marker}."
    )


def emptied(url: str, marker: Path) -> DatabaseProblem:
    return DatabaseProblem(
        f"the database {shown(url)} holds no workshop, but {marker.name} beside it says it\n"
        "held one: the file was replaced or emptied. Brickboard did not start on it. Restore\n"
        f"the last good backup:\n    {restore_hint(url)}\n"
        f"or, to start afresh on purpose, delete {marker}."
    )
