"""Index for per-user quota checks on traces

GoClaw version 9 adds an index for its quota checker, which counts how many
top-level traces (those without a parent trace) a user started within a
time window.  Top-level traces are the bulk of the table, so a partial index
over exactly those rows, newest first, lets the count skip filtering.  The
traces table can be large and busy, so the index is built concurrently,
without blocking writers; an invalid index left by an interrupted build is
rebuilt.

Revision ID: 000009
Revises: '000008'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision: str = "000009"
down_revision: str | None = "000008"
branch_labels = None
depends_on = None

_TOP_LEVEL_TRACES_OF_A_USER = "parent_trace_id IS NULL AND user_id IS NOT NULL"


def upgrade() -> None:
    op.create_portable_index_concurrently(
        "idx_traces_quota",
        "traces",
        ["user_id", sa.text("created_at DESC")],
        where=_TOP_LEVEL_TRACES_OF_A_USER,
    )


def downgrade() -> None:
    op.drop_portable_index("idx_traces_quota", "traces")
