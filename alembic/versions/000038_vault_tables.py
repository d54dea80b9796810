"""Knowledge Vault: document registry, links between documents, version history

GoClaw version 38 introduces the Knowledge Vault. The documents themselves
live on the file system; the database keeps a registry entry per document
(its path within an agent's scope, title, type, content hash, an embedding
for semantic search and a generated full-text vector over title and path for
keyword search). ``vault_links`` records the wiki-style links between
documents so backlinks can be followed in both directions, and
``vault_versions`` is laid out for document history, which later gateway
releases fill.

Revision ID: 000038
Revises: '000037'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, EmbeddingVector, Timestamp, TSVector, gen_random_uuid, now

revision: str = "000038"
down_revision: str | None = "000037"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_portable_table(
        "vault_documents",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False, server_default="personal"),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False, server_default=""),
        sa.Column("doc_type", sa.Text(), nullable=False, server_default="note"),
        sa.Column("content_hash", sa.Text(), nullable=False, server_default=""),
        sa.Column("embedding", EmbeddingVector(1536)),
        sa.Column("metadata", JSONB(), server_default="{}"),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("updated_at", Timestamp(), server_default=now()),
        sa.Column(
            "tsv",
            TSVector(),
            sa.Computed(
                "to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(path, ''))", persisted=True
            ),
        ),
        sa.UniqueConstraint("agent_id", "scope", "path"),
    )
    op.create_portable_index("idx_vault_docs_tenant", "vault_documents", ["tenant_id"])
    op.create_portable_index("idx_vault_docs_agent_scope", "vault_documents", ["agent_id", "scope"])
    op.create_portable_index("idx_vault_docs_type", "vault_documents", ["agent_id", "doc_type"])
    op.create_portable_index("idx_vault_docs_hash", "vault_documents", ["content_hash"])
    op.create_hnsw_index("idx_vault_docs_embedding", "vault_documents", m=16, ef_construction=64)
    op.create_gin_index("idx_vault_docs_tsv", "vault_documents", "tsv")
    op.create_fts5_index("vault_documents", ["title", "path"])

    op.create_portable_table(
        "vault_links",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column("from_doc_id", UUID(), sa.ForeignKey("vault_documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("to_doc_id", UUID(), sa.ForeignKey("vault_documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("link_type", sa.Text(), nullable=False, server_default="wikilink"),
        sa.Column("context", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.UniqueConstraint("from_doc_id", "to_doc_id", "link_type"),
    )
    op.create_portable_index("idx_vault_links_from", "vault_links", ["from_doc_id"])
    op.create_portable_index("idx_vault_links_to", "vault_links", ["to_doc_id"])

    op.create_portable_table(
        "vault_versions",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column("doc_id", UUID(), sa.ForeignKey("vault_documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("content", sa.Text(), nullable=False, server_default=""),
        sa.Column("changed_by", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.UniqueConstraint("doc_id", "version"),
    )


def downgrade() -> None:
    op.drop_table("vault_versions")
    op.drop_table("vault_links")
    op.drop_fts5_index("vault_documents")
    op.drop_table("vault_documents")
