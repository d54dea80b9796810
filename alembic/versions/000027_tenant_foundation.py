"""Tenants: every GoClaw object belongs to a tenant

GoClaw version 27 turns a single-operator gateway into a multi-tenant one.  A
``tenants`` table appears with one fixed row, the master tenant, and
``tenant_users`` records who belongs to which tenant and in what role.  Almost
every table gains a required ``tenant_id`` (indexed, referencing its tenant);
everything that existed before this version belongs to the master tenant, and
new rows must name their tenant explicitly.  API keys are the exception: a key
without a tenant is a system-wide key, which is what every existing key stays.

Names that used to be unique across the whole gateway (agent keys, session
keys, skill slugs, MCP server, provider and channel instance names, channel
contacts, paired devices, config secrets, hourly usage buckets) are now unique
within a tenant, so two tenants can use the same names.

The owner of the earliest agent becomes the master tenant's owner.  Three
per-tenant tables arrive: overrides of built-in tool settings, switches for
skills, and users' own credentials for MCP servers.  The never-used
``custom_tools`` table is dropped.  Gateway tokens that older versions left in
image links inside stored session messages are removed.  The remaining
random (v4) id defaults become time-ordered v7 ids.

Downgrading removes tenants altogether: rows of all tenants are kept but lose
their tenant, so the downgrade stops (and changes nothing) if two tenants use
the same name where the older version needs it to be unique.  ``custom_tools``
comes back empty.

Revision ID: 000027
Revises: '000026'
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from alembic import op
from goclaw_db.sql import regexp_remove
from goclaw_db.types import JSONB, UUID, Timestamp, gen_random_uuid, now, uuid_generate_v7

revision: str = "000027"
down_revision: str | None = "000026"
branch_labels = None
depends_on = None

MASTER_TENANT_ID = "0193a5b0-7000-7000-8000-000000000001"

# Tables whose rows now require a tenant, in the order GoClaw adds the column.
_TENANT_SCOPED: tuple[str, ...] = (
    "agents",
    "sessions",
    "agent_shares",
    "user_context_files",
    "user_agent_profiles",
    "user_agent_overrides",
    "agent_config_permissions",
    "agent_links",
    "channel_instances",
    "memory_documents",
    "memory_chunks",
    "kg_entities",
    "kg_relations",
    "skills",
    "skill_user_grants",
    "cron_jobs",
    "traces",
    "activity_logs",
    "usage_snapshots",
    "mcp_servers",
    "mcp_user_grants",
    "mcp_access_requests",
    "agent_teams",
    "team_user_grants",
    "pairing_requests",
    "paired_devices",
    "channel_pending_messages",
    "channel_contacts",
    "llm_providers",
    "config_secrets",
    "secure_cli_binaries",
    "agent_context_files",
    "skill_agent_grants",
    "mcp_agent_grants",
    "team_tasks",
    "spans",
    "embedding_cache",
    "agent_team_members",
    "team_task_comments",
    "team_task_events",
    "team_task_attachments",
)

# Gateway-wide unique constraint -> unique index over the same columns within a tenant.
_UNIQUE_PER_TENANT: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("sessions", "sessions_session_key_key", ("session_key",), "idx_sessions_tenant_session_key"),
    ("skills", "skills_slug_key", ("slug",), "idx_skills_tenant_slug"),
    ("mcp_servers", "mcp_servers_name_key", ("name",), "idx_mcp_servers_tenant_name"),
    (
        "channel_contacts",
        "channel_contacts_channel_type_sender_id_key",
        ("channel_type", "sender_id"),
        "idx_channel_contacts_tenant_type_sender",
    ),
    ("llm_providers", "llm_providers_name_key", ("name",), "idx_llm_providers_tenant_name"),
    (
        "paired_devices",
        "paired_devices_sender_id_channel_key",
        ("sender_id", "channel"),
        "idx_paired_devices_tenant_sender_channel",
    ),
    ("channel_instances", "channel_instances_name_key", ("name",), "idx_channel_instances_tenant_name"),
)

# Tables whose ids were still random (v4) by default.
_V7_IDS: tuple[str, ...] = ("kg_entities", "kg_relations", "channel_contacts", "team_user_grants")

# Other indexes that lead with tenant_id: (name, table, columns, partial condition).
_TENANT_QUERY_INDEXES: tuple[tuple[str, str, list, str | None], ...] = (
    ("idx_api_keys_tenant", "api_keys", ["tenant_id"], "tenant_id IS NOT NULL"),
    ("idx_agents_tenant_active", "agents", ["tenant_id"], "deleted_at IS NULL"),
    ("idx_sessions_tenant_user", "sessions", ["tenant_id", "user_id"], None),
    ("idx_traces_tenant_time", "traces", ["tenant_id", sa.text("created_at DESC")], None),
)


def _usage_bucket_index(*extra: str) -> None:
    """The upsert key of hourly usage; a missing agent counts as the all-zero id.

    The desktop file also keys a missing provider, model or channel as ''.
    """
    gateway_wide = sa.text("COALESCE(agent_id, '00000000-0000-0000-0000-000000000000')")
    dimensions = ("provider", "model", "channel")
    op.create_portable_index(
        "idx_usage_snapshots_unique",
        "usage_snapshots",
        ["bucket_hour", gateway_wide, *dimensions, *extra],
        sqlite_columns=["bucket_hour", gateway_wide, *(sa.text(f"COALESCE({c}, '')") for c in dimensions), *extra],
        unique=True,
    )


def upgrade() -> None:
    tenants = op.create_portable_table(
        "tenants",
        sa.Column("id", UUID(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("slug", sa.String(100), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        sa.Column("settings", JSONB(), nullable=False, server_default="{}"),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_tenants_slug", "tenants", ["slug"])
    op.create_portable_index("idx_tenants_status", "tenants", ["status"], where="status = 'active'")
    op.execute(sa.insert(tenants).values(id=uuid.UUID(MASTER_TENANT_ID), name="Master", slug="master"))

    tenant_users = op.create_portable_table(
        "tenant_users",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("display_name", sa.String(255)),
        sa.Column("role", sa.String(20), nullable=False, server_default="member"),
        sa.Column("metadata", JSONB(), nullable=False, server_default="{}"),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("tenant_id", "user_id"),
    )
    op.create_portable_index("idx_tenant_users_user", "tenant_users", ["user_id"])
    op.create_portable_index("idx_tenant_users_tenant", "tenant_users", ["tenant_id"])

    # The column default puts existing rows in the master tenant without
    # rewriting the tables; dropping it afterwards makes new rows name a tenant.
    for table in _TENANT_SCOPED:
        op.add_portable_columns(
            table,
            sa.Column(
                "tenant_id", UUID(), sa.ForeignKey("tenants.id"), nullable=False, server_default=MASTER_TENANT_ID
            ),
        )
        with op.alter_portable_table(table) as batch:
            batch.alter_column("tenant_id", server_default=None)
        op.create_portable_index(f"idx_{table}_tenant", table, ["tenant_id"])
    op.add_portable_columns("api_keys", sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id")))
    for name, table, columns, condition in _TENANT_QUERY_INDEXES:
        op.create_portable_index(name, table, columns, where=condition)

    agents = sa.table(
        "agents", sa.column("id"), sa.column("owner_id", sa.String()), sa.column("created_at", Timestamp())
    )
    first_owner = (
        sa.select(
            uuid_generate_v7(), sa.cast(sa.literal(MASTER_TENANT_ID), UUID()), agents.c.owner_id, sa.literal("owner")
        )
        .where(agents.c.owner_id != "")
        .order_by(agents.c.created_at, agents.c.id)
        .limit(1)
    )
    op.execute(sa.insert(tenant_users).from_select(["id", "tenant_id", "user_id", "role"], first_owner))

    op.drop_table("custom_tools")

    op.create_portable_table(
        "builtin_tool_tenant_configs",
        sa.Column(
            "tool_name", sa.String(100), sa.ForeignKey("builtin_tools.name", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("enabled", sa.Boolean()),
        sa.Column("settings", JSONB()),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_builtin_tool_tenant_configs_tenant", "builtin_tool_tenant_configs", ["tenant_id"])

    op.create_portable_table(
        "skill_tenant_configs",
        sa.Column("skill_id", UUID(), sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_skill_tenant_configs_tenant", "skill_tenant_configs", ["tenant_id"])

    op.create_portable_table(
        "mcp_user_credentials",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("server_id", UUID(), sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("api_key", sa.Text()),
        sa.Column("headers", sa.LargeBinary()),
        sa.Column("env", sa.LargeBinary()),
        sa.Column("tenant_id", UUID(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
        sa.UniqueConstraint("server_id", "user_id", "tenant_id"),
    )
    op.create_portable_index("idx_mcp_user_credentials_tenant", "mcp_user_credentials", ["tenant_id"])
    op.create_portable_index("idx_mcp_user_credentials_server", "mcp_user_credentials", ["server_id"])

    op.drop_portable_index("idx_agents_agent_key_active", "agents")
    op.create_portable_index(
        "idx_agents_tenant_agent_key_active",
        "agents",
        ["tenant_id", "agent_key"],
        unique=True,
        where="deleted_at IS NULL",
    )
    for table, constraint, columns, index in _UNIQUE_PER_TENANT:
        with op.alter_portable_table(table) as batch:
            batch.drop_constraint(constraint, type_="unique")
        op.create_portable_index(index, table, ["tenant_id", *columns], unique=True)
    with op.alter_portable_table("config_secrets") as batch:
        batch.drop_constraint("config_secrets_pkey", type_="primary")
        batch.create_primary_key("config_secrets_pkey", ["key", "tenant_id"])
    op.drop_portable_index("idx_usage_snapshots_unique", "usage_snapshots")
    _usage_bucket_index("tenant_id")

    # Older builds wrote the gateway token into image URLs (?token=<hex>) kept
    # in session history; links now carry no credentials.
    sessions = sa.table("sessions", sa.column("messages", JSONB()))
    as_text = sa.cast(sessions.c.messages, sa.Text)
    op.execute(
        sa.update(sessions)
        .where(as_text.like("%?token=%"))
        .values(messages=sa.cast(regexp_remove(as_text, r"\?token=[a-f0-9]+"), JSONB()))
    )

    for table in _V7_IDS:
        with op.alter_portable_table(table) as batch:
            batch.alter_column("id", server_default=uuid_generate_v7())


def downgrade() -> None:
    for table in _V7_IDS:
        with op.alter_portable_table(table) as batch:
            batch.alter_column("id", server_default=gen_random_uuid())

    op.drop_portable_index("idx_usage_snapshots_unique", "usage_snapshots")
    _usage_bucket_index()
    with op.alter_portable_table("config_secrets") as batch:
        batch.drop_constraint("config_secrets_pkey", type_="primary")
        batch.create_primary_key("config_secrets_pkey", ["key"])
    for table, constraint, columns, index in reversed(_UNIQUE_PER_TENANT):
        op.drop_portable_index(index, table)
        with op.alter_portable_table(table) as batch:
            batch.create_unique_constraint(constraint, list(columns))
    op.drop_portable_index("idx_agents_tenant_agent_key_active", "agents")
    op.create_portable_index(
        "idx_agents_agent_key_active", "agents", ["agent_key"], unique=True, where="deleted_at IS NULL"
    )

    op.drop_table("mcp_user_credentials")
    op.drop_table("skill_tenant_configs")
    op.drop_table("builtin_tool_tenant_configs")

    op.create_portable_table(
        "custom_tools",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("parameters", JSONB(), nullable=False, server_default="{}"),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("working_dir", sa.Text(), server_default=""),
        sa.Column("timeout_seconds", sa.Integer(), server_default=sa.text("60")),
        sa.Column("env", sa.LargeBinary()),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE")),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true()),
        sa.Column("created_by", sa.String(255), nullable=False, server_default=""),
        sa.Column("created_at", Timestamp(), server_default=now()),
        sa.Column("updated_at", Timestamp(), server_default=now()),
        sa.Column("metadata", JSONB(), server_default="{}"),
    )
    op.create_portable_index("idx_custom_tools_agent", "custom_tools", ["agent_id"], where="agent_id IS NOT NULL")
    op.create_portable_index(
        "idx_custom_tools_name_agent",
        "custom_tools",
        ["name", "agent_id"],
        unique=True,
        where="agent_id IS NOT NULL",
    )
    op.create_portable_index(
        "idx_custom_tools_name_global", "custom_tools", ["name"], unique=True, where="agent_id IS NULL"
    )

    for name, table, _, _ in reversed(_TENANT_QUERY_INDEXES):
        op.drop_portable_index(name, table)
    op.drop_portable_columns("api_keys", "tenant_id")
    for table in reversed(_TENANT_SCOPED):
        op.drop_portable_index(f"idx_{table}_tenant", table)
        op.drop_portable_columns(table, "tenant_id")

    op.drop_table("tenant_users")
    op.drop_table("tenants")
