"""Mark episodic summaries promoted to long-term memory

GoClaw version 41 supports the "dreaming" pipeline, which condenses episodic
summaries into long-term memory in the background. ``promoted_at`` records
when a summary was processed (NULL while it is still waiting), and a partial
index lets the pipeline find each agent's and user's pending summaries in
creation order.

Revision ID: 000041
Revises: '000040'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import Timestamp

revision: str = "000041"
down_revision: str | None = "000040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_portable_columns("episodic_summaries", sa.Column("promoted_at", Timestamp()))
    op.create_portable_index(
        "idx_episodic_unpromoted",
        "episodic_summaries",
        ["agent_id", "user_id", "created_at"],
        where="promoted_at IS NULL",
    )


def downgrade() -> None:
    op.drop_portable_index("idx_episodic_unpromoted", "episodic_summaries")
    op.drop_portable_columns("episodic_summaries", "promoted_at")
