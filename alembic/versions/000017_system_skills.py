"""System skills

GoClaw version 17 ships skills of its own alongside the ones users upload.
``skills.is_system`` marks the bundled ones, ``deps`` records what a skill
needs installed to run, and ``enabled`` lets an operator switch a skill off
without deleting it.  Two small partial indexes find the rare rows: system
skills and disabled skills.

Revision ID: 000017
Revises: '000016'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB

revision: str = "000017"
down_revision: str | None = "000016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_portable_columns(
        "skills",
        sa.Column("is_system", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("deps", JSONB(), nullable=False, server_default="{}"),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_portable_index("idx_skills_system", "skills", ["is_system"], where=sa.column("is_system") == sa.true())
    op.create_portable_index("idx_skills_enabled", "skills", ["enabled"], where=sa.column("enabled") == sa.false())


def downgrade() -> None:
    op.drop_portable_index("idx_skills_enabled", "skills")
    op.drop_portable_index("idx_skills_system", "skills")
    op.drop_portable_columns("skills", "is_system", "deps", "enabled")
