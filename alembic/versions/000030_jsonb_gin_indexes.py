"""GIN indexes for the JSONB metadata GoClaw queries

GoClaw version 30 indexes the two JSONB columns its queries look inside:
span metadata (read when cache tokens are totalled and when OAuth routing is
audited), indexed for LLM-call spans only so that the busiest insert path
stays cheap, and session metadata (read when pending messages are matched to
a chat title and by heartbeats).

Revision ID: 000030
Revises: '000029'
"""

from __future__ import annotations

from alembic import op

revision: str = "000030"
down_revision: str | None = "000029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_gin_index("idx_spans_metadata_gin", "spans", "metadata", where="span_type = 'llm_call'")
    op.create_gin_index("idx_sessions_metadata_gin", "sessions", "metadata")


def downgrade() -> None:
    op.drop_postgresql_index("idx_sessions_metadata_gin", "sessions")
    op.drop_postgresql_index("idx_spans_metadata_gin", "spans")
