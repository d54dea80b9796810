"""Agent teams

GoClaw version 3 adds teams of agents that work together under a lead agent.
A team has members with roles, a shared task list (tasks carry a priority, an
owner that claims them, the tasks they are blocked by, and a result), and a
mailbox for messages between members, either to one agent or to the whole
team.  Delegation links that a team creates point to it through
``agent_links.team_id``; when the team is deleted those links stay as
ordinary manual links.

Revision ID: 000003
Revises: '000002'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, Timestamp, UUIDArray, now, uuid_generate_v7

revision: str = "000003"
down_revision: str | None = "000002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_portable_table(
        "agent_teams",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("lead_agent_id", UUID(), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        sa.Column("settings", JSONB(), nullable=False, server_default="{}"),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("updated_at", Timestamp(), server_default=now()),
    )

    op.create_portable_table(
        "agent_team_members",
        sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False, server_default="member"),
        sa.Column("joined_at", Timestamp(), server_default=now()),
    )

    op.create_portable_table(
        "team_tasks",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("owner_agent_id", UUID(), sa.ForeignKey("agents.id")),
        sa.Column("blocked_by", UUIDArray(), sqlite_nullable=False),  # the desktop file requires a list
        sa.Column("priority", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("result", sa.Text()),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("updated_at", Timestamp(), server_default=now()),
    )
    op.create_portable_index("idx_team_tasks_team", "team_tasks", ["team_id"])
    op.create_portable_index("idx_team_tasks_status", "team_tasks", ["team_id", "status"])

    op.create_portable_table(
        "team_messages",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_agent_id", UUID(), sa.ForeignKey("agents.id"), nullable=False),
        # NULL addresses the whole team.
        sa.Column("to_agent_id", UUID(), sa.ForeignKey("agents.id")),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("message_type", sa.String(30), nullable=False, server_default="chat"),
        sa.Column("read", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", Timestamp(), server_default=now()),
    )
    op.create_portable_index("idx_team_messages_to", "team_messages", ["team_id", "to_agent_id", "read"])

    with op.alter_portable_table("agent_links") as batch:
        batch.add_column(sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="SET NULL")))


def downgrade() -> None:
    op.drop_portable_columns("agent_links", "team_id")
    op.drop_table("team_messages")
    op.drop_table("team_tasks")
    op.drop_table("agent_team_members")
    op.drop_table("agent_teams")
