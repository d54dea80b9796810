"""Agent heartbeats and per-user config permissions

GoClaw version 22 gives each agent an optional heartbeat: a prompt the agent
runs on its own at a fixed interval, within active hours and a time zone,
optionally with another provider or model, delivering its result to a channel
and chat.  ``agent_heartbeats`` holds one such schedule per agent with its
run state and counters; ``heartbeat_run_logs`` records every run (or skipped
run) with its outcome and token use.

``agent_config_permissions`` is a general table of who may change which part
of an agent's configuration (heartbeat, cron, context files, ...), per scope
and user.

Revision ID: 000022
Revises: '000021'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, Timestamp, now, uuid_generate_v7

revision: str = "000022"
down_revision: str | None = "000021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_portable_table(
        "agent_heartbeats",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("interval_sec", sa.Integer(), nullable=False, server_default=sa.text("1800")),
        sa.Column("prompt", sa.Text()),
        sa.Column("provider_id", UUID(), sa.ForeignKey("llm_providers.id")),
        sa.Column("model", sa.String(200)),
        sa.Column("isolated_session", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("light_context", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("ack_max_chars", sa.Integer(), nullable=False, server_default=sa.text("300")),
        sa.Column("max_retries", sa.Integer(), nullable=False, server_default=sa.text("2")),
        sa.Column("active_hours_start", sa.String(5)),
        sa.Column("active_hours_end", sa.String(5)),
        sa.Column("timezone", sa.Text()),
        sa.Column("channel", sa.String(50)),
        sa.Column("chat_id", sa.Text()),
        sa.Column("next_run_at", Timestamp()),
        sa.Column("last_run_at", Timestamp()),
        sa.Column("last_status", sa.String(20)),
        sa.Column("last_error", sa.Text()),
        sa.Column("run_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("suppress_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("metadata", JSONB(), server_default="{}"),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("updated_at", Timestamp(), server_default=now()),
    )
    due = sa.and_(sa.column("enabled") == sa.true(), sa.column("next_run_at").is_not(None))
    op.create_portable_index("idx_heartbeats_due", "agent_heartbeats", ["next_run_at"], where=due)

    op.create_portable_table(
        "heartbeat_run_logs",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("heartbeat_id", UUID(), sa.ForeignKey("agent_heartbeats.id", ondelete="CASCADE"), nullable=False),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.Column("duration_ms", sa.Integer()),
        sa.Column("input_tokens", sa.Integer(), server_default=sa.text("0")),
        sa.Column("output_tokens", sa.Integer(), server_default=sa.text("0")),
        sa.Column("skip_reason", sa.String(50)),
        sa.Column("metadata", JSONB(), server_default="{}"),
        sa.Column("ran_at", Timestamp(), server_default=now()),
        sa.Column("created_at", Timestamp(), server_default=now()),
    )
    op.create_portable_index("idx_hb_logs_heartbeat", "heartbeat_run_logs", ["heartbeat_id", sa.text("ran_at DESC")])
    op.create_portable_index("idx_hb_logs_agent", "heartbeat_run_logs", ["agent_id", sa.text("ran_at DESC")])

    op.create_portable_table(
        "agent_config_permissions",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scope", sa.String(100), nullable=False),
        sa.Column("config_type", sa.String(50), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("permission", sa.String(10), nullable=False),
        sa.Column("granted_by", sa.String(255)),
        sa.Column("metadata", JSONB(), server_default="{}"),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("updated_at", Timestamp(), server_default=now()),
        sa.UniqueConstraint("agent_id", "scope", "config_type", "user_id"),
    )
    op.create_portable_index("idx_acp_lookup", "agent_config_permissions", ["agent_id", "scope", "config_type"])


def downgrade() -> None:
    op.drop_table("agent_config_permissions")
    op.drop_table("heartbeat_run_logs")
    op.drop_table("agent_heartbeats")
