"""A resend answers only its author (issue 12, item 2): op ids are unique per author on a
board, so resending another person's op id with a guessed body tells nothing, whether the
guess is right or wrong; and nobody can take an id another person is about to use."""

from __future__ import annotations

from tests.conftest import board_of, person_of, token_of
from tests.wsclient import Client, add_card


async def test_guessing_someone_elses_op_reveals_nothing(server, demo) -> None:
    board = board_of(demo)
    mayor = next(p for p in demo["participants"] if p["id"] == demo["boards"][0]["mayor"])
    fac = await Client.open(server.ws_url, board, token_of(demo, "facilitator"))
    owner = await Client.open(server.ws_url, board, mayor["token"])
    cards = [f"guess-{n}" for n in range(12)]
    for card in cards:
        await fac.op(add_card(card))
    await fac.op({"kind": "vote.open", "round": {"id": "r", "dots": 3, "blind": True}})
    secret = {"kind": "vote.place", "round": "r", "card": cards[7]}
    placed = await owner.op(secret, op_id="mayor-dot-1")
    assert placed["op"]["card"] == cards[7]

    observer = await Client.open(server.ws_url, board, token_of(demo, "observer"))
    answers = []
    for card in cards:  # the old attack: one of these bodies is the mayor's
        guess = {"kind": "vote.place", "round": "r", "card": card}
        answer = await observer.op(guess, op_id="mayor-dot-1")
        answers.append((answer["type"], answer.get("code"), answer.get("message")))
    assert len(set(answers)) == 1 and answers[0][:2] == ("error", "forbidden")

    expert = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    right = await expert.op(secret, op_id="mayor-dot-1")
    wrong = await expert.op({**secret, "card": cards[2]}, op_id="mayor-dot-1")
    # the right guess is no "resend": it is the expert's own first dot, a new event; the
    # same id again from the expert is their own resend, and a different body is a conflict
    assert right["type"] == "op" and right["by"] == person_of(demo, "expert")["id"]
    assert right["seq"] > placed["seq"]
    assert wrong["type"] == "error" and wrong["code"] == "conflict"
    again = await expert.op(secret, op_id="mayor-dot-1")
    assert again["seq"] == right["seq"]
    # the mayor's own resend still gets the original event, whole (it is theirs)
    mine = await owner.op(secret, op_id="mayor-dot-1")
    assert mine["seq"] == placed["seq"] and mine["op"]["card"] == cards[7]
    for client in (fac, owner, observer, expert):
        await client.close()


async def test_an_id_someone_else_used_is_yours_to_use_and_survives_a_restart(server, demo):
    board = board_of(demo)
    first = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    second = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    a = await first.op(add_card("from-first"), op_id="shared-id")
    b = await second.op(add_card("from-second"), op_id="shared-id")
    assert a["type"] == b["type"] == "op" and b["seq"] == a["seq"] + 1
    await first.close()
    await second.close()
    server.restart()  # the room forgets its recent events; the log still tells them apart
    again = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    resent = await again.op(add_card("from-second"), op_id="shared-id")
    assert resent["seq"] == b["seq"] and resent["op"]["card"]["id"] == "from-second"
    changed = await again.op(add_card("something else"), op_id="shared-id")
    assert changed["code"] == "conflict"
    await again.close()
