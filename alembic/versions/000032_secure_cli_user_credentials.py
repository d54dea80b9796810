"""Per-user credentials for secure CLI binaries; contact types

GoClaw version 32 lets each user keep their own environment secrets for a
secure CLI binary (for example a personal API token) that take precedence over
the binary's shared ones, stored encrypted in ``secure_cli_user_credentials``
and scoped to a tenant. It also records on every channel contact whether it is
a person or a group chat; existing contacts are people.

Revision ID: 000032
Revises: '000031'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, Timestamp, gen_random_uuid, now

revision: str = "000032"
down_revision: str | None = "000031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_portable_table(
        "secure_cli_user_credentials",
        sa.Column("id", UUID(), primary_key=True, server_default=gen_random_uuid()),
        sa.Column(
            "binary_id",
            UUID(),
            sa.ForeignKey("secure_cli_binaries.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("encrypted_env", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", JSONB(), nullable=False, server_default="{}"),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("binary_id", "user_id", "tenant_id"),
    )
    op.create_portable_index("idx_scuc_tenant", "secure_cli_user_credentials", ["tenant_id"])
    op.create_portable_index("idx_scuc_binary", "secure_cli_user_credentials", ["binary_id"])

    op.add_portable_columns(
        "channel_contacts",
        sa.Column("contact_type", sa.String(20), nullable=False, server_default="user"),
    )


def downgrade() -> None:
    op.drop_portable_columns("channel_contacts", "contact_type")
    op.drop_table("secure_cli_user_credentials")
