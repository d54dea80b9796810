"""Cron delivery settings as columns

GoClaw version 33 lifts a cron job's delivery settings out of its JSON payload
into real columns: whether the result is delivered, to which channel and
recipient, and whether the run wakes the agent's heartbeat. It also adds
``stateless`` for jobs that run without session history. Existing jobs keep
their behaviour: the settings are copied from the payload into the columns and
then removed from the payload, so there is one source of truth.

Revision ID: 000033
Revises: '000032'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.sql import json_bool, json_build_object, json_merge, json_text, json_without
from goclaw_db.types import JSONB

revision: str = "000033"
down_revision: str | None = "000032"
branch_labels = None
depends_on = None

cron_jobs = sa.table(
    "cron_jobs",
    sa.column("payload", JSONB()),
    sa.column("deliver", sa.Boolean()),
    sa.column("deliver_channel", sa.Text()),
    sa.column("deliver_to", sa.Text()),
    sa.column("wake_heartbeat", sa.Boolean()),
)

# The new flags: BOOLEAN on PostgreSQL, INTEGER (0 or 1) as the desktop file declares them.
FLAG = sa.Boolean().with_variant(sa.Integer(), "sqlite")

# Payload key -> column that takes it over.
MOVED_KEYS = {
    "deliver": "deliver",
    "channel": "deliver_channel",
    "to": "deliver_to",
    "wake_heartbeat": "wake_heartbeat",
}


def upgrade() -> None:
    op.add_portable_columns(
        "cron_jobs",
        sa.Column("stateless", FLAG, nullable=False, server_default=sa.false()),
        sa.Column("deliver", FLAG, nullable=False, server_default=sa.false()),
        sa.Column("deliver_channel", sa.Text(), nullable=False, server_default=""),
        sa.Column("deliver_to", sa.Text(), nullable=False, server_default=""),
        sa.Column("wake_heartbeat", FLAG, nullable=False, server_default=sa.false()),
    )

    payload = cron_jobs.c.payload
    op.execute(
        sa.update(cron_jobs).values(
            deliver=sa.func.coalesce(json_bool(payload, "deliver"), sa.false()),
            deliver_channel=sa.func.coalesce(json_text(payload, "channel"), ""),
            deliver_to=sa.func.coalesce(json_text(payload, "to"), ""),
            wake_heartbeat=sa.func.coalesce(json_bool(payload, "wake_heartbeat"), sa.false()),
        )
    )
    op.execute(sa.update(cron_jobs).values(payload=json_without(payload, MOVED_KEYS)))


def downgrade() -> None:
    # Older gateways read delivery settings from the payload only, so put them back there.
    settings = json_build_object(*(part for key, column in MOVED_KEYS.items() for part in (key, cron_jobs.c[column])))
    op.execute(sa.update(cron_jobs).values(payload=json_merge(cron_jobs.c.payload, settings)))
    op.drop_portable_columns("cron_jobs", "stateless", "deliver", "deliver_channel", "deliver_to", "wake_heartbeat")
