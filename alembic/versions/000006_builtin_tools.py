"""Catalog of built-in tools

GoClaw version 6 gives the gateway's built-in tools a table of their own, so
an operator can switch a tool off, change its settings or see which providers
it depends on without a new release.  Each tool is keyed by its name and
grouped by category.  Custom tools gain a ``metadata`` document as well, a
place for extra attributes that do not deserve a column yet.

Revision ID: 000006
Revises: '000005'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, TextArray, Timestamp, empty_array, now

revision: str = "000006"
down_revision: str | None = "000005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_portable_table(
        "builtin_tools",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("category", sa.String(50), nullable=False, server_default="general"),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("settings", JSONB(), nullable=False, server_default="{}"),
        sa.Column("requires", TextArray(), server_default=empty_array(TextArray())),
        sa.Column("metadata", JSONB(), server_default="{}"),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("updated_at", Timestamp(), server_default=now()),
    )
    op.create_portable_index("idx_builtin_tools_category", "builtin_tools", ["category"])

    op.add_portable_columns("custom_tools", sa.Column("metadata", JSONB(), server_default="{}"))


def downgrade() -> None:
    op.drop_portable_columns("custom_tools", "metadata")
    op.drop_table("builtin_tools")
