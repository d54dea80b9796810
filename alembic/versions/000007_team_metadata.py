"""Team messages linked to tasks; metadata on team records

GoClaw version 7 lets a message between team members point at the task it
is about (the link is cleared when the task is deleted), and gives every
team-related record (messages, tasks, delegation history, handoff routes) a
``metadata`` document that is never null, so new attributes can be stored
without a schema change.

Revision ID: 000007
Revises: '000006'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID

revision: str = "000007"
down_revision: str | None = "000006"
branch_labels = None
depends_on = None

# The team tables that gain a metadata document besides team_messages.
_OTHER_TEAM_TABLES = ("team_tasks", "delegation_history", "handoff_routes")


def _metadata() -> sa.Column:
    return sa.Column("metadata", JSONB(), nullable=False, server_default="{}")


def upgrade() -> None:
    with op.alter_portable_table("team_messages") as batch:
        batch.add_column(sa.Column("task_id", UUID(), sa.ForeignKey("team_tasks.id", ondelete="SET NULL")))
    op.create_portable_index("idx_team_messages_task", "team_messages", ["task_id"], where="task_id IS NOT NULL")
    op.add_portable_columns("team_messages", _metadata())
    for table in _OTHER_TEAM_TABLES:
        op.add_portable_columns(table, _metadata())


def downgrade() -> None:
    for table in _OTHER_TEAM_TABLES:
        op.drop_portable_columns(table, "metadata")
    op.drop_portable_index("idx_team_messages_task", "team_messages")
    op.drop_portable_columns("team_messages", "task_id", "metadata")
