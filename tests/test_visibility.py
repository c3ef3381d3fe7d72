"""Hidden stays hidden: every reader of a board, walked as every role, with private cards and
blind dots present (issue 12, item 1). One rule decides (`visible_to`): a private card and a
blind dot are seen by the person who made them, and by nobody else, the facilitator included.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import zipfile
from typing import Any

from tests.conftest import board_of, person_of, token_of
from tests.http_client import call
from tests.wsclient import Client, add_card

ROLES = ("facilitator", "own_mayor", "other_mayor", "expert", "observer")
WRITERS = ("facilitator", "own_mayor", "other_mayor", "expert")  # observers cannot write
TEXT_EXPORTS = ("plan.html", "plan.md", "actions.csv", "actions.ics")


def _people(demo: dict[str, Any]) -> dict[str, dict[str, Any]]:
    own = next(p for p in demo["participants"] if p["id"] == demo["boards"][0]["mayor"])
    other = next(p for p in demo["participants"] if p["role"] == "mayor" and p["id"] != own["id"])
    return {
        "facilitator": person_of(demo, "facilitator"),
        "own_mayor": own,
        "other_mayor": other,
        "expert": person_of(demo, "expert"),
        "observer": person_of(demo, "observer"),
    }


def _get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _secret(role: str) -> str:
    return f"SECRET-OF-{role.replace('_', '-').upper()}"  # no "_": Markdown escapes it


def _dots_seen(state: dict[str, Any], round_id: str) -> dict[str, str | None]:
    return {v["by"]: v["card"] for v in state["rounds"][round_id]["votes"]}


def _check_state(state: dict[str, Any], role: str, people: dict[str, Any], where: str) -> None:
    """A board state (or a snapshot's) as `role` got it: only their own hidden things whole."""
    me = people[role]["id"]
    text = json.dumps(state)
    for writer in WRITERS:
        assert (_secret(writer) in text) == (writer == role), (where, role, writer)
    for by, card in _dots_seen(state, "blind").items():
        assert (card is not None) == (by == me), (where, role, by, card)


def _check_text(text: str, role: str, where: str, *, shows_own: bool = True) -> None:
    """Nobody else's secret is in `text`; the role's own is, where the reader shows it."""
    for writer in WRITERS:
        if writer == role and not shows_own:
            continue
        assert (_secret(writer) in text) == (writer == role), (where, role, writer)


async def test_every_reader_shows_every_role_only_what_they_may_see(server, demo) -> None:
    board, workshop = board_of(demo), demo["workshop"]["id"]
    people = _people(demo)
    tokens = {role: p["token"] for role, p in people.items()}
    fac = await Client.open(server.ws_url, board, tokens["facilitator"])
    writers = {role: await Client.open(server.ws_url, board, tokens[role]) for role in WRITERS}
    listeners = {role: await Client.open(server.ws_url, board, tokens[role]) for role in ROLES}
    await writers["expert"].op(add_card("voted", "A public idea"))
    status, taken = call(
        "POST",
        f"{server.url}/api/boards/{board}/snapshots",
        {"label": "Before"},
        token=tokens["facilitator"],
    )
    first = taken["snapshots"][0]["id"]
    before = await fac.op({"kind": "vote.open", "round": {"id": "blind", "dots": 3, "blind": True}})
    for role in ("own_mayor", "other_mayor", "expert"):
        await writers[role].op({"kind": "vote.place", "round": "blind", "card": "voted"})
    await fac.op({"kind": "private.start"})
    for role in WRITERS:
        key = role.replace("_", "-")
        for card_id, card in (
            (f"fact-{key}", add_card(f"fact-{key}", f"{_secret(role)} fact", type="fact")),
            (
                f"act-{key}",
                add_card(
                    f"act-{key}",
                    f"{_secret(role)} action",
                    section="action_plan",
                    type="action",
                    horizon="d30",
                    due="2027-04-01",
                ),
            ),
        ):
            assert (await writers[role].op(card))["type"] == "op", card_id
        comment = {"id": f"k-{key}", "card": f"fact-{key}", "text": f"{_secret(role)} comment"}
        assert (await writers[role].op({"kind": "comment.add", "comment": comment}))["seq"]
    status, taken = call(
        "POST",
        f"{server.url}/api/boards/{board}/snapshots",
        {"label": "During private writing"},
        token=tokens["facilitator"],
    )
    assert status == 201
    snapshot = taken["snapshots"][0]["id"]
    last = (await fac.op({"kind": "card.update", "card": "voted", "set": {"text": "Edited"}}))[
        "seq"
    ]

    for role in ROLES:
        token = tokens[role]
        # the socket: live events, a fresh welcome, a resume
        events = await listeners[role].events_until_seq(last)
        _check_text(json.dumps(events), role, "socket events")
        for event in events:
            op = event["op"]
            if op["kind"] == "vote.place" and event["by"] != people[role]["id"]:
                assert op == {"kind": "vote.place", "hidden": True, "round": "blind"}
        fresh = await Client.open(server.ws_url, board, token)
        _check_state(fresh.welcome["state"], role, people, "welcome")
        resumed = await Client.open(server.ws_url, board, token, since=before["seq"])
        _check_text(json.dumps(resumed.welcome["ops"]), role, "resume")
        await fresh.close()
        await resumed.close()
        # HTTP: the state, a snapshot, diffs (between snapshots, to live, the default view)
        _, state = call("GET", f"{server.url}/api/boards/{board}", token=token)
        _check_state(state, role, people, "GET state")
        _, snap = call("GET", f"{server.url}/api/snapshots/{snapshot}", token=token)
        _check_state(snap["state"], role, people, "GET snapshot")
        for query in ("", f"?from={first}&to={snapshot}", f"?from={first}&to=live"):
            status, body = _get(f"{server.url}/api/boards/{board}/diff{query}", token)
            assert status == 200, (query, body)
            _check_text(body.decode(), role, f"diff{query}", shows_own=bool(query))
        # exports: the facilitator and the board's own mayor may; others are refused
        may_export = role in ("facilitator", "own_mayor")
        for fmt in ("board.json", *TEXT_EXPORTS):
            for query in ("", f"?snapshot={snapshot}"):
                url = f"{server.url}/api/boards/{board}/export/{fmt}{query}"
                status, body = _get(url, token)
                assert status == (200 if may_export else 403), (role, fmt, status)
                if fmt == "board.json" and may_export:
                    _check_state(json.loads(body)["board"], role, people, fmt)
                _check_text(body.decode(), role, fmt + query, shows_own=may_export)
        status, body = _get(f"{server.url}/api/workshops/{workshop}/pre-read.html", token)
        assert status == 200
        _check_text(body.decode(), role, "pre-read")
        status, body = _get(f"{server.url}/api/workshops/{workshop}/export.zip", token)
        assert status == (200 if role == "facilitator" else 403)
        if status == 200:
            with zipfile.ZipFile(io.BytesIO(body)) as zf:
                texts = {name: zf.read(name).decode() for name in zf.namelist()}
                _check_text("".join(texts.values()), role, "export.zip")
                for name, text in texts.items():
                    _check_text(text, role, name, shows_own=False)
                    if name.endswith(".json") and "during-private" in name:
                        _check_state(json.loads(text)["board"], role, people, name)
    # the author's own exports do carry their own private card (the check above says so)
    # and once revealed, everyone sees it everywhere
    await fac.op({"kind": "private.reveal"})
    _, state = call("GET", f"{server.url}/api/boards/{board}", token=tokens["observer"])
    assert all(_secret(w) in json.dumps(state) for w in WRITERS)
    for client in (fac, *writers.values(), *listeners.values()):
        await client.close()


async def test_a_snapshot_of_private_writing_restores_only_what_the_restorer_could_see(
    server, demo
) -> None:
    board = board_of(demo)
    fac_token = token_of(demo, "facilitator")
    fac = await Client.open(server.ws_url, board, fac_token)
    expert = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    await fac.op({"kind": "private.start"})
    await expert.op(add_card("candid", "A candid first draft"))
    await fac.op(add_card("mine", "The facilitator's own note"))
    status, taken = call(
        "POST", f"{server.url}/api/boards/{board}/snapshots", {"label": "Mid"}, token=fac_token
    )
    snapshot = taken["snapshots"][0]["id"]
    await fac.op({"kind": "private.reveal"})
    await expert.op(
        {"kind": "card.update", "card": "candid", "set": {"text": "The considered version"}}
    )
    await fac.op({"kind": "card.delete", "card": "mine"})
    status, done = call(
        "POST",
        f"{server.url}/api/boards/{board}/restore",
        {"snapshot": snapshot},
        token=fac_token,
    )
    assert status == 200, done
    _, state = call("GET", f"{server.url}/api/boards/{board}", token=fac_token)
    # what the facilitator could see comes back; the expert's card they could not see is
    # left as it is now: neither reverted to the draft nor deleted
    assert state["cards"]["mine"]["text"] == "The facilitator's own note"
    assert state["cards"]["candid"]["text"] == "The considered version"
    events = await expert.events_until_seq(done["seq"])
    assert "A candid first draft" not in json.dumps(events)
    await fac.close()
    await expert.close()
