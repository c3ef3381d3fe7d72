"""A damaged, missing or emptied database stops the start with a sentence: no traceback, a
non-zero exit, nothing changed, and never a fresh demo workshop in place of a real one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import v010
from tests.servers import ROOT, Server, demo_roster, free_port, run_cli, sqlite_url


def _serve(url: str) -> subprocess.CompletedProcess[str]:
    """`python run.py serve` as a facilitator runs it (the demo on an empty database)."""
    command = ["serve", "--host", "127.0.0.1", "--port", str(free_port()), "--db", url]
    return subprocess.run(
        [sys.executable, "run.py", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _refused(done: subprocess.CompletedProcess[str], path: Path, says: str) -> None:
    assert done.returncode == 1, done
    assert "Traceback" not in done.stdout + done.stderr
    message = done.stderr
    assert message.startswith("error: ") and says in message and str(path) in message
    assert "python run.py restore BACKUP-FILE" in message
    assert len(message.splitlines()) <= 6, message


@pytest.mark.parametrize("keep", [0.5, 0.02])
def test_a_truncated_database_stops_the_start_with_a_sentence(tmp_path: Path, keep: float):
    url = v010.sqlite_copy(tmp_path)  # a real database, full of a workshop
    path = tmp_path / "brickboard.db"
    with path.open("r+b") as f:
        f.truncate(int(path.stat().st_size * keep))
    damaged = path.read_bytes()
    _refused(_serve(url), path, "is damaged")
    links = run_cli("workshop", "links", v010.manifest()["demo_workshop"], "--db", url, check=False)
    _refused(links, path, "is damaged")  # every command, not only the server
    assert path.read_bytes() == damaged, "nothing was written to it"


def test_a_missing_or_emptied_database_is_never_replaced_by_a_fresh_demo(tmp_path: Path):
    path = tmp_path / "brickboard.db"
    url = sqlite_url(path)
    demo_roster(url)  # the folder's first workshop
    marker = tmp_path / "brickboard.db.has-workshops"
    assert marker.exists()
    for file in tmp_path.glob("brickboard.db*"):
        if file != marker:
            file.unlink()  # the database (and its -wal, -shm) deleted
    _refused(_serve(url), path, "is missing")
    assert not path.exists(), "no fresh database was made in its place"
    path.write_bytes(b"")  # an empty file in its place
    _refused(_serve(url), path, "holds no workshop")
    assert path.read_bytes() == b""
    # starting afresh is a decision: delete the marker, and the server starts on a new file
    marker.unlink()
    Server(db=url).start().stop()
    assert not marker.exists(), "no workshop yet"
    demo_roster(url)
    assert marker.exists()


def test_an_upgraded_0_1_0_folder_is_marked_as_having_held_a_workshop(tmp_path: Path) -> None:
    url = v010.sqlite_copy(tmp_path)
    assert "as revision 0001" in run_cli("db", "upgrade", "--db", url).stdout
    assert (tmp_path / "brickboard.db.has-workshops").exists()
    (tmp_path / "brickboard.db").unlink()
    _refused(_serve(url), tmp_path / "brickboard.db", "is missing")
