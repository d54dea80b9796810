"""Long-term memory: documents, searchable chunks, cached embeddings and episodic summaries."""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.ids import uuid7
from goclaw_db.models._columns import (
    embedding_vector,
    gin_index,
    hnsw_index,
    random_uuid_pk,
    tenant_fk,
    timestamp_now,
    timestamp_updated,
    uuid_pk,
    where,
)
from goclaw_db.types import TextArray, TSVector, empty_array

if TYPE_CHECKING:
    from goclaw_db.models.agents import Agent
    from goclaw_db.models.teams import AgentTeam
    from goclaw_db.models.tenants import Tenant


class MemoryDocument(Base):
    """A document in an agent's long-term memory."""

    __tablename__ = "memory_documents"
    __table_args__ = (
        sa.Index("idx_memdoc_agent_user", "agent_id", "user_id"),
        sa.Index(
            "idx_memdoc_team",
            "team_id",
            **where("team_id IS NOT NULL"),
        ),
        sa.Index("idx_memdoc_unique", "agent_id", sa.text("COALESCE(user_id, '')"), "path", unique=True),
        sa.Index("idx_memory_documents_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    path: Mapped[str] = mapped_column(sa.String(500), info={"doc": "Path of the document inside the agent's memory."})
    content: Mapped[str] = mapped_column(server_default="", info={"doc": "The full document text."}, default=None)
    hash: Mapped[str] = mapped_column(
        sa.String(64), info={"doc": "Content hash, used to skip re-indexing unchanged documents."}
    )
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    custom_scope: Mapped[str | None] = mapped_column(sa.String(255), default=None)

    agent: Mapped["Agent"] = relationship(back_populates="memory_documents", default=None)
    chunks: Mapped[list["MemoryChunk"]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    team: Mapped["AgentTeam | None"] = relationship(back_populates="memory_documents", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class MemoryChunk(Base):
    """A searchable slice of a memory document, with its embedding."""

    __tablename__ = "memory_chunks"
    __table_args__ = (
        sa.Index("idx_mem_agent_user", "agent_id", "user_id"),
        sa.Index("idx_mem_document", "document_id"),
        sa.Index(
            "idx_mem_global",
            "agent_id",
            **where("user_id IS NULL"),
        ),
        gin_index("idx_mem_tsv", "tsv"),
        hnsw_index("idx_mem_vec"),
        sa.Index(
            "idx_memchunk_team",
            "team_id",
            **where("team_id IS NOT NULL"),
        ),
        sa.Index("idx_memory_chunks_tenant", "tenant_id"),
        # Columns of the FTS5 index that stands in for the tsvector search on SQLite.
        {"info": {"fts5": ["text"]}},
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("memory_documents.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "Memory document the chunk was cut from."},
    )
    user_id: Mapped[str | None] = mapped_column(
        sa.String(255), info={"doc": "Owner of a per-user chunk; NULL for the agent's shared memory."}, default=None
    )
    path: Mapped[str] = mapped_column(info={"doc": "Path of the memory document the chunk comes from."})
    start_line: Mapped[int] = mapped_column(
        server_default=sa.text("0"), info={"doc": "First line of the chunk in its document."}, default=None
    )
    end_line: Mapped[int] = mapped_column(
        server_default=sa.text("0"), info={"doc": "Last line of the chunk in its document."}, default=None
    )
    hash: Mapped[str] = mapped_column(sa.String(64), info={"doc": "Hash of the chunk's text, for change detection."})
    text: Mapped[str] = mapped_column(info={"doc": "Text of the chunk."})
    embedding: Mapped[embedding_vector] = mapped_column(
        info={"doc": "Embedding of the chunk text for vector search."}, default=None
    )
    tsv: Mapped[str | None] = mapped_column(
        TSVector(),
        sa.Computed("to_tsvector('simple'::regconfig, text)", persisted=True),
        deferred=True,
        info={"doc": "Full-text search vector over the chunk text (generated)."},
        init=False,
    )
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    custom_scope: Mapped[str | None] = mapped_column(sa.String(255), default=None)

    document: Mapped["MemoryDocument | None"] = relationship(back_populates="chunks", default=None)
    agent: Mapped["Agent"] = relationship(back_populates="memory_chunks", default=None)
    team: Mapped["AgentTeam | None"] = relationship(back_populates="memory_chunks", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class EmbeddingCache(Base):
    """A cached embedding of some content, keyed by content hash and model."""

    __tablename__ = "embedding_cache"
    __table_args__ = (sa.Index("idx_embedding_cache_tenant", "tenant_id"),)

    hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True, info={"doc": "Hash of the embedded content."})
    provider: Mapped[str] = mapped_column(
        sa.String(50), primary_key=True, info={"doc": "Embedding provider that computed the vector."}
    )
    model: Mapped[str] = mapped_column(
        sa.String(200), primary_key=True, info={"doc": "Embedding model that computed the vector."}
    )
    embedding: Mapped[embedding_vector] = mapped_column(default=None, info={"doc": "The cached embedding vector."})
    dims: Mapped[int] = mapped_column(
        server_default=sa.text("0"), info={"doc": "Number of dimensions of the embedding."}, default=None
    )
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    tenant: Mapped["Tenant"] = relationship(default=None)


class EpisodicSummary(Base):
    """A condensed summary of a past conversation episode."""

    __tablename__ = "episodic_summaries"
    __table_args__ = (
        sa.Index("idx_episodic_agent_user", "agent_id", "user_id"),
        hnsw_index("idx_episodic_embedding_hnsw", where="embedding IS NOT NULL", m=16, ef_construction=64),
        sa.Index(
            "idx_episodic_expires",
            "expires_at",
            **where("expires_at IS NOT NULL"),
        ),
        sa.Index(
            "idx_episodic_search_vector",
            "search_vector",
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        sa.Index(
            "idx_episodic_source_dedup",
            "agent_id",
            "user_id",
            "source_id",
            unique=True,
            **where("source_id IS NOT NULL"),
        ),
        sa.Index("idx_episodic_tenant", "tenant_id"),
        sa.Index(
            "idx_episodic_tsv",
            sa.text("to_tsvector('simple'::regconfig, summary)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        sa.Index(
            "idx_episodic_unpromoted",
            "agent_id",
            "user_id",
            "created_at",
            **where("promoted_at IS NULL"),
        ),
        hnsw_index("idx_episodic_vec", where="embedding IS NOT NULL"),
        sa.Index(
            "idx_episodic_recall_unpromoted",
            "agent_id",
            "user_id",
            sa.desc("recall_score"),
            **where("promoted_at IS NULL"),
        ),
        # Columns of the FTS5 index that stands in for the tsvector search on SQLite.
        {"info": {"fts5": ["summary", "key_topics"]}},
    )

    id: Mapped[random_uuid_pk] = mapped_column(default_factory=uuid7)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str] = mapped_column(sa.String(255), server_default="", default=None)
    session_key: Mapped[str]
    summary: Mapped[str] = mapped_column(info={"doc": "Condensed account of the episode."})
    l0_abstract: Mapped[str] = mapped_column(
        server_default="", info={"doc": "One-line abstract of the summary."}, default=None
    )
    key_topics: Mapped[list[str] | None] = mapped_column(
        server_default=empty_array(TextArray()), info={"doc": "Main topics of the episode."}, default=None
    )
    embedding: Mapped[embedding_vector] = mapped_column(
        info={"doc": "Embedding of the summary for semantic search."}, default=None
    )
    source_type: Mapped[str] = mapped_column(
        server_default="session", info={"doc": "What the summary was made from, e.g. a session."}, default=None
    )
    source_id: Mapped[str | None] = mapped_column(
        info={"doc": "Id of the source; unique per agent and user when set."}, default=None
    )
    turn_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Conversation turns the summary covers."}
    )
    token_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Tokens of the summarised turns."}
    )
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(
        info={"doc": "When the summary may be discarded; NULL keeps it."}, default=None
    )
    search_vector: Mapped[str | None] = mapped_column(
        TSVector(),
        sa.Computed(
            "to_tsvector('english'::regconfig, ((COALESCE(summary, ''::text) || ' '::text) ||"
            " COALESCE(immutable_array_to_string(key_topics, ' '::text), ''::text)))",
            persisted=True,
        ),
        deferred=True,
        info={"doc": "Full-text search vector over summary and topics (generated)."},
        init=False,
    )
    promoted_at: Mapped[datetime | None] = mapped_column(
        info={"doc": "When the episode was promoted into long-term memory."}, default=None
    )
    recall_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "How many times a memory search returned the summary."}
    )
    recall_score: Mapped[float] = mapped_column(
        sa.Double(),
        server_default=sa.text("0"),
        default=None,
        info={"doc": "Running average of the search scores of those hits; ranks summaries for promotion."},
    )
    last_recalled_at: Mapped[datetime | None] = mapped_column(
        info={"doc": "When a memory search last returned the summary."}, default=None
    )

    agent: Mapped["Agent"] = relationship(back_populates="episodic_summaries", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)
