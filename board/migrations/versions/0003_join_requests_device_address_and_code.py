"""join requests: the device that asked, its address, and a short code (issue 12, item 3).

The console shows, for each request, when it came, from which device (what its browser says
it is, and its address) and a short code the asking screen shows, to be read aloud before the
facilitator approves. A hash of the device's cookie keeps it to one pending request per
device. Requests made before this revision have none of these (NULL): they came from no
known device.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 23:59:08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("device", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("code", sa.String(length=8), nullable=True))
        batch_op.create_index(
            "ix_join_requests_device_hash_status", ["device_hash", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_join_requests_device_hash_status")
        batch_op.drop_column("code")
        batch_op.drop_column("address")
        batch_op.drop_column("device")
        batch_op.drop_column("device_hash")
