"""`python run.py db ...`: the database's schema revision, and upgrading it by hand.

The server does the same upgrade at start; these commands let an operator look first, or
upgrade in a maintenance window before starting several server processes.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

from board.config import Settings
from board.store import migrate
from board.store.integrity import sqlite_file
from board.store.problems import shown
from board.store.startup import prepare_database

DESCRIPTION = """\
The database's schema, revision by revision (Alembic migrations shipped with Brickboard).
The server brings the database to this version's revision at every start, keeping a copy of
it first when it held data; these commands do the same by hand.

  python run.py db current    which revision the database is at (changes nothing)
  python run.py db upgrade    check the database and upgrade it, as the server would at start
"""


def add_parser(
    sub: argparse._SubParsersAction, db_option: Callable[[argparse.ArgumentParser], None]
) -> None:
    db = sub.add_parser(
        "db",
        help="the database's schema revision: show it, or upgrade it by hand",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = db.add_subparsers(dest="action", metavar="ACTION", required=True)
    current = actions.add_parser(
        "current", help="print the database's revision and whether it is up to date"
    )
    upgrade = actions.add_parser(
        "upgrade",
        help="check the database and upgrade it to this version's schema, keeping a copy of "
        "it first (SQLite: a file beside it; PostgreSQL: a schema in the same database)",
    )
    for parser in (current, upgrade):
        db_option(parser)


def run(args: argparse.Namespace) -> int:
    url = args.db or Settings().db_url
    if args.action == "current":
        print(asyncio.run(_current(url)))
        return 0
    done = asyncio.run(prepare_database(url))
    print(done.describe(url))
    return 0


async def _current(url: str) -> str:
    where = shown(url)
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return f"{where}: no database file yet; the first start creates it"
    status = await migrate.status(url)
    if status.kind == "empty":
        return f"{where}: empty; the first start creates its tables at revision {status.head}"
    if status.kind == "v0.1.0":
        then = "" if status.current else f" and upgrades it to {status.head}, keeping a copy first"
        return (
            f"{where}: made by Brickboard 0.1.0, before migrations (no revision yet); the next "
            f"start (or `db upgrade`) stamps it {migrate.BASELINE}, the same schema{then}"
        )
    if status.up_to_date:
        return f"{where}: revision {status.revision} (head), up to date"
    return (
        f"{where}: revision {status.revision}; the next start (or `db upgrade`) upgrades it "
        f"to {status.head}, keeping a copy first"
    )
