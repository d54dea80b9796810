"""Team ownership for memory, knowledge graph, traces, cron and sessions

GoClaw version 19 prepares memory, the knowledge graph, tracing, scheduled
jobs and sessions to be scoped to a team as well as to an agent or user.  Each
of these tables gains an optional ``team_id`` that falls back to NULL (the
personal scope) when its team is deleted; existing rows stay personal.  A
partial index per table finds a team's rows.

Two indexes also speed up team task bookkeeping: a GIN index answers "which
tasks are blocked by this one" when a task completes, and an index on
(team, owner, status) serves the search for idle team members.

Revision ID: 000019
Revises: '000018'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import UUID

revision: str = "000019"
down_revision: str | None = "000018"
branch_labels = None
depends_on = None

# Table, its team index, and the indexed columns after team_id.
_TEAM_SCOPED: tuple[tuple[str, str, tuple], ...] = (
    ("memory_documents", "idx_memdoc_team", ()),
    ("memory_chunks", "idx_memchunk_team", ()),
    ("kg_entities", "idx_kg_entities_team", ()),
    ("kg_relations", "idx_kg_relations_team", ()),
    ("traces", "idx_traces_team", (sa.text("created_at DESC"),)),
    ("spans", "idx_spans_team", ()),
    ("cron_jobs", "idx_cron_jobs_team", ()),
    ("cron_run_logs", "idx_cron_run_logs_team", ()),
    ("sessions", "idx_sessions_team", ()),
)


def upgrade() -> None:
    has_team = sa.text("team_id IS NOT NULL")
    for table, index, more_columns in _TEAM_SCOPED:
        with op.alter_portable_table(table) as batch:
            batch.add_column(sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="SET NULL")))
        op.create_portable_index(index, table, ["team_id", *more_columns], where=has_team)

    op.create_gin_index("idx_tt_blocked_by", "team_tasks", "blocked_by")
    op.create_portable_index("idx_tt_owner_status", "team_tasks", ["team_id", "owner_agent_id", "status"])


def downgrade() -> None:
    op.drop_portable_index("idx_tt_owner_status", "team_tasks")
    op.drop_postgresql_index("idx_tt_blocked_by", "team_tasks")
    for table, index, _ in reversed(_TEAM_SCOPED):
        op.drop_portable_index(index, table)
        op.drop_portable_columns(table, "team_id")
