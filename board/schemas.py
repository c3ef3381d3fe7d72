"""Write the JSON Schema of the wire format to schemas/ (`python -m board.schemas [--check]`).

The pydantic models in board.protocol are the single source; `--check` exits 1 when the files
in schemas/ differ from what the models produce, and a test runs it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from board import protocol

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
BASE = "https://brickboard.local/schemas/"

DOCUMENTS: dict[str, tuple[str, Any]] = {
    "client-frame.schema.json": (
        "A frame a client sends (PROTOCOL.md, client → server)",
        protocol.ClientFrame,
    ),
    "server-frame.schema.json": (
        "A frame the server sends (PROTOCOL.md, server → client)",
        protocol.ServerFrame,
    ),
    "op.schema.json": ("One board operation, the `op` object of an op frame", protocol.Op),
    "board-export.schema.json": (
        "A board exported as JSON (and accepted by import)",
        protocol.BoardExport,
    ),
    "board.schema.json": (
        "A board's state (welcome.state, GET /api/boards/{id})",
        protocol.BoardState,
    ),
}


def render(name: str) -> str:
    title, model = DOCUMENTS[name]
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + name,
        "title": title,
        **TypeAdapter(model).json_schema(mode="validation"),
    }
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def stale(directory: Path = SCHEMAS) -> list[str]:
    """Names of schema files that are missing or differ from the models."""
    return [
        name
        for name in DOCUMENTS
        if not (directory / name).exists() or (directory / name).read_text() != render(name)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m board.schemas", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if schemas/ is out of date")
    args = parser.parse_args(argv)
    if args.check:
        names = stale()
        for name in names:
            print(f"schemas/{name} is out of date: run python -m board.schemas", file=sys.stderr)
        return 1 if names else 0
    SCHEMAS.mkdir(exist_ok=True)
    for name in DOCUMENTS:
        (SCHEMAS / name).write_text(render(name))
        print(f"wrote schemas/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
