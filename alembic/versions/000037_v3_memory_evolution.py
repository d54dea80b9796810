"""Episodic memory, agent self-evolution, temporal knowledge graph, agent settings as columns

GoClaw version 37 starts the v3 memory and evolution work:

- ``episodic_summaries`` holds the condensed record of past sessions (a
  summary, a one-line abstract, key topics and an embedding) that agents
  search as their middle tier of memory; a summary may expire.
- ``agent_evolution_metrics`` collects what agents observe about their own
  runs, and ``agent_evolution_suggestions`` the changes proposed from those
  observations, waiting for a person to review them.
- Knowledge-graph entities and relations get a validity window
  (``valid_from``/``valid_until``) so facts can be superseded instead of
  overwritten; current facts have no ``valid_until``.
- Settings agents used to keep in ``other_config`` (emoji, description,
  thinking level, token limit, evolution switches, and the reasoning,
  workspace sharing, ChatGPT OAuth routing, shell deny and KG dedup blocks)
  become columns of their own. Existing values are moved out of
  ``other_config`` into the columns.

Revision ID: 000037
Revises: '000036'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.sql import json_bool, json_build_object, json_int, json_merge, json_text, json_value, json_without
from goclaw_db.types import (
    JSONB,
    UUID,
    EmbeddingVector,
    TextArray,
    Timestamp,
    empty_array,
    gen_random_uuid,
    now,
)

revision: str = "000037"
down_revision: str | None = "000036"
branch_labels = None
depends_on = None

# other_config key -> the agents column that takes it over.
PROMOTED_SETTINGS = {
    "emoji": "emoji",
    "description": "agent_description",
    "thinking_level": "thinking_level",
    "max_tokens": "max_tokens",
    "self_evolve": "self_evolve",
    "skill_evolve": "skill_evolve",
    "skill_nudge_interval": "skill_nudge_interval",
    "reasoning": "reasoning_config",
    "workspace_sharing": "workspace_sharing",
    "chatgpt_oauth_routing": "chatgpt_oauth_routing",
    "shell_deny_groups": "shell_deny_groups",
    "kg_dedup_config": "kg_dedup_config",
}

agents = sa.table("agents", sa.column("other_config", JSONB()), *map(sa.column, PROMOTED_SETTINGS.values()))


def upgrade() -> None:
    _create_episodic_summaries()
    _create_evolution_tables()
    _add_validity_windows()
    _promote_agent_settings()


def _create_episodic_summaries() -> None:
    op.create_portable_table(
        "episodic_summaries",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False, server_default=""),
        sa.Column("session_key", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("l0_abstract", sa.Text(), nullable=False, server_default=""),
        sa.Column("key_topics", TextArray(), server_default=empty_array(TextArray()), sqlite_nullable=False),
        sa.Column("embedding", EmbeddingVector(1536)),
        sa.Column("source_type", sa.Text(), nullable=False, server_default="session"),
        sa.Column("source_id", sa.Text()),
        sa.Column("turn_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("token_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.Column("expires_at", Timestamp()),
    )
    op.create_portable_index("idx_episodic_agent_user", "episodic_summaries", ["agent_id", "user_id"])
    op.create_portable_index("idx_episodic_tenant", "episodic_summaries", ["tenant_id"])
    op.create_portable_index(
        "idx_episodic_source_dedup",
        "episodic_summaries",
        ["agent_id", "user_id", "source_id"],
        unique=True,
        where="source_id IS NOT NULL",
    )
    op.create_gin_index("idx_episodic_tsv", "episodic_summaries", sa.text("to_tsvector('simple', summary)"))
    op.create_hnsw_index("idx_episodic_vec", "episodic_summaries", where="embedding IS NOT NULL")
    op.create_portable_index(
        "idx_episodic_expires", "episodic_summaries", ["expires_at"], where="expires_at IS NOT NULL"
    )


def _create_evolution_tables() -> None:
    op.create_portable_table(
        "agent_evolution_metrics",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("session_key", sa.Text(), nullable=False),
        sa.Column("metric_type", sa.Text(), nullable=False),
        sa.Column("metric_key", sa.Text(), nullable=False),
        sa.Column("value", JSONB(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_evo_metrics_agent_type", "agent_evolution_metrics", ["agent_id", "metric_type"])
    op.create_portable_index("idx_evo_metrics_created", "agent_evolution_metrics", ["created_at"])
    op.create_portable_index("idx_evo_metrics_tenant", "agent_evolution_metrics", ["tenant_id"])

    op.create_portable_table(
        "agent_evolution_suggestions",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("suggestion_type", sa.Text(), nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("parameters", JSONB()),
        sa.Column("status", sa.Text(), nullable=False, server_default="pending"),
        sa.Column("reviewed_by", sa.Text()),
        sa.Column("reviewed_at", Timestamp()),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_evo_suggestions_agent", "agent_evolution_suggestions", ["agent_id", "status"])
    op.create_portable_index("idx_evo_suggestions_tenant", "agent_evolution_suggestions", ["tenant_id"])


def _add_validity_windows() -> None:
    for table in ("kg_entities", "kg_relations"):
        op.add_portable_columns(
            table,
            sa.Column("valid_from", Timestamp(), server_default=now()),
            sa.Column("valid_until", Timestamp()),
        )
        op.create_portable_index(f"idx_{table}_current", table, ["agent_id", "user_id"], where="valid_until IS NULL")
        op.create_portable_index(f"idx_{table}_temporal", table, ["agent_id", "user_id", "valid_from", "valid_until"])


def _promote_agent_settings() -> None:
    op.add_portable_columns(
        "agents",
        sa.Column("emoji", sa.Text(), nullable=False, server_default=""),
        sa.Column("agent_description", sa.Text(), nullable=False, server_default=""),
        sa.Column("thinking_level", sa.Text(), nullable=False, server_default=""),
        sa.Column("max_tokens", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("self_evolve", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("skill_evolve", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("skill_nudge_interval", sa.Integer(), nullable=False, server_default=sa.text("0")),
        *(
            sa.Column(column, JSONB(), nullable=False, server_default="{}")
            for column in (
                "reasoning_config",
                "workspace_sharing",
                "chatgpt_oauth_routing",
                "shell_deny_groups",
                "kg_dedup_config",
            )
        ),
    )

    config = agents.c.other_config
    empty_object = sa.cast(sa.literal("{}"), JSONB())
    op.execute(
        sa.update(agents)
        .where(config != empty_object)
        .values(
            emoji=sa.func.coalesce(json_text(config, "emoji"), ""),
            agent_description=sa.func.coalesce(json_text(config, "description"), ""),
            thinking_level=sa.func.coalesce(json_text(config, "thinking_level"), ""),
            max_tokens=sa.func.coalesce(json_int(config, "max_tokens"), 0),
            self_evolve=sa.func.coalesce(json_bool(config, "self_evolve"), sa.false()),
            skill_evolve=sa.func.coalesce(json_bool(config, "skill_evolve"), sa.false()),
            skill_nudge_interval=sa.func.coalesce(json_int(config, "skill_nudge_interval"), 0),
            reasoning_config=sa.func.coalesce(json_value(config, "reasoning"), empty_object),
            workspace_sharing=sa.func.coalesce(json_value(config, "workspace_sharing"), empty_object),
            chatgpt_oauth_routing=sa.func.coalesce(json_value(config, "chatgpt_oauth_routing"), empty_object),
            shell_deny_groups=sa.func.coalesce(json_value(config, "shell_deny_groups"), empty_object),
            kg_dedup_config=sa.func.coalesce(json_value(config, "kg_dedup_config"), empty_object),
        )
    )
    op.execute(sa.update(agents).values(other_config=json_without(config, PROMOTED_SETTINGS)))


def downgrade() -> None:
    # Older gateways read these settings from other_config only, so put them back there.
    settings = json_build_object(
        *(part for key, column in PROMOTED_SETTINGS.items() for part in (key, agents.c[column]))
    )
    op.execute(sa.update(agents).values(other_config=json_merge(agents.c.other_config, settings)))
    op.drop_portable_columns("agents", *PROMOTED_SETTINGS.values())

    for table in ("kg_relations", "kg_entities"):
        op.drop_portable_index(f"idx_{table}_temporal", table)
        op.drop_portable_index(f"idx_{table}_current", table)
        op.drop_portable_columns(table, "valid_until", "valid_from")

    op.drop_table("agent_evolution_suggestions")
    op.drop_table("agent_evolution_metrics")
    op.drop_table("episodic_summaries")
