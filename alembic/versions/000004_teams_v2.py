"""Team task search and delegation history

GoClaw version 4 makes a team's task list searchable by full text: a
generated tsvector over each task's subject and description (computed by the
database for existing tasks as well), with a GIN index.  It also starts a
permanent record of every delegation between agents: who delegated what to
whom, for which team, task and user, synchronously or not, how it ended, how
many iterations and how long it took, and the trace that shows it.

Revision ID: 000004
Revises: '000003'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import UUID, Timestamp, TSVector, now, uuid_generate_v7

revision: str = "000004"
down_revision: str | None = "000003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_portable_columns(
        "team_tasks",
        sa.Column(
            "tsv",
            TSVector(),
            sa.Computed(
                "to_tsvector('simple'::regconfig, subject::text || ' ' || COALESCE(description, ''))",
                persisted=True,
            ),
        ),
    )
    op.create_gin_index("idx_team_tasks_tsv", "team_tasks", "tsv")
    op.create_fts5_index("team_tasks", ["subject", "description"])

    op.create_portable_table(
        "delegation_history",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("source_agent_id", UUID(), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("target_agent_id", UUID(), sa.ForeignKey("agents.id"), nullable=False),
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
    )
    op.create_portable_index("idx_delegation_history_source", "delegation_history", ["source_agent_id"])
    op.create_portable_index("idx_delegation_history_team", "delegation_history", ["team_id"])
    op.create_portable_index("idx_delegation_history_created", "delegation_history", [sa.text("created_at DESC")])


def downgrade() -> None:
    op.drop_table("delegation_history")
    op.drop_postgresql_index("idx_team_tasks_tsv", "team_tasks")
    op.drop_fts5_index("team_tasks")
    op.drop_portable_columns("team_tasks", "tsv", postgresql_only=("tsv",))
