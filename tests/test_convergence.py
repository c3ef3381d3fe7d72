"""Convergence under chaos: a Hypothesis state machine drives 2 to 8 simulated clients against a
real room and a real SQLite store, with random ops, random interleaving of their sends,
dropped connections, reconnects and server restarts. At quiescence every replica equals the
server's state, and the server's state equals a replay of its op log."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from board.auth import actor_of
from board.codec import decode
from board.demo import ensure_demo
from board.model import load_template, new_board, replay
from board.outbox import Outbox
from board.registry import RoomRegistry
from board.rooms import Member
from board.store import Store
from tests.opgen import ops
from tests.replica import Replica


class FakeTransport:
    """A socket whose far end reads only when the machine says so."""

    def __init__(self) -> None:
        self.inbox: list[str] = []
        self.closed: int | None = None

    async def send_text(self, text: str) -> None:
        self.inbox.append(text)

    async def close(self, code: int, reason: str) -> None:
        self.closed = code


class SimClient:
    def __init__(self, name: str, participant: Any) -> None:
        self.replica = Replica(name)
        self.participant = participant
        self.transport: FakeTransport | None = None
        self.member: Member | None = None
        self.in_flight: list[dict[str, Any]] = []  # sent, not yet read by the server


class Chaos(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.dir = tempfile.TemporaryDirectory()
        self.store = self.run(Store.open(f"sqlite+aiosqlite:///{Path(self.dir.name)}/c.db"))
        workshop = self.run(ensure_demo(self.store))
        self.board = self.run(self.store.boards(workshop))[0]
        self.people = self.run(self.store.participants(workshop))
        self.rooms = RoomRegistry(self.store)
        self.clients: list[SimClient] = []

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    # set-up and teardown --------------------------------------------------------------------

    @initialize(n=st.integers(2, 8))
    def clients_join(self, n: int) -> None:
        eligible = [p for p in self.people if p.role in ("facilitator", "expert", "mayor")]
        for i in range(n):
            client = SimClient(f"sim{i}", eligible[i % len(eligible)])
            self.clients.append(client)
            self.connect(client)

    def teardown(self) -> None:
        try:
            self.quiesce_and_check()
        finally:
            self.run(self.rooms.close())
            self.run(self.store.close())
            self.loop.close()
            self.dir.cleanup()

    # the simulated network -----------------------------------------------------------------

    def connect(self, client: SimClient) -> None:
        async def join() -> None:
            room = await self.rooms.room(self.board.id)
            client.transport = FakeTransport()
            outbox = Outbox(client.transport, bound=100_000)  # its task needs the loop
            client.member = Member(actor_of(client.participant), client.replica.name, outbox)
            await room.join(client.member, client.replica.seq)

        self.run(join())
        self.read(client)  # the welcome
        client.in_flight = client.replica.resend()

    def disconnect(self, client: SimClient) -> None:
        async def drop(member: Member) -> None:
            room = await self.rooms.room(self.board.id)
            room.leave(member)
            member.outbox.close(1006, "dropped")

        if client.member is not None:
            self.run(drop(client.member))
        client.member = client.transport = None
        client.in_flight = []  # lost on the wire

    def settle(self) -> None:
        """Let the room commit and broadcast everything it has received."""
        room = self.run(self.rooms.room(self.board.id))
        self.run(room.read())
        for client in self.clients:
            if client.member is not None and not client.member.outbox.closed:
                self.run(asyncio.wait_for(client.member.outbox.sent(), 10))

    def read(self, client: SimClient) -> None:
        self.settle()
        if client.transport is None:
            return
        frames, client.transport.inbox = client.transport.inbox, []
        for text in frames:
            client.replica.on_frame(decode(text))

    # rules ----------------------------------------------------------------------------------

    @rule(data=st.data(), op=ops)
    def type_an_edit(self, data: st.DataObject, op: dict[str, Any]) -> None:
        client = data.draw(st.sampled_from(self.clients))
        frame = client.replica.new_op(op)
        if client.member is not None:
            client.in_flight.append(frame)

    @rule(data=st.data())
    def the_server_reads_one_frame(self, data: st.DataObject) -> None:
        waiting = [c for c in self.clients if c.in_flight and c.member is not None]
        if not waiting:
            return
        client = data.draw(st.sampled_from(waiting))  # random interleaving between clients
        frame = client.in_flight.pop(0)  # one client's frames stay in order (TCP)
        room = self.run(self.rooms.room(self.board.id))
        room.submit(client.member, frame["id"], frame["op"])

    @rule(data=st.data())
    def a_client_reads(self, data: st.DataObject) -> None:
        self.read(data.draw(st.sampled_from(self.clients)))

    @rule(data=st.data())
    def a_connection_drops(self, data: st.DataObject) -> None:
        self.disconnect(data.draw(st.sampled_from(self.clients)))

    @rule(data=st.data())
    def a_client_reconnects(self, data: st.DataObject) -> None:
        client = data.draw(st.sampled_from(self.clients))
        if client.member is None:
            self.connect(client)

    @precondition(lambda self: self.clients)
    @rule()
    def the_server_restarts(self) -> None:
        for client in self.clients:
            self.disconnect(client)
        self.run(self.rooms.close())
        self.rooms = RoomRegistry(self.store)

    @invariant()
    def replicas_never_run_ahead_of_the_server(self) -> None:
        if not self.clients:
            return
        room = self.run(self.rooms.room(self.board.id))
        for client in self.clients:
            assert (client.replica.seq or 0) <= room.committed_seq

    # the check ------------------------------------------------------------------------------

    def quiesce_and_check(self) -> None:
        if not self.clients:
            return
        for _ in range(50):
            for client in self.clients:
                if client.member is None:
                    self.connect(client)
                room = self.run(self.rooms.room(self.board.id))
                while client.in_flight:
                    frame = client.in_flight.pop(0)
                    room.submit(client.member, frame["id"], frame["op"])
            for client in self.clients:
                self.read(client)
            if not any(c.replica.pending for c in self.clients):
                break
        assert not any(c.replica.pending for c in self.clients), "an edit was never answered"
        room = self.run(self.rooms.room(self.board.id))
        server = self.run(room.read())
        for client in self.clients:
            self.read(client)
            assert client.replica.confirmed.to_wire() == server, client.replica.name
        log = self.run(self.store.ops_since(self.board.id, 0))
        assert [r.seq for r in log] == list(range(1, server["seq"] + 1))
        fresh = new_board(
            load_template(),
            id=self.board.id,
            workshop=self.board.workshop,
            title=self.board.title,
            city=self.board.city,
            initiative=self.board.initiative,
            theme=self.board.theme,
            mayor=self.board.mayor,
            brief=self.board.brief,
        )
        assert replay(fresh, (r.event() for r in log)).to_wire() == server
        acked = [i for c in self.clients for i in c.replica.acked]
        assert len(acked) == len(set(acked)) and set(acked) <= {r.id for r in log}


Chaos.TestCase.settings = settings(
    max_examples=int(os.environ.get("BRICKBOARD_CHAOS_EXAMPLES", "12")),
    stateful_step_count=40,
    deadline=None,
)
TestConvergence = Chaos.TestCase
