"""calls may share a recording: the same audio under another external id is another call

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Two uploads of the same bytes without an external id are still one call, even when they race.
ANONYMOUS = "uq_calls_audio_sha256_anonymous"


def upgrade() -> None:
    op.drop_index("ix_calls_audio_sha256", table_name="calls")
    op.create_index("ix_calls_audio_sha256", "calls", ["audio_sha256"], unique=False)
    op.create_index(
        ANONYMOUS,
        "calls",
        ["audio_sha256"],
        unique=True,
        sqlite_where=sa.text("external_id IS NULL"),
        postgresql_where=sa.text("external_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(ANONYMOUS, table_name="calls")
    op.drop_index("ix_calls_audio_sha256", table_name="calls")
    op.create_index("ix_calls_audio_sha256", "calls", ["audio_sha256"], unique=True)
