"""`python run.py backup`, `restore` and `import-workshop`: the records, copied out and back.

A backup is one SQLite file whatever the database (board/store/backup.py); a restore puts one
into an empty SQLite or PostgreSQL database (board/store/restore.py). README, "Keeping the
records", is the facilitator's guide.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from board.archive_import import import_workshop
from board.backups import default_folder, parse_every
from board.config import Settings
from board.demo import roster_json
from board.exporting import ImportRefused
from board.store import Store, backup, restore
from board.store.problems import shown

BACKUP_HELP = """\
Write a consistent copy of the database to FILE while the server runs and takes edits
(SQLite's online backup; PostgreSQL: every table read in one snapshot). The copy is itself a
Brickboard database file (SQLite): `python run.py restore FILE` puts it back into SQLite or
PostgreSQL, here or on another laptop. The running server also keeps backups by itself
(`serve --backup-dir`).
"""

RESTORE_HELP = """\
Put a backup (a file written by `backup`, by the server's own backups, or any Brickboard
database file) into the database. The database must be empty (or missing): a database that
holds anything is refused unless --force, and then what it held is kept aside, never deleted.
Stop the server first; start it again afterwards.
"""


IMPORT_HELP = """\
Bring a whole workshop back from its archive (the workshop ZIP of the console or of
`python run.py export WORKSHOP --out FILE`) into this database, on this or another laptop:
its people, boards (as they stood when exported), snapshots and closed days, with their ids.
Everything is checked first (every file's SHA-256, every board against the schema); nothing
is written unless all of it is. Invite links are re-issued: it prints the new ones.
"""


def add_parsers(
    sub: argparse._SubParsersAction,
    db_option: Callable[[argparse.ArgumentParser], None],
    address_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    take = sub.add_parser(
        "backup",
        help="write a consistent copy of the database to a file (the server may be running)",
        description=BACKUP_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    take.add_argument(
        "--out",
        metavar="FILE",
        help="where to write it (default: brickboard-YYYYMMDD-HHMMSS.db in the server's "
        "backup folder: backups/ beside a SQLite file, else data/backups/)",
    )
    db_option(take)
    put = sub.add_parser(
        "restore",
        help="put a backup file back into an empty database",
        description=RESTORE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    put.add_argument("file", metavar="BACKUP-FILE", help="a backup (.db) to restore")
    put.add_argument(
        "--force",
        action="store_true",
        help="restore even over a database that holds something (it is kept aside first: "
        "SQLite: the file is renamed; PostgreSQL: its tables are copied into a schema)",
    )
    db_option(put)
    bring = sub.add_parser(
        "import-workshop",
        help="bring a whole workshop back from its archive ZIP (invite links re-issued)",
        description=IMPORT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bring.add_argument("file", metavar="ARCHIVE.zip", help="a workshop archive")
    bring.add_argument("--json", action="store_true", help="print one JSON object")
    db_option(bring)
    address_options(bring)


def add_serve_options(serve: argparse.ArgumentParser) -> None:
    """The server's own backups (README, "Keeping the records")."""
    group = serve.add_argument_group("backups (README: Keeping the records)")
    group.add_argument(
        "--backup-dir",
        metavar="DIR",
        help="where the server writes its backups: one at every day close, and on the "
        "schedule below (default: backups/ beside the SQLite file, else data/backups/)",
    )
    group.add_argument(
        "--backup-every",
        type=_duration,
        default=Settings.__dataclass_fields__["backup_every"].default,
        metavar="DURATION",
        help="time between scheduled backups, e.g. 30m, 2h, 90s (default: 30m; 0: only at "
        "day closes)",
    )
    group.add_argument(
        "--backup-keep",
        type=int,
        default=Settings.__dataclass_fields__["backup_keep"].default,
        metavar="N",
        help="scheduled backups to keep, the newest (default: 48); day-close backups are "
        "always kept",
    )


def _duration(text: str) -> float:
    try:
        return parse_every(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def serve_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The Settings fields these options set."""
    return {
        "backup_dir": args.backup_dir,
        "backup_every": args.backup_every,
        "backup_keep": max(1, args.backup_keep),
    }


def run_backup(args: argparse.Namespace) -> int:
    url = args.db or Settings().db_url
    stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else default_folder(url) / f"brickboard-{stamp}.db"
    done = asyncio.run(backup.take(url, out))
    print(f"backed up {shown(url)} to {done.describe()}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    url = args.db or Settings().db_url
    done = asyncio.run(restore.restore(url, Path(args.file), force=args.force))
    print(done.describe())
    return 0


def run_import_workshop(args: argparse.Namespace) -> int:
    from board.cli import _base_url, _print_roster  # the links, printed as `workshop links` does

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2

    async def work() -> int:
        store = await Store.open(args.db or Settings().db_url)
        try:
            done = await import_workshop(store, data)
            roster = await roster_json(store, done.workshop.id, _base_url(args))
        except ImportRefused as refused:
            print(f"error: {args.file} was refused: {refused}", file=sys.stderr)
            return 2
        finally:
            await store.close()
        if not args.json:
            print(
                f"imported {done.workshop.title} ({done.workshop.id}): {done.boards} boards, "
                f"{done.snapshots} snapshots, {done.people} people; everyone's invite link is new:"
            )
        _print_roster(roster, args.json)
        return 0

    return asyncio.run(work())
