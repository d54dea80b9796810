"""Team task attachments by path; team workspace and team messages removed

GoClaw version 24 retires the team workspace (files with versions and
comments) and the team messaging tool.  Their tables are dropped together with
everything stored in them, including the task attachments that pointed at
workspace files.  A task attachment is now simply a file path on the task,
recorded with its team, conversation, size, type and who attached it (an agent
or a sender in the channel); a path is attached to a task at most once.

Team tasks also keep running counts of their comments and attachments so the
dashboard need not count them on every view (existing tasks start at zero), and
an embedding of the task's subject for semantic task search.

Going back recreates the retired tables empty: their contents are gone.

Revision ID: 000024
Revises: '000023'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, EmbeddingVector, TextArray, Timestamp, empty_array, now, uuid_generate_v7

revision: str = "000024"
down_revision: str | None = "000023"
branch_labels = None
depends_on = None

RETIRED_TABLES = (
    "team_task_attachments",
    "team_workspace_comments",
    "team_workspace_file_versions",
    "team_workspace_files",
    "team_messages",
)


def upgrade() -> None:
    # GoClaw's own downgrade from 24 does not bring these back: a database it left has none of them.
    for table in RETIRED_TABLES:
        op.drop_table(table, if_exists=True)

    op.create_portable_table(
        "team_task_attachments",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("task_id", UUID(), sa.ForeignKey("team_tasks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("chat_id", sa.String(255), nullable=False, server_default=""),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("mime_type", sa.String(100), server_default=""),
        sa.Column("created_by_agent_id", UUID(), sa.ForeignKey("agents.id")),
        sa.Column("created_by_sender_id", sa.String(255), server_default=""),
        sa.Column("metadata", JSONB(), nullable=False, server_default="{}"),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("task_id", "path"),
    )
    op.create_portable_index("idx_tta_task", "team_task_attachments", ["task_id"])
    op.create_portable_index("idx_tta_team", "team_task_attachments", ["team_id"])

    op.add_portable_columns(
        "team_tasks",
        sa.Column("comment_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("attachment_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("embedding", EmbeddingVector(1536)),
    )
    op.create_hnsw_index("idx_tt_embedding", "team_tasks")


def downgrade() -> None:
    op.drop_postgresql_index("idx_tt_embedding", "team_tasks")
    op.drop_portable_columns("team_tasks", "embedding", postgresql_only=("embedding",))
    op.drop_table("team_task_attachments")
    op.drop_portable_columns("team_tasks", "comment_count", "attachment_count")

    _recreate_team_messages()
    _recreate_team_workspace()


def _recreate_team_messages() -> None:
    """The messages table as version 23 left it: version 3's columns, then the later additions."""
    op.create_portable_table(
        "team_messages",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("to_agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="SET NULL")),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("message_type", sa.String(30), nullable=False, server_default="chat"),
        sa.Column("read", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("task_id", UUID(), sa.ForeignKey("team_tasks.id", ondelete="SET NULL")),
        sa.Column("metadata", JSONB(), nullable=False, server_default="{}"),
        sa.Column("confidence_score", sa.Double()),
    )
    op.create_portable_index("idx_team_messages_to", "team_messages", ["team_id", "to_agent_id", "read"])
    op.create_portable_index("idx_team_messages_task", "team_messages", ["task_id"], where="task_id IS NOT NULL")


def _recreate_team_workspace() -> None:
    """The workspace tables and the file-based task attachments, as version 23 left them."""
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
        sa.Column("uploaded_by", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
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
    for name, columns, where in (
        ("idx_twf_task", ["task_id"], "task_id IS NOT NULL"),
        ("idx_twf_archived", ["archived_at"], "archived_at IS NOT NULL"),
        ("idx_twf_pinned", ["team_id", "pinned"], "pinned = true"),
    ):
        op.create_portable_index(name, "team_workspace_files", columns, where=where)
    op.create_gin_index("idx_twf_tags", "team_workspace_files", "tags")

    op.create_portable_table(
        "team_workspace_file_versions",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("file_id", UUID(), sa.ForeignKey("team_workspace_files.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("file_path", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("uploaded_by", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("file_id", "version"),
    )
    op.create_portable_index("idx_twfv_file", "team_workspace_file_versions", ["file_id"])

    op.create_portable_table(
        "team_workspace_comments",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("file_id", UUID(), sa.ForeignKey("team_workspace_files.id", ondelete="CASCADE"), nullable=False),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_twfc_file", "team_workspace_comments", ["file_id"])

    op.create_portable_table(
        "team_task_attachments",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("task_id", UUID(), sa.ForeignKey("team_tasks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("file_id", UUID(), sa.ForeignKey("team_workspace_files.id", ondelete="CASCADE"), nullable=False),
        sa.Column("added_by", UUID(), sa.ForeignKey("agents.id", ondelete="SET NULL")),
        sa.Column("metadata", JSONB(), server_default="{}"),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("task_id", "file_id"),
    )
    op.create_portable_index("idx_tta_task", "team_task_attachments", ["task_id"])
