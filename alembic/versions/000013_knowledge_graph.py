"""Knowledge graph of entities and relations

GoClaw version 13 adds a knowledge graph that agents build from what they
learn: entities (people, projects, places ...) with a type, a description,
free-form properties and a confidence, and directed, typed relations between
two entities.  Both are scoped to an agent and a user (an empty user id
means shared by the agent), are removed with their agent, and an entity's
relations are removed with it.  An entity is identified within its scope by
an external id, and a relation of one type between the same two entities
exists at most once.

Revision ID: 000013
Revises: '000012'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, Timestamp, gen_random_uuid, now

revision: str = "000013"
down_revision: str | None = "000012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_portable_table(
        "kg_entities",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False, server_default=""),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("entity_type", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), server_default=""),
        sa.Column("properties", JSONB(), server_default="{}"),
        sa.Column("source_id", sa.String(255), server_default=""),
        sa.Column("confidence", sa.Double(), nullable=False, server_default=sa.text("1.0")),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("updated_at", Timestamp(), server_default=now()),
        sa.UniqueConstraint("agent_id", "user_id", "external_id"),
    )
    op.create_portable_table(
        "kg_relations",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False, server_default=""),
        sa.Column("source_entity_id", UUID(), sa.ForeignKey("kg_entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("relation_type", sa.String(200), nullable=False),
        sa.Column("target_entity_id", UUID(), sa.ForeignKey("kg_entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False, server_default=sa.text("1.0")),
        sa.Column("properties", JSONB(), server_default="{}"),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.UniqueConstraint("agent_id", "user_id", "source_entity_id", "relation_type", "target_entity_id"),
    )
    op.create_portable_index("idx_kg_entities_scope", "kg_entities", ["agent_id", "user_id"])
    op.create_portable_index("idx_kg_entities_type", "kg_entities", ["agent_id", "user_id", "entity_type"])
    op.create_portable_index("idx_kg_relations_source", "kg_relations", ["source_entity_id", "relation_type"])
    op.create_portable_index("idx_kg_relations_target", "kg_relations", ["target_entity_id"])


def downgrade() -> None:
    op.drop_table("kg_relations")
    op.drop_table("kg_entities")
