"""Embeddings for knowledge-graph entities

GoClaw version 25 gives every knowledge-graph entity an optional embedding,
with an HNSW index for cosine distance, so entities can be found by meaning
and not only by name.

Revision ID: 000025
Revises: '000024'
"""

from __future__ import annotations

import sqlalchemy as sa

from goclaw_db.migration import add_columns, create_hnsw_index, drop_columns, drop_pg_index
from goclaw_db.types import Vector

revision: str = "000025"
down_revision: str | None = "000024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_columns("kg_entities", sa.Column("embedding", Vector(1536)))
    create_hnsw_index("idx_kg_entity_vec", "kg_entities")


def downgrade() -> None:
    drop_pg_index("idx_kg_entity_vec", "kg_entities")
    drop_columns("kg_entities", "embedding", pg_only=("embedding",))
