"""Team-owned vault documents; custom scope on memory, vault and team tables

GoClaw version 43 lets a vault document belong to a team. ``team_id`` is NULL
for personal documents and falls back to NULL when the team is deleted. The
old uniqueness of (agent, scope, path) let documents of different teams
overwrite each other, so it is replaced by a unique index over (agent, team,
scope, path) in which a missing team counts as the nil UUID, keeping personal
documents unique as before. A partial index finds a team's documents.

A trigger keeps documents consistent when they lose their team (typically
because the team was deleted): their scope is reset to ``personal`` so no
document claims a team scope without a team.

Vault, memory, team task and subagent task tables also gain an optional
``custom_scope`` label, reserved for scopes beyond personal and team.

Revision ID: 000043
Revises: '000042'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import UUID

revision: str = "000043"
down_revision: str | None = "000042"
branch_labels = None
depends_on = None

NIL_UUID = "00000000-0000-0000-0000-000000000000"
# The desktop file's name for the unique (agent, team, scope, path) index.
DESKTOP_UNIQUE_PATH = "idx_vault_docs_unique_path"

CUSTOM_SCOPE_TABLES = (
    "vault_links",
    "vault_versions",
    "memory_documents",
    "memory_chunks",
    "team_tasks",
    "team_task_attachments",
    "team_task_comments",
    "team_task_events",
    "subagent_tasks",
)


def upgrade() -> None:
    with op.alter_portable_table("vault_documents") as batch:
        batch.add_column(sa.Column("team_id", UUID(), sa.ForeignKey("agent_teams.id", ondelete="SET NULL")))
        batch.add_column(sa.Column("custom_scope", sa.String(255)))
        op.drop_portable_unique_constraint(batch, "vault_documents_agent_id_scope_path_key")
    op.create_portable_index(
        "uq_vault_docs_agent_team_scope_path",
        "vault_documents",
        ["agent_id", sa.func.coalesce(sa.column("team_id"), sa.cast(sa.literal(NIL_UUID), UUID())), "scope", "path"],
        unique=True,
        sqlite_name=DESKTOP_UNIQUE_PATH,
    )
    # Partial on PostgreSQL only: the desktop indexes every document.
    op.create_portable_index(
        "idx_vault_docs_team", "vault_documents", ["team_id"], postgresql_where=sa.text("team_id IS NOT NULL")
    )

    op.execute_on_postgresql(
        sa.text(
            "CREATE OR REPLACE FUNCTION vault_docs_team_null_scope_fix() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "    -- A document whose team went away can only be personal.\n"
            "    IF OLD.team_id IS NOT NULL AND NEW.team_id IS NULL THEN\n"
            "        NEW.scope = 'personal';\n"
            "    END IF;\n"
            "    RETURN NEW;\n"
            "END\n"
            "$$"
        )
    )
    op.execute_on_postgresql(
        sa.text(
            "CREATE TRIGGER trg_vault_docs_team_null_scope BEFORE UPDATE OF team_id ON vault_documents "
            "FOR EACH ROW EXECUTE FUNCTION vault_docs_team_null_scope_fix()"
        )
    )

    for table in CUSTOM_SCOPE_TABLES:
        op.add_portable_columns(table, sa.Column("custom_scope", sa.String(255)))


def downgrade() -> None:
    for table in reversed(CUSTOM_SCOPE_TABLES):
        op.drop_portable_columns(table, "custom_scope")

    op.execute_on_postgresql(sa.text("DROP TRIGGER IF EXISTS trg_vault_docs_team_null_scope ON vault_documents"))
    op.drop_postgresql_function("vault_docs_team_null_scope_fix()")
    op.drop_portable_index("idx_vault_docs_team", "vault_documents")
    op.drop_portable_index("uq_vault_docs_agent_team_scope_path", "vault_documents", sqlite_name=DESKTOP_UNIQUE_PATH)
    # Fails if documents of different teams share an agent, scope and path: version 42 cannot hold them.
    with op.alter_portable_table("vault_documents") as batch:
        batch.drop_column("custom_scope")
        batch.drop_column("team_id")
        batch.create_unique_constraint("vault_documents_agent_id_scope_path_key", ["agent_id", "scope", "path"])
