"""Baseline: the schema of Brickboard 0.1.0, exactly as its `metadata.create_all` made it.

A database made by 0.1.0 (no alembic_version table) is stamped with this revision instead of
running it (board/store/migrate.py); an empty database runs it. tests/test_migrations.py proves
that the two come out the same, on SQLite and on PostgreSQL. Never edit this file: change the
schema in a new revision on top of it (docs/migrations.md).

Revision ID: 0001
Revises:
Create Date: 2026-12-07 23:17:03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workshops",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("days", sa.Text(), nullable=False),
        sa.Column("join_code", sa.String(length=12), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("join_code"),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workshop_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("token", sa.String(length=100), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    op.create_index("ix_participants_workshop_id", "participants", ["workshop_id"])
    op.create_table(
        "day_closes",
        sa.Column("workshop_id", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.String(length=40), nullable=False),
        sa.Column("closed_by", sa.String(length=40), nullable=True),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"]),
        sa.PrimaryKeyConstraint("workshop_id", "day", name="pk_day_closes"),
    )
    op.create_table(
        "boards",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workshop_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("initiative", sa.String(length=300), nullable=False),
        sa.Column("theme", sa.String(length=100), nullable=False),
        sa.Column("mayor_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"]),
        sa.ForeignKeyConstraint(["mayor_id"], ["participants.id"]),
    )
    op.create_index("ix_boards_workshop_id", "boards", ["workshop_id"])
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("participant_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"]),
    )
    op.create_index("ix_sessions_participant", "sessions", ["participant_id"])
    op.create_table(
        "join_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workshop_id", sa.String(length=40), nullable=False),
        sa.Column("participant_id", sa.String(length=40), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"]),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"]),
    )
    op.create_index("ix_join_requests_workshop_id", "join_requests", ["workshop_id"])
    op.create_table(
        "ops",
        sa.Column("board_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("op_id", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("by", sa.String(length=40), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("redacted", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("board_id", "seq", name="pk_ops"),
        sa.UniqueConstraint("board_id", "op_id", name="uq_ops_board_op_id"),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"]),
    )
    op.create_table(
        "board_states",
        sa.Column("board_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("board_id"),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"]),
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("board_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Integer(), nullable=True),
        sa.Column("taken_by", sa.String(length=40), nullable=True),
        sa.Column("taken_at", sa.String(length=40), nullable=False),
        sa.Column("hash", sa.String(length=80), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"]),
    )
    op.create_index("ix_snapshots_board", "snapshots", ["board_id", "taken_at"])


def downgrade() -> None:
    for table in (
        "snapshots",
        "board_states",
        "ops",
        "join_requests",
        "sessions",
        "boards",
        "day_closes",
        "participants",
        "workshops",
    ):
        op.drop_table(table)  # its indexes go with it
