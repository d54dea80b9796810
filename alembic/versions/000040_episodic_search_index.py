"""Full-text and vector search indexes for episodic summaries

GoClaw version 40 makes episodic summaries searchable by keyword over both
the summary and its key topics: a stored, generated ``search_vector`` (English
configuration) with a GIN index. It also adds a tuned HNSW index over the
summary embeddings that leaves rows without an embedding out.

A generated column may only use immutable expressions, and PostgreSQL marks
``array_to_string`` as merely stable, so the version adds
``immutable_array_to_string``: the same function declared immutable, which is
safe for joining a ``text[]`` of topics.

Revision ID: 000040
Revises: '000039'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import TSVector

revision: str = "000040"
down_revision: str | None = "000039"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute_on_postgresql(
        sa.text(
            "CREATE OR REPLACE FUNCTION immutable_array_to_string(arr text[], sep text) RETURNS text "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string(arr, sep) $$"
        )
    )
    op.add_portable_columns(
        "episodic_summaries",
        sa.Column(
            "search_vector",
            TSVector(),
            sa.Computed(
                "to_tsvector('english'::regconfig, coalesce(summary, '') || ' ' "
                "|| coalesce(immutable_array_to_string(key_topics, ' '), ''))",
                persisted=True,
            ),
        ),
    )
    op.create_gin_index("idx_episodic_search_vector", "episodic_summaries", "search_vector")
    op.create_fts5_index("episodic_summaries", ["summary", "key_topics"])
    op.create_hnsw_index(
        "idx_episodic_embedding_hnsw", "episodic_summaries", m=16, ef_construction=64, where="embedding IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_postgresql_index("idx_episodic_embedding_hnsw", "episodic_summaries")
    op.drop_postgresql_index("idx_episodic_search_vector", "episodic_summaries")
    op.drop_fts5_index("episodic_summaries")
    op.drop_portable_columns("episodic_summaries", "search_vector", postgresql_only=["search_vector"])
    op.drop_postgresql_function("immutable_array_to_string(text[], text)")
