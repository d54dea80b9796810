"""The per-agent knowledge graph: entities, relations and duplicate candidates."""

import uuid
from datetime import datetime
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

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str] = mapped_column(sa.String(255), server_default="", default=None)
    external_id: Mapped[str] = mapped_column(
        sa.String(255), info={"doc": "Caller-chosen identifier, unique per agent and user."}
    )
    name: Mapped[str]
    entity_type: Mapped[str] = mapped_column(sa.String(100), info={"doc": "Kind of entity, e.g. person or project."})
    description: Mapped[str | None] = mapped_column(server_default="", default=None)
    properties: Mapped[dict[str, Any] | None] = mapped_column(server_default="{}", default=None)
    source_id: Mapped[str | None] = mapped_column(
        sa.String(255), server_default="", default=None, info={"doc": "Id of what the entity was extracted from."}
    )
    confidence: Mapped[float] = mapped_column(
        sa.Double(),
        server_default=sa.text("1.0"),
        info={"doc": "How sure the extractor was, from 0 to 1."},
        default=None,
    )
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), default=None
    )
    embedding: Mapped[embedding_vector] = mapped_column(
        info={"doc": "Embedding of the entity for semantic search."}, default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    tsv: Mapped[str | None] = mapped_column(
        TSVector(),
        sa.Computed(
            "to_tsvector('simple'::regconfig, ((name || ' '::text) || COALESCE(description, ''::text)))",
            persisted=True,
        ),
        deferred=True,
        info={"doc": "Full-text search vector over name and description (generated)."},
        init=False,
    )
    valid_from: Mapped[timestamp_now | None] = mapped_column(
        info={"doc": "Start of the period in which the fact holds."}, default=None
    )
    valid_until: Mapped[datetime | None] = mapped_column(
        info={"doc": "End of validity; NULL while the fact is current."}, default=None
    )

    outgoing_relations: Mapped[list["KGRelation"]] = relationship(
        foreign_keys="KGRelation.source_entity_id",
        back_populates="source_entity",
        cascade="all, delete-orphan",
        passive_deletes=True,
        default_factory=list,
    )
    incoming_relations: Mapped[list["KGRelation"]] = relationship(
        foreign_keys="KGRelation.target_entity_id",
        back_populates="target_entity",
        cascade="all, delete-orphan",
        passive_deletes=True,
        default_factory=list,
    )
    agent: Mapped["Agent"] = relationship(back_populates="kg_entities", default=None)
    team: Mapped["AgentTeam | None"] = relationship(back_populates="kg_entities", default=None)
    dedup_candidates_as_a: Mapped[list["KGDedupCandidate"]] = relationship(
        foreign_keys="KGDedupCandidate.entity_a_id",
        back_populates="entity_a",
        cascade="all, delete-orphan",
        passive_deletes=True,
        default_factory=list,
    )
    dedup_candidates_as_b: Mapped[list["KGDedupCandidate"]] = relationship(
        foreign_keys="KGDedupCandidate.entity_b_id",
        back_populates="entity_b",
        cascade="all, delete-orphan",
        passive_deletes=True,
        default_factory=list,
    )
    tenant: Mapped["Tenant"] = relationship(default=None)


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

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str] = mapped_column(sa.String(255), server_default="", default=None)
    source_entity_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("kg_entities.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "Entity the relation starts from."},
    )
    relation_type: Mapped[str] = mapped_column(
        sa.String(200), info={"doc": "Verb of the edge, e.g. works_on or knows."}
    )
    target_entity_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("kg_entities.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "Entity the relation points to."},
    )
    confidence: Mapped[float] = mapped_column(
        sa.Double(),
        server_default=sa.text("1.0"),
        info={"doc": "How sure the extractor was, from 0 to 1."},
        default=None,
    )
    properties: Mapped[dict[str, Any] | None] = mapped_column(server_default="{}", default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    valid_from: Mapped[timestamp_now | None] = mapped_column(
        default=None, info={"doc": "When the relation became true; NULL always."}
    )
    valid_until: Mapped[datetime | None] = mapped_column(
        info={"doc": "End of validity; NULL while the relation is current."}, default=None
    )

    source_entity: Mapped["KGEntity"] = relationship(
        foreign_keys="KGRelation.source_entity_id", back_populates="outgoing_relations", default=None
    )
    target_entity: Mapped["KGEntity"] = relationship(
        foreign_keys="KGRelation.target_entity_id", back_populates="incoming_relations", default=None
    )
    agent: Mapped["Agent"] = relationship(back_populates="kg_relations", default=None)
    team: Mapped["AgentTeam | None"] = relationship(back_populates="kg_relations", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class KGDedupCandidate(Base):
    """A pair of entities that may describe the same thing."""

    __tablename__ = "kg_dedup_candidates"
    __table_args__ = (
        sa.UniqueConstraint("entity_a_id", "entity_b_id"),
        sa.Index("idx_kg_dedup_agent", "agent_id", "status"),
    )

    id: Mapped[random_uuid_pk] = mapped_column(default_factory=uuid7)
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), default=None)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str] = mapped_column(sa.String(255), server_default="", default=None)
    entity_a_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("kg_entities.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "First entity of the suspected duplicate pair."},
    )
    entity_b_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("kg_entities.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "Second entity of the suspected duplicate pair."},
    )
    similarity: Mapped[float] = mapped_column(sa.Double(), info={"doc": "Similarity score of the two entities."})
    status: Mapped[str] = mapped_column(
        sa.String(20), server_default="pending", info={"doc": "pending until the pair is reviewed."}, default=None
    )
    created_at: Mapped[timestamp_now] = mapped_column(default=None)

    entity_a: Mapped["KGEntity"] = relationship(
        foreign_keys="KGDedupCandidate.entity_a_id", back_populates="dedup_candidates_as_a", default=None
    )
    entity_b: Mapped["KGEntity"] = relationship(
        foreign_keys="KGDedupCandidate.entity_b_id", back_populates="dedup_candidates_as_b", default=None
    )
    agent: Mapped["Agent"] = relationship(back_populates="kg_dedup_candidates", default=None)
    tenant: Mapped["Tenant | None"] = relationship(default=None)
