"""Per-tenant system settings

GoClaw version 29 adds ``system_configs``, a plain key/value store of system
settings kept separately for each tenant (GoClaw falls back to the master
tenant's value when a tenant has none).  Values are stored as clear text;
secrets keep living in ``config_secrets``.  A tenant's settings go with it.

Revision ID: 000029
Revises: '000028'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import UUID, Timestamp, now

revision: str = "000029"
down_revision: str | None = "000028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_portable_table(
        "system_configs",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_system_configs_tenant", "system_configs", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("system_configs")
