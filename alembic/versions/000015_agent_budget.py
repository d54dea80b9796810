"""Agent budgets and the activity log

GoClaw version 15 lets an operator cap what an agent may spend each month
(``agents.budget_monthly_cents``; empty means no cap) and adds
``activity_logs``, an audit trail of who (a user, an agent, the system) did
what to which entity, with optional details and the caller's IP address.

Revision ID: 000015
Revises: '000014'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, Timestamp, now, uuid_generate_v7

revision: str = "000015"
down_revision: str | None = "000014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_portable_columns("agents", sa.Column("budget_monthly_cents", sa.Integer()))
    op.create_portable_table(
        "activity_logs",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("actor_type", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.String(255), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("entity_type", sa.String(50)),
        sa.Column("entity_id", sa.String(255)),
        sa.Column("details", JSONB()),
        sa.Column("ip_address", sa.String(45)),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_activity_logs_actor", "activity_logs", ["actor_type", "actor_id"])
    op.create_portable_index("idx_activity_logs_action", "activity_logs", ["action"])
    op.create_portable_index("idx_activity_logs_entity", "activity_logs", ["entity_type", "entity_id"])
    op.create_portable_index("idx_activity_logs_created", "activity_logs", [sa.text("created_at DESC")])


def downgrade() -> None:
    op.drop_table("activity_logs")
    op.drop_portable_columns("agents", "budget_monthly_cents")
