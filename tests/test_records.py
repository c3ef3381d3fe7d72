"""Backups, restores and a database file lost under the running server (issue 13, items 2-3).

Real servers, real socket clients typing, real SQLite files and PostgreSQL databases, and the
real command line (`python run.py backup`, `python run.py restore`).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from board.store import Store
from tests.conftest import board_of, fresh_pg_database, token_of
from tests.fixtures import v010
from tests.fixtures.make_v010_db import _records_digest
from tests.http_client import call
from tests.live_replica import LiveClient
from tests.replica import Replica
from tests.servers import ROOT, Server, cli_here, demo_roster, run_cli, sqlite_url
from tests.wsclient import add_card


class _Recording(Replica):
    """A replica that also keeps the `unavailable` refusals (which leave an op pending)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.unavailable: dict[str, str] = {}  # op id -> the sentence

    def on_frame(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "error" and frame.get("code") == "unavailable":
            self.unavailable[frame["id"]] = frame["message"]
        super().on_frame(frame)


class Typists:
    """People typing on one board: each keeps `window` edits in flight, sending the next as
    soon as one is acknowledged (or refused: a refused edit stays pending, to be sent again
    after a reconnect, but is no longer in flight), until stopped."""

    def __init__(self, server: Server, board: str, tokens: list[str], window: int = 2) -> None:
        self.clients = []
        for n, token in enumerate(tokens):
            client = LiveClient(server.ws_url, board, token, f"typist{n}")
            client.replica = _Recording(f"typist{n}")
            self.clients.append(client)
        self.window = window
        self.sent: list[str] = []
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        for client in self.clients:
            assert await client.connect()
        self._tasks = [asyncio.create_task(self._type(c)) for c in self.clients]

    async def _type(self, client: LiveClient) -> None:
        n = 0
        replica = client.replica
        assert isinstance(replica, _Recording)
        while not self._stop.is_set():
            while len(replica.pending.keys() - replica.unavailable.keys()) < self.window:
                n += 1
                before = set(client.replica.pending)
                await client.send(add_card(f"{client.replica.name}-{n}", f"edit {n}"))
                self.sent.extend(set(client.replica.pending) - before)
            client.changed.clear()
            await client.changed.wait()

    def acked(self) -> dict[str, int]:
        return {k: v for c in self.clients for k, v in c.replica.acked.items()}

    async def until(self, check: Any, timeout: float = 30) -> None:
        """Wait until `check()` holds, re-checking whenever any client hears something."""
        async with asyncio.timeout(timeout):
            while not check():
                waits = [asyncio.create_task(c.changed.wait()) for c in self.clients]
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                for w in waits:
                    w.cancel()

    async def stop(self) -> None:
        self._stop.set()
        for client in self.clients:
            client.changed.set()
        await asyncio.gather(*self._tasks)

    async def close(self) -> None:
        for client in self.clients:
            await client.close()


async def _cli(*args: str) -> tuple[int, str, str]:
    """`python run.py ...` without blocking the event loop (the typists keep typing)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "run.py",
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


async def _log_of(url: str, board: str) -> list[str]:
    """The board's op ids in seq order, as stored (the seq gap-free from 1)."""
    store = await Store.open(url)
    try:
        records = await store.ops_since(board, 0)
    finally:
        await store.close()
    assert [r.seq for r in records] == list(range(1, len(records) + 1)), "seq has a gap"
    return [r.id for r in records]


@pytest.fixture
def other_db(db_url: str, tmp_path: Path) -> str:
    """A fresh, empty database of the other kind: backups restore across them."""
    if db_url.startswith("postgresql"):
        return sqlite_url(tmp_path / "restored.db")
    return fresh_pg_database()


@pytest.fixture
def sqlite_demo(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "brickboard.db"
    return path, demo_roster(sqlite_url(path))


@pytest.fixture
def empty_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return fresh_pg_database()
    return sqlite_url(tmp_path / "new.db")


async def test_a_backup_under_load_restores_every_op_acknowledged_before_it_began(
    db_url: str, demo: dict[str, Any], other_db: str, tmp_path: Path
) -> None:
    board = board_of(demo)
    server = Server(db=db_url, extra=("--rate-limit", "0")).start()
    typists = Typists(server, board, [token_of(demo, "expert", n) for n in range(3)])
    try:
        await typists.start()
        await typists.until(lambda: len(typists.acked()) >= 150)
        before = set(typists.acked())  # acknowledged before the backup began
        out = tmp_path / "under-load.db"
        code, said, err = await _cli("backup", "--out", str(out), "--db", db_url)
        assert code == 0, err
        assert f"to {out}" in said and "1 workshop, 5 boards" in said
        during = len(typists.acked())
        await typists.until(lambda: len(typists.acked()) >= during + 100)  # still typing
        # a restore into the live, non-empty database is refused, and changes nothing
        code, said, err = await _cli("restore", str(out), "--db", db_url)
        assert code == 1 and "Traceback" not in err, err
        assert "is not empty" in err and "nothing was changed" in err and "--force" in err
        await typists.until(lambda: len(typists.acked()) >= during + 150)  # the room went on
        await typists.stop()
        for client in typists.clients:
            await client.settle()
    finally:
        await typists.close()
        server.stop()
    acked = typists.acked()
    original = await _log_of(db_url, board)
    assert set(acked) <= set(original)
    # into an empty database of the other kind (SQLite <-> PostgreSQL)
    other = other_db
    done = run_cli("restore", str(out), "--db", other)
    assert "restored 1 workshop, 5 boards" in done.stdout, done
    restored = await _log_of(other, board)
    assert before <= set(restored), "every op acknowledged before the backup began"
    assert restored == original[: len(restored)], "the backup is the log as it was, a prefix"
    assert len(restored) < len(original)  # and the room kept going after it
    # the restored database serves: the board as the log says, the old invite links work
    again = Server(db=other).start()
    try:
        status, state = call(
            "GET", f"{again.url}/api/boards/{board}", token=token_of(demo, "facilitator")
        )
        assert status == 200 and state["seq"] == len(restored)
        typed = sum(op_id.startswith("typist") for op_id in restored)
        assert sum(c.startswith("typist") for c in state["cards"]) == typed
    finally:
        again.stop()


async def test_a_database_deleted_under_load_acknowledges_nothing_after_it_is_noticed(
    sqlite_demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, demo = sqlite_demo
    url = sqlite_url(path)
    board = board_of(demo)
    server = Server(db=url, extra=("--rate-limit", "0")).start()
    typists = Typists(server, board, [token_of(demo, "expert", n) for n in range(3)])
    kept = tmp_path / "kept-by-the-facilitator.db"
    try:
        await typists.start()
        await typists.until(lambda: len(typists.acked()) >= 100)
        assert run_cli("backup", "--out", str(kept), "--db", url).returncode == 0
        in_backup = await _log_of(sqlite_url(kept), board)
        await typists.until(lambda: len(typists.acked()) >= len(in_backup) + 100)
        path.unlink()  # someone deletes the database while everyone types
        sent_before = set(typists.sent)
        await typists.until(
            lambda: all(
                set(c.replica.unavailable) - sent_before for c in typists.clients
            )  # every typist has had an edit sent after the deletion refused
        )
        await typists.stop()
        after = set(typists.sent) - sent_before
        assert after and not after & set(typists.acked()), "nothing acknowledged after it"
        for client in typists.clients:
            refused = set(client.replica.unavailable)
            assert refused & after and refused <= set(client.replica.pending)  # kept, to resend
            sentence = next(iter(client.replica.unavailable.values()))
            assert "could not save this edit" in sentence and "sent again" in sentence
        assert not path.exists(), "no empty database was made in its place"
        log = server.log.read_text()
        assert f"the database file {path} was deleted while the server was running" in log
        assert "python run.py restore" in log
    finally:
        server.stop()
        await typists.close()
    # the facilitator restores the last backup and starts again; every edit the room still
    # holds (refused, so pending in the laptops) is sent again and stored once
    done = run_cli("restore", str(kept), "--db", url)
    assert "restored 1 workshop" in done.stdout
    server.start()
    try:
        for client in typists.clients:
            await client.settle()
            assert not client.replica.pending
        stored = await _log_of(url, board)
        assert stored[: len(in_backup)] == in_backup
        assert after <= set(stored) and len(set(stored)) == len(stored)
    finally:
        for client in typists.clients:
            await client.close()
        server.stop()


@pytest.mark.parametrize("empty_target", ["sqlite", "postgres"], indirect=True)
async def test_a_0_1_0_database_file_restores_as_a_backup_with_nothing_lost(
    empty_target: str,
) -> None:
    """Any Brickboard database file is a backup, even one from 0.1.0: upgraded on the way."""
    target = empty_target
    done = run_cli("restore", str(v010.SQLITE), "--db", target)
    manifest = v010.manifest()
    assert "restored 2 workshops" in done.stdout, done
    store = await Store.open(target)
    try:
        for entry in manifest["boards"]:
            state = await store.load_board(entry["id"])
            assert state is not None
            if "records_digest" in entry:
                assert _records_digest(state.to_wire()) == entry["records_digest"]
        assert len(await store.snapshots(manifest["boards"][0]["id"])) >= 1
    finally:
        await store.close()


def test_restore_refuses_what_it_cannot_use_with_a_sentence(tmp_path: Path, capsys: Any) -> None:
    target = tmp_path / "target" / "brickboard.db"
    url = sqlite_url(target)
    good = tmp_path / "good.db"
    assert (
        cli_here(capsys, "backup", "--out", str(good), "--db", v010.sqlite_copy(tmp_path))[0] == 0
    )
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    stranger = tmp_path / "stranger.db"
    with sqlite3.connect(stranger) as conn:
        conn.execute("CREATE TABLE notes (text)")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    cases = {
        truncated: "is damaged",
        tmp_path / "missing.db": "there is no backup file",
        notes: "is not a Brickboard backup: it is not a SQLite database file",
        stranger: "not a Brickboard backup (it has no workshops table)",
    }
    for file, says in cases.items():
        done = run_cli("restore", str(file), "--db", url, check=False)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done
        assert (
            done.stderr.startswith("error: ") and says in done.stderr and str(file) in (done.stderr)
        )
        assert not target.exists(), "nothing was made"
    assert truncated.read_bytes() == good.read_bytes()[: good.stat().st_size // 2]
    assert not list(tmp_path.glob("truncated.db-*")), "the file given is never opened in place"
    # the good one restores; a second time it is refused; --force keeps the first aside
    assert "restored 2 workshops" in cli_here(capsys, "restore", str(good), "--db", url)[1]
    code, _, err = cli_here(capsys, "restore", str(good), "--db", url)
    assert code == 1 and "is not empty: it holds 2 workshops" in err
    _, forced, _ = cli_here(capsys, "restore", str(good), "--db", url, "--force")
    aside = list(target.parent.glob("brickboard.replaced-*.db"))
    assert len(aside) == 1 and str(aside[0]) in forced
    # (the no-traceback exit of the real command line: tests/test_integrity.py, and the
    # refusal under load above)
    assert os.path.getsize(aside[0]) > 0


async def test_the_server_backs_up_at_each_day_close_and_on_its_schedule(
    sqlite_demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, demo = sqlite_demo
    folder = tmp_path / "usb-ready"
    extra = ("--backup-dir", str(folder), "--backup-every", "0.3s", "--backup-keep", "2")
    server = Server(db=sqlite_url(path), extra=extra).start()
    fac, workshop = token_of(demo, "facilitator"), demo["workshop"]["id"]
    status_url = f"{server.url}/api/workshops/{workshop}/backups"

    async def status_when(check: Any) -> dict[str, Any]:
        async with asyncio.timeout(20):
            while True:
                code, status = call("GET", status_url, token=fac)
                assert code == 200, status
                if check(status):
                    return status
                await asyncio.sleep(0.1)  # polling the server's own report

    try:
        assert call("GET", status_url, token=token_of(demo, "mayor"))[0] == 403
        code, _ = call("POST", f"{server.url}/api/workshops/{workshop}/days/1/close", {}, token=fac)
        assert code == 201
        closed = await status_when(lambda s: s["last"] and s["last"]["reason"] == "day 1 close")
        assert closed["folder"] == str(folder.resolve()) and closed["failure"] is None
        assert "1 workshop, 5 boards" in closed["last"]["holds"]
        day_file = folder / closed["last"]["file"]
        assert day_file.name.endswith("-day-1-close.db")
        with sqlite3.connect(day_file) as conn:  # the close's snapshots are in it
            assert conn.execute("SELECT count(*) FROM snapshots").fetchone() == (5,)
        seen: set[str] = set()
        await status_when(lambda s: seen.add(s["last"]["file"]) or len(seen - {day_file.name}) >= 4)
    finally:
        server.stop()
    files = sorted(p.name for p in folder.iterdir())
    scheduled = [f for f in files if not f.endswith("-close.db")]
    assert day_file.name in files, "a day close's backup is never pruned"
    assert len(scheduled) == 2, files  # the newest two scheduled ones
    assert not [f for f in files if f.endswith(".partial")]
