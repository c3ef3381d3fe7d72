"""The command line as scripts and a facilitator use it (PROTOCOL.md, "The surface outside
programs use")."""

from __future__ import annotations

import json

from tests.servers import run_cli, sqlite_url


def test_demo_json_prints_the_workshop_boards_and_people(tmp_path) -> None:
    db = sqlite_url(tmp_path / "d.db")
    first = json.loads(run_cli("demo", "--json", "--db", db, "--host", "127.0.0.1").stdout)
    assert set(first) == {"workshop", "boards", "participants"}
    assert set(first["workshop"]) == {"id", "title"}
    assert all(set(b) == {"id", "city", "initiative", "mayor"} for b in first["boards"])
    assert all(
        set(p) == {"id", "name", "role", "city", "token", "join_url"} for p in first["participants"]
    )
    assert {p["role"] for p in first["participants"]} == {
        "facilitator",
        "observer",
        "mayor",
        "expert",
    }
    again = json.loads(run_cli("demo", "--json", "--db", db).stdout)
    assert again["workshop"] == first["workshop"]  # created once


def test_workshop_create_refuses_bad_rows_with_line_numbers_and_creates_nothing(tmp_path):
    db = sqlite_url(tmp_path / "w.db")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name,role,city,organisation,initiative\nAna,facilitator,,Org,\n"
        "Bo,mayor,,City,Parks\nCy,pirate,,Ship,\n,expert,,Lab,\n"
    )
    refused = run_cli("workshop", "create", "--from", str(bad), "--db", db, check=False)
    assert refused.returncode == 2
    assert "line 3: a mayor needs a city" in refused.stderr
    assert (
        "line 4: the role 'pirate'" in refused.stderr
        and "line 5: the name is empty" in refused.stderr
    )
    good = tmp_path / "good.csv"
    good.write_text(
        "name,role,city,organisation,initiative\nAna,facilitator,,Org,\n"
        'Bo,mayor,"Mesa, AZ",City,Leak detection\n'
    )
    created = json.loads(
        run_cli("workshop", "create", "--from", str(good), "--json", "--db", db).stdout
    )
    assert [b["city"] for b in created["boards"]] == ["Mesa, AZ"]
    listed = run_cli("workshop", "links", created["workshop"]["id"], "--db", db).stdout
    assert all(p["join_url"] in listed for p in created["participants"])


def test_help_documents_every_command_and_option() -> None:
    text = run_cli("--help").stdout
    for command in ("serve", "demo", "workshop", "export", "import", "db"):
        assert command in text
    serve = run_cli("serve", "--help").stdout
    for option in (
        "--host",
        "--port",
        "--db",
        "--rate-limit",
        "--broker",
        "--certfile",
        "--allow-origin",
        "--day-end",
        "--public-url",
    ):
        assert option in serve
