"""Vault documents without an owning agent: team-wide and tenant-shared files

GoClaw version 46 lets a vault document outlive its agent and exist without
one, for files that belong to a team or to the whole tenant. ``agent_id``
becomes optional and deleting an agent now leaves its documents in place
without an agent instead of deleting them. A trigger keeps such a document
consistent: one that loses its agent and has no team becomes ``shared``.

Paths are unique per tenant now, with a missing agent or team counting as the
nil UUID (the desktop: an empty string), so shared documents of a tenant
cannot collide while documents of different tenants never conflict. The
agent-and-scope index skips documents without an agent on PostgreSQL; the
desktop keeps indexing them all.

The downgrade deletes the documents that have no agent, as GoClaw's own does:
version 45 cannot hold them.

Revision ID: 000046
Revises: '000045'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.sql import uuid_literal

revision: str = "000046"
down_revision: str | None = "000045"
branch_labels = None
depends_on = None

NIL_UUID = "00000000-0000-0000-0000-000000000000"
UNIQUE_PATH = "uq_vault_docs_agent_team_scope_path"
# The desktop file's name for the same unique index.
DESKTOP_UNIQUE_PATH = "idx_vault_docs_unique_path"
AGENT_KEY = "vault_documents_agent_id_fkey"


def _agent_reference(*, nullable: bool, ondelete: str) -> None:
    with op.alter_portable_table("vault_documents") as batch:
        batch.alter_column("agent_id", nullable=nullable)
        batch.drop_constraint(AGENT_KEY, type_="foreignkey")
        batch.create_foreign_key(AGENT_KEY, "agents", ["agent_id"], ["id"], ondelete=ondelete)


def _unique_path(keys: list[str], optional_keys: list[str], desktop_missing: sa.ColumnElement[str]) -> None:
    """The unique index over the keys, the optional ones coalesced to the nil UUID (``desktop_missing`` there)."""
    op.create_portable_index(
        UNIQUE_PATH,
        "vault_documents",
        [*keys, *(sa.func.coalesce(sa.column(k), uuid_literal(NIL_UUID)) for k in optional_keys), "scope", "path"],
        unique=True,
        sqlite_name=DESKTOP_UNIQUE_PATH,
        sqlite_columns=[
            *keys,
            *(sa.func.coalesce(sa.column(k), desktop_missing) for k in optional_keys),
            "scope",
            "path",
        ],
    )


def upgrade() -> None:
    _agent_reference(nullable=True, ondelete="SET NULL")
    op.drop_portable_index(UNIQUE_PATH, "vault_documents", sqlite_name=DESKTOP_UNIQUE_PATH)
    # GoClaw's desktop store names the index's keys in its ON CONFLICT, with '' for a missing one.
    _unique_path(["tenant_id"], ["agent_id", "team_id"], desktop_missing=sa.literal(""))

    op.execute_on_postgresql(
        sa.text(
            "CREATE OR REPLACE FUNCTION vault_docs_agent_null_scope_fix() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "    -- A document that lost its agent and has no team belongs to the whole tenant.\n"
            "    IF OLD.agent_id IS NOT NULL AND NEW.agent_id IS NULL AND NEW.team_id IS NULL THEN\n"
            "        NEW.scope = 'shared';\n"
            "    END IF;\n"
            "    RETURN NEW;\n"
            "END\n"
            "$$"
        )
    )
    op.execute_on_postgresql(
        sa.text(
            "CREATE TRIGGER trg_vault_docs_agent_null_scope BEFORE UPDATE OF agent_id ON vault_documents "
            "FOR EACH ROW EXECUTE FUNCTION vault_docs_agent_null_scope_fix()"
        )
    )

    op.drop_postgresql_index("idx_vault_docs_agent_scope", "vault_documents")
    op.create_postgresql_index(
        "idx_vault_docs_agent_scope",
        "vault_documents",
        ["agent_id", "scope"],
        postgresql_where=sa.text("agent_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_postgresql_index("idx_vault_docs_agent_scope", "vault_documents")
    op.create_postgresql_index("idx_vault_docs_agent_scope", "vault_documents", ["agent_id", "scope"])

    op.execute_on_postgresql(sa.text("DROP TRIGGER IF EXISTS trg_vault_docs_agent_null_scope ON vault_documents"))
    op.drop_postgresql_function("vault_docs_agent_null_scope_fix()")

    op.delete_portable_rows(
        sa.table("vault_documents", sa.column("id"), sa.column("agent_id")), sa.column("agent_id").is_(None)
    )
    op.drop_portable_index(UNIQUE_PATH, "vault_documents", sqlite_name=DESKTOP_UNIQUE_PATH)
    # As version 43 made it on the desktop: the nil UUID as text, which its store's ON CONFLICT named.
    _unique_path(["agent_id"], ["team_id"], desktop_missing=sa.cast(sa.literal(NIL_UUID), sa.Text()))
    _agent_reference(nullable=False, ondelete="CASCADE")
