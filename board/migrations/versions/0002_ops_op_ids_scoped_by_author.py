"""ops: op ids are unique per author on a board, not per board (issue 12, item 2).

A resend is matched against the sender's own ops only, so nobody can learn anything from
resending someone else's op id (an observer once recovered a mayor's blind dots that way), and
nobody can take an id another person is about to use. The unique key (board_id, op_id) becomes
(board_id, by, op_id); every existing row stays as it is (ids unique per board are unique per
author too).

Downgrade restores the old key; it fails if two people have since used the same op id on one
board (the old schema cannot hold that log).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 23:53:48
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ops", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_ops_board_op_id"), type_="unique")
        batch_op.create_unique_constraint("uq_ops_board_by_op_id", ["board_id", "by", "op_id"])


def downgrade() -> None:
    with op.batch_alter_table("ops", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ops_board_by_op_id", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_ops_board_op_id"), ["board_id", "op_id"])
