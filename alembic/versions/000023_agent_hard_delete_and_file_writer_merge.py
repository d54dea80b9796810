"""Agents are deleted for real; group file writers become config permissions

GoClaw version 23 does two things.  First, the list of who may write files in a
group chat (``group_file_writers``) stops being a table of its own: each entry
becomes an ``allow`` row of type ``file_writer`` in ``agent_config_permissions``,
scoped to the group, with the writer's display name and username kept in the
row's metadata.  The permission scope widens to 255 characters so every group
id fits.

Second, deleting an agent now removes it instead of only marking it deleted.
Every table that points at an agent says what happens then: what belongs to
the agent (sessions, cron jobs, heartbeat logs, teams it leads, messages it
sent, delegations, workspace files and comments) goes with it, while shared
records it merely touched (cron run logs, team tasks, task comments and
attachments, messages addressed to it) stay and lose the reference.  An agent
key only has to be unique among agents that are not deleted.  Agents that were
already soft-deleted are removed, and their data with them.

Revision ID: 000023
Revises: '000022'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.sql import json_build_object, json_text
from goclaw_db.types import JSONB, UUID, Timestamp, now, uuid_generate_v7

revision: str = "000023"
down_revision: str | None = "000022"
branch_labels = None
depends_on = None

# (table, column) pointing at agents, by what happens to the row when its agent is deleted.
DELETED_WITH_AGENT = (
    ("sessions", "agent_id"),
    ("cron_jobs", "agent_id"),
    ("heartbeat_run_logs", "agent_id"),
    ("agent_teams", "lead_agent_id"),
    ("team_messages", "from_agent_id"),
    ("delegation_history", "source_agent_id"),
    ("delegation_history", "target_agent_id"),
    ("team_workspace_files", "uploaded_by"),
    ("team_workspace_file_versions", "uploaded_by"),
    ("team_workspace_comments", "agent_id"),
)
KEPT_WITHOUT_AGENT = (
    ("cron_run_logs", "agent_id"),
    ("team_tasks", "owner_agent_id"),
    ("team_tasks", "created_by_agent_id"),
    ("team_messages", "to_agent_id"),
    ("team_task_comments", "agent_id"),
    ("team_task_attachments", "added_by"),
)

FILE_WRITER = "file_writer"
ALLOW = "allow"

agents = sa.table("agents", sa.column("id", UUID()), sa.column("deleted_at", Timestamp()))

group_file_writers = sa.table(
    "group_file_writers",
    sa.column("agent_id", UUID()),
    sa.column("group_id", sa.String()),
    sa.column("user_id", sa.String()),
    sa.column("display_name", sa.String()),
    sa.column("username", sa.String()),
    sa.column("created_at", Timestamp()),
)

permissions = sa.table(
    "agent_config_permissions",
    sa.column("id", UUID()),
    sa.column("agent_id", UUID()),
    sa.column("scope", sa.String()),
    sa.column("config_type", sa.String()),
    sa.column("user_id", sa.String()),
    sa.column("permission", sa.String()),
    sa.column("metadata", JSONB()),
    sa.column("created_at", Timestamp()),
)


def upgrade() -> None:
    with op.alter_portable_table("agent_config_permissions") as batch:
        batch.alter_column("scope", existing_type=sa.String(100), type_=sa.String(255), existing_nullable=False)
    _move_file_writers_into_permissions()
    op.drop_table("group_file_writers")

    with op.alter_portable_table("agents") as batch:
        batch.drop_constraint("agents_agent_key_key", type_="unique")
    op.create_portable_index(
        "idx_agents_agent_key_active", "agents", ["agent_key"], unique=True, where="deleted_at IS NULL"
    )

    for table, column in DELETED_WITH_AGENT:
        _reference_agents(table, column, ondelete="CASCADE")
    for table, column in KEPT_WITHOUT_AGENT:
        _reference_agents(table, column, ondelete="SET NULL")

    # Only now, with the delete rules in place, do the soft-deleted agents take their data with them.
    op.delete_portable_rows(agents, agents.c.deleted_at.is_not(None))


def _move_file_writers_into_permissions() -> None:
    """Each file writer becomes an allow permission; a permission already granted to that user wins."""
    already_granted = sa.exists().where(
        permissions.c.agent_id == group_file_writers.c.agent_id,
        permissions.c.scope == group_file_writers.c.group_id,
        permissions.c.config_type == FILE_WRITER,
        permissions.c.user_id == group_file_writers.c.user_id,
    )
    op.execute(
        sa.insert(permissions).from_select(
            ["id", "agent_id", "scope", "config_type", "user_id", "permission", "metadata", "created_at"],
            sa.select(
                uuid_generate_v7(),
                group_file_writers.c.agent_id,
                group_file_writers.c.group_id,
                sa.literal(FILE_WRITER),
                group_file_writers.c.user_id,
                sa.literal(ALLOW),
                json_build_object(
                    "displayName",
                    sa.func.coalesce(group_file_writers.c.display_name, ""),
                    "username",
                    sa.func.coalesce(group_file_writers.c.username, ""),
                ),
                group_file_writers.c.created_at,
            ).where(~already_granted),
        )
    )


def _reference_agents(table: str, column: str, ondelete: str | None) -> None:
    """Replace the foreign key from ``table.column`` to agents, keeping its name, with another delete rule."""
    name = f"{table}_{column}_fkey"
    with op.alter_portable_table(table) as batch:
        batch.drop_constraint(name, type_="foreignkey")
        batch.create_foreign_key(name, "agents", [column], ["id"], ondelete=ondelete)


def downgrade() -> None:
    for table, column in KEPT_WITHOUT_AGENT + DELETED_WITH_AGENT:
        _reference_agents(table, column, ondelete=None)

    op.drop_portable_index("idx_agents_agent_key_active", "agents")
    with op.alter_portable_table("agents") as batch:
        batch.create_unique_constraint("agents_agent_key_key", ["agent_key"])

    op.create_portable_table(
        "group_file_writers",
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("group_id", sa.String(255), primary_key=True),
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("display_name", sa.String(255)),
        sa.Column("username", sa.String(255)),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
    _move_file_writers_back()

    with op.alter_portable_table("agent_config_permissions") as batch:
        batch.alter_column("scope", existing_type=sa.String(255), type_=sa.String(100), existing_nullable=False)


def _move_file_writers_back() -> None:
    """Allowed file writers return to their own table; file-writer permissions leave the general one."""
    op.execute(
        sa.insert(group_file_writers).from_select(
            ["agent_id", "group_id", "user_id", "display_name", "username", "created_at"],
            sa.select(
                permissions.c.agent_id,
                permissions.c.scope,
                permissions.c.user_id,
                json_text(permissions.c.metadata, "displayName"),
                json_text(permissions.c.metadata, "username"),
                # The old table insists on a creation time; permissions may lack one.
                sa.func.coalesce(permissions.c.created_at, now()),
            ).where(permissions.c.config_type == FILE_WRITER, permissions.c.permission == ALLOW),
        )
    )
    op.execute(sa.delete(permissions).where(permissions.c.config_type == FILE_WRITER))
