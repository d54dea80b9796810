"""Secure CLI credentials and API keys

GoClaw version 20 adds two security features.  ``secure_cli_binaries`` lets an
operator register command-line tools (``gh``, ``gcloud``, ...) whose secrets
GoClaw injects into the child process's environment when an agent runs them,
so the agent never sees the credentials; each entry keeps the encrypted
environment, argument patterns to refuse, a timeout and a usage hint, and
applies to one agent or, with no agent, to all.  ``api_keys`` replaces the
single gateway token with any number of named keys, stored only as a hash,
each with its own scopes, expiry and revocation flag.

Revision ID: 000020
Revises: '000019'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, TextArray, Timestamp, empty_array, now, uuid_generate_v7

revision: str = "000020"
down_revision: str | None = "000019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_portable_table(
        "secure_cli_binaries",
        sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7()),
        sa.Column("binary_name", sa.Text(), nullable=False),
        sa.Column("binary_path", sa.Text()),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("encrypted_env", sa.LargeBinary(), nullable=False),
        sa.Column("deny_args", JSONB(), nullable=False, server_default="[]"),
        sa.Column("deny_verbose", JSONB(), nullable=False, server_default="[]"),
        sa.Column("timeout_seconds", sa.Integer(), nullable=False, server_default=sa.text("30")),
        sa.Column("tips", sa.Text(), nullable=False, server_default=""),
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE")),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_by", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_secure_cli_binary_name", "secure_cli_binaries", ["binary_name"])
    op.create_portable_index(
        "idx_secure_cli_agent_id", "secure_cli_binaries", ["agent_id"], where="agent_id IS NOT NULL"
    )
    # A binary is registered once per agent; the all-zero id makes the global
    # entry (no agent) a scope of its own, which a plain unique key would not.
    op.create_portable_index(
        "idx_secure_cli_unique_binary_agent",
        "secure_cli_binaries",
        ["binary_name", sa.text("COALESCE(agent_id, '00000000-0000-0000-0000-000000000000')")],
        unique=True,
    )

    op.create_portable_table(
        "api_keys",
        sa.Column("id", UUID(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(8), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", TextArray(), nullable=False, server_default=empty_array(TextArray())),
        sa.Column("expires_at", Timestamp()),
        sa.Column("last_used_at", Timestamp()),
        sa.Column("revoked", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_by", sa.String(255)),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
        sa.Column("updated_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_api_keys_key_hash", "api_keys", ["key_hash"], where="NOT revoked")
    op.create_portable_index("idx_api_keys_prefix", "api_keys", ["prefix"])


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_table("secure_cli_binaries")
