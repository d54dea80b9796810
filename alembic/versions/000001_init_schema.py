"""Initial multi-tenant schema

GoClaw version 1 lays down the whole first schema of the gateway: LLM
providers; agents with their sharing, context files and per-user profiles and
overrides; chat sessions; long-term memory (documents split into chunks that
are searched both by pgvector embeddings and by full-text tsvectors, plus a
cache of computed embeddings); skills with agent and user grants; scheduled
cron jobs and their run log; device pairing; LLM tracing (traces and spans);
MCP servers with their grants and access requests; custom tools; channel
instances; encrypted config secrets; and the per-group list of users allowed
to write files in Telegram groups.

Every table keys its rows by time-ordered UUIDv7 values from the database
function ``uuid_generate_v7()``, created here.  GoClaw's own function draws
its random bytes from pgcrypto; ours takes them from the built-in
``gen_random_uuid()``, so the schema also works on servers that do not ship
pgcrypto (pgcrypto is still installed where it is offered, as GoClaw
expects).

Revision ID: 000001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import JSONB, UUID, EmbeddingVector, TextArray, Timestamp, TSVector, now, uuid_generate_v7

revision: str = "000001"
down_revision: str | None = None
branch_labels = None
depends_on = None

# A random (v4) UUID already carries the RFC 4122 variant bits; the first six
# bytes are replaced by the big-endian Unix time in milliseconds and the
# version nibble is set to 7, which yields a UUIDv7 without pgcrypto.
_UUID_GENERATE_V7 = """
CREATE OR REPLACE FUNCTION uuid_generate_v7() RETURNS uuid
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    epoch_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
    raw bytea := uuid_send(gen_random_uuid());
BEGIN
    raw := overlay(raw PLACING substring(int8send(epoch_ms) FROM 3 FOR 6) FROM 1 FOR 6);
    raw := set_byte(raw, 6, (get_byte(raw, 6) & 15) | 112);
    RETURN encode(raw, 'hex')::uuid;
END
$$
"""

# Every table of this version, in creation order (dependencies first).
_TABLES = (
    "llm_providers",
    "agents",
    "agent_shares",
    "agent_context_files",
    "user_context_files",
    "user_agent_profiles",
    "user_agent_overrides",
    "sessions",
    "memory_documents",
    "memory_chunks",
    "embedding_cache",
    "skills",
    "skill_agent_grants",
    "skill_user_grants",
    "cron_jobs",
    "cron_run_logs",
    "pairing_requests",
    "paired_devices",
    "traces",
    "spans",
    "mcp_servers",
    "mcp_agent_grants",
    "mcp_user_grants",
    "mcp_access_requests",
    "custom_tools",
    "channel_instances",
    "config_secrets",
    "group_file_writers",
)


def _id() -> sa.Column:
    return sa.Column("id", UUID(), primary_key=True, server_default=uuid_generate_v7())


def _agent_id(nullable: bool = False, ondelete: str | None = "CASCADE") -> sa.Column:
    return sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete=ondelete), nullable=nullable)


def _created_at() -> sa.Column:
    return sa.Column("created_at", Timestamp(), server_default=now())


def _updated_at() -> sa.Column:
    return sa.Column("updated_at", Timestamp(), server_default=now())


def upgrade() -> None:
    op.create_postgresql_extension_if_offered("pgcrypto")
    op.create_postgresql_extension("vector")
    op.execute_on_postgresql(sa.text(_UUID_GENERATE_V7))

    _create_providers_and_agents()
    _create_context_and_sessions()
    _create_memory()
    _create_skills()
    _create_cron_and_pairing()
    _create_tracing()
    _create_mcp()
    _create_tools_channels_and_secrets()


def downgrade() -> None:
    op.drop_fts5_index("memory_chunks")
    for table in reversed(_TABLES):
        op.drop_table(table)
    op.drop_postgresql_function("uuid_generate_v7()")
    op.drop_postgresql_extension("vector")
    op.drop_postgresql_extension("pgcrypto")


def _create_providers_and_agents() -> None:
    op.create_portable_table(
        "llm_providers",
        _id(),
        sa.Column("name", sa.String(50), nullable=False, unique=True),
        sa.Column("display_name", sa.String(255)),
        sa.Column("provider_type", sa.String(30), nullable=False, server_default="openai_compat"),
        sa.Column("api_base", sa.Text()),
        sa.Column("api_key", sa.Text()),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("settings", JSONB(), nullable=False, server_default="{}"),
        _created_at(),
        _updated_at(),
    )

    op.create_portable_table(
        "agents",
        _id(),
        sa.Column("agent_key", sa.String(100), nullable=False, unique=True),
        sa.Column("display_name", sa.String(255)),
        sa.Column("owner_id", sa.String(255), nullable=False),
        sa.Column("provider", sa.String(50), nullable=False, server_default="openrouter"),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("context_window", sa.Integer(), nullable=False, server_default=sa.text("200000")),
        sa.Column("max_tool_iterations", sa.Integer(), nullable=False, server_default=sa.text("20")),
        sa.Column("workspace", sa.Text(), nullable=False, server_default="."),
        sa.Column("restrict_to_workspace", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("tools_config", JSONB(), nullable=False, server_default="{}"),
        sa.Column("sandbox_config", JSONB()),
        sa.Column("subagents_config", JSONB()),
        sa.Column("memory_config", JSONB()),
        sa.Column("compaction_config", JSONB()),
        sa.Column("context_pruning", JSONB()),
        sa.Column("other_config", JSONB(), nullable=False, server_default="{}"),
        sa.Column("is_default", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("agent_type", sa.String(20), nullable=False, server_default="open"),
        sa.Column("status", sa.String(20), server_default="active"),
        _created_at(),
        _updated_at(),
        sa.Column("deleted_at", Timestamp()),
    )
    op.create_portable_index("idx_agents_owner", "agents", ["owner_id"], "deleted_at IS NULL")
    op.create_portable_index("idx_agents_status", "agents", ["status"], "deleted_at IS NULL")

    op.create_portable_table(
        "agent_shares",
        _id(),
        _agent_id(),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False, server_default="user"),
        sa.Column("granted_by", sa.String(255), nullable=False),
        _created_at(),
        sa.UniqueConstraint("agent_id", "user_id"),
    )
    op.create_portable_index("idx_agent_shares_user", "agent_shares", ["user_id"])


def _create_context_and_sessions() -> None:
    op.create_portable_table(
        "agent_context_files",
        _id(),
        _agent_id(),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False, server_default=""),
        _created_at(),
        _updated_at(),
        sa.UniqueConstraint("agent_id", "file_name"),
    )

    op.create_portable_table(
        "user_context_files",
        _id(),
        _agent_id(),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False, server_default=""),
        _created_at(),
        _updated_at(),
        sa.UniqueConstraint("agent_id", "user_id", "file_name"),
    )

    op.create_portable_table(
        "user_agent_profiles",
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("workspace", sa.Text()),
        sa.Column("first_seen_at", Timestamp(), server_default=now()),
        sa.Column("last_seen_at", Timestamp(), server_default=now()),
    )

    op.create_portable_table(
        "user_agent_overrides",
        _id(),
        _agent_id(),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("provider", sa.String(50)),
        sa.Column("model", sa.String(200)),
        sa.Column("settings", JSONB(), nullable=False, server_default="{}"),
        _created_at(),
        _updated_at(),
        sa.UniqueConstraint("agent_id", "user_id"),
    )

    op.create_portable_table(
        "sessions",
        _id(),
        sa.Column("session_key", sa.String(500), nullable=False, unique=True),
        _agent_id(nullable=True, ondelete=None),
        sa.Column("user_id", sa.String(255)),
        sa.Column("messages", JSONB(), nullable=False, server_default="[]"),
        sa.Column("summary", sa.Text()),
        sa.Column("model", sa.String(200)),
        sa.Column("provider", sa.String(50)),
        sa.Column("channel", sa.String(50)),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("compaction_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("memory_flush_compaction_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("memory_flush_at", sa.BigInteger(), server_default=sa.text("0")),
        sa.Column("label", sa.String(500)),
        sa.Column("spawned_by", sa.String(200)),
        sa.Column("spawn_depth", sa.Integer(), nullable=False, server_default=sa.text("0")),
        _created_at(),
        _updated_at(),
    )
    op.create_portable_index("idx_sessions_agent", "sessions", ["agent_id"])
    op.create_portable_index("idx_sessions_user", "sessions", ["user_id"])
    op.create_portable_index("idx_sessions_updated", "sessions", [sa.text("updated_at DESC")])


def _create_memory() -> None:
    op.create_portable_table(
        "memory_documents",
        _id(),
        _agent_id(),
        sa.Column("user_id", sa.String(255)),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("content", sa.Text(), nullable=False, server_default=""),
        sa.Column("hash", sa.String(64), nullable=False),
        _created_at(),
        _updated_at(),
    )
    # Agent-wide documents have no user; COALESCE makes them unique per path too.
    op.create_portable_index(
        "idx_memdoc_unique", "memory_documents", ["agent_id", sa.text("COALESCE(user_id, '')"), "path"], unique=True
    )
    op.create_portable_index("idx_memdoc_agent_user", "memory_documents", ["agent_id", "user_id"])

    op.create_portable_table(
        "memory_chunks",
        _id(),
        _agent_id(),
        sa.Column("document_id", UUID(), sa.ForeignKey("memory_documents.id", ondelete="CASCADE")),
        sa.Column("user_id", sa.String(255)),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("start_line", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("end_line", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("embedding", EmbeddingVector(1536)),
        # The 'simple' configuration does no stemming, so it treats every language alike.
        sa.Column("tsv", TSVector(), sa.Computed("to_tsvector('simple'::regconfig, text)", persisted=True)),
        _created_at(),
        _updated_at(),
    )
    op.create_portable_index("idx_mem_agent_user", "memory_chunks", ["agent_id", "user_id"])
    op.create_portable_index("idx_mem_global", "memory_chunks", ["agent_id"], "user_id IS NULL")
    op.create_portable_index("idx_mem_document", "memory_chunks", ["document_id"])
    op.create_gin_index("idx_mem_tsv", "memory_chunks", "tsv")
    op.create_fts5_index("memory_chunks", ["text"])
    op.create_hnsw_index("idx_mem_vec", "memory_chunks")

    op.create_portable_table(
        "embedding_cache",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("provider", sa.String(50), primary_key=True),
        sa.Column("model", sa.String(200), primary_key=True),
        sa.Column("embedding", EmbeddingVector(1536)),
        sa.Column("dims", sa.Integer(), nullable=False, server_default=sa.text("0")),
        _created_at(),
        _updated_at(),
    )


def _create_skills() -> None:
    op.create_portable_table(
        "skills",
        _id(),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("slug", sa.String(255), nullable=False, unique=True),
        sa.Column("description", sa.Text()),
        sa.Column("owner_id", sa.String(255), nullable=False),
        sa.Column("visibility", sa.String(10), nullable=False, server_default="private"),
        sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        sa.Column("frontmatter", JSONB(), nullable=False, server_default="{}"),
        sa.Column("file_path", sa.Text(), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("file_hash", sa.String(64)),
        sa.Column("embedding", EmbeddingVector(1536)),
        sa.Column("tags", TextArray()),
        _created_at(),
        _updated_at(),
    )
    op.create_portable_index("idx_skills_owner", "skills", ["owner_id"])
    op.create_portable_index("idx_skills_visibility", "skills", ["visibility"], "status = 'active'")
    op.create_portable_index("idx_skills_slug", "skills", ["slug"])
    op.create_hnsw_index("idx_skills_embedding", "skills")
    op.create_gin_index("idx_skills_tags", "skills", "tags")

    op.create_portable_table(
        "skill_agent_grants",
        _id(),
        sa.Column("skill_id", UUID(), sa.ForeignKey("skills.id", ondelete="CASCADE"), nullable=False),
        _agent_id(),
        sa.Column("pinned_version", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.String(255), nullable=False),
        _created_at(),
        sa.UniqueConstraint("skill_id", "agent_id"),
    )
    op.create_portable_index("idx_skill_agent_grants_agent", "skill_agent_grants", ["agent_id"])

    op.create_portable_table(
        "skill_user_grants",
        _id(),
        sa.Column("skill_id", UUID(), sa.ForeignKey("skills.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("granted_by", sa.String(255), nullable=False),
        _created_at(),
        sa.UniqueConstraint("skill_id", "user_id"),
    )
    op.create_portable_index("idx_skill_user_grants_user", "skill_user_grants", ["user_id"])


def _create_cron_and_pairing() -> None:
    op.create_portable_table(
        "cron_jobs",
        _id(),
        _agent_id(nullable=True, ondelete=None),
        sa.Column("user_id", sa.Text()),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("schedule_kind", sa.String(10), nullable=False),
        sa.Column("cron_expression", sa.String(100)),
        sa.Column("interval_ms", sa.BigInteger()),
        sa.Column("run_at", Timestamp()),
        sa.Column("timezone", sa.String(50)),
        sa.Column("payload", JSONB(), nullable=False),
        sa.Column("delete_after_run", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("next_run_at", Timestamp()),
        sa.Column("last_run_at", Timestamp()),
        sa.Column("last_status", sa.String(20)),
        sa.Column("last_error", sa.Text()),
        _created_at(),
        _updated_at(),
    )
    op.create_portable_index("idx_cron_jobs_user_id", "cron_jobs", ["user_id"])
    op.create_portable_index("idx_cron_jobs_agent_user", "cron_jobs", ["agent_id", "user_id"])

    op.create_portable_table(
        "cron_run_logs",
        _id(),
        sa.Column("job_id", UUID(), sa.ForeignKey("cron_jobs.id", ondelete="CASCADE"), nullable=False),
        _agent_id(nullable=True, ondelete=None),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.Column("duration_ms", sa.Integer()),
        sa.Column("input_tokens", sa.Integer(), server_default=sa.text("0")),
        sa.Column("output_tokens", sa.Integer(), server_default=sa.text("0")),
        sa.Column("ran_at", Timestamp(), server_default=now()),
        _created_at(),
    )
    op.create_portable_index("idx_cron_run_logs_job", "cron_run_logs", ["job_id", sa.text("ran_at DESC")])

    op.create_portable_table(
        "pairing_requests",
        _id(),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("sender_id", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("chat_id", sa.String(200), nullable=False),
        sa.Column("account_id", sa.String(100), nullable=False, server_default="default"),
        sa.Column("expires_at", Timestamp(), nullable=False),
        _created_at(),
    )

    op.create_portable_table(
        "paired_devices",
        _id(),
        sa.Column("sender_id", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("chat_id", sa.String(200), nullable=False),
        sa.Column("paired_by", sa.String(100), nullable=False, server_default="operator"),
        sa.Column("paired_at", Timestamp(), server_default=now()),
        sa.UniqueConstraint("sender_id", "channel"),
    )


def _create_tracing() -> None:
    op.create_portable_table(
        "traces",
        _id(),
        sa.Column("agent_id", UUID()),
        sa.Column("user_id", sa.String(255)),
        sa.Column("session_key", sa.Text()),
        sa.Column("run_id", sa.Text()),
        sa.Column("start_time", Timestamp(), nullable=False, server_default=now()),
        sa.Column("end_time", Timestamp()),
        sa.Column("duration_ms", sa.Integer()),
        sa.Column("name", sa.Text()),
        sa.Column("channel", sa.String(50)),
        sa.Column("input_preview", sa.Text()),
        sa.Column("output_preview", sa.Text()),
        sa.Column("total_input_tokens", sa.Integer(), server_default=sa.text("0")),
        sa.Column("total_output_tokens", sa.Integer(), server_default=sa.text("0")),
        sa.Column("total_cost", sa.Numeric(12, 6), server_default=sa.text("0")),
        sa.Column("span_count", sa.Integer(), server_default=sa.text("0")),
        sa.Column("llm_call_count", sa.Integer(), server_default=sa.text("0")),
        sa.Column("tool_call_count", sa.Integer(), server_default=sa.text("0")),
        sa.Column("status", sa.String(20), server_default="running"),
        sa.Column("error", sa.Text()),
        sa.Column("metadata", JSONB()),
        sa.Column("tags", TextArray()),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_traces_agent_time", "traces", ["agent_id", sa.text("created_at DESC")])
    op.create_portable_index(
        "idx_traces_user_time", "traces", ["user_id", sa.text("created_at DESC")], "user_id IS NOT NULL"
    )
    op.create_portable_index(
        "idx_traces_session", "traces", ["session_key", sa.text("created_at DESC")], "session_key IS NOT NULL"
    )
    op.create_portable_index("idx_traces_status", "traces", ["status"], "status = 'error'")

    op.create_portable_table(
        "spans",
        _id(),
        sa.Column("trace_id", UUID(), nullable=False),
        sa.Column("parent_span_id", UUID()),
        sa.Column("agent_id", UUID()),
        sa.Column("span_type", sa.String(20), nullable=False),
        sa.Column("name", sa.Text()),
        sa.Column("start_time", Timestamp(), nullable=False, server_default=now()),
        sa.Column("end_time", Timestamp()),
        sa.Column("duration_ms", sa.Integer()),
        sa.Column("status", sa.String(20), server_default="running"),
        sa.Column("error", sa.Text()),
        sa.Column("level", sa.String(10), server_default="DEFAULT"),
        sa.Column("model", sa.String(200)),
        sa.Column("provider", sa.String(50)),
        sa.Column("input_tokens", sa.Integer()),
        sa.Column("output_tokens", sa.Integer()),
        sa.Column("total_cost", sa.Numeric(12, 8)),
        sa.Column("finish_reason", sa.String(50)),
        sa.Column("model_params", JSONB()),
        sa.Column("tool_name", sa.String(200)),
        sa.Column("tool_call_id", sa.String(100)),
        sa.Column("input_preview", sa.Text()),
        sa.Column("output_preview", sa.Text()),
        sa.Column("metadata", JSONB()),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_spans_trace", "spans", ["trace_id", "start_time"])
    op.create_portable_index("idx_spans_parent", "spans", ["parent_span_id"], "parent_span_id IS NOT NULL")
    op.create_portable_index("idx_spans_agent_time", "spans", ["agent_id", sa.text("created_at DESC")])
    op.create_portable_index("idx_spans_type", "spans", ["span_type", sa.text("created_at DESC")])
    op.create_portable_index("idx_spans_model", "spans", ["model", sa.text("created_at DESC")], "model IS NOT NULL")
    op.create_portable_index("idx_spans_error", "spans", ["status"], "status = 'error'")


def _create_mcp() -> None:
    op.create_portable_table(
        "mcp_servers",
        _id(),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("display_name", sa.String(255)),
        # stdio, sse or streamable-http; stdio servers use command/args/env, the others url/headers.
        sa.Column("transport", sa.String(50), nullable=False),
        sa.Column("command", sa.Text()),
        sa.Column("args", JSONB(), server_default="[]"),
        sa.Column("url", sa.Text()),
        sa.Column("headers", JSONB(), server_default="{}"),
        sa.Column("env", JSONB(), server_default="{}"),
        # Stored encrypted by the gateway.
        sa.Column("api_key", sa.Text()),
        sa.Column("tool_prefix", sa.String(50)),
        sa.Column("timeout_sec", sa.Integer(), server_default=sa.text("60")),
        sa.Column("settings", JSONB(), nullable=False, server_default="{}"),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_by", sa.String(255), nullable=False),
        _created_at(),
        _updated_at(),
    )

    op.create_portable_table(
        "mcp_agent_grants",
        _id(),
        sa.Column("server_id", UUID(), sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"), nullable=False),
        _agent_id(),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        # NULL allows every tool of the server.
        sa.Column("tool_allow", JSONB()),
        sa.Column("tool_deny", JSONB()),
        sa.Column("config_overrides", JSONB()),
        sa.Column("granted_by", sa.String(255), nullable=False),
        _created_at(),
        sa.UniqueConstraint("server_id", "agent_id"),
    )
    op.create_portable_index("idx_mcp_agent_grants_agent", "mcp_agent_grants", ["agent_id"])

    op.create_portable_table(
        "mcp_user_grants",
        _id(),
        sa.Column("server_id", UUID(), sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("tool_allow", JSONB()),
        sa.Column("tool_deny", JSONB()),
        sa.Column("granted_by", sa.String(255), nullable=False),
        _created_at(),
        sa.UniqueConstraint("server_id", "user_id"),
    )
    op.create_portable_index("idx_mcp_user_grants_user", "mcp_user_grants", ["user_id"])

    op.create_portable_table(
        "mcp_access_requests",
        _id(),
        sa.Column("server_id", UUID(), sa.ForeignKey("mcp_servers.id", ondelete="CASCADE"), nullable=False),
        _agent_id(nullable=True),
        sa.Column("user_id", sa.String(255)),
        # 'agent' or 'user'; the status moves from 'pending' to 'approved' or 'rejected'.
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("reason", sa.Text()),
        sa.Column("tool_allow", JSONB()),
        sa.Column("requested_by", sa.String(255), nullable=False),
        sa.Column("reviewed_by", sa.String(255)),
        sa.Column("reviewed_at", Timestamp()),
        sa.Column("review_note", sa.Text()),
        _created_at(),
    )
    op.create_portable_index("idx_mcp_requests_status", "mcp_access_requests", ["status"], "status = 'pending'")
    op.create_portable_index("idx_mcp_requests_server", "mcp_access_requests", ["server_id"])


def _create_tools_channels_and_secrets() -> None:
    op.create_portable_table(
        "custom_tools",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("parameters", JSONB(), nullable=False, server_default="{}"),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("working_dir", sa.Text(), server_default=""),
        sa.Column("timeout_seconds", sa.Integer(), server_default=sa.text("60")),
        # Environment variables, encrypted by the gateway.
        sa.Column("env", sa.LargeBinary()),
        _agent_id(nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true()),
        sa.Column("created_by", sa.String(255), nullable=False, server_default=""),
        _created_at(),
        _updated_at(),
    )
    # A tool without an agent is global: its name is unique among global tools;
    # an agent's own tools are unique per agent.
    op.create_portable_index("idx_custom_tools_name_global", "custom_tools", ["name"], "agent_id IS NULL", unique=True)
    op.create_portable_index(
        "idx_custom_tools_name_agent", "custom_tools", ["name", "agent_id"], "agent_id IS NOT NULL", unique=True
    )
    op.create_portable_index("idx_custom_tools_agent", "custom_tools", ["agent_id"], "agent_id IS NOT NULL")

    op.create_portable_table(
        "channel_instances",
        _id(),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("display_name", sa.String(255), server_default=""),
        sa.Column("channel_type", sa.String(50), nullable=False),
        _agent_id(),
        sa.Column("credentials", sa.LargeBinary()),
        sa.Column("config", JSONB(), server_default="{}"),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true()),
        sa.Column("created_by", sa.String(255), server_default=""),
        _created_at(),
        _updated_at(),
    )
    op.create_portable_index("idx_channel_instances_type", "channel_instances", ["channel_type"])
    op.create_portable_index("idx_channel_instances_agent", "channel_instances", ["agent_id"])

    op.create_portable_table(
        "config_secrets",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        _created_at(),
        _updated_at(),
    )

    op.create_portable_table(
        "group_file_writers",
        sa.Column("agent_id", UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("group_id", sa.String(255), primary_key=True),
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("display_name", sa.String(255)),
        sa.Column("username", sa.String(255)),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
