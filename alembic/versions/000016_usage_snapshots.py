"""Hourly usage snapshots

GoClaw version 16 stops computing usage dashboards from raw traces on every
request.  A background worker now rolls traces and spans up into
``usage_snapshots``: one row per hour, agent, provider, model and channel, with
token, cost, call, error and duration totals plus point-in-time counts of
memory and knowledge-graph items.  A unique index over those keys (a missing
agent counts as one key of its own) lets the worker upsert a bucket.  Two new
indexes on ``traces`` and ``spans`` keep the worker's scans cheap as history
grows.

Revision ID: 000016
Revises: '000015'
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import UUID, Timestamp, now, uuid_generate_v7

revision: str = "000016"
down_revision: str | None = "000015"
branch_labels = None
depends_on = None


# The keys of a usage bucket besides its hour and agent.
DIMENSIONS = ("provider", "model", "channel")


def _counter(name: str, type_: type[sa.types.TypeEngine] = sa.Integer) -> sa.Column:
    return sa.Column(name, type_(), nullable=False, server_default=sa.text("0"))


def upgrade() -> None:
    op.create_portable_index(
        "idx_traces_start_root", "traces", [sa.text("start_time DESC")], where="parent_trace_id IS NULL"
    )
    op.create_portable_index("idx_spans_trace_type", "spans", ["trace_id", "span_type"])

    op.create_portable_table(
        "usage_snapshots",
        sa.Column(
            "id",
            UUID(),
            primary_key=True,
            server_default=uuid_generate_v7(),
            # The desktop file makes its own keys: 32 hex digits from SQLite's random source.
            sqlite_server_default=sa.text("lower(hex(randomblob(16)))"),
        ),
        sa.Column("bucket_hour", Timestamp(), nullable=False),
        sa.Column("agent_id", UUID()),
        sa.Column("provider", sa.String(50), nullable=False, server_default=""),
        sa.Column("model", sa.String(200), nullable=False, server_default=""),
        sa.Column("channel", sa.String(50), nullable=False, server_default=""),
        _counter("input_tokens", sa.BigInteger),
        _counter("output_tokens", sa.BigInteger),
        _counter("cache_read_tokens", sa.BigInteger),
        _counter("cache_create_tokens", sa.BigInteger),
        _counter("thinking_tokens", sa.BigInteger),
        sa.Column("total_cost", sa.Numeric(12, 6), nullable=False, server_default=sa.text("0")),
        _counter("request_count"),
        _counter("llm_call_count"),
        _counter("tool_call_count"),
        _counter("error_count"),
        _counter("unique_users"),
        _counter("avg_duration_ms"),
        _counter("memory_docs"),
        _counter("memory_chunks"),
        _counter("kg_entities"),
        _counter("kg_relations"),
        sa.Column("created_at", Timestamp(), nullable=False, server_default=now()),
    )
    op.create_portable_index("idx_usage_snapshots_bucket", "usage_snapshots", [sa.text("bucket_hour DESC")])
    op.create_portable_index(
        "idx_usage_snapshots_agent_bucket", "usage_snapshots", ["agent_id", sa.text("bucket_hour DESC")]
    )
    op.create_portable_index(
        "idx_usage_snapshots_provider_bucket",
        "usage_snapshots",
        ["provider", sa.text("bucket_hour DESC")],
        where="provider != ''",
    )
    op.create_portable_index(
        "idx_usage_snapshots_channel_bucket",
        "usage_snapshots",
        ["channel", sa.text("bucket_hour DESC")],
        where="channel != ''",
    )
    # Snapshots without an agent are gateway-wide; the all-zero id stands in for
    # them so that such rows still collide on upsert instead of piling up.  The
    # desktop file also keys a missing provider, model or channel as ''.
    gateway_wide = sa.text("COALESCE(agent_id, '00000000-0000-0000-0000-000000000000')")
    op.create_portable_index(
        "idx_usage_snapshots_unique",
        "usage_snapshots",
        ["bucket_hour", gateway_wide, "provider", "model", "channel"],
        sqlite_columns=["bucket_hour", gateway_wide, *(sa.text(f"COALESCE({c}, '')") for c in DIMENSIONS)],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("usage_snapshots")
    op.drop_portable_index("idx_spans_trace_type", "spans")
    op.drop_portable_index("idx_traces_start_root", "traces")
