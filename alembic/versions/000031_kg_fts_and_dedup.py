"""Full-text search and duplicate candidates for knowledge-graph entities

GoClaw version 31 replaces substring (ILIKE) matching of knowledge-graph
entities with full-text search: a generated ``tsv`` over an entity's name and
description, with a GIN index.  It also adds ``kg_dedup_candidates``, where
GoClaw records pairs of entities that look like the same thing, with their
similarity, for someone to review (``pending`` until decided).  Nothing is
merged by this version; existing entities are left as they are.

Revision ID: 000031
Revises: '000030'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import UUID, Timestamp, TSVector, gen_random_uuid, now

revision: str = "000031"
down_revision: str | None = "000030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_portable_columns(
        "kg_entities",
        sa.Column(
            "tsv",
            TSVector(),
            sa.Computed("to_tsvector('simple'::regconfig, name || ' ' || COALESCE(description, ''))", persisted=True),
        ),
    )
    op.create_gin_index("idx_kg_entities_tsv", "kg_entities", "tsv")
    op.create_fts5_index("kg_entities", ["name", "description"])

    op.create_portable_table(
        "kg_dedup_candidates",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id", ondelete="CASCADE")),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False, server_default=""),
        sa.Column("entity_a_id", UUID(), sa.ForeignKey("kg_entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("entity_b_id", UUID(), sa.ForeignKey("kg_entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("similarity", sa.Double(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("entity_a_id", "entity_b_id"),
    )
    op.create_portable_index("idx_kg_dedup_agent", "kg_dedup_candidates", ["agent_id", "status"])


def downgrade() -> None:
    op.drop_table("kg_dedup_candidates")
    op.drop_fts5_index("kg_entities")
    op.drop_portable_columns("kg_entities", "tsv", postgresql_only=["tsv"])
