"""Track how often and how well episodic summaries are recalled

GoClaw version 45 weighs the "dreaming" pipeline's choice of which episodic
summaries to promote by how useful they proved: each time a memory search
returns a summary, GoClaw counts the hit (``recall_count``), keeps the running
average of the hits' scores (``recall_score``) and the time of the last one
(``last_recalled_at``). A partial index over the summaries not yet promoted,
best-recalled first, serves the pipeline's "top pending summaries" query.

Revision ID: 000045
Revises: '000044'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import Timestamp

revision: str = "000045"
down_revision: str | None = "000044"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_portable_columns(
        "episodic_summaries",
        sa.Column("recall_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("recall_score", sa.Double(), nullable=False, server_default=sa.text("0")),
        sa.Column("last_recalled_at", Timestamp()),
    )
    op.create_portable_index(
        "idx_episodic_recall_unpromoted",
        "episodic_summaries",
        ["agent_id", "user_id", sa.column("recall_score").desc()],
        where="promoted_at IS NULL",
    )


def downgrade() -> None:
    op.drop_portable_index("idx_episodic_recall_unpromoted", "episodic_summaries")
    op.drop_portable_columns("episodic_summaries", "last_recalled_at", "recall_score", "recall_count")
