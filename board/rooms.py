"""Live rooms: one per open board. A room orders ops, commits them, then fans events out.

A single consumer task per room applies ops one at a time, so seq is gap-free and every client
sees the same order. Everything that arrives while a commit is in flight is applied and stored
together in the next one (group commit), and an event is broadcast only after its commit.
Joins are handled by the same task between commits, so a `welcome` always shows committed state
and the events that follow it start at exactly the next seq.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from board.codec import canonical, decode, encode, error_frame
from board.errors import CloseCode, ErrorCode
from board.model import Actor, BoardState, Context, Refusal, apply
from board.model.state import BOARD_FIELDS
from board.model.visibility import (
    Viewer,
    enrich,
    has_hidden,
    placeholder,
    placeholder_before,
    sees_hidden_of,
    visible_to,
)
from board.outbox import Outbox
from board.quotas import over_card_cap
from board.store import OpRecord, StorageError, Store
from board.timeutil import now_iso

log = logging.getLogger("brickboard.rooms")

RESTARTING = "The server is restarting; this edit was not applied and will be sent again."
RECENT_EVENTS = 2048
CHANNEL = "brickboard:board:"
SWEEP_SECONDS = 2.0
CHECKPOINT_EVERY = 1000
"""Ops between checkpoints, at least; on a bigger board, as many ops as it holds cards, so the
cost of encoding a checkpoint per op stays flat while a restart replays at most that many."""
PRESENCE_DELAY = 0.05


@dataclass(eq=False)
class Member:
    """One connected client of a room."""

    actor: Actor
    client: str
    outbox: Outbox
    focus: dict[str, Any] | None = None
    focus_at: float = 0.0

    @property
    def me(self) -> dict[str, str]:
        a = self.actor
        return {"id": a.id, "name": a.name, "role": a.role.value, "city": a.city}


@dataclass(slots=True)
class _Op:
    member: Member
    op_id: str
    op: dict[str, Any]


@dataclass(slots=True)
class _Join:
    member: Member
    since: int | None
    done: asyncio.Future[None]


@dataclass(slots=True)
class _Read:
    done: asyncio.Future[dict[str, Any]]


@dataclass(slots=True)
class _Batch:
    """Ops made by the server from the committed state (a restore, an import), applied as one."""

    actor: Actor
    client: str
    make_ops: Callable[[BoardState], list[dict[str, Any]]]
    done: asyncio.Future[list[dict[str, Any]]]


@dataclass(slots=True)
class _Remote:
    """Events another process committed, as announced by the broker (None: look it up)."""

    records: list[OpRecord] | None


@dataclass(slots=True)
class _Stop:
    done: asyncio.Future[None]


@dataclass(slots=True)
class _Accepted:
    record: OpRecord
    op: dict[str, Any]
    text: str
    member: Member | None
    hidden_text: str | None = None
    """The event as everyone but its author sees it, when it touches hidden content."""

    def text_for(self, viewer: Viewer) -> str:
        return _as_seen(self.text, self.hidden_text, self.record.by, viewer)


def _as_seen(text: str, hidden: str | None, by: str, viewer: Viewer) -> str:
    """An event as `viewer` receives it: its placeholder, if it has one, unless the one
    visibility rule lets them see it whole."""
    return hidden if hidden is not None and not sees_hidden_of(viewer, by) else text


@dataclass
class _Recent:
    """The latest committed events, to answer resends and short resumes without the database."""

    by_id: OrderedDict[str, tuple[int, str, str, str | None, str]] = field(
        default_factory=OrderedDict
    )

    def add(self, a: _Accepted) -> None:
        r = a.record
        self.by_id[r.id] = (r.seq, r.body, a.text, a.hidden_text, r.by)
        if len(self.by_id) > RECENT_EVENTS:
            self.by_id.popitem(last=False)

    def oldest_seq(self) -> int | None:
        return next(iter(self.by_id.values()))[0] if self.by_id else None

    def texts_after(self, since: int, viewer: Viewer) -> list[str]:
        return [
            _as_seen(text, hidden, by, viewer)
            for seq, _, text, hidden, by in self.by_id.values()
            if seq > since
        ]


def _metas(accepted: list[_Accepted]) -> list[tuple[str, dict[str, Any]]]:
    """Board-list changes carried by board.update ops (title, initiative, theme)."""
    return [
        (a.record.board, {k: v for k, v in a.op["set"].items() if k in BOARD_FIELDS})
        for a in accepted
        if a.op["kind"] == "board.update" and BOARD_FIELDS & a.op["set"].keys()
    ]


def _has_gap(records: list[OpRecord]) -> bool:
    return any(b.seq != a.seq + 1 for a, b in itertools.pairwise(records))


def records_from(message: str) -> list[OpRecord]:
    return [OpRecord(**r) for r in decode(message)]


def _same_op(stored_body: str, op: dict[str, Any]) -> bool:
    """Whether a resent op is the one stored (which may carry what the server added)."""
    body = canonical(op)
    if stored_body == body:
        return True
    stored = decode(stored_body)
    client_part = {k: v for k, v in stored.items() if k != "server"}
    return "server" in stored and canonical(client_part) == body


class RoomClosed(Exception):
    """The room is stopping (server shutdown); the caller should retry after reconnecting."""


class BatchRefused(Exception):
    """A server-made batch (restore, import) would have an op refused; nothing was applied."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


class _NullOutbox:
    """Where errors for server-made ops would go: nowhere, the batch was checked beforehand."""

    closed = False

    def put(self, text: str, *, event: bool = False) -> bool:
        return True


class Room:
    def __init__(
        self,
        state: BoardState,
        op_ids: dict[str, int],
        store: Store,
        *,
        clock: Callable[[], str] = now_iso,
        publish: Callable[[str, str], Awaitable[None]] | None = None,
        card_cap: int = 0,
    ) -> None:
        self.state = state
        self._card_cap = card_cap
        self.board_id = state.id
        self.committed_seq = state.seq
        self.members: set[Member] = set()
        self._op_ids = op_ids
        self._store = store
        self._clock = clock
        self._recent = _Recent()
        self._inbox: list[_Op | _Join | _Read | _Batch | _Remote | _Stop] = []
        self._wake = asyncio.Event()
        self._state_cache: tuple[int, str] | None = None
        self._checkpoint_seq = state.seq
        self._presence_pending = False
        self._stopped = False
        self._boards: set[str] = set()  # for a stage: the workshop's boards, as last read
        self._publish = publish
        """Set when several processes share this board: ops are then ordered in the database."""
        self.last_event = time.monotonic()
        """When this room last broadcast events (its own commits or another process's)."""
        self._task = asyncio.create_task(self._run(), name=f"room-{state.id}")

    # Called by the socket layer -----------------------------------------------------------

    def submit(self, member: Member, op_id: str, op: dict[str, Any]) -> None:
        """Queue an op; once the room is stopping it is refused as retryable instead."""
        if self._stopped:
            member.outbox.put(error_frame(op_id, ErrorCode.UNAVAILABLE, RESTARTING))
            return
        self._put(_Op(member, op_id, op))

    async def join(self, member: Member, since: int | None) -> None:
        """Add a member; its outbox gets the `welcome` first, then every later event."""
        done = asyncio.get_running_loop().create_future()
        self._put(_Join(member, since, done))
        await done

    def leave(self, member: Member) -> None:
        if member in self.members:
            self.members.discard(member)
            self._presence_changed()

    def set_focus(self, member: Member, focus: dict[str, Any] | None) -> None:
        member.focus = focus
        member.focus_at = time.monotonic()
        self._presence_changed()

    async def read(self) -> dict[str, Any]:
        """The committed state in its wire shape, whole: a reader shows a person only what
        `visible_to` gives them of it."""
        done = asyncio.get_running_loop().create_future()
        self._put(_Read(done))
        return await done

    async def apply_batch(
        self,
        actor: Actor,
        client: str,
        make_ops: Callable[[BoardState], list[dict[str, Any]]],
    ) -> list[dict[str, Any]]:
        """Apply the ops `make_ops` derives from the committed state, all or none, in one commit.

        Returns their events; raises BatchRefused when any op would be refused.
        """
        done = asyncio.get_running_loop().create_future()
        self._put(_Batch(actor, client, make_ops, done))
        return await done

    async def stop(self) -> None:
        """Commit everything received so far, checkpoint, and stop the room."""
        if self._stopped:
            return
        done = asyncio.get_running_loop().create_future()
        self._put(_Stop(done))
        self._stopped = True  # from now on, ops are refused as retryable
        await done

    @property
    def idle_inbox(self) -> bool:
        return not self._inbox

    def _put(self, item: _Op | _Join | _Read | _Batch | _Remote | _Stop) -> None:
        if self._stopped:
            raise RoomClosed("this board is closing; reconnect in a moment")
        self._inbox.append(item)
        self._wake.set()

    # The consumer -------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            items, self._inbox = self._inbox, []
            ops: list[_Op] = []
            # Shared mode: a flush takes in under the board's lock whatever others committed, so
            # announcements need not cut a batch of ops into many small transactions.
            flushing = self._publish is not None and any(isinstance(i, _Op) for i in items)
            for item in items:
                if isinstance(item, _Op):
                    ops.append(item)
                    continue
                if flushing and isinstance(item, _Remote):
                    continue
                await self._flush(ops)
                ops = []
                if self._publish is not None and isinstance(item, _Join | _Read | _Remote):
                    await self._catch_up(item.records if isinstance(item, _Remote) else None)
                if isinstance(item, _Join):
                    await self._welcome(item)
                elif isinstance(item, _Read):
                    item.done.set_result(self.state.to_wire())
                elif isinstance(item, _Batch):
                    await self._batch(item)
                elif isinstance(item, _Stop):
                    await self._shutdown(item)
                    return
            await self._flush(ops)

    async def _flush(self, ops: list[_Op]) -> None:
        if not ops:
            return
        if self.state.kind == "stage":
            ops = await self._known_boards_only(ops)
        if self._publish is not None:  # even with no op left: it takes in others' commits
            await self._flush_shared(ops)
            return
        accepted: list[_Accepted] = []
        for item in ops:
            if item.op_id in self._op_ids:
                if accepted:
                    await self._commit(accepted)
                    accepted = []
                await self._resend(item)
            else:
                self._apply(item, accepted)
        if accepted:
            await self._commit(accepted)

    async def _known_boards_only(self, ops: list[_Op]) -> list[_Op]:
        """The stage may only point the room at boards of its own workshop (the pure reducer
        does not know the boards, so the room checks, asking the database on a miss)."""
        kept = []
        for item in ops:
            board = item.op.get("board") if isinstance(item.op, dict) else None
            if isinstance(board, str) and board not in self._boards:
                self._boards = {b.id for b in await self._store.boards(self.state.workshop)}
                if board not in self._boards:
                    item.member.outbox.put(
                        error_frame(
                            item.op_id,
                            ErrorCode.NOT_FOUND,
                            "There is no such board in this workshop.",
                        )
                    )
                    continue
            kept.append(item)
        return kept

    # Several processes on one board -------------------------------------------------------

    def remote(self, records: list[OpRecord] | None) -> None:
        """Another process committed ops on this board (None: check the database)."""
        if not self._stopped:
            self._put(_Remote(records))

    async def _flush_shared(self, ops: list[_Op]) -> None:
        """Order, apply and store ops under the board's lock in the database, after taking in
        whatever other processes committed first; then announce them."""
        accepted: list[_Accepted] = []
        resends: list[_Op] = []
        absorbed: list[_Accepted] = []

        def decide(missed: list[OpRecord]) -> list[OpRecord]:
            absorbed.extend(self._absorb(r) for r in missed)
            for item in ops:
                if item.op_id in self._op_ids:
                    resends.append(item)
                else:
                    self._apply(item, accepted)
            return [a.record for a in accepted]

        try:
            await self._store.append_ordered(self.board_id, self.state.seq, decide)
        except StorageError:
            await self._recover(accepted)
            for item in resends:
                item.member.outbox.put(error_frame(item.op_id, ErrorCode.UNAVAILABLE, RESTARTING))
            return
        self._committed(absorbed + accepted)
        await self._after_append(accepted)
        for item in resends:
            await self._resend(item)

    async def _catch_up(self, announced: list[OpRecord] | None) -> None:
        """Take in ops other processes committed: the announced ones when they follow on, else
        (a gap, a lost announcement, a join) whatever the database holds after our seq."""
        records = [r for r in announced or [] if r.seq > self.state.seq]
        if announced is not None and not records:
            return
        if not records or records[0].seq != self.state.seq + 1 or _has_gap(records):
            records = await self._store.ops_since(self.board_id, self.state.seq)
        if records:
            self._committed([self._absorb(r) for r in records])

    def _absorb(self, record: OpRecord) -> _Accepted:
        op = decode(record.body)
        result = apply(self.state, op, Context(at=record.at, by=record.by))
        if isinstance(result, Refusal):  # pragma: no cover - the log is valid by construction
            raise ValueError(f"op {record.seq} of board {record.board} does not apply")
        self._op_ids[record.id] = record.seq
        hidden = None if record.redacted is None else record.seen_by(None)
        return _Accepted(record, op, record.event_text(), None, hidden)

    def _committed(self, accepted: list[_Accepted]) -> None:
        self.committed_seq = self.state.seq
        if accepted:
            self.last_event = time.monotonic()
        for a in accepted:
            self._recent.add(a)
        self._broadcast(accepted)

    def _apply(self, item: _Op, accepted: list[_Accepted]) -> None:
        member = item.member
        at = self._clock()
        ctx = Context(at=at, by=member.actor.id, actor=member.actor)
        op = enrich(self.state, item.op, ctx)
        hidden_early = placeholder_before(self.state, op)
        result = over_card_cap(self.state, [op], self._card_cap) or apply(self.state, op, ctx)
        if isinstance(result, Refusal):
            member.outbox.put(error_frame(item.op_id, result.code, result.message))
            return
        seq = self.state.seq
        hidden = hidden_early or placeholder(self.state, op)
        record = OpRecord(
            board=self.board_id,
            seq=seq,
            id=item.op_id,
            client=member.client,
            by=member.actor.id,
            at=at,
            body=canonical(op),
            redacted=None if hidden is None else canonical(hidden),
        )
        self._op_ids[item.op_id] = seq
        hidden_text = None if hidden is None else record.seen_by(None)
        accepted.append(_Accepted(record, op, record.event_text(), member, hidden_text))

    async def _batch(self, batch: _Batch) -> None:
        accepted: list[_Accepted] = []
        absorbed: list[_Accepted] = []

        def make(missed: list[OpRecord]) -> list[OpRecord]:
            absorbed.extend(self._absorb(r) for r in missed)
            ops = batch.make_ops(self.state)
            too_many = over_card_cap(self.state, ops, self._card_cap)
            if too_many is not None:
                raise BatchRefused(too_many)
            trial = self.state.clone()
            for op in ops:
                result = apply(trial, op, Context(at="", by=batch.actor.id, actor=batch.actor))
                if isinstance(result, Refusal):
                    raise BatchRefused(result)
            system = Member(batch.actor, batch.client, _NullOutbox())  # type: ignore[arg-type]
            for n, op in enumerate(ops):
                self._apply(_Op(system, f"{batch.client}-{self.state.seq + 1}-{n}", op), accepted)
            return [a.record for a in accepted]

        try:
            if self._publish is None:
                make([])
                if accepted:
                    await self._commit(accepted)
            else:
                await self._store.append_ordered(self.board_id, self.state.seq, make)
                self._committed(absorbed + accepted)
                await self._after_append(accepted)
        except BatchRefused as refused:
            if absorbed:
                self._committed(absorbed)
            batch.done.set_exception(refused)
            return
        except Exception as exc:
            batch.done.set_exception(exc)
            return
        if self.committed_seq == self.state.seq:
            batch.done.set_result([decode(a.text) for a in accepted])
        else:  # pragma: no cover - the commit failed and the state was reloaded
            batch.done.set_exception(StorageError("the batch could not be stored"))

    async def _commit(self, accepted: list[_Accepted]) -> None:
        checkpoints = self._due_checkpoint()
        try:
            await self._store.commit([a.record for a in accepted], checkpoints, _metas(accepted))
        except StorageError:
            await self._recover(accepted)
            return
        if checkpoints:
            self._checkpoint_seq = self.state.seq
        self._committed(accepted)

    def _due_checkpoint(self) -> list[tuple[str, int, str]]:
        size = len(self.state.cards) + len(self.state.comments)
        if self.state.seq - self._checkpoint_seq >= max(CHECKPOINT_EVERY, size):
            return [(self.board_id, self.state.seq, self._checkpoint_json())]
        return []

    async def _after_append(self, accepted: list[_Accepted]) -> None:
        """In shared mode, after ops were appended (by clients, or a restore or an import):
        announce them, then store the board-list change and the checkpoint they call for."""
        if not accepted:
            return
        assert self._publish is not None
        await self._publish(self.board_id, encode([asdict(a.record) for a in accepted]))
        checkpoints, metas = self._due_checkpoint(), _metas(accepted)
        if checkpoints or metas:
            with contextlib.suppress(StorageError):
                await self._store.commit([], checkpoints, metas)
                if checkpoints:
                    self._checkpoint_seq = checkpoints[0][1]

    async def _recover(self, accepted: list[_Accepted]) -> None:
        """A failed commit: refuse the batch as retryable and rebuild state from the database."""
        for a in accepted:
            self._op_ids.pop(a.record.id, None)
            if a.member is None:
                continue
            a.member.outbox.put(
                error_frame(
                    a.record.id,
                    ErrorCode.UNAVAILABLE,
                    "The board could not save this edit; it will be sent again.",
                )
            )
        self._state_cache = None
        with contextlib.suppress(Exception):
            state = await self._store.load_board(self.board_id)
            if state is not None:
                self.state = state
                self.committed_seq = state.seq
                return
        log.error("board %s: could not reload after a failed commit", self.board_id)

    def _broadcast(self, accepted: list[_Accepted]) -> None:
        """Each event encoded once; a placeholder instead for what a member may not see yet."""
        texts = [a.text for a in accepted]
        hiding = any(a.hidden_text is not None for a in accepted)
        for member in list(self.members):
            if hiding:
                texts = [a.text_for(member.actor) for a in accepted]
            for text in texts:
                if not member.outbox.put(text, event=True):
                    self.leave(member)
                    break

    async def _resend(self, item: _Op) -> None:
        """A resend of an applied op: the original event again, or `conflict` if it differs."""
        recent = self._recent.by_id.get(item.op_id)
        if recent is not None:
            _, stored_body, text, _, _ = recent
        else:
            record = await self._store.op(self.board_id, item.op_id)
            if record is None:  # pragma: no cover - the id map and the log always agree
                return
            stored_body, text = record.body, record.event_text()
        if _same_op(stored_body, item.op):
            item.member.outbox.put(text, event=True)
        else:
            item.member.outbox.put(
                error_frame(
                    item.op_id,
                    ErrorCode.CONFLICT,
                    "This op id was already used for a different edit; use a new id.",
                )
            )

    def _state_json(self) -> str:
        if self._state_cache is None or self._state_cache[0] != self.state.seq:
            self._state_cache = (self.state.seq, encode(self.state.to_wire(share=True)))
        return self._state_cache[1]

    def _checkpoint_json(self) -> str:
        return encode(self.state.to_checkpoint(share=True))

    async def _welcome(self, join: _Join) -> None:
        member, since = join.member, join.since
        viewer = member.actor
        head = (
            f'{{"type":"welcome","board":{encode(self.board_id)},"seq":{self.state.seq},'
            f'"now":{encode(self._clock())},"me":{encode(member.me)},'
        )
        if since is None or since > self.state.seq:
            if has_hidden(self.state):
                state = encode(visible_to(self.state.to_wire(share=True), viewer))
            else:
                state = self._state_json()
            text = f'{head}"state":{state}}}'
        else:
            oldest = self._recent.oldest_seq()
            if since == self.state.seq:
                texts: list[str] = []
            elif oldest is not None and oldest <= since + 1:
                texts = self._recent.texts_after(since, viewer)
            else:
                records = await self._store.ops_since(self.board_id, since, self.state.seq)
                texts = [r.seen_by(viewer) for r in records]
            text = f'{head}"ops":[{",".join(texts)}]}}'
        member.outbox.put(text)
        self.members.add(member)
        self._presence_changed()
        join.done.set_result(None)

    async def _shutdown(self, stop: _Stop) -> None:
        if self.state.seq > self._checkpoint_seq:
            with contextlib.suppress(StorageError):
                checkpoint = (self.board_id, self.state.seq, self._checkpoint_json())
                await self._store.commit([], [checkpoint])
        stop.done.set_result(None)

    # Presence -----------------------------------------------------------------------------

    def _presence_changed(self) -> None:
        """Coalesce bursts of joins and focus changes into one presence frame."""
        if self._presence_pending:
            return
        self._presence_pending = True
        asyncio.get_running_loop().call_later(PRESENCE_DELAY, self._send_presence)

    def presence(self) -> list[dict[str, Any]]:
        online: dict[str, dict[str, Any]] = {}
        # One entry per person; with several tabs open, where they most recently are.
        ranked = sorted(self.members, key=lambda m: (m.focus is not None, m.focus_at))
        for member in ranked:
            online[member.actor.id] = {**member.me, "focus": member.focus}
        return sorted(online.values(), key=lambda p: (p["role"], p["name"]))

    def _send_presence(self) -> None:
        self._presence_pending = False
        text = encode({"type": "presence", "online": self.presence()})
        for member in list(self.members):
            member.outbox.put(text)


class Broker(Protocol):
    async def subscribe(self, channel: str) -> None: ...

    async def unsubscribe(self, channel: str) -> None: ...

    async def publish(self, channel: str, message: str) -> None: ...


class RoomRegistry:
    """Opens a room on first use and keeps it while the server runs."""

    def __init__(self, store: Store, *, broker: Broker | None = None, card_cap: int = 0) -> None:
        self._store = store
        self._card_cap = card_cap
        self.broker = broker
        """With several processes: announces commits, and tells rooms of others' commits."""
        self._sweeper: asyncio.Task[None] | None = None
        self._rooms: dict[str, Room] = {}
        self._opening: dict[str, asyncio.Future[Room | None]] = {}
        self._draining = False

    async def room(self, board_id: str) -> Room | None:
        room = self._rooms.get(board_id)
        if room is not None:
            return room
        pending = self._opening.get(board_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Room | None] = asyncio.get_running_loop().create_future()
        self._opening[board_id] = future
        try:
            state = await self._store.load_board(board_id)
            if state is None:
                future.set_result(None)
                return None
            op_ids = await self._store.op_ids(board_id)
            publish = None if self.broker is None else self._publish
            room = Room(state, op_ids, self._store, publish=publish, card_cap=self._card_cap)
            self._rooms[board_id] = room
            if self.broker is not None:
                await self.broker.subscribe(CHANNEL + board_id)
                room.remote(None)  # anything committed between the load and the subscribe
            future.set_result(room)
            return room
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here, re-raised below to this caller
            raise
        finally:
            del self._opening[board_id]

    async def _publish(self, board_id: str, message: str) -> None:
        assert self.broker is not None
        await self.broker.publish(CHANNEL + board_id, message)

    def on_message(self, channel: str, message: str) -> None:
        """The broker announced commits of another process (ours come back too: ignored)."""
        room = self._rooms.get(channel.removeprefix(CHANNEL))
        if room is not None:
            room.remote(records_from(message))

    async def on_reconnect(self) -> None:
        """Announcements may have been missed while the broker was away: check the database."""
        for room in list(self._rooms.values()):
            room.remote(None)

    def start_sweeping(self, every: float = SWEEP_SECONDS) -> None:
        """With a broker: every few seconds, rooms with people in them that have been quiet
        look for commits whose announcement never came (a safety net under Redis, not the way
        events travel)."""

        async def sweep() -> None:
            while True:
                await asyncio.sleep(every)
                quiet_since = time.monotonic() - every
                # A busy room needs no sweep: its own flushes read what others committed, and
                # the next announcement shows a gap. The quiet ones are checked in one query
                # (a query per room every 2 s stretched latency with 50 boards open).
                rooms = [
                    room
                    for room in self._rooms.values()
                    if room.members and room.idle_inbox and room.last_event <= quiet_since
                ]
                if not rooms:
                    continue
                try:
                    latest = await self._store.max_seqs(room.board_id for room in rooms)
                except Exception as exc:  # the database is away: the next sweep tries again
                    log.warning("sweep: could not read the boards' last seq: %s", exc)
                    continue
                for room in rooms:
                    if latest.get(room.board_id, 0) > room.committed_seq:
                        room.remote(None)

        self._sweeper = asyncio.create_task(sweep(), name="room-sweeper")

    def open_rooms(self) -> list[Room]:
        return list(self._rooms.values())

    def members_of(self, participant_id: str) -> list[tuple[Room, Member]]:
        return [
            (room, member)
            for room in self._rooms.values()
            for member in room.members
            if member.actor.id == participant_id
        ]

    @property
    def draining(self) -> bool:
        return self._draining

    async def close(self, reason: str = "The server is restarting; reconnect in a moment.") -> None:
        """A graceful stop: refuse new ops as retryable, commit and acknowledge every op already
        received, send each client what is queued for it, then close (they resume with since)."""
        self._draining = True
        if self._sweeper is not None:
            self._sweeper.cancel()
        rooms = list(self._rooms.values())
        await asyncio.gather(*(room.stop() for room in rooms), return_exceptions=True)
        members = [m for room in rooms for m in room.members]
        await asyncio.gather(
            *(m.outbox.drain_and_close(CloseCode.SERVICE_RESTART, reason) for m in members),
            return_exceptions=True,
        )
        self._rooms.clear()
