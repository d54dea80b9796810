"""Pending group-chat messages kept as context

GoClaw version 12 stores the messages of a group chat that were not
addressed to the bot, so that when the bot is mentioned it can see what the
conversation was about.  Each message belongs to a channel and a history key
(the conversation); older messages can be compacted into a single summary
row, and the gateway removes rows after a retention period.

Revision ID: 000012
Revises: '000011'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import UUID, Timestamp, now, uuid_generate_v7

revision: str = "000012"
down_revision: str | None = "000011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_portable_table(
        "channel_pending_messages",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("channel_name", sa.String(100), nullable=False),
        sa.Column("history_key", sa.String(200), nullable=False),
        sa.Column("sender", sa.String(255), nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False, server_default=""),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("platform_msg_id", sa.String(100), nullable=False, server_default=""),
        sa.Column("is_summary", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index(
        "idx_channel_pending_messages_lookup",
        "channel_pending_messages",
        ["channel_name", "history_key", "created_at"],
    )


def downgrade() -> None:
    op.drop_table("channel_pending_messages")
