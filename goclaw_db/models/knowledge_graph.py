"""The per-agent knowledge graph: entities, relations and duplicate candidates."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
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
from goclaw_db.types import TSVector

if TYPE_CHECKING:
    from goclaw_db.models.agents import Agent
    from goclaw_db.models.teams import AgentTeam
    from goclaw_db.models.tenants import Tenant


class KGEntity(Base):
    """A node of an agent's knowledge graph (person, project, concept...)."""

    __tablename__ = "kg_entities"
    __table_args__ = (
        sa.UniqueConstraint("agent_id", "user_id", "external_id"),
        sa.Index(
            "idx_kg_entities_current",
            "agent_id",
            "user_id",
            **where("valid_until IS NULL"),
        ),
        sa.Index("idx_kg_entities_scope", "agent_id", "user_id"),
        sa.Index(
            "idx_kg_entities_team",
            "team_id",
            **where("team_id IS NOT NULL"),
        ),
        sa.Index("idx_kg_entities_temporal", "agent_id", "user_id", "valid_from", "valid_until"),
        sa.Index("idx_kg_entities_tenant", "tenant_id"),
        gin_index("idx_kg_entities_tsv", "tsv"),
        sa.Index("idx_kg_entities_type", "agent_id", "user_id", "entity_type"),
        hnsw_index("idx_kg_entity_vec"),
        # Columns of the FTS5 index that stands in for the tsvector search on SQLite.
        {"info": {"fts5": ["name", "description"]}},
    )

    id: Mapped[uuid_pk]
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(sa.String(255), server_default="")
    external_id: Mapped[str] = mapped_column(
        sa.String(255), info={"doc": "Caller-chosen identifier, unique per agent and user."}
    )
    name: Mapped[str]
    entity_type: Mapped[str] = mapped_column(
        sa.String(100), info={"doc": "Kind of entity, e.g. person or project."}
    )
    description: Mapped[str | None] = mapped_column(server_default="")
    properties: Mapped[dict[str, Any] | None] = mapped_column(server_default="{}")
    source_id: Mapped[str | None] = mapped_column(sa.String(255), server_default="")
    confidence: Mapped[float] = mapped_column(
        sa.Double(), server_default=sa.text("1.0"), info={"doc": "How sure the extractor was, from 0 to 1."}
    )
    created_at: Mapped[timestamp_now | None]
    updated_at: Mapped[timestamp_updated | None]
    team_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agent_teams.id", ondelete="SET NULL"))
    embedding: Mapped[embedding_vector] = mapped_column(
        info={"doc": "Embedding of the entity for semantic search."}
    )
    tenant_id: Mapped[tenant_fk]
    tsv: Mapped[str | None] = mapped_column(
        TSVector(),
        sa.Computed(
            "to_tsvector('simple'::regconfig, ((name || ' '::text) || COALESCE(description, ''::text)))",
            persisted=True,
        ),
        deferred=True,
        info={"doc": "Full-text search vector over name and description (generated)."},
    )
    valid_from: Mapped[timestamp_now | None] = mapped_column(
        info={"doc": "Start of the period in which the fact holds."}
    )
    valid_until: Mapped[datetime | None] = mapped_column(
        info={"doc": "End of validity; NULL while the fact is current."}
    )

    outgoing_relations: Mapped[list[KGRelation]] = relationship(
        foreign_keys="KGRelation.source_entity_id",
        back_populates="source_entity",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    incoming_relations: Mapped[list[KGRelation]] = relationship(
        foreign_keys="KGRelation.target_entity_id",
        back_populates="target_entity",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    agent: Mapped[Agent] = relationship(back_populates="kg_entities")
    team: Mapped[AgentTeam | None] = relationship(back_populates="kg_entities")
    dedup_candidates_as_a: Mapped[list[KGDedupCandidate]] = relationship(foreign_keys="KGDedupCandidate.entity_a_id", back_populates="entity_a", cascade="all, delete-orphan", passive_deletes=True)
    dedup_candidates_as_b: Mapped[list[KGDedupCandidate]] = relationship(foreign_keys="KGDedupCandidate.entity_b_id", back_populates="entity_b", cascade="all, delete-orphan", passive_deletes=True)
    tenant: Mapped[Tenant] = relationship()


class KGRelation(Base):
    """A typed, directed edge between two knowledge-graph entities."""

    __tablename__ = "kg_relations"
    __table_args__ = (
        sa.UniqueConstraint("agent_id", "user_id", "source_entity_id", "relation_type", "target_entity_id"),
        sa.Index(
            "idx_kg_relations_current",
            "agent_id",
            "user_id",
            **where("valid_until IS NULL"),
        ),
        sa.Index("idx_kg_relations_source", "source_entity_id", "relation_type"),
        sa.Index("idx_kg_relations_target", "target_entity_id"),
        sa.Index(
            "idx_kg_relations_team",
            "team_id",
            **where("team_id IS NOT NULL"),
        ),
        sa.Index("idx_kg_relations_temporal", "agent_id", "user_id", "valid_from", "valid_until"),
        sa.Index("idx_kg_relations_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk]
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(sa.String(255), server_default="")
    source_entity_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("kg_entities.id", ondelete="CASCADE"))
    relation_type: Mapped[str] = mapped_column(
        sa.String(200), info={"doc": "Verb of the edge, e.g. works_on or knows."}
    )
    target_entity_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("kg_entities.id", ondelete="CASCADE"))
    confidence: Mapped[float] = mapped_column(
        sa.Double(), server_default=sa.text("1.0"), info={"doc": "How sure the extractor was, from 0 to 1."}
    )
    properties: Mapped[dict[str, Any] | None] = mapped_column(server_default="{}")
    created_at: Mapped[timestamp_now | None]
    team_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agent_teams.id", ondelete="SET NULL"))
    tenant_id: Mapped[tenant_fk]
    valid_from: Mapped[timestamp_now | None]
    valid_until: Mapped[datetime | None] = mapped_column(
        info={"doc": "End of validity; NULL while the relation is current."}
    )

    source_entity: Mapped[KGEntity] = relationship(
        foreign_keys="KGRelation.source_entity_id", back_populates="outgoing_relations"
    )
    target_entity: Mapped[KGEntity] = relationship(
        foreign_keys="KGRelation.target_entity_id", back_populates="incoming_relations"
    )
    agent: Mapped[Agent] = relationship(back_populates="kg_relations")
    team: Mapped[AgentTeam | None] = relationship(back_populates="kg_relations")
    tenant: Mapped[Tenant] = relationship()


class KGDedupCandidate(Base):
    """A pair of entities that may describe the same thing."""

    __tablename__ = "kg_dedup_candidates"
    __table_args__ = (
        sa.UniqueConstraint("entity_a_id", "entity_b_id"),
        sa.Index("idx_kg_dedup_agent", "agent_id", "status"),
    )

    id: Mapped[random_uuid_pk]
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"))
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(sa.String(255), server_default="")
    entity_a_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("kg_entities.id", ondelete="CASCADE"))
    entity_b_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("kg_entities.id", ondelete="CASCADE"))
    similarity: Mapped[float] = mapped_column(
        sa.Double(), info={"doc": "Similarity score of the two entities."}
    )
    status: Mapped[str] = mapped_column(
        sa.String(20), server_default="pending", info={"doc": "pending until the pair is reviewed."}
    )
    created_at: Mapped[timestamp_now]

    entity_a: Mapped[KGEntity] = relationship(foreign_keys="KGDedupCandidate.entity_a_id", back_populates="dedup_candidates_as_a")
    entity_b: Mapped[KGEntity] = relationship(foreign_keys="KGDedupCandidate.entity_b_id", back_populates="dedup_candidates_as_b")
    agent: Mapped[Agent] = relationship(back_populates="kg_dedup_candidates")
    tenant: Mapped[Tenant | None] = relationship()
