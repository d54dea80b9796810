"""Agent handoff routes

GoClaw version 5 lets one agent hand a conversation over to another.  A
handoff route says that, in a given chat of a given channel, messages meant
for one agent now go to another agent, with the reason and who made the
switch.  A chat has at most one active route.

Revision ID: 000005
Revises: '000004'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import UUID, Timestamp, now, uuid_generate_v7

revision: str = "000005"
down_revision: str | None = "000004"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
        sa.UniqueConstraint("channel", "chat_id"),
    )


def downgrade() -> None:
    op.drop_table("handoff_routes")
