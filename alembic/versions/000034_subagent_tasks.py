"""Subagent task ledger

GoClaw version 34 persists the life of every subagent task an agent spawns:
who spawned it and from which chat, its status and result, the model that ran
it, and the tokens it spent. The ledger gives an audit trail, lets cost be
attributed to the parent agent, and lets a restarted gateway recover tasks that
were still running; finished tasks are later archived.

Revision ID: 000034
Revises: '000033'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, Timestamp, now, uuid_generate_v7

revision: str = "000034"
down_revision: str | None = "000033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_portable_table(
        "subagent_tasks",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("parent_agent_key", sa.String(255), nullable=False),
        sa.Column("session_key", sa.String(500)),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="running"),
        sa.Column("result", sa.Text()),
        sa.Column("depth", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("model", sa.String(255)),
        sa.Column("provider", sa.String(255)),
        sa.Column("iterations", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("origin_channel", sa.String(50)),
        sa.Column("origin_chat_id", sa.String(255)),
        sa.Column("origin_peer_kind", sa.String(20)),
        sa.Column("origin_user_id", sa.String(255)),
        sa.Column("spawned_by", UUID()),
        sa.Column("completed_at", Timestamp()),
        sa.Column("archived_at", Timestamp()),
        sa.Column("metadata", JSONB(), nullable=False, server_default="{}"),
        # The desktop file declares both timestamps nullable.
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now(), sqlite_nullable=True),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now(), sqlite_nullable=True),
    )
    op.create_portable_index(
        "idx_subagent_tasks_parent_status",
        "subagent_tasks",
        ["tenant_id", "parent_agent_key", "status"],
    )
    op.create_portable_index(
        # Partial on PostgreSQL only: the desktop indexes every task.
        "idx_subagent_tasks_session",
        "subagent_tasks",
        ["session_key"],
        postgresql_where=sa.text("session_key IS NOT NULL"),
    )
    op.create_portable_index("idx_subagent_tasks_created", "subagent_tasks", ["tenant_id", sa.text("created_at DESC")])
    op.create_gin_index("idx_subagent_tasks_metadata_gin", "subagent_tasks", "metadata")
    finished_unarchived = "status IN ('completed', 'failed', 'cancelled') AND archived_at IS NULL"
    op.create_portable_index(
        "idx_subagent_tasks_archive", "subagent_tasks", ["status", "completed_at"], where=finished_unarchived
    )


def downgrade() -> None:
    op.drop_table("subagent_tasks")
