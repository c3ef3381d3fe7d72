"""The schema. Op bodies and board states are JSON text, portable across SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

workshops = Table(
    "workshops",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("venue", String(200), nullable=False, default=""),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("template", String(64), nullable=False),
    Column("template_version", Integer, nullable=False),
    Column("days", Text, nullable=False, default="[]"),
    Column("join_code", String(12), nullable=True, unique=True),
    Column("created_at", String(40), nullable=False),
)

participants = Table(
    "participants",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("workshop_id", String(40), ForeignKey("workshops.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("city", String(200), nullable=False, default=""),
    Column("organisation", String(200), nullable=False, default=""),
    Column("token", String(100), nullable=False, unique=True),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
)

boards = Table(
    "boards",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("workshop_id", String(40), ForeignKey("workshops.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("city", String(200), nullable=False, default=""),
    Column("initiative", String(300), nullable=False, default=""),
    Column("theme", String(100), nullable=False, default=""),
    Column("mayor_id", String(40), ForeignKey("participants.id"), nullable=True),
    Column("kind", String(10), nullable=False, default="board"),
    Column("brief", Text, nullable=False, default="{}"),
    Column("created_at", String(40), nullable=False),
)

ops = Table(
    "ops",
    metadata,
    Column("board_id", String(40), ForeignKey("boards.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("op_id", String(64), nullable=False),
    Column("client", String(64), nullable=False),
    Column("by", String(40), nullable=False),
    Column("at", String(40), nullable=False),
    Column("body", Text, nullable=False),
    Column("redacted", Text, nullable=True),
    PrimaryKeyConstraint("board_id", "seq", name="pk_ops"),
    UniqueConstraint("board_id", "by", "op_id", name="uq_ops_board_by_op_id"),
)

board_states = Table(
    "board_states",
    metadata,
    Column("board_id", String(40), ForeignKey("boards.id"), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("updated_at", String(40), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("participant_id", String(40), ForeignKey("participants.id"), nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_sessions_participant", "participant_id"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("board_id", String(40), ForeignKey("boards.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("label", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("day", Integer, nullable=True),
    Column("taken_by", String(40), nullable=True),
    Column("taken_at", String(40), nullable=False),
    Column("hash", String(80), nullable=False),
    Column("state", Text, nullable=False),
    Index("ix_snapshots_board", "board_id", "taken_at"),
)

day_closes = Table(
    "day_closes",
    metadata,
    Column("workshop_id", String(40), ForeignKey("workshops.id"), nullable=False),
    Column("day", Integer, nullable=False),
    Column("closed_at", String(40), nullable=False),
    Column("closed_by", String(40), nullable=True),
    Column("automatic", Boolean, nullable=False),
    PrimaryKeyConstraint("workshop_id", "day", name="pk_day_closes"),
)

join_requests = Table(
    "join_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("workshop_id", String(40), ForeignKey("workshops.id"), nullable=False, index=True),
    Column("participant_id", String(40), ForeignKey("participants.id"), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("status", String(12), nullable=False),  # pending, approved, denied, used, cancelled
    Column("created_at", String(40), nullable=False),
    # Which laptop asked (issue 12, item 3): a hash of its device cookie (one pending request
    # per device), what its browser says it is, its address, and the short code its screen
    # shows, read aloud before the facilitator approves.
    Column("device_hash", String(64), nullable=True),
    Column("device", String(200), nullable=True),  # None: asked before devices were kept
    Column("address", String(64), nullable=True),
    Column("code", String(8), nullable=True),
    Index("ix_join_requests_device_hash_status", "device_hash", "status"),
)
