"""Session days, snapshots, history, restore, exports and import, through the real server."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

from board.model import load_template, new_board, replay
from board.model.history import content, content_hash
from board.model.state import from_wire
from board.protocol import BoardExport
from board.rooms import RoomRegistry
from board.snapshots import DayCloser
from board.store import Store
from tests.conftest import board_of, token_of
from tests.http_client import call
from tests.servers import run_cli
from tests.wsclient import Client, add_card


def _text(url: str, token: str) -> tuple[int, str, dict[str, str]]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


def _bytes(url: str, token: str) -> bytes:
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return r.read()


async def test_closing_a_day_snapshots_every_board_once(server, demo):
    fac = token_of(demo, "facilitator")
    workshop = demo["workshop"]["id"]
    status, body = call(
        "POST", f"{server.url}/api/workshops/{workshop}/days/1/close", {}, token=fac
    )
    assert status == 201 and len(body["snapshots"]) == len(demo["boards"])
    for b in demo["boards"]:
        status, listing = call("GET", f"{server.url}/api/boards/{b['id']}/snapshots", token=fac)
        assert [s["label"] for s in listing["snapshots"]] == ["Day 1 close"]
        assert listing["snapshots"][0]["day"] == 1
    status, again = call(
        "POST", f"{server.url}/api/workshops/{workshop}/days/1/close", {}, token=fac
    )
    assert status == 409 and "already closed" in again["error"]["message"]
    status, _ = call(
        "POST",
        f"{server.url}/api/workshops/{workshop}/days/1/close",
        {},
        token=token_of(demo, "mayor"),
    )
    assert status == 403
    _, days = call("GET", f"{server.url}/api/workshops/{workshop}/days", token=fac)
    assert days["days"][0]["closed"]["automatic"] is False and days["days"][1]["closed"] is None


async def test_snapshots_are_immutable_and_equal_a_replay_of_the_log(server, demo):
    fac = token_of(demo, "facilitator")
    board = board_of(demo)
    c = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    for i in range(5):
        await c.op(add_card(f"s{i}", f"before snapshot {i}"))
    status, body = call(
        "POST",
        f"{server.url}/api/boards/{board}/snapshots",
        {"label": "After the roundtable"},
        token=fac,
    )
    assert status == 201
    meta = body["snapshots"][0]
    await c.op({"kind": "card.update", "card": "s0", "set": {"text": "changed later"}})
    await c.op({"kind": "card.delete", "card": "s1"})
    _, snap = call("GET", f"{server.url}/api/snapshots/{meta['id']}", token=fac)
    state = snap["state"]
    assert state["cards"]["s0"]["text"] == "before snapshot 0" and "s1" in state["cards"]
    assert content_hash(state) == meta["hash"] == snap["snapshot"]["hash"]
    assert snap["snapshot"]["taken_by"] == next(
        p["id"] for p in demo["participants"] if p["token"] == fac
    )
    # replaying the op log up to the snapshot's seq gives exactly the snapshot
    log = (await Client.open(server.ws_url, board, fac, since=0)).welcome["ops"]
    template = load_template()

    def fresh():
        return new_board(
            template,
            id=board,
            workshop=state["workshop"],
            title=demo["boards"][0]["initiative"],
            city=state["city"],
            initiative=state["initiative"],
            theme=state["theme"],
            mayor=state["mayor"],
            brief=state["brief"],
        )

    # the board's row holds its creation-time fields; the log holds everything since
    replayed = replay(fresh(), [e for e in log if e["seq"] <= meta["seq"]])
    assert replayed.to_wire() == state
    live = (await Client.open(server.ws_url, board, fac)).welcome["state"]
    assert replay(fresh(), log).to_wire() == live
    await c.close()


async def test_history_diff_names_the_changes_and_restore_round_trips_live(server, demo):
    fac = token_of(demo, "facilitator")
    workshop, board = demo["workshop"]["id"], board_of(demo)
    expert = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    await expert.op(add_card("kept", "stays"))
    await expert.op(add_card("edited", "first words"))
    await expert.op(add_card("dropped", "will go"))
    call("POST", f"{server.url}/api/workshops/{workshop}/days/1/close", {}, token=fac)
    await expert.op({"kind": "card.update", "card": "edited", "set": {"text": "second words"}})
    await expert.op({"kind": "card.delete", "card": "dropped"})
    await expert.op(
        add_card("added", "new on day 2", section="action_plan", type="action", horizon="d30")
    )
    call("POST", f"{server.url}/api/workshops/{workshop}/days/2/close", {}, token=fac)
    status, body = call("GET", f"{server.url}/api/boards/{board}/diff", token=fac)
    assert status == 200 and body["from"]["label"] == "Day 1 close"
    sections = body["diff"]["sections"]
    assert [c["id"] for c in sections["action_plan"]["added"]] == ["added"]
    assert [c["id"] for c in sections["problem_vision"]["removed"]] == ["dropped"]
    assert [c["after"]["id"] for c in sections["problem_vision"]["changed"]] == ["edited"]
    expert_id = expert.welcome["me"]["id"]
    assert body["removed_by"] == {"dropped": expert_id}
    assert sections["action_plan"]["added"][0]["author"] == expert_id
    # restore Day 1: the change arrives live as ops, and the board says what Day 1 said
    day1 = body["from"]["id"]
    watcher = await Client.open(server.ws_url, board, token_of(demo, "observer"))
    status, restored = call(
        "POST", f"{server.url}/api/boards/{board}/restore", {"snapshot": day1}, token=fac
    )
    assert status == 200 and restored["ops"] >= 3
    events = await watcher.events_until_seq(restored["seq"])
    assert {e["op"]["kind"] for e in events} >= {"card.add", "card.delete", "card.update"}
    _, now = call("GET", f"{server.url}/api/boards/{board}", token=fac)
    _, then = call("GET", f"{server.url}/api/snapshots/{day1}", token=fac)
    assert {k: content(v) for k, v in now["cards"].items()} == {
        k: content(v) for k, v in then["state"]["cards"].items()
    }
    # the restore can be undone: a snapshot of the board before it was taken
    _, listing = call("GET", f"{server.url}/api/boards/{board}/snapshots", token=fac)
    before = next(s for s in listing["snapshots"] if s["kind"] == "before_restore")
    status, _ = call(
        "POST", f"{server.url}/api/boards/{board}/restore", {"snapshot": before["id"]}, token=fac
    )
    _, undone = call("GET", f"{server.url}/api/boards/{board}", token=fac)
    assert "added" in undone["cards"] and "dropped" not in undone["cards"]
    # an expert may not restore
    status, _ = call(
        "POST",
        f"{server.url}/api/boards/{board}/restore",
        {"snapshot": day1},
        token=token_of(demo, "expert"),
    )
    assert status == 403


async def test_exports_validate_reimport_identically_and_bundle_everything(server, demo, tmp_path):
    fac = token_of(demo, "facilitator")
    workshop, board = demo["workshop"]["id"], demo["boards"][0]
    mayor = next(p for p in demo["participants"] if p["id"] == board["mayor"])
    c = await Client.open(server.ws_url, board["id"], mayor["token"])
    await c.op(
        add_card(
            "a1",
            "Hire a program manager",
            section="action_plan",
            type="action",
            owner="City CIO",
            due="2027-04-01",
            horizon="d30",
            status="open",
        )
    )
    await c.op(
        add_card(
            "b1",
            "Council skeptical <script>alert(1)</script>",
            section="barriers_risks",
            type="barrier",
            severity=3,
            likelihood=2,
        )
    )
    await c.op(
        add_card(
            "f1",
            "State broadband grant",
            section="funding_sources",
            type="resource",
            amount_usd=1500000,
            funding_status="applied",
        )
    )
    call("POST", f"{server.url}/api/workshops/{workshop}/days/1/close", {}, token=fac)
    base = f"{server.url}/api/boards/{board['id']}/export"
    status, html, headers = _text(f"{base}/plan.html", mayor["token"])
    assert status == 200 and "Hire a program manager" in html and "City CIO" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "script-src" not in headers["content-security-policy"]
    _, md, _ = _text(f"{base}/plan.md", mayor["token"])
    assert "Hire a program manager" in md and "$1,500,000" in md
    _, csv_text, _ = _text(f"{base}/actions.csv", mayor["token"])
    assert csv_text.splitlines()[1].startswith("Hire a program manager,City CIO,2027-04-01,d30")
    _, ics, _ = _text(f"{base}/actions.ics", mayor["token"])
    assert "DTSTART;VALUE=DATE:20270401" in ics and ics.startswith("BEGIN:VCALENDAR")
    status, raw, _ = _text(f"{base}/board.json", mayor["token"])
    export = BoardExport.model_validate_json(raw)
    assert export.snapshot is None and export.board.seq > 0  # the board now, by default
    _, listing = call("GET", f"{server.url}/api/boards/{board['id']}/snapshots", token=fac)
    day1 = listing["snapshots"][-1]["id"]
    _, from_day1, _ = _text(f"{base}/board.json?snapshot={day1}", mayor["token"])
    export_day1 = BoardExport.model_validate_json(from_day1)
    assert export_day1.snapshot is not None and export_day1.snapshot.label == "Day 1 close"
    # (BoardExport is the source of schemas/board-export.schema.json; test_protocol checks drift)
    # another mayor cannot export this board; an expert neither
    assert _text(f"{base}/plan.html", token_of(demo, "mayor", 1))[0] == 403
    assert _text(f"{base}/plan.html", token_of(demo, "expert"))[0] == 403
    # re-import into the workshop: an identical board
    status, body = call(
        "POST", f"{server.url}/api/workshops/{workshop}/boards/import", json.loads(raw), token=fac
    )
    assert status == 201
    _, copy = call("GET", f"{server.url}/api/boards/{body['board']['id']}", token=fac)
    original = export.board.model_dump(mode="json")
    for key in ("title", "city", "initiative", "theme", "brief"):
        assert copy[key] == original[key]
    assert [s["cards"] for s in copy["sections"]] == [s["cards"] for s in original["sections"]]
    assert {k: content(v) for k, v in copy["cards"].items()} == {
        k: content(v) for k, v in original["cards"].items()
    }
    # a malformed import is refused and changes nothing
    _, before = call("GET", f"{server.url}/api/workshops/{workshop}", token=fac)
    broken = json.loads(raw)
    broken["board"]["cards"]["a1"]["severity"] = "very"
    for bad in (b"not json", {"format": "trello"}, broken):
        status, err = call(
            "POST", f"{server.url}/api/workshops/{workshop}/boards/import", bad, token=fac
        )
        assert status == 400 and "board export" in err["error"]["message"], err
    _, after = call("GET", f"{server.url}/api/workshops/{workshop}", token=fac)
    assert len(after["boards"]) == len(before["boards"])
    # the workshop ZIP (tests/test_archive.py reads it whole), as the facilitator and from the
    # command line: the same files
    data = _bytes(f"{server.url}/api/workshops/{workshop}/export.zip", fac)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "pre-read.html" in names and "index.html" in names and "manifest.json" in names
    out = tmp_path / "workshop.zip"
    run_cli("export", workshop, "--out", str(out), "--db", server.db)
    assert sorted(zipfile.ZipFile(out).namelist()) == sorted(names)
    plan = tmp_path / "plan.md"
    run_cli(
        "export",
        workshop,
        "--board",
        board["id"],
        "--format",
        "plan.md",
        "--out",
        str(plan),
        "--db",
        server.db,
    )
    assert "Hire a program manager" in plan.read_text()
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "brickboard.board"}')
    refused = run_cli("import", workshop, str(bad), "--db", server.db, check=False)
    assert refused.returncode == 2 and "nothing was imported" in refused.stderr


async def test_pre_read_packet_has_a_chapter_per_city_with_briefs_and_facts(server, demo):
    workshop = demo["workshop"]["id"]
    status, html, _headers = _text(
        f"{server.url}/api/workshops/{workshop}/pre-read.html", token_of(demo, "mayor")
    )
    assert status == 200
    for b in demo["boards"]:
        assert b["city"] in html and b["initiative"] in html
    assert "Pre-filled facts" in html and "Ground rules" in html
    assert "Questions the mayor wants answered" in html


async def test_the_end_of_day_close_fires_on_the_workshops_clock(db_url):
    """With an injected clock: nothing before 18:00 local, Day 1 at 18:00, and days missed
    while the server was down at the next start."""
    from board.demo import ensure_demo

    store = await Store.open(db_url)
    rooms = RoomRegistry(store)
    try:
        workshop = await ensure_demo(store)  # days 2027-03-09..11, America/New_York
        now = [datetime(2027, 3, 9, 22, 59, tzinfo=UTC)]
        closer = DayCloser(store, rooms, clock=lambda: now[0])
        assert await closer.tick() == []
        now[0] = datetime(2027, 3, 9, 23, 0, tzinfo=UTC)  # 18:00 in New York
        assert await closer.tick() == [(workshop, 1)]
        assert await closer.tick() == []
        boards = await store.boards(workshop)
        for b in boards:
            assert [s.label for s in await store.snapshots(b.id)] == ["Day 1 close"]
        now[0] = datetime(2027, 3, 12, 14, 0, tzinfo=UTC)  # back after days 2 and 3 ended
        assert await closer.tick() == [(workshop, 2), (workshop, 3)]
        closed = await store.closed_days(workshop)
        assert all(closed[d]["automatic"] for d in (1, 2, 3))
        state = from_wire(
            load_template(),
            json.loads((await store.snapshot((await store.snapshots(boards[0].id))[-1].id)).state),
        )
        assert state.id == boards[0].id
    finally:
        await rooms.close()
        await store.close()
