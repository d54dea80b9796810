"""Secure CLI agent grants

GoClaw version 36 separates what a secure CLI binary is (its path, encrypted
credentials and default restrictions) from which agents may use it. A binary
is now defined once per tenant; ``is_global`` says whether every agent may use
it, and ``secure_cli_agent_grants`` lists the agents allowed to use it, each
grant optionally overriding the binary's deny lists, timeout and tips.

Existing agent-specific binaries become grants carrying their settings. Where
the tenant also has a shared definition of the same binary, the grant moves to
that shared definition and the agent-specific copy is removed; otherwise the
oldest agent-specific copy becomes the binary's only definition, restricted to
its granted agents, and the other copies are folded into it.

Revision ID: 000036
Revises: '000035'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.sql import uuid_literal
from goclaw_db.types import JSONB, UUID, Timestamp, now, uuid_generate_v7

revision: str = "000036"
down_revision: str | None = "000035"
branch_labels = None
depends_on = None

SETTINGS = ("deny_args", "deny_verbose", "timeout_seconds", "tips")


def _binaries(alias: str | None = None) -> sa.TableClause:
    table = sa.table(
        "secure_cli_binaries",
        sa.column("id", UUID()),
        sa.column("binary_name", sa.Text()),
        sa.column("binary_path", sa.Text()),
        sa.column("description", sa.Text()),
        sa.column("encrypted_env", sa.LargeBinary()),
        sa.column("deny_args", JSONB()),
        sa.column("deny_verbose", JSONB()),
        sa.column("timeout_seconds", sa.Integer()),
        sa.column("tips", sa.Text()),
        sa.column("agent_id", UUID()),
        sa.column("enabled", sa.Boolean()),
        sa.column("created_by", sa.Text()),
        sa.column("tenant_id", UUID()),
        sa.column("is_global", sa.Boolean()),
    )
    return table.alias(alias) if alias else table


def _grants(alias: str | None = None) -> sa.TableClause:
    table = sa.table(
        "secure_cli_agent_grants",
        sa.column("id", UUID()),
        sa.column("binary_id", UUID()),
        sa.column("agent_id", UUID()),
        sa.column("deny_args", JSONB()),
        sa.column("deny_verbose", JSONB()),
        sa.column("timeout_seconds", sa.Integer()),
        sa.column("tips", sa.Text()),
        sa.column("enabled", sa.Boolean()),
        sa.column("tenant_id", UUID()),
    )
    return table.alias(alias) if alias else table


def upgrade() -> None:
    op.create_portable_table(
        "secure_cli_agent_grants",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column(
            "binary_id",
            UUID(),
            sa.ForeignKey("secure_cli_binaries.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("deny_args", JSONB()),
        sa.Column("deny_verbose", JSONB()),
        sa.Column("timeout_seconds", sa.Integer()),
        sa.Column("tips", sa.Text()),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("binary_id", "agent_id", "tenant_id"),
    )
    op.create_portable_index("idx_scag_binary", "secure_cli_agent_grants", ["binary_id"])
    op.create_portable_index("idx_scag_agent", "secure_cli_agent_grants", ["agent_id"])
    op.create_portable_index("idx_scag_tenant", "secure_cli_agent_grants", ["tenant_id"])

    op.add_portable_columns(
        "secure_cli_binaries",
        sa.Column("is_global", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    _turn_agent_binaries_into_grants()

    op.drop_portable_index("idx_secure_cli_unique_binary_agent", "secure_cli_binaries")
    op.drop_portable_index("idx_secure_cli_agent_id", "secure_cli_binaries")
    op.drop_portable_columns("secure_cli_binaries", "agent_id")
    op.create_portable_index(
        "idx_secure_cli_unique_binary_tenant",
        "secure_cli_binaries",
        ["binary_name", "tenant_id"],
        unique=True,
    )


def _turn_agent_binaries_into_grants() -> None:
    binaries, grants = _binaries(), _grants()
    copied = ("agent_id", *SETTINGS, "enabled", "tenant_id")
    op.execute(
        sa.insert(grants).from_select(
            ["id", "binary_id", *copied],
            sa.select(uuid_generate_v7(), binaries.c.id, *(binaries.c[name] for name in copied)).where(
                binaries.c.agent_id.is_not(None)
            ),
        )
    )

    # Each grant's binary, the tenant's shared definition of that binary, and
    # the oldest agent-specific definition of it.
    own, shared, oldest = _binaries("own"), _binaries("shared"), _binaries("oldest")
    same_binary = [own.c.binary_name == shared.c.binary_name, own.c.tenant_id == shared.c.tenant_id]
    shared_definition = (
        sa.select(shared.c.id)
        .where(own.c.id == grants.c.binary_id, own.c.agent_id.is_not(None), shared.c.agent_id.is_(None), *same_binary)
        .scalar_subquery()
    )
    op.execute(sa.update(grants).where(shared_definition.is_not(None)).values(binary_id=shared_definition))
    op.delete_portable_rows(
        binaries,
        sa.and_(
            binaries.c.agent_id.is_not(None),
            sa.exists().where(
                shared.c.binary_name == binaries.c.binary_name,
                shared.c.tenant_id == binaries.c.tenant_id,
                shared.c.agent_id.is_(None),
            ),
        ),
    )

    oldest_definition = (
        sa.select(oldest.c.id)
        .where(
            own.c.id == grants.c.binary_id,
            oldest.c.binary_name == own.c.binary_name,
            oldest.c.tenant_id == own.c.tenant_id,
            oldest.c.agent_id.is_not(None),
        )
        .order_by(oldest.c.id)
        .limit(1)
        .scalar_subquery()
    )
    agent_specific = sa.select(binaries.c.id).where(binaries.c.agent_id.is_not(None))
    op.execute(sa.update(grants).where(grants.c.binary_id.in_(agent_specific)).values(binary_id=oldest_definition))
    op.delete_portable_rows(
        binaries,
        sa.and_(
            binaries.c.agent_id.is_not(None),
            sa.exists().where(
                oldest.c.binary_name == binaries.c.binary_name,
                oldest.c.tenant_id == binaries.c.tenant_id,
                oldest.c.agent_id.is_not(None),
                oldest.c.id < binaries.c.id,
            ),
        ),
    )
    op.execute(sa.update(binaries).where(binaries.c.agent_id.is_not(None)).values(is_global=False))


def downgrade() -> None:
    op.drop_portable_index("idx_secure_cli_unique_binary_tenant", "secure_cli_binaries")
    op.add_portable_columns(
        "secure_cli_binaries",
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE")),
    )
    _turn_grants_into_agent_binaries()
    op.drop_portable_columns("secure_cli_binaries", "is_global")

    # agent_id stood before these columns; re-adding it appended it, so move them back behind it.
    _append_again("secure_cli_binaries", "enabled", sa.Boolean(), server_default=sa.true())
    _append_again("secure_cli_binaries", "created_by", sa.Text(), server_default="")
    _append_again("secure_cli_binaries", "created_at", Timestamp(), server_default=now())
    _append_again("secure_cli_binaries", "updated_at", Timestamp(), server_default=now())
    # Its index and foreign key go with the old column and are made again for the new one.
    op.drop_portable_index("idx_secure_cli_binaries_tenant", "secure_cli_binaries")
    _append_again("secure_cli_binaries", "tenant_id", UUID())
    with op.alter_portable_table("secure_cli_binaries") as batch:
        batch.create_foreign_key(None, "tenants", ["tenant_id"], ["id"])
    op.create_portable_index("idx_secure_cli_binaries_tenant", "secure_cli_binaries", ["tenant_id"])

    op.create_portable_index(
        "idx_secure_cli_unique_binary_agent",
        "secure_cli_binaries",
        ["binary_name", sa.func.coalesce(sa.column("agent_id"), uuid_literal("00000000-0000-0000-0000-000000000000"))],
        unique=True,
    )
    op.create_portable_index(
        "idx_secure_cli_agent_id", "secure_cli_binaries", ["agent_id"], where="agent_id IS NOT NULL"
    )
    op.drop_table("secure_cli_agent_grants")


def _turn_grants_into_agent_binaries() -> None:
    """Give every grant back its own agent-specific binary row, with the grant's overrides applied.

    A restricted binary becomes the row of its oldest grant's agent (so per-user
    credentials stored against it survive); every other grant gets a copy.
    """
    binaries, grants, first = _binaries(), _grants(), _grants("first")
    oldest_grant = (
        sa.select(first.c.id).where(first.c.binary_id == binaries.c.id).order_by(first.c.id).limit(1).scalar_subquery()
    )
    op.execute(
        sa.update(binaries)
        .where(binaries.c.is_global.is_(False), grants.c.binary_id == binaries.c.id, grants.c.id == oldest_grant)
        .values(
            agent_id=grants.c.agent_id,
            enabled=grants.c.enabled,
            **{name: sa.func.coalesce(grants.c[name], binaries.c[name]) for name in SETTINGS},
        )
    )

    kept = ("binary_name", "binary_path", "description", "encrypted_env", "created_by")
    op.execute(
        sa.insert(binaries).from_select(
            ["id", *kept, *SETTINGS, "agent_id", "enabled", "tenant_id"],
            sa.select(
                uuid_generate_v7(),
                *(binaries.c[name] for name in kept),
                *(sa.func.coalesce(grants.c[name], binaries.c[name]) for name in SETTINGS),
                grants.c.agent_id,
                grants.c.enabled,
                grants.c.tenant_id,
            )
            .join_from(grants, binaries, grants.c.binary_id == binaries.c.id)
            .where(binaries.c.agent_id.is_distinct_from(grants.c.agent_id)),
        )
    )


def _append_again(table: str, name: str, type_: sa.types.TypeEngine, *, server_default=None) -> None:
    """Re-create a NOT NULL column at the end of ``table``, keeping its values."""
    parked = f"{name}_moving"
    with op.alter_portable_table(table) as batch:
        batch.alter_column(name, new_column_name=parked)
    with op.alter_portable_table(table) as batch:
        batch.add_column(sa.Column(name, type_, server_default=server_default))
    column = sa.table(table, sa.column(name), sa.column(parked))
    op.execute(sa.update(column).values({name: column.c[parked]}))
    with op.alter_portable_table(table) as batch:
        batch.drop_column(parked)
        batch.alter_column(name, existing_type=type_, nullable=False)
