"""Team tasks scoped to the user and channel that created them

GoClaw version 8 records on each team task the user and the channel it came
from, so that a team serving many users shows each of them only their own
tasks.  Tasks created before this version have no owner and stay visible to
the whole team; an index covers the lookup of a user's tasks within a team.

Revision ID: 000008
Revises: '000007'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision: str = "000008"
down_revision: str | None = "000007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_portable_columns(
        "team_tasks",
        sa.Column("user_id", sa.String(255)),
        sa.Column("channel", sa.String(50)),
    )
    op.create_portable_index(
        "idx_team_tasks_user_scope", "team_tasks", ["team_id", "user_id"], where="user_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_portable_index("idx_team_tasks_user_scope", "team_tasks")
    op.drop_portable_columns("team_tasks", "channel", "user_id")
