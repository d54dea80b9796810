"""Agent discovery and delegation links

GoClaw version 2 lets agents delegate work to one another.  Agents gain a
short ``frontmatter`` describing what they are good at (for delegation
decisions and the UI; unlike ``other_config.description`` it is not a
prompt), and become searchable like skills: a generated full-text vector over
display name and frontmatter, and an optional embedding for semantic search.
The database computes the full-text vector for the agents that already exist.

``agent_links`` records which agent may delegate to which, in which
direction, with how many concurrent delegations and whether the link is
active.  Traces gain ``parent_trace_id`` so that a delegate's trace can be
followed back to its caller's.

Revision ID: 000002
Revises: '000001'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, EmbeddingVector, Timestamp, TSVector, now, uuid_generate_v7

revision: str = "000002"
down_revision: str | None = "000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_portable_columns(
        "agents",
        sa.Column("frontmatter", sa.Text()),
        sa.Column(
            "tsv",
            TSVector(),
            sa.Computed(
                "to_tsvector('simple'::regconfig, "
                "COALESCE(display_name, '')::text || ' ' || COALESCE(frontmatter, ''))",
                persisted=True,
            ),
        ),
        sa.Column("embedding", EmbeddingVector(1536)),
    )
    op.create_gin_index("idx_agents_tsv", "agents", "tsv")
    op.create_fts5_index("agents", ["display_name", "frontmatter"])
    op.create_hnsw_index("idx_agents_embedding", "agents")

    op.create_portable_table(
        "agent_links",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("source_agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("target_agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("direction", sa.String(20), nullable=False, server_default="outbound"),
        sa.Column("description", sa.Text()),
        sa.Column("max_concurrent", sa.Integer(), nullable=False, server_default=sa.text("3")),
        sa.Column("settings", JSONB(), nullable=False, server_default="{}"),
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("updated_at", Timestamp(), server_default=now()),
        sa.UniqueConstraint("source_agent_id", "target_agent_id"),
        # PostgreSQL's own name, spelled out so SQLite's table rebuilds (batch mode) keep the check.
        sa.CheckConstraint("source_agent_id <> target_agent_id", name="agent_links_check"),
    )
    active = sa.text("status = 'active'")
    op.create_portable_index("idx_agent_links_source", "agent_links", ["source_agent_id"], where=active)
    op.create_portable_index("idx_agent_links_target", "agent_links", ["target_agent_id"], where=active)

    op.add_portable_columns("traces", sa.Column("parent_trace_id", UUID()))
    has_parent = sa.text("parent_trace_id IS NOT NULL")
    op.create_portable_index("idx_traces_parent", "traces", ["parent_trace_id"], where=has_parent)


def downgrade() -> None:
    op.drop_portable_index("idx_traces_parent", "traces")
    op.drop_portable_columns("traces", "parent_trace_id")

    op.drop_table("agent_links")

    op.drop_postgresql_index("idx_agents_embedding", "agents")
    op.drop_postgresql_index("idx_agents_tsv", "agents")
    op.drop_fts5_index("agents")
    op.drop_portable_columns("agents", "embedding", "tsv", "frontmatter", postgresql_only=("embedding", "tsv"))
