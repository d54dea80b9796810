"""The knowledge vault: documents, links between them and their history."""

import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.ids import uuid7
from goclaw_db.models._columns import (
    embedding_vector,
    gin_index,
    hnsw_index,
    random_uuid_pk,
    timestamp_now,
    timestamp_updated,
    where,
)
from goclaw_db.types import PostgresqlOnlyText, TSVector

if TYPE_CHECKING:
    from goclaw_db.models.agents import Agent
    from goclaw_db.models.teams import AgentTeam
    from goclaw_db.models.tenants import Tenant


class VaultDocument(Base):
    """A document in the knowledge vault of an agent or team."""

    __tablename__ = "vault_documents"
    __table_args__ = (
        # Partial on PostgreSQL only: the desktop indexes documents without an agent too.
        sa.Index("idx_vault_docs_agent_scope", "agent_id", "scope", postgresql_where=sa.text("agent_id IS NOT NULL")),
        sa.Index("idx_vault_docs_basename", "tenant_id", "path_basename").ddl_if(dialect="postgresql"),
        hnsw_index("idx_vault_docs_embedding", m=16, ef_construction=64),
        sa.Index("idx_vault_docs_hash", "content_hash"),
        sa.Index(
            "idx_vault_docs_team",
            "team_id",
            **where("team_id IS NOT NULL"),
        ),
        sa.Index("idx_vault_docs_tenant", "tenant_id"),
        gin_index("idx_vault_docs_tsv", "tsv"),
        sa.Index("idx_vault_docs_type", "agent_id", "doc_type"),
        sa.Index(
            "uq_vault_docs_agent_team_scope_path",
            "tenant_id",
            sa.text("COALESCE(agent_id, '00000000-0000-0000-0000-000000000000')"),
            sa.text("COALESCE(team_id, '00000000-0000-0000-0000-000000000000')"),
            "scope",
            "path",
            unique=True,
        ),
        # Columns of the FTS5 index that stands in for the tsvector search on SQLite.
        {"info": {"fts5": ["title", "path", "summary"]}},
    )

    id: Mapped[random_uuid_pk] = mapped_column(default_factory=uuid7)
    tenant_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), default=None)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="SET NULL"),
        default=None,
        info={"doc": "The owning agent; NULL for team and tenant-shared documents, and once the agent is deleted."},
    )
    scope: Mapped[str] = mapped_column(
        server_default="personal", info={"doc": "Visibility: personal, team, shared or custom."}, default=None
    )
    path: Mapped[str] = mapped_column(info={"doc": "Path of the document in the vault."})
    title: Mapped[str] = mapped_column(server_default="", default=None, info={"doc": "Title of the document."})
    doc_type: Mapped[str] = mapped_column(
        server_default="note", info={"doc": "Kind of document, e.g. note."}, default=None
    )
    content_hash: Mapped[str] = mapped_column(
        server_default="", info={"doc": "Hash of the document content, for change detection."}, default=None
    )
    embedding: Mapped[embedding_vector] = mapped_column(
        info={"doc": "Embedding of the document for semantic search."}, default=None
    )
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}", default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    summary: Mapped[str] = mapped_column(server_default="", info={"doc": "Short summary, also searched."}, default=None)
    tsv: Mapped[str | None] = mapped_column(
        TSVector(),
        sa.Computed(
            "to_tsvector('simple'::regconfig, ((((COALESCE(title, ''::text) || ' '::text) ||"
            " COALESCE(path, ''::text)) || ' '::text) || COALESCE(summary, ''::text)))",
            persisted=True,
        ),
        deferred=True,
        info={"doc": "Full-text search vector over title, path and summary (generated)."},
        init=False,
    )
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), default=None
    )
    custom_scope: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    path_basename: Mapped[str | None] = mapped_column(
        PostgresqlOnlyText(),
        sa.Computed("lower(regexp_replace(path, '.+/'::text, ''::text))", persisted=True),
        info={"doc": "Last segment of the path in lower case, to resolve wikilinks by file name (generated)."},
        init=False,
    )

    outgoing_links: Mapped[list["VaultLink"]] = relationship(
        foreign_keys="VaultLink.from_doc_id",
        back_populates="from_doc",
        cascade="all, delete-orphan",
        passive_deletes=True,
        default_factory=list,
    )
    incoming_links: Mapped[list["VaultLink"]] = relationship(
        foreign_keys="VaultLink.to_doc_id",
        back_populates="to_doc",
        cascade="all, delete-orphan",
        passive_deletes=True,
        default_factory=list,
    )
    versions: Mapped[list["VaultVersion"]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    team: Mapped["AgentTeam | None"] = relationship(back_populates="vault_documents", default=None)
    agent: Mapped["Agent | None"] = relationship(back_populates="vault_documents", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class VaultLink(Base):
    """A link from one vault document to another."""

    __tablename__ = "vault_links"
    __table_args__ = (
        sa.UniqueConstraint("from_doc_id", "to_doc_id", "link_type"),
        sa.Index("idx_vault_links_from", "from_doc_id"),
        sa.Index("idx_vault_links_to", "to_doc_id"),
    )

    id: Mapped[random_uuid_pk] = mapped_column(default_factory=uuid7)
    from_doc_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("vault_documents.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "Document the link is written in."},
    )
    to_doc_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("vault_documents.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "Document the link points to."},
    )
    link_type: Mapped[str] = mapped_column(
        server_default="wikilink", info={"doc": "Kind of link, e.g. a wikilink found in the text."}, default=None
    )
    context: Mapped[str] = mapped_column(
        server_default="", info={"doc": "Text around the link where it was found."}, default=None
    )
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    custom_scope: Mapped[str | None] = mapped_column(sa.String(255), default=None)

    from_doc: Mapped["VaultDocument"] = relationship(
        foreign_keys="VaultLink.from_doc_id", back_populates="outgoing_links", default=None
    )
    to_doc: Mapped["VaultDocument"] = relationship(
        foreign_keys="VaultLink.to_doc_id", back_populates="incoming_links", default=None
    )


class VaultVersion(Base):
    """A stored earlier version of a vault document."""

    __tablename__ = "vault_versions"
    __table_args__ = (sa.UniqueConstraint("doc_id", "version"),)

    id: Mapped[random_uuid_pk] = mapped_column(default_factory=uuid7)
    doc_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("vault_documents.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "Document this is a version of."},
    )
    version: Mapped[int] = mapped_column(
        server_default=sa.text("1"), info={"doc": "Version number, counting from 1 per document."}, default=None
    )
    content: Mapped[str] = mapped_column(
        server_default="", info={"doc": "Document text as it was in that version."}, default=None
    )
    changed_by: Mapped[str] = mapped_column(server_default="", info={"doc": "Who made the change."}, default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    custom_scope: Mapped[str | None] = mapped_column(sa.String(255), default=None)

    document: Mapped["VaultDocument"] = relationship(back_populates="versions", default=None)
