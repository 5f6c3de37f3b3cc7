"""worker supervisors: wanted and live worker processes, restarts, the last death

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import voc.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_supervisors",
        sa.Column("supervisor_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("hostname", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("desired", sa.Integer(), nullable=False),
        sa.Column("alive", sa.Integer(), nullable=False),
        sa.Column("restarts", sa.Integer(), nullable=False),
        sa.Column("last_exit", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("last_exit_at", voc.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", voc.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", voc.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("supervisor_id"),
    )
    with op.batch_alter_table("worker_supervisors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_worker_supervisors_heartbeat_at"), ["heartbeat_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("worker_supervisors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_supervisors_heartbeat_at"))
    op.drop_table("worker_supervisors")
