"""Metadata on sessions, user profiles and pairing records

GoClaw version 11 gives sessions, per-user agent profiles, pairing requests
and paired devices a ``metadata`` document (empty by default), so channels
and features can attach extra attributes to them without schema changes.

Revision ID: 000011
Revises: '000010'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB

revision: str = "000011"
down_revision: str | None = "000010"
branch_labels = None
depends_on = None

_TABLES = ("sessions", "user_agent_profiles", "pairing_requests", "paired_devices")


def upgrade() -> None:
    for table in _TABLES:
        op.add_portable_columns(table, sa.Column("metadata", JSONB(), server_default="{}"))


def downgrade() -> None:
    for table in _TABLES:
        op.drop_portable_columns(table, "metadata")
