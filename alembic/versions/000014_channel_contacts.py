"""Channel contacts

GoClaw version 14 starts remembering who talks to it.  Every channel
(Telegram, Discord, Zalo, ...) reports its senders into one gateway-wide
``channel_contacts`` table, keyed by channel type and the sender's id on that
channel, with the profile details the channel supplies.  The table is not tied
to an agent: it feeds the contact picker in the UI and leaves room for later
access rules and analytics.  ``merged_id`` lets several channel identities be
folded into one person.

Revision ID: 000014
Revises: '000013'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, Timestamp, gen_random_uuid, now

revision: str = "000014"
down_revision: str | None = "000013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_portable_table(
        "channel_contacts",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column("channel_type", sa.String(50), nullable=False),
        sa.Column("channel_instance", sa.String(255)),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255)),
        sa.Column("display_name", sa.String(255)),
        sa.Column("username", sa.String(255)),
        sa.Column("avatar_url", sa.Text()),
        sa.Column("peer_kind", sa.String(20)),
        sa.Column("metadata", JSONB(), server_default="{}"),
        sa.Column("merged_id", UUID()),
        sa.Column("first_seen_at", Timestamp(), nullable=False, server_default=now()),
        sa.Column("last_seen_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("channel_type", "sender_id"),
    )
    op.create_portable_index(
        "idx_channel_contacts_instance",
        "channel_contacts",
        ["channel_instance"],
        where="channel_instance IS NOT NULL",
    )
    op.create_portable_index(
        "idx_channel_contacts_merged", "channel_contacts", ["merged_id"], where="merged_id IS NOT NULL"
    )
    op.create_portable_index("idx_channel_contacts_search", "channel_contacts", ["display_name", "username"])


def downgrade() -> None:
    op.drop_table("channel_contacts")
