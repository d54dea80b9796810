"""API keys bound to a user; per-user team access; handoff and delegation tables removed

GoClaw version 26 lets an API key belong to a user: a request authenticated
with such a key always acts as that user, whatever user it claims to be.
``team_user_grants`` records which users may access a team and in which role
(a viewer unless said otherwise), and who granted it.

The gateway no longer uses handoff routes or the delegation history, so both
tables are dropped with their contents.  Going back recreates them empty.

Revision ID: 000026
Revises: '000025'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, Timestamp, gen_random_uuid, now, uuid_generate_v7

revision: str = "000026"
down_revision: str | None = "000025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_portable_columns(
        "api_keys",
        sa.Column(
            "owner_id",
            sa.String(255),
            comment="The user this key acts as; requests made with it cannot claim another user.",
        ),
    )
    op.create_portable_index("idx_api_keys_owner_id", "api_keys", ["owner_id"], where="owner_id IS NOT NULL")

    op.create_portable_table(
        "team_user_grants",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("role", sa.String(50), nullable=False, server_default="viewer"),
        sa.Column("granted_by", sa.String(255)),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("team_id", "user_id"),
    )
    op.create_portable_index("idx_team_user_grants_user", "team_user_grants", ["user_id"])
    op.create_portable_index("idx_team_user_grants_team", "team_user_grants", ["team_id"])

    # GoClaw's own downgrade from 26 does not bring these back: a database it left has neither.
    op.drop_table("handoff_routes", if_exists=True)
    op.drop_table("delegation_history", if_exists=True)


def downgrade() -> None:
    _recreate_handoff_routes()
    _recreate_delegation_history()

    op.drop_table("team_user_grants")
    op.drop_portable_index("idx_api_keys_owner_id", "api_keys")
    op.drop_portable_columns("api_keys", "owner_id")


def _recreate_handoff_routes() -> None:
    """Handoff routes as version 25 had them: version 5's columns, then metadata and team."""
    op.create_portable_table(
        "handoff_routes",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("chat_id", sa.String(255), nullable=False),
        sa.Column("from_agent_key", sa.String(255), nullable=False),
        sa.Column("to_agent_key", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("created_by", sa.String(255)),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("metadata", JSONB(), nullable=False, server_default="{}"),
        sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="SET NULL")),
        sa.UniqueConstraint("channel", "chat_id"),
    )
    op.create_portable_index("idx_hr_team", "handoff_routes", ["team_id"], where="team_id IS NOT NULL")


def _recreate_delegation_history() -> None:
    """Delegation history as version 25 had it, deleted along with either agent."""
    op.create_portable_table(
        "delegation_history",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("source_agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("target_agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="SET NULL")),
        sa.Column("team_task_id", UUID(), sa.ForeignKey("team_tasks.id", ondelete="SET NULL")),
        sa.Column("user_id", sa.String(255)),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False, server_default="sync"),
        sa.Column("status", sa.String(20), nullable=False, server_default="completed"),
        sa.Column("result", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.Column("iterations", sa.Integer(), server_default=sa.text("0")),
        sa.Column("trace_id", UUID()),
        sa.Column("duration_ms", sa.Integer()),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("completed_at", Timestamp()),
        sa.Column("metadata", JSONB(), nullable=False, server_default="{}"),
    )
    op.create_portable_index("idx_delegation_history_source", "delegation_history", ["source_agent_id"])
    op.create_portable_index("idx_delegation_history_team", "delegation_history", ["team_id"])
    op.create_portable_index("idx_delegation_history_created", "delegation_history", [sa.text("created_at DESC")])
