"""Vault document summaries, included in keyword search

GoClaw version 42 gives each vault document a short ``summary`` and widens
the generated full-text vector to cover it along with the title and path, so
keyword search also matches what a document is about. A generated column's
expression cannot be altered in place, so ``tsv`` (and its GIN index) is
dropped and created again.

Revision ID: 000042
Revises: '000041'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import TSVector

revision: str = "000042"
down_revision: str | None = "000041"
branch_labels = None
depends_on = None


def _search_vector(*fields: str) -> sa.Column:
    """The generated ``tsv`` column over the given text fields, blanks for NULLs."""
    joined = " || ' ' || ".join(f"coalesce({field}, '')" for field in fields)
    return sa.Column("tsv", TSVector(), sa.Computed(f"to_tsvector('simple'::regconfig, {joined})", persisted=True))


def upgrade() -> None:
    op.add_portable_columns("vault_documents", sa.Column("summary", sa.Text(), nullable=False, server_default=""))
    op.drop_portable_columns("vault_documents", "tsv", postgresql_only=["tsv"])
    op.add_portable_columns("vault_documents", _search_vector("title", "path", "summary"))
    op.create_gin_index("idx_vault_docs_tsv", "vault_documents", "tsv")
    op.drop_fts5_index("vault_documents")
    op.create_fts5_index("vault_documents", ["title", "path", "summary"])


def downgrade() -> None:
    op.drop_fts5_index("vault_documents")
    op.drop_portable_columns("vault_documents", "tsv", "summary", postgresql_only=["tsv"])
    op.add_portable_columns("vault_documents", _search_vector("title", "path"))
    op.create_gin_index("idx_vault_docs_tsv", "vault_documents", "tsv")
    op.create_fts5_index("vault_documents", ["title", "path"])
