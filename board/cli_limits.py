"""The `serve` options for limits an operator may tune (docs/security.md lists them all)."""

from __future__ import annotations

import argparse
from typing import Any

from board.config import DEFAULT_FRAME_RATE, DEFAULT_MAX_CARDS, Settings

_D = Settings.__dataclass_fields__


def _default(name: str) -> Any:
    return _D[name].default


def add_limit_options(serve: argparse.ArgumentParser) -> None:
    limits = serve.add_argument_group("limits (docs/security.md)")
    limits.add_argument(
        "--rate-limit",
        type=float,
        default=_default("rate_limit"),
        metavar="N",
        help="ops per second allowed per person, across their sockets (default: 30); 0 is "
        "for benchmarks and also turns off the frame budget and the card cap unless given",
    )
    limits.add_argument(
        "--frame-rate",
        type=float,
        metavar="N",
        help="frames per second per socket, every frame counted, before it is closed with "
        f"4429 (default: {DEFAULT_FRAME_RATE:g}; 0: no budget)",
    )
    limits.add_argument(
        "--max-sockets-per-person",
        type=int,
        default=_default("sockets_per_person"),
        metavar="N",
        help="sockets one person may hold open at once (default: 32; 0: no cap)",
    )
    limits.add_argument(
        "--max-cards",
        type=int,
        metavar="N",
        help=f"cards on one board (default: {DEFAULT_MAX_CARDS}; 0: no cap)",
    )
    limits.add_argument(
        "--max-import-mib",
        type=float,
        default=_default("import_max") / (1024 * 1024),
        metavar="MIB",
        help="largest board export accepted for import (default: 20)",
    )
    limits.add_argument(
        "--header-timeout",
        type=float,
        default=_default("header_timeout"),
        metavar="SECONDS",
        help="time a connection has to send a request's headers (default: 10)",
    )
    limits.add_argument(
        "--max-connections-per-address",
        type=int,
        default=_default("connections_per_address"),
        metavar="N",
        help="open connections from one address (default: 64); 0 behind a reverse proxy, "
        "where every client has the proxy's address",
    )
    limits.add_argument(
        "--max-connections",
        type=int,
        default=_default("max_connections"),
        metavar="N",
        help="open connections in all (default: 4096, lowered to fit the open-file limit)",
    )


def limit_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The Settings fields these options set."""
    return {
        "rate_limit": args.rate_limit,
        "frame_rate": args.frame_rate,
        "sockets_per_person": args.max_sockets_per_person,
        "max_cards": args.max_cards,
        "import_max": int(args.max_import_mib * 1024 * 1024),
        "header_timeout": args.header_timeout,
        "connections_per_address": args.max_connections_per_address,
        "max_connections": args.max_connections,
    }
