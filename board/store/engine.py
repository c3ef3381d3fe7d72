"""The Store: engine set-up, the single group-commit writer, and every query the server makes."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from board.model import BoardState, load_template
from board.store import tables as t
from board.store.errors import StorageError
from board.store.fileguard import FileGuard
from board.store.integrity import note_workshops, sqlite_file
from board.store.reader import Reader
from board.store.records import BoardRow, OpRecord, ParticipantRow, SnapshotRow, WorkshopRow
from board.store.rows import board_row as _board
from board.store.rows import board_values as _board_values
from board.store.rows import op_record as _record
from board.store.rows import participant_row as _participant
from board.store.rows import snapshot_row as _snapshot
from board.store.rows import workshop_row as _workshop
from board.store.sqlite_log import PRAGMAS, SqliteLog
from board.store.startup import prepare_database
from board.store.writer import BoardMeta, Checkpoint, GroupWriter, WriteLock, op_row
from board.timeutil import now_iso

log = logging.getLogger("brickboard.store")

__all__ = ["StorageError", "Store", "default_url"]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; FULL makes each commit survive power loss.
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _session_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _rw_url(path: Path) -> str:
    """The file as a SQLite URI that opens it read-write and never creates it: a connection
    opened after the file was deleted fails instead of making an empty one in its place."""
    return f"sqlite+aiosqlite:///file:{quote(str(path))}?mode=rw&uri=true"


def default_url(data_dir: str | Path = "data") -> str:
    return f"sqlite+aiosqlite:///{Path(data_dir) / 'brickboard.db'}"


class Store:
    """Everything the server keeps: workshops, participants, boards, the op log, checkpoints."""

    def __init__(self, engine: AsyncEngine, file: Path | None = None) -> None:
        self.engine = engine
        self.file = file  # the SQLite file; None on PostgreSQL
        guard = FileGuard(file) if file else None
        self._writer = GroupWriter(engine, SqliteLog(str(file), guard) if file else None, guard)
        self.reader = Reader(engine)
        """Committed state for exports, read from the database (never from live rooms)."""

    @classmethod
    async def open(cls, url: str, *, prepared: bool = False) -> Store:
        """Check and upgrade the database (unless `prepared`), connect, start the writer."""
        if not prepared:
            await prepare_database(url)
        file = sqlite_file(url)
        engine = create_async_engine(
            url if file is None else _rw_url(file), pool_pre_ping=file is None
        )
        if file is not None:
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return cls(engine, file)

    @property
    def writing(self) -> WriteLock:
        """The write lock, for a transaction of another store module (importing.py)."""
        return self._writer.lock

    async def close(self) -> None:
        await self._writer.stop()
        await self.engine.dispose()

    # The op log ---------------------------------------------------------------------------

    async def commit(
        self,
        records: Sequence[OpRecord],
        checkpoints: Sequence[Checkpoint] = (),
        metas: Sequence[BoardMeta] = (),
    ) -> None:
        """Durably store applied ops, board checkpoints and board-list changes, in one commit
        shared with whatever else is queued; returns once committed."""
        await self._writer.submit(records, checkpoints, metas)

    async def append_ordered(
        self,
        board_id: str,
        known_seq: int,
        decide: Callable[[list[OpRecord]], list[OpRecord]],
    ) -> list[OpRecord]:
        """Append ops to a board that several processes write, in one gap-free order.

        In one transaction: lock the board's row (PostgreSQL: FOR UPDATE), read what others
        committed after `known_seq`, let `decide` apply those and then choose the new records
        (numbered right after them), and insert. Returns the records others had committed.
        """
        rows = []
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    select(t.boards.c.id).where(t.boards.c.id == board_id).with_for_update()
                )
                query = (
                    select(t.ops)
                    .where(t.ops.c.board_id == board_id, t.ops.c.seq > known_seq)
                    .order_by(t.ops.c.seq)
                )
                missed = [_record(row) for row in await conn.execute(query)]
                records = decide(missed)
                rows = [op_row(r) for r in records]
                if rows:
                    await conn.execute(insert(t.ops), rows)
        except (SQLAlchemyError, OSError) as exc:
            log.error("ordered append of %d ops failed: %s", len(rows), exc)
            raise StorageError(str(exc)) from exc
        return missed

    async def ops_since(
        self, board_id: str, since: int, until: int | None = None
    ) -> list[OpRecord]:
        query = select(t.ops).where(t.ops.c.board_id == board_id, t.ops.c.seq > since)
        if until is not None:
            query = query.where(t.ops.c.seq <= until)
        async with self.engine.connect() as conn:
            result = await conn.execute(query.order_by(t.ops.c.seq))
            return [_record(row) for row in result]

    async def op(self, board_id: str, op_id: str) -> OpRecord | None:
        query = select(t.ops).where(t.ops.c.board_id == board_id, t.ops.c.op_id == op_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _record(row) if row else None

    async def op_ids(self, board_id: str) -> dict[str, int]:
        query = select(t.ops.c.op_id, t.ops.c.seq).where(t.ops.c.board_id == board_id)
        async with self.engine.connect() as conn:
            return {op_id: seq for op_id, seq in await conn.execute(query)}

    async def load_board(self, board_id: str) -> BoardState | None:
        """The current state: the latest checkpoint with the log after it replayed on top."""
        board = await self.board(board_id)
        if board is None:
            return None
        workshop = await self.workshop(board.workshop)
        assert workshop is not None
        return await self.reader.board_state(board, load_template(workshop.template))

    async def max_seqs(self, board_ids: Iterable[str]) -> dict[str, int]:
        """The last seq of each board in one query (each a backward index scan)."""
        last = (
            select(func.max(t.ops.c.seq)).where(t.ops.c.board_id == t.boards.c.id).scalar_subquery()
        )
        query = select(t.boards.c.id, last).where(t.boards.c.id.in_(list(board_ids)))
        async with self.engine.connect() as conn:
            return {board_id: seq or 0 for board_id, seq in await conn.execute(query)}

    # Workshops, participants, boards ------------------------------------------------------

    async def create_workshop(
        self,
        workshop: WorkshopRow,
        participants: Iterable[ParticipantRow],
        boards: Iterable[BoardRow],
    ) -> None:
        """Create a workshop with its people and boards, all or nothing."""
        created = now_iso()
        async with self._writer.lock, self.engine.begin() as conn:
            await conn.execute(
                insert(t.workshops).values(
                    id=workshop.id,
                    title=workshop.title,
                    venue=workshop.venue,
                    timezone=workshop.timezone,
                    template=workshop.template,
                    template_version=workshop.template_version,
                    days=json.dumps(workshop.days),
                    join_code=workshop.join_code,
                    created_at=workshop.created_at or created,
                )
            )
            people = [
                {
                    "id": p.id,
                    "workshop_id": workshop.id,
                    "name": p.name,
                    "role": p.role,
                    "city": p.city,
                    "organisation": p.organisation,
                    "token": p.token,
                    "revoked": p.revoked,
                    "created_at": created,
                }
                for p in participants
            ]
            if people:
                await conn.execute(insert(t.participants), people)
            rows = [_board_values(b, created) for b in boards]
            if rows:
                await conn.execute(insert(t.boards), rows)
        if self.file is not None:
            note_workshops(self.file)

    async def workshops(self) -> list[WorkshopRow]:
        async with self.engine.connect() as conn:
            result = await conn.execute(select(t.workshops).order_by(t.workshops.c.created_at))
            return [_workshop(row) for row in result]

    async def workshop(self, workshop_id: str) -> WorkshopRow | None:
        async with self.engine.connect() as conn:
            query = select(t.workshops).where(t.workshops.c.id == workshop_id)
            row = (await conn.execute(query)).first()
        return _workshop(row) if row else None

    async def participants(self, workshop_id: str) -> list[ParticipantRow]:
        query = (
            select(t.participants)
            .where(t.participants.c.workshop_id == workshop_id)
            .order_by(t.participants.c.created_at, t.participants.c.name)
        )
        async with self.engine.connect() as conn:
            return [_participant(row) for row in await conn.execute(query)]

    async def participant(self, participant_id: str) -> ParticipantRow | None:
        query = select(t.participants).where(t.participants.c.id == participant_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _participant(row) if row else None

    async def participant_by_token(self, token: str) -> ParticipantRow | None:
        """The participant holding this invite, unless it was revoked."""
        query = select(t.participants).where(
            t.participants.c.token == token, t.participants.c.revoked.is_(False)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _participant(row) if row else None

    async def boards(self, workshop_id: str) -> list[BoardRow]:
        """The workshop's boards (not its stage), in the order they were made."""
        query = (
            select(t.boards)
            .where(t.boards.c.workshop_id == workshop_id, t.boards.c.kind == "board")
            .order_by(t.boards.c.created_at, t.boards.c.city)
        )
        async with self.engine.connect() as conn:
            return [_board(row) for row in await conn.execute(query)]

    async def stage_of(self, workshop_id: str) -> BoardRow | None:
        query = select(t.boards).where(
            t.boards.c.workshop_id == workshop_id, t.boards.c.kind == "stage"
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _board(row) if row else None

    async def board(self, board_id: str) -> BoardRow | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.boards).where(t.boards.c.id == board_id))).first()
        return _board(row) if row else None

    async def update_workshop(self, workshop_id: str, **values: Any) -> None:
        """Change title, venue, timezone or days (a list of day objects)."""
        if "days" in values:
            values["days"] = json.dumps(values["days"])
        async with self._writer.lock, self.engine.begin() as conn:
            await conn.execute(
                update(t.workshops).where(t.workshops.c.id == workshop_id).values(**values)
            )

    async def add_participant(self, person: ParticipantRow, board: BoardRow | None) -> None:
        """Add one person (and their board, for a mayor) in one transaction."""
        created = now_iso()
        async with self._writer.lock, self.engine.begin() as conn:
            await conn.execute(
                insert(t.participants).values(
                    id=person.id,
                    workshop_id=person.workshop,
                    name=person.name,
                    role=person.role,
                    city=person.city,
                    organisation=person.organisation,
                    token=person.token,
                    revoked=False,
                    created_at=created,
                )
            )
            if board is not None:
                await conn.execute(insert(t.boards).values(**_board_values(board, created)))

    async def add_board(self, board: BoardRow) -> None:
        async with self._writer.lock, self.engine.begin() as conn:
            await conn.execute(insert(t.boards).values(**_board_values(board, now_iso())))

    async def update_participant(self, participant_id: str, **values: Any) -> None:
        """Change name, city or organisation; `revoked` or `token` for invitations.

        Revoking or re-issuing also ends every browser session of that person.
        """
        async with self._writer.lock, self.engine.begin() as conn:
            await conn.execute(
                update(t.participants).where(t.participants.c.id == participant_id).values(**values)
            )
            if values.get("revoked") or "token" in values:
                await conn.execute(
                    delete(t.sessions).where(t.sessions.c.participant_id == participant_id)
                )

    # Snapshots and session days -----------------------------------------------------------

    async def save_snapshots(
        self, snapshots: Sequence[SnapshotRow], day_close: tuple[str, int, str | None, bool] | None
    ) -> bool:
        """Store snapshots (and mark a session day closed) in one transaction.

        Returns False, storing nothing, when that day was already closed: a day closes once.
        """
        async with self._writer.lock, self.engine.begin() as conn:
            if day_close is not None:
                workshop_id, day, by, automatic = day_close
                exists = await conn.scalar(
                    select(t.day_closes.c.day).where(
                        t.day_closes.c.workshop_id == workshop_id, t.day_closes.c.day == day
                    )
                )
                if exists is not None:
                    return False
                await conn.execute(
                    insert(t.day_closes).values(
                        workshop_id=workshop_id,
                        day=day,
                        closed_at=now_iso(),
                        closed_by=by,
                        automatic=automatic,
                    )
                )
            if snapshots:
                await conn.execute(
                    insert(t.snapshots),
                    [
                        {
                            "id": s.id,
                            "board_id": s.board,
                            "seq": s.seq,
                            "label": s.label,
                            "kind": s.kind,
                            "day": s.day,
                            "taken_by": s.taken_by,
                            "taken_at": s.taken_at,
                            "hash": s.hash,
                            "state": s.state,
                        }
                        for s in snapshots
                    ],
                )
        return True

    async def snapshots(self, board_id: str) -> list[SnapshotRow]:
        """A board's snapshots, oldest first, without their states."""
        columns = [c for c in t.snapshots.c if c.name != "state"]
        query = (
            select(*columns)
            .where(t.snapshots.c.board_id == board_id)
            .order_by(t.snapshots.c.taken_at, t.snapshots.c.seq)
        )
        async with self.engine.connect() as conn:
            return [_snapshot(row, with_state=False) for row in await conn.execute(query)]

    async def snapshot(self, snapshot_id: str) -> SnapshotRow | None:
        query = select(t.snapshots).where(t.snapshots.c.id == snapshot_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _snapshot(row, with_state=True) if row else None

    async def closed_days(self, workshop_id: str) -> dict[int, dict[str, Any]]:
        query = select(t.day_closes).where(t.day_closes.c.workshop_id == workshop_id)
        async with self.engine.connect() as conn:
            return {
                row.day: {
                    "closed_at": row.closed_at,
                    "by": row.closed_by,
                    "automatic": row.automatic,
                }
                for row in await conn.execute(query)
            }

    # Joining with the room's code ---------------------------------------------------------

    async def workshop_by_code(self, code: str) -> WorkshopRow | None:
        query = select(t.workshops).where(t.workshops.c.join_code == code)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _workshop(row) if row else None

    async def create_join_request(self, request_id: str, participant: ParticipantRow) -> str:
        """A browser asks to sign in as `participant`; returns the secret only it will hold."""
        secret = secrets.token_urlsafe(32)
        async with self._writer.lock, self.engine.begin() as conn:
            await conn.execute(  # one open request per person: the newest one
                update(t.join_requests)
                .where(t.join_requests.c.participant_id == participant.id)
                .where(t.join_requests.c.status == "pending")
                .values(status="denied")
            )
            await conn.execute(
                insert(t.join_requests).values(
                    id=request_id,
                    workshop_id=participant.workshop,
                    participant_id=participant.id,
                    secret_hash=_session_hash(secret),
                    status="pending",
                    created_at=now_iso(),
                )
            )
        return secret

    async def join_requests(
        self, workshop_id: str, status: str = "pending"
    ) -> list[dict[str, Any]]:
        query = (
            select(t.join_requests, t.participants.c.name, t.participants.c.role)
            .join(t.participants, t.participants.c.id == t.join_requests.c.participant_id)
            .where(t.join_requests.c.workshop_id == workshop_id)
            .where(t.join_requests.c.status == status)
            .order_by(t.join_requests.c.created_at)
        )
        async with self.engine.connect() as conn:
            return [
                {
                    "id": r.id,
                    "participant": r.participant_id,
                    "name": r.name,
                    "role": r.role,
                    "created_at": r.created_at,
                }
                for r in await conn.execute(query)
            ]

    async def join_request(
        self, request_id: str, secret: str | None = None
    ) -> dict[str, Any] | None:
        """A join request; with `secret`, only when it is the one the asking browser holds."""
        query = select(t.join_requests).where(t.join_requests.c.id == request_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        if secret is not None and not hmac.compare_digest(_session_hash(secret), row.secret_hash):
            return None
        return {
            "id": row.id,
            "workshop": row.workshop_id,
            "participant": row.participant_id,
            "status": row.status,
        }

    async def set_join_request(self, request_id: str, status: str, *, was: str) -> bool:
        """Move a request from `was` to `status`; False if it was not in `was` any more."""
        async with self._writer.lock, self.engine.begin() as conn:
            done = await conn.execute(
                update(t.join_requests)
                .where(t.join_requests.c.id == request_id, t.join_requests.c.status == was)
                .values(status=status)
            )
        return done.rowcount == 1

    # Browser sessions ---------------------------------------------------------------------

    async def create_session(self, participant_id: str) -> str:
        """A new session secret for a browser; only its hash is stored."""
        secret = secrets.token_urlsafe(32)
        async with self._writer.lock, self.engine.begin() as conn:
            await conn.execute(
                insert(t.sessions).values(
                    id_hash=_session_hash(secret),
                    participant_id=participant_id,
                    created_at=now_iso(),
                )
            )
        return secret

    async def session_participant(self, secret: str) -> ParticipantRow | None:
        """The participant of a live session; none once their invite is revoked."""
        query = (
            select(t.participants)
            .join(t.sessions, t.sessions.c.participant_id == t.participants.c.id)
            .where(t.sessions.c.id_hash == _session_hash(secret))
            .where(t.participants.c.revoked.is_(False))
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _participant(row) if row else None
