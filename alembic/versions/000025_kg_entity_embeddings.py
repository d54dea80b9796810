"""Embeddings for knowledge-graph entities

GoClaw version 25 gives every knowledge-graph entity an optional embedding,
with an HNSW index for cosine distance, so entities can be found by meaning
and not only by name.

Revision ID: 000025
Revises: '000024'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import EmbeddingVector

revision: str = "000025"
down_revision: str | None = "000024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_portable_columns("kg_entities", sa.Column("embedding", EmbeddingVector(1536)))
    op.create_hnsw_index("idx_kg_entity_vec", "kg_entities")


def downgrade() -> None:
    op.drop_postgresql_index("idx_kg_entity_vec", "kg_entities")
    op.drop_portable_columns("kg_entities", "embedding", postgresql_only=("embedding",))
