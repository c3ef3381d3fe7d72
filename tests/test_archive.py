"""The workshop archive, whole: complete, self-contained, checksummed, browsable offline, and
brought back into another server whose boards equal the originals (issue 13, item 4).

A real server on SQLite or PostgreSQL makes the archive over HTTP; `python run.py
import-workshop` brings it into a fresh database of the other kind; a second real server
serves it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from board.protocol import BoardExport
from tests.conftest import fresh_pg_database, token_of
from tests.http_client import call
from tests.servers import Server, cli_here, run_cli, sqlite_url
from tests.test_visibility import _get
from tests.wsclient import Client, add_card

PLAN_FILES = ("action-plan.html", "action-plan.md", "actions.csv", "actions.ics")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        self.hrefs += [v for k, v in attrs if k == "href" and v]


@pytest.fixture
def other_db(db_url: str, tmp_path: Path) -> str:
    if db_url.startswith("postgresql"):
        return sqlite_url(tmp_path / "imported.db")
    return fresh_pg_database()


async def _fill(server: Server, demo: dict[str, Any]) -> None:
    """A workshop with something in every part of the record: cards of every kind, money, a
    comment, a revealed blind round, a brief, a closed day, a snapshot, and edits after it."""
    board = demo["boards"][0]
    mayor = next(p for p in demo["participants"] if p["id"] == board["mayor"])
    fac = token_of(demo, "facilitator")
    m = await Client.open(server.ws_url, board["id"], mayor["token"])
    e = await Client.open(server.ws_url, board["id"], token_of(demo, "expert"))
    f = await Client.open(server.ws_url, board["id"], fac)
    for client, op in (
        (m, add_card("cost", "Sensors", "costs_budget", amount_usd=900000, cost_kind="capex")),
        (e, add_card("fund", "Grant", "funding_sources", type="resource", amount_usd=400000)),
        (e, {"kind": "card.update", "card": "fund", "set": {"funding_status": "committed"}}),
        (e, add_card("risk", "Council turnover", "barriers_risks", type="barrier", severity=3)),
        (m, add_card("act", "Name the owner", "action_plan", type="action", horizon="d30")),
        (e, add_card("tech", "Pilot one corridor", section="technology_solution")),
        (e, {"kind": "comment.add", "comment": {"id": "k1", "card": "tech", "text": "Which?"}}),
        (m, {"kind": "board.update", "set": {"brief": {"goals": "Live by June"}}}),
        (f, {"kind": "vote.open", "round": {"id": "r1", "dots": 2, "blind": True}}),
        (e, {"kind": "vote.place", "round": "r1", "card": "tech"}),
        (m, {"kind": "vote.place", "round": "r1", "card": "act"}),
        (f, {"kind": "vote.reveal", "round": "r1"}),
    ):
        assert (await client.op(op))["type"] == "op", op
    workshop = demo["workshop"]["id"]
    call("POST", f"{server.url}/api/workshops/{workshop}/days/1/close", {}, token=fac)
    call("POST", f"{server.url}/api/workshops/{workshop}/snapshots", {"label": "Before"}, token=fac)
    await m.op(
        add_card("late", "Added after the close", section="data_governance", type="decision")
    )
    for client in (m, e, f):
        await client.close()


async def test_the_archive_is_complete_and_comes_back_equal_on_another_server(
    server: Server, demo: dict[str, Any], db_url: str, other_db: str, tmp_path: Path
) -> None:
    await _fill(server, demo)
    fac, workshop = token_of(demo, "facilitator"), demo["workshop"]["id"]
    status, data = _get(f"{server.url}/api/workshops/{workshop}/export.zip", fac)
    assert status == 200
    zf = zipfile.ZipFile(io.BytesIO(data))
    files = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(files["manifest.json"])

    # a manifest with the SHA-256 of every file, and the same checksums for sha256sum -c
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json", "SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
    sums = dict(reversed(line.split("  ", 1)) for line in files["SHA256SUMS"].decode().splitlines())
    assert set(sums) == set(files) - {"SHA256SUMS"}
    assert all(hashlib.sha256(files[n]).hexdigest() == d for n, d in sums.items())
    assert manifest["exported_for"]["role"] == "facilitator"
    assert all("token" not in p for p in manifest["people"]), "no invite link in an archive"

    # index.html browses it all offline: every link leads to a file of the archive, no script
    index = _Links()
    index.feed(files["index.html"].decode())
    assert index.scripts == 0 and "script-src" not in files["index.html"].decode()
    assert {h for h in index.hrefs} <= set(files) and "pre-read.html" in index.hrefs

    states = {}
    for entry in manifest["boards"]:
        folder = entry["folder"]
        assert re.fullmatch(r"boards/[a-z0-9-]+", folder)
        for file in (*PLAN_FILES, "board.json", "activity.csv"):
            assert f"{folder}/{file}" in index.hrefs, (folder, file)
        now = BoardExport.model_validate_json(files[f"{folder}/board.json"])
        assert now.snapshot is None  # the board's current committed state
        _, live = call("GET", f"{server.url}/api/boards/{entry['id']}", token=fac)
        states[entry["id"]] = json.loads(files[f"{folder}/board.json"])["board"]
        assert states[entry["id"]] == live, "the board now, exactly"
        for snap in entry["snapshots"]:
            frozen = BoardExport.model_validate_json(files[snap["file"]])
            assert frozen.snapshot is not None and frozen.snapshot.id == snap["id"]
        log = list(csv.DictReader(io.StringIO(files[f"{folder}/activity.csv"].decode())))
        assert [int(r["seq"]) for r in log] == list(range(1, live["seq"] + 1))
    first = manifest["boards"][0]
    assert [s["label"] for s in first["snapshots"]] == ["Day 1 close", "Before"]
    plan = files[f"{first['folder']}/action-plan.md"].decode()
    assert "Added after the close" in plan, "the plan is the board now, not the last snapshot"
    assert "Funding gap: $500,000 of the $900,000 in costs is not yet committed" in plan
    log = files[f"{first['folder']}/activity.csv"].decode()
    for said in ("commented on a card", "Which?", "placed a blind dot", "revealed the votes"):
        assert said in log, said
    assert "pre-read.html" in files

    # into a fresh database of the other kind, then served by another server
    archive = tmp_path / "workshop.zip"
    archive.write_bytes(data)
    done = run_cli("import-workshop", str(archive), "--db", other_db, "--json")
    roster = json.loads(done.stdout)
    tokens = {p["id"]: p["token"] for p in roster["participants"]}
    old = {p["id"]: p["token"] for p in demo["participants"]}
    assert set(tokens) == set(old) and not set(tokens.values()) & set(old.values())
    again = run_cli("import-workshop", str(archive), "--db", other_db, check=False)
    assert again.returncode == 2 and "already holds the workshop" in again.stderr
    second = Server(db=other_db).start()
    try:
        new_fac = tokens[next(p["id"] for p in demo["participants"] if p["role"] == "facilitator")]
        assert call("GET", f"{second.url}/api/boards/{first['id']}", token=fac)[0] == 401
        for board_id, original in states.items():
            status, copy = call("GET", f"{second.url}/api/boards/{board_id}", token=new_fac)
            assert status == 200 and copy == original, "the board equals the original"
            _, listing = call("GET", f"{second.url}/api/boards/{board_id}/snapshots", token=new_fac)
            _, before = call("GET", f"{server.url}/api/boards/{board_id}/snapshots", token=fac)
            assert [(s["id"], s["label"], s["seq"]) for s in listing["snapshots"]] == [
                (s["id"], s["label"], s["seq"]) for s in before["snapshots"]
            ]
        _, days = call("GET", f"{second.url}/api/workshops/{workshop}/days", token=new_fac)
        assert days["days"][0]["closed"] is not None
        # the room carries on where the archive ended
        client = await Client.open(second.ws_url, first["id"], new_fac)
        event = await client.op(add_card("next", "The first edit after the move"))
        assert event["seq"] == states[first["id"]]["seq"] + 1
        await client.close()
    finally:
        second.stop()


def test_a_damaged_or_foreign_archive_is_refused_and_imports_nothing(
    tmp_path: Path, capsys: Any
) -> None:
    url = sqlite_url(tmp_path / "source.db")
    from tests.servers import demo_roster

    workshop = demo_roster(url)["workshop"]["id"]
    good = tmp_path / "good.zip"
    assert cli_here(capsys, "export", workshop, "--out", str(good), "--db", url)[0] == 0
    target = tmp_path / "target.db"
    files = {n: zipfile.ZipFile(good).read(n) for n in zipfile.ZipFile(good).namelist()}

    def variant(name: str, change: Any) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            for n, d in change(dict(files)).items():
                zf.writestr(n, d)
        return path

    board_file = next(n for n in files if n.endswith("/board.json"))
    cases = {
        variant(
            "tampered.zip", lambda f: {**f, board_file: f[board_file].replace(b'"', b"'", 1)}
        ): f"{board_file} does not match its SHA-256",
        variant(
            "extra.zip", lambda f: {**f, "evil.html": b"<script>"}
        ): "files its manifest does not list",
        variant(
            "bare.zip", lambda f: {k: v for k, v in f.items() if k != "manifest.json"}
        ): "no manifest.json",
        tmp_path / "notes.txt": "not a ZIP file",
    }
    (tmp_path / "notes.txt").write_text("hello")
    for path, says in cases.items():
        code, _, err = cli_here(capsys, "import-workshop", str(path), "--db", sqlite_url(target))
        assert code == 2 and says in err and "Nothing was imported" in err, err
    done = cli_here(capsys, "import-workshop", str(good), "--db", sqlite_url(target))
    assert done[0] == 0 and "imported" in done[1]
