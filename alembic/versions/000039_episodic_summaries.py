"""Clear agent links ahead of explicit delegation

GoClaw version 39 empties ``agent_links``. Teams no longer route work through
these links (they use team membership directly), and the v3 delegation tool
only honours links that an operator creates explicitly through the API, so
the links that earlier releases set up are removed. The schema is unchanged:
the episodic summaries this version is named after were already created by
version 37.

Revision ID: 000039
Revises: '000038'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision: str = "000039"
down_revision: str | None = "000038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.delete(sa.table("agent_links")))


def downgrade() -> None:
    op.keep_data_changes("the removed agent links cannot be recreated; the schema did not change")
