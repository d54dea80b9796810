"""Paired device expiry and confidence scores

GoClaw version 21 lets a device pairing expire (``paired_devices.expires_at``;
empty means the pairing never expires, as all existing pairings did), limiting
the damage a stolen device token can do.  It also lets agents rate their own
confidence in a task result, a team message or a task comment
(``confidence_score``).

Revision ID: 000021
Revises: '000020'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import Timestamp

revision: str = "000021"
down_revision: str | None = "000020"
branch_labels = None
depends_on = None

_SELF_ASSESSED = ("team_tasks", "team_messages", "team_task_comments")


def upgrade() -> None:
    op.add_portable_columns("paired_devices", sa.Column("expires_at", Timestamp()))
    for table in _SELF_ASSESSED:
        op.add_portable_columns(table, sa.Column("confidence_score", sa.Double()))


def downgrade() -> None:
    for table in reversed(_SELF_ASSESSED):
        op.drop_portable_columns(table, "confidence_score")
    op.drop_portable_columns("paired_devices", "expires_at")
