"""Note and blocker comments on team tasks

GoClaw version 28 gives every team task comment a ``comment_type``.  A plain
``note`` is what comments were until now (so every existing comment becomes a
note); a ``blocker`` tells the team leader that the task cannot go on, which
GoClaw answers by failing the task and escalating it.

Revision ID: 000028
Revises: '000027'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision: str = "000028"
down_revision: str | None = "000027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_portable_columns(
        "team_task_comments", sa.Column("comment_type", sa.String(20), nullable=False, server_default="note")
    )


def downgrade() -> None:
    op.drop_portable_columns("team_task_comments", "comment_type")
