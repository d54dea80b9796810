"""Team workspace, task tracking v2 and follow-up reminders

GoClaw version 18 turns agent teams into a place where work is shared and
tracked.  Teams get a workspace: files scoped to a team and a conversation,
with version history and comments.  Team tasks gain what a task board needs:
a type, a per-team number with a readable identifier (``ABC-7``), who created
and who is assigned the task, sub-tasks, the conversation it belongs to, a
lease so only one agent works on it at a time, and progress reporting; tasks
get comments, an audit trail of events and workspace attachments.  Tasks can
also carry a follow-up reminder (when, how often, what to say, where).

Existing data is brought along: every task already on a board is numbered in
creation order within its team and labelled with the first three letters of
the team's name, and tasks whose ``blocked_by`` was left empty (NULL) get an
empty list, which is also the column's default from now on.  Handoff routes
may now name the team they were created for.

Revision ID: 000018
Revises: '000017'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, TextArray, Timestamp, UUIDArray, empty_array, now, uuid_generate_v7

revision: str = "000018"
down_revision: str | None = "000017"
branch_labels = None
depends_on = None

_TASK_COLUMNS = (
    "task_type",
    "task_number",
    "identifier",
    "created_by_agent_id",
    "assignee_user_id",
    "parent_id",
    "chat_id",
    "locked_at",
    "lock_expires_at",
    "progress_percent",
    "progress_step",
)
_FOLLOWUP_COLUMNS = (
    "followup_at",
    "followup_count",
    "followup_max",
    "followup_message",
    "followup_channel",
    "followup_chat_id",
)
_IN_PROGRESS = "status = 'in_progress'"


def upgrade() -> None:
    _create_team_workspace()
    _extend_team_tasks()
    _create_task_history_tables()
    _number_existing_tasks()
    _add_followup_reminders()
    _default_blocked_by_to_empty_list()

    with op.alter_portable_table("handoff_routes") as batch:
        batch.add_column(sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="SET NULL")))
    op.create_portable_index("idx_hr_team", "handoff_routes", ["team_id"], where="team_id IS NOT NULL")


def _create_team_workspace() -> None:
    op.create_portable_table(
        "team_workspace_files",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False, server_default=""),
        sa.Column("chat_id", sa.String(255), nullable=False, server_default=""),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("mime_type", sa.String(100)),
        sa.Column("file_path", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("uploaded_by", UUID(), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("task_id", UUID(), sa.ForeignKey("team_tasks.id", ondelete="SET NULL")),
        sa.Column("pinned", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("tags", TextArray(), nullable=False, server_default=empty_array(TextArray())),
        sa.Column("metadata", JSONB(), server_default="{}"),
        sa.Column("archived_at", Timestamp()),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("team_id", "chat_id", "file_name"),
    )
    op.create_portable_index("idx_twf_team_scope", "team_workspace_files", ["team_id", "chat_id"])
    op.create_portable_index("idx_twf_uploaded_by", "team_workspace_files", ["uploaded_by"])
    op.create_portable_index("idx_twf_task", "team_workspace_files", ["task_id"], where="task_id IS NOT NULL")
    op.create_portable_index(
        "idx_twf_archived", "team_workspace_files", ["archived_at"], where="archived_at IS NOT NULL"
    )
    op.create_portable_index("idx_twf_pinned", "team_workspace_files", ["team_id", "pinned"], where="pinned = true")
    op.create_gin_index("idx_twf_tags", "team_workspace_files", "tags")

    op.create_portable_table(
        "team_workspace_file_versions",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("file_id", UUID(), sa.ForeignKey("team_workspace_files.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("file_path", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("uploaded_by", UUID(), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("file_id", "version"),
    )
    op.create_portable_index("idx_twfv_file", "team_workspace_file_versions", ["file_id"])

    op.create_portable_table(
        "team_workspace_comments",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("file_id", UUID(), sa.ForeignKey("team_workspace_files.id", ondelete="CASCADE"), nullable=False),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_twfc_file", "team_workspace_comments", ["file_id"])


def _extend_team_tasks() -> None:
    with op.alter_portable_table("team_tasks") as batch:
        batch.add_column(sa.Column("task_type", sa.String(30), nullable=False, server_default="general"))
        batch.add_column(sa.Column("task_number", sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("identifier", sa.String(20)))
        batch.add_column(sa.Column("created_by_agent_id", UUID(), sa.ForeignKey("agents.id")))
        batch.add_column(sa.Column("assignee_user_id", sa.String(255)))
        batch.add_column(sa.Column("parent_id", UUID(), sa.ForeignKey("team_tasks.id", ondelete="SET NULL")))
        batch.add_column(sa.Column("chat_id", sa.String(255), server_default=""))
        batch.add_column(sa.Column("locked_at", Timestamp()))
        batch.add_column(sa.Column("lock_expires_at", Timestamp()))
        batch.add_column(sa.Column("progress_percent", sa.Integer(), server_default=sa.text("0")))
        batch.add_column(sa.Column("progress_step", sa.Text()))
        # PostgreSQL's own name for this unnamed check in GoClaw's schema; batch mode needs a name.
        batch.create_check_constraint(
            "team_tasks_progress_percent_check", sa.text("progress_percent BETWEEN 0 AND 100")
        )

    op.create_portable_index("idx_tt_parent", "team_tasks", ["parent_id"], where="parent_id IS NOT NULL")
    op.create_portable_index("idx_tt_scope", "team_tasks", ["team_id", "channel", "chat_id"])
    op.create_portable_index("idx_tt_type", "team_tasks", ["team_id", "task_type"])
    lease_held = sa.text(f"lock_expires_at IS NOT NULL AND {_IN_PROGRESS}")
    op.create_portable_index("idx_tt_lock", "team_tasks", ["lock_expires_at"], where=lease_held)
    op.create_portable_index(
        "idx_tt_identifier",
        "team_tasks",
        ["team_id", "identifier"],
        unique=True,
        where="identifier IS NOT NULL",
    )


def _create_task_history_tables() -> None:
    op.create_portable_table(
        "team_task_comments",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("task_id", UUID(), sa.ForeignKey("team_tasks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id")),
        sa.Column("user_id", sa.String(255)),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("metadata", JSONB(), server_default="{}"),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_ttc_task", "team_task_comments", ["task_id"])

    op.create_portable_table(
        "team_task_events",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("task_id", UUID(), sa.ForeignKey("team_tasks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_type", sa.String(30), nullable=False),
        sa.Column("actor_type", sa.String(10), nullable=False),
        sa.Column("actor_id", sa.String(255), nullable=False),
        sa.Column("data", JSONB()),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_tte_task", "team_task_events", ["task_id"])

    op.create_portable_table(
        "team_task_attachments",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("task_id", UUID(), sa.ForeignKey("team_tasks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("file_id", UUID(), sa.ForeignKey("team_workspace_files.id", ondelete="CASCADE"), nullable=False),
        sa.Column("added_by", UUID(), sa.ForeignKey("agents.id")),
        sa.Column("metadata", JSONB(), server_default="{}"),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("task_id", "file_id"),
    )
    op.create_portable_index("idx_tta_task", "team_task_attachments", ["task_id"])


def _number_existing_tasks() -> None:
    """Give every task without an identifier its place on the team's board.

    Tasks are counted from 1 within each team in creation order (the id breaks
    ties); the identifier is the upper-cased first three letters of the team
    name, a dash and that number.
    """
    tasks = sa.table(
        "team_tasks",
        sa.column("id", UUID()),
        sa.column("team_id", UUID()),
        sa.column("created_at", Timestamp()),
        sa.column("task_number", sa.Integer()),
        sa.column("identifier", sa.String()),
    )
    teams = sa.table("agent_teams", sa.column("id", UUID()), sa.column("name", sa.String()))
    numbered = (
        sa.select(
            tasks.c.id,
            sa.func.row_number()
            .over(partition_by=tasks.c.team_id, order_by=(tasks.c.created_at, tasks.c.id))
            .label("seq"),
            sa.func.upper(sa.func.substr(sa.func.coalesce(teams.c.name, "TSK"), 1, 3)).label("prefix"),
        )
        .join_from(tasks, teams, teams.c.id == tasks.c.team_id)
        .where(tasks.c.identifier.is_(None))
        .subquery("numbered")
    )
    op.execute(
        sa.update(tasks)
        .where(tasks.c.id == numbered.c.id)
        .values(
            task_number=numbered.c.seq,
            identifier=numbered.c.prefix + "-" + sa.cast(numbered.c.seq, sa.String()),
        )
    )


def _add_followup_reminders() -> None:
    with op.alter_portable_table("team_tasks") as batch:
        batch.add_column(sa.Column("followup_at", Timestamp()))
        batch.add_column(sa.Column("followup_count", sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("followup_max", sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("followup_message", sa.Text()))
        batch.add_column(sa.Column("followup_channel", sa.String(60)))
        batch.add_column(sa.Column("followup_chat_id", sa.String(255)))
    due = sa.text(f"followup_at IS NOT NULL AND {_IN_PROGRESS}")
    op.create_portable_index("idx_tt_followup", "team_tasks", ["followup_at"], where=due)


def _default_blocked_by_to_empty_list() -> None:
    with op.alter_portable_table("team_tasks") as batch:
        batch.alter_column("blocked_by", existing_type=UUIDArray(), server_default=empty_array(UUIDArray()))
    tasks = sa.table("team_tasks", sa.column("blocked_by", UUIDArray()))
    op.execute(sa.update(tasks).where(tasks.c.blocked_by.is_(None)).values(blocked_by=empty_array(UUIDArray())))


def downgrade() -> None:
    op.drop_portable_index("idx_hr_team", "handoff_routes")
    op.drop_portable_columns("handoff_routes", "team_id")

    with op.alter_portable_table("team_tasks") as batch:
        batch.alter_column("blocked_by", existing_type=UUIDArray(), server_default=None)

    op.drop_portable_index("idx_tt_followup", "team_tasks")
    op.drop_table("team_task_attachments")
    op.drop_table("team_task_events")
    op.drop_table("team_task_comments")
    for index in ("idx_tt_identifier", "idx_tt_lock", "idx_tt_type", "idx_tt_scope", "idx_tt_parent"):
        op.drop_portable_index(index, "team_tasks")
    with op.alter_portable_table("team_tasks") as batch:
        batch.drop_constraint("team_tasks_progress_percent_check", type_="check")
    op.drop_portable_columns("team_tasks", *_TASK_COLUMNS, *_FOLLOWUP_COLUMNS)

    op.drop_table("team_workspace_comments")
    op.drop_table("team_workspace_file_versions")
    op.drop_table("team_workspace_files")
