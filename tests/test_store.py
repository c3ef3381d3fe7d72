"""Storage on a real SQLite file and a real PostgreSQL database: the log, checkpoints, people."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from board.codec import canonical
from board.demo import ensure_demo, roster_json
from board.store import OpRecord, StorageError, Store


def _card_add(board: str, seq: int, card: str, op_id: str | None = None) -> OpRecord:
    op = {
        "kind": "card.add",
        "card": {"id": card, "section": "problem_vision", "type": "idea", "text": f"card {card}"},
        "after": None,
    }
    return OpRecord(
        board, seq, op_id or f"op-{seq}", "c", "p_x", "2027-03-09T14:00:00.000Z", canonical(op)
    )


async def test_demo_workshop_is_created_once_with_its_people_and_boards(db_url: str) -> None:
    store = await Store.open(db_url)
    try:
        first = await ensure_demo(store)
        assert await ensure_demo(store) == first
        data = await roster_json(store, first, "http://room:8000")
        roles = [p["role"] for p in data["participants"]]
        assert roles.count("mayor") == 5 and roles.count("facilitator") == 1
        assert roles.count("observer") == 1 and roles.count("expert") >= 5
        assert len(data["boards"]) == 5
        mayors = {p["id"] for p in data["participants"] if p["role"] == "mayor"}
        assert {b["mayor"] for b in data["boards"]} == mayors
        assert all(len(p["token"]) >= 22 for p in data["participants"])  # >= 128 bits
        assert all(
            p["join_url"] == f"http://room:8000/join/{p['token']}" for p in data["participants"]
        )
    finally:
        await store.close()


async def test_committed_ops_replay_into_the_board_after_reopening(db_url: str) -> None:
    store = await Store.open(db_url)
    workshop = await ensure_demo(store)
    board = (await store.boards(workshop))[0]
    base = (await store.load_board(board.id)).seq
    await store.commit([_card_add(board.id, base + n, f"k{n}") for n in (1, 2, 3)])
    await store.close()

    store = await Store.open(db_url)
    try:
        state = await store.load_board(board.id)
        assert state.seq == base + 3
        assert state.sections["problem_vision"] == ["k3", "k2", "k1"]
        ids = await store.op_ids(board.id)  # per author: op ids are unique per author
        assert ids.pop("p_x") == {f"op-{base + n}": base + n for n in (1, 2, 3)}
        seeded = {op_id: seq for per_author in ids.values() for op_id, seq in per_author.items()}
        assert seeded == {f"seed-{n}": n for n in range(1, base + 1)}
        assert [r.seq for r in await store.ops_since(board.id, base + 1)] == [base + 2, base + 3]
    finally:
        await store.close()


async def test_a_checkpoint_plus_the_log_tail_gives_the_same_state(db_url: str) -> None:
    store = await Store.open(db_url)
    try:
        workshop = await ensure_demo(store)
        board = (await store.boards(workshop))[0]
        base = (await store.load_board(board.id)).seq
        await store.commit([_card_add(board.id, base + 1, "a")])
        mid = await store.load_board(board.id)
        from board.codec import encode

        await store.commit(
            [_card_add(board.id, base + 2, "b")], [(board.id, mid.seq, encode(mid.to_wire()))]
        )
        state = await store.load_board(board.id)
        assert state.seq == base + 2 and set(state.cards) >= {"a", "b"}
    finally:
        await store.close()


async def test_the_log_refuses_an_authors_second_op_with_the_same_id_and_keeps_the_first(
    db_url: str,
) -> None:
    store = await Store.open(db_url)
    try:
        workshop = await ensure_demo(store)
        board = (await store.boards(workshop))[0]
        base = (await store.load_board(board.id)).seq
        await store.commit([_card_add(board.id, base + 1, "a", op_id="same")])
        with pytest.raises(StorageError):
            await store.commit([_card_add(board.id, base + 2, "b", op_id="same")])
        assert (await store.load_board(board.id)).seq == base + 1
        insert = text(
            'INSERT INTO ops (board_id, seq, op_id, client, "by", at, body) '
            "VALUES (:b, :s, 'same', 'c', :by, 'now', '{}')"
        )
        async with store.engine.begin() as conn:
            with pytest.raises(IntegrityError):
                await conn.execute(insert, {"b": board.id, "s": base + 9, "by": "p_x"})
        async with store.engine.begin() as conn:  # ids are unique per author, not per board
            await conn.execute(insert, {"b": board.id, "s": base + 2, "by": "p_other"})
        assert (await store.op(board.id, "p_other", "same")).seq == base + 2
        assert (await store.op(board.id, "p_x", "same")).seq == base + 1
    finally:
        await store.close()


async def test_sqlite_runs_in_wal_with_full_sync(tmp_path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    try:
        async with store.engine.connect() as conn:
            assert (await conn.scalar(text("PRAGMA journal_mode"))) == "wal"
            assert (await conn.scalar(text("PRAGMA synchronous"))) == 2  # FULL
            assert (await conn.scalar(text("PRAGMA busy_timeout"))) == 10000
    finally:
        await store.close()


async def test_sessions_end_when_the_invite_is_revoked(db_url: str) -> None:
    store = await Store.open(db_url)
    try:
        workshop = await ensure_demo(store)
        person = (await store.participants(workshop))[0]
        secret = await store.create_session(person.id)
        assert (await store.session_participant(secret)).id == person.id
        assert await store.session_participant("forged") is None
        async with store.engine.begin() as conn:
            await conn.execute(
                text("UPDATE participants SET revoked = true WHERE id = :p"), {"p": person.id}
            )
        assert await store.session_participant(secret) is None
        assert await store.participant_by_token(person.token) is None
    finally:
        await store.close()


async def test_a_checkpoint_only_moves_forward_and_two_writers_do_not_collide(db_url: str):
    store = await Store.open(db_url)
    other = await Store.open(db_url)  # a second process's store
    try:
        workshop = await ensure_demo(store)
        board = (await store.boards(workshop))[0]
        state = await store.load_board(board.id)
        from board.codec import encode

        wire = encode(state.to_checkpoint())
        await asyncio.gather(
            store.commit([], [(board.id, state.seq, wire)]),
            other.commit([], [(board.id, state.seq, wire)]),
        )
        await store.commit([], [(board.id, state.seq - 1, "{}")])  # older: ignored
        assert (await store.load_board(board.id)).to_wire() == state.to_wire()
    finally:
        await other.close()
        await store.close()
