"""The command line (`python run.py ...`): serve by default; demo, workshop."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import time
from pathlib import Path
from typing import Any

from board import archive, cli_db, cli_records, exporting
from board.auth import actor_of
from board.cli_limits import add_limit_options, limit_settings
from board.config import DEFAULT_PORT, Settings
from board.demo import ensure_demo, roster_json
from board.netinfo import room_url
from board.rooms import RoomRegistry
from board.roster import RosterError, build, parse_csv
from board.services import Services
from board.store import DatabaseProblem, Store
from board.store.engine import default_url

COMMANDS = (
    "serve",
    "demo",
    "workshop",
    "export",
    "import",
    "import-workshop",
    "db",
    "backup",
    "restore",
)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy database URL (default: $BRICKBOARD_DB, else SQLite in ./data/)",
    )


def _address_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: 8000)")
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address people open, used in invite links (default: http://LAN-ADDRESS:PORT)",
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python run.py",
        description="Brickboard: the live Innovation Canvas for a workshop room. "
        "Without a command, serves the board (and creates the demo workshop on an empty "
        "database).",
    )
    sub = root.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the board (the default command)")
    _address_options(serve)
    _db_option(serve)
    serve.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="another browser origin allowed to connect, e.g. https://board.example.org "
        "(repeatable; the server's own addresses are always allowed)",
    )
    serve.add_argument(
        "--broker",
        metavar="URL",
        help="redis://HOST:PORT when several server processes serve the same workshops "
        "(they must share one PostgreSQL --db)",
    )
    serve.add_argument("--certfile", help="TLS certificate: serve HTTPS and WSS")
    serve.add_argument("--keyfile", help="TLS private key for --certfile")
    serve.add_argument(
        "--no-demo",
        action="store_true",
        help="do not create the demo workshop on an empty database",
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    serve.add_argument(
        "--day-end",
        type=_clock_time,
        default=time(18, 0),
        metavar="HH:MM",
        help="local time at which a session day closes by itself with a snapshot of every "
        "board (default: 18:00)",
    )
    serve.add_argument(
        "--queue-bound",
        type=int,
        default=4096,
        metavar="N",
        help="frames queued for one client before it is cut off as too slow (default: 4096)",
    )
    serve.add_argument(
        "--ping-interval",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="seconds between keep-alive pings; a laptop that stops answering leaves the "
        "board after about twice this (default: 20)",
    )
    add_limit_options(serve)
    cli_records.add_serve_options(serve)
    serve.add_argument(
        "--hello-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time a new socket has to say hello (default: 10)",
    )

    demo = sub.add_parser("demo", help="create the demo workshop if missing and print it")
    _db_option(demo)
    _address_options(demo)
    demo.add_argument("--json", action="store_true", help="print one JSON object (PROTOCOL.md)")

    workshop = sub.add_parser("workshop", help="set up workshops from the command line")
    wsub = workshop.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = wsub.add_parser("create", help="a new workshop from a roster CSV")
    create.add_argument(
        "--from",
        dest="csv",
        required=True,
        metavar="FILE.csv",
        help="header name,role,city,organisation,initiative; one row per participant",
    )
    create.add_argument("--title", default="Mayors Leadership Institute on Smart Cities")
    create.add_argument("--json", action="store_true", help="print one JSON object")
    _db_option(create)
    _address_options(create)
    links = wsub.add_parser("links", help="print everyone's invite link again")
    links.add_argument("workshop", metavar="WORKSHOP", help="the workshop id (w_...)")
    links.add_argument("--json", action="store_true", help="print one JSON object")
    _db_option(links)
    _address_options(links)

    export = sub.add_parser(
        "export",
        help="export a workshop (the archive ZIP: README, Keeping the records) or one board",
    )
    export.add_argument("workshop", metavar="WORKSHOP", help="the workshop id (w_...)")
    export.add_argument("--out", required=True, metavar="FILE", help="where to write it")
    export.add_argument("--board", metavar="BOARD", help="export this board only")
    export.add_argument(
        "--format",
        default="plan.html",
        choices=["plan.html", "plan.md", "actions.csv", "actions.ics", "board.json"],
        help="with --board: what to export (default: plan.html)",
    )
    export.add_argument(
        "--snapshot",
        metavar="ID",
        help="with --board: from this snapshot (default: now, the board as committed)",
    )
    _db_option(export)

    importer = sub.add_parser("import", help="import a board JSON export into a workshop")
    importer.add_argument("workshop", metavar="WORKSHOP", help="the workshop id (w_...)")
    importer.add_argument("file", metavar="FILE.json", help="a board exported as JSON")
    _db_option(importer)
    cli_db.add_parser(sub, _db_option)
    cli_records.add_parsers(sub, _db_option, _address_options)
    return root


def _clock_time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time like 18:00") from None


def _base_url(args: argparse.Namespace) -> str:
    return (args.public_url or room_url(args.host, args.port, False)).rstrip("/")


def _print_roster(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, indent=2))
        return
    print(f"{data['workshop']['title']}  ({data['workshop']['id']})")
    for p in data["participants"]:
        who = f"{p['name']} [{p['role']}{', ' + p['city'] if p['city'] else ''}]"
        print(f"  {who:<60} {p['join_url']}")


async def _with_store(url: str, work: Callable[[Store], Awaitable[int]]) -> int:
    store = await Store.open(url)
    try:
        return await work(store)
    finally:
        await store.close()


def _demo(args: argparse.Namespace) -> int:
    async def work(store: Store) -> int:
        workshop_id = await ensure_demo(store)
        _print_roster(await roster_json(store, workshop_id, _base_url(args)), args.json)
        return 0

    return asyncio.run(_with_store(args.db or default_url(), work))


def _workshop(args: argparse.Namespace) -> int:
    if args.action == "create":
        try:
            people = parse_csv(Path(args.csv).read_text("utf-8"))
        except OSError as exc:
            print(f"error: cannot read {args.csv}: {exc.strerror}", file=sys.stderr)
            return 2
        except RosterError as exc:
            print(f"error: {args.csv} was refused, nothing was created:", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            return 2

        async def create(store: Store) -> int:
            roster = build(args.title, people)
            await store.create_workshop(roster.workshop, roster.participants, roster.boards)
            data = await roster_json(store, roster.workshop.id, _base_url(args))
            _print_roster(data, args.json)
            return 0

        return asyncio.run(_with_store(args.db or default_url(), create))

    async def links(store: Store) -> int:
        try:
            data = await roster_json(store, args.workshop, _base_url(args))
        except LookupError:
            print(f"error: there is no workshop {args.workshop!r}", file=sys.stderr)
            return 2
        _print_roster(data, args.json)
        return 0

    return asyncio.run(_with_store(args.db or default_url(), links))


def _serve(args: argparse.Namespace) -> int:
    from board.server import serve

    if bool(args.certfile) != bool(args.keyfile):
        print("error: --certfile and --keyfile go together", file=sys.stderr)
        return 2
    db_url = args.db or Settings().db_url
    if args.broker and db_url.startswith("sqlite"):
        print(
            "error: --broker needs a shared PostgreSQL database (--db postgresql+asyncpg://...)",
            file=sys.stderr,
        )
        return 2
    settings = Settings(
        db_url=db_url,
        broker_url=args.broker,
        host=args.host,
        port=args.port,
        allowed_origins=tuple(args.allow_origin),
        public_url=args.public_url,
        certfile=args.certfile,
        keyfile=args.keyfile,
        seed_demo=not args.no_demo,
        queue_bound=args.queue_bound,
        day_end=args.day_end,
        hello_timeout=args.hello_timeout,
        ping_interval=args.ping_interval,
        **limit_settings(args),
        **cli_records.serve_settings(args),
    )
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    return serve(settings, on_ready=_announce, log_level=args.log_level)


async def _announce(services: Services) -> None:
    """Print where to go and, on a terminal, everyone's invite link, once the server is ready.

    Invite links are secrets: when output goes to a file or a service log they are not
    printed; `python run.py workshop links WORKSHOP` shows them on demand.
    """
    print(f"\nBrickboard is ready. Open {services.base_url} on the room's network.")
    for workshop in await services.store.workshops():
        if sys.stdout.isatty():
            _print_roster(await roster_json(services.store, workshop.id, services.base_url), False)
        else:
            print(
                f"{workshop.title}: invite links with `python run.py workshop links {workshop.id}`"
            )
    sys.stdout.flush()


def _export(args: argparse.Namespace) -> int:
    async def work(store: Store) -> int:
        records = await store.reader.workshop(args.workshop)
        if records is None:
            print(f"error: there is no workshop {args.workshop!r}", file=sys.stderr)
            return 2
        if args.board is None:
            # No one's session: what was hidden from everyone stays out of the files.
            Path(args.out).write_bytes(await archive.workshop_zip(store, args.workshop, None))
        else:
            board = next((b for b in records.boards if b.id == args.board), None)
            if board is None:
                print(f"error: no board {args.board!r} in that workshop", file=sys.stderr)
                return 2
            try:
                item = await exporting.view(store, records, board, None, args.snapshot)
            except LookupError as missing:
                print(f"error: {missing}", file=sys.stderr)
                return 2
            Path(args.out).write_text(exporting.render(records, item, args.format), "utf-8")
        print(f"wrote {args.out}")
        return 0

    return asyncio.run(_with_store(args.db or default_url(), work))


def _import(args: argparse.Namespace) -> int:
    async def work(store: Store) -> int:
        people = [p for p in await store.participants(args.workshop) if p.role == "facilitator"]
        if not people:
            print(f"error: there is no workshop {args.workshop!r}", file=sys.stderr)
            return 2
        rooms = RoomRegistry(store)
        try:
            raw = Path(args.file).read_bytes()
            board = await exporting.import_board(
                store, rooms, args.workshop, raw, actor_of(people[0])
            )
        except exporting.ImportRefused as refused:
            print(
                f"error: {args.file} was refused, nothing was imported: {refused}", file=sys.stderr
            )
            return 2
        finally:
            await rooms.close()
        print(f"imported {board.city or board.title} as board {board.id}")
        return 0

    return asyncio.run(_with_store(args.db or default_url(), work))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "serve")
    args = parser().parse_args(argv)
    handlers = {
        "serve": _serve,
        "demo": _demo,
        "workshop": _workshop,
        "export": _export,
        "import": _import,
        "db": cli_db.run,
        "backup": cli_records.run_backup,
        "restore": cli_records.run_restore,
        "import-workshop": cli_records.run_import_workshop,
    }
    try:
        return handlers[args.command](args)
    except DatabaseProblem as problem:  # a sentence to act on, not a traceback
        print(f"error: {problem}", file=sys.stderr)
        return 1
