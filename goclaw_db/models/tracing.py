"""Observability: traces, spans, hourly usage and the activity log."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.models._columns import tenant_fk, timestamp_now, uuid_pk, where
from goclaw_db.types import JSONB

if TYPE_CHECKING:
    from goclaw_db.models.agents import Agent
    from goclaw_db.models.teams import AgentTeam
    from goclaw_db.models.tenants import Tenant


class Trace(Base):
    """One agent run, end to end, with its totals."""

    __tablename__ = "traces"
    __table_args__ = (
        sa.Index("idx_traces_agent_time", "agent_id", sa.text("created_at DESC")),
        sa.Index(
            "idx_traces_parent",
            "parent_trace_id",
            **where("parent_trace_id IS NOT NULL"),
        ),
        sa.Index(
            "idx_traces_quota",
            "user_id",
            sa.text("created_at DESC"),
            **where("parent_trace_id IS NULL AND user_id IS NOT NULL"),
        ),
        sa.Index(
            "idx_traces_session",
            "session_key",
            sa.text("created_at DESC"),
            **where("session_key IS NOT NULL"),
        ),
        sa.Index(
            "idx_traces_start_root",
            sa.text("start_time DESC"),
            **where("parent_trace_id IS NULL"),
        ),
        sa.Index(
            "idx_traces_status",
            "status",
            **where("status = 'error'"),
        ),
        sa.Index(
            "idx_traces_team",
            "team_id",
            sa.text("created_at DESC"),
            **where("team_id IS NOT NULL"),
        ),
        sa.Index("idx_traces_tenant", "tenant_id"),
        sa.Index("idx_traces_tenant_time", "tenant_id", sa.text("created_at DESC")),
        sa.Index(
            "idx_traces_user_time",
            "user_id",
            sa.text("created_at DESC"),
            **where("user_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid_pk]
    agent_id: Mapped[uuid.UUID | None]
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    session_key: Mapped[str | None]
    run_id: Mapped[str | None] = mapped_column(info={"doc": "Gateway id of the run."})
    start_time: Mapped[timestamp_now]
    end_time: Mapped[datetime | None]
    duration_ms: Mapped[int | None]
    name: Mapped[str | None]
    channel: Mapped[str | None] = mapped_column(sa.String(50))
    input_preview: Mapped[str | None] = mapped_column(info={"doc": "Start of the run's input."})
    output_preview: Mapped[str | None] = mapped_column(info={"doc": "Start of the run's output."})
    total_input_tokens: Mapped[int | None] = mapped_column(server_default=sa.text("0"))
    total_output_tokens: Mapped[int | None] = mapped_column(server_default=sa.text("0"))
    total_cost: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(12, 6),
        server_default=sa.text("0"),
        info={"doc": "Estimated cost of the run in US dollars."},
    )
    span_count: Mapped[int | None] = mapped_column(server_default=sa.text("0"))
    llm_call_count: Mapped[int | None] = mapped_column(server_default=sa.text("0"))
    tool_call_count: Mapped[int | None] = mapped_column(server_default=sa.text("0"))
    status: Mapped[str | None] = mapped_column(
        sa.String(20), server_default="running", info={"doc": "Run state, e.g. running or error."}
    )
    error: Mapped[str | None]
    metadata_: Mapped[Any] = mapped_column("metadata", JSONB(), nullable=True)
    tags: Mapped[list[str] | None]
    created_at: Mapped[timestamp_now]
    parent_trace_id: Mapped[uuid.UUID | None] = mapped_column(
        info={"doc": "Trace of the run that delegated this one; NULL for root runs."}
    )
    team_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agent_teams.id", ondelete="SET NULL"))
    tenant_id: Mapped[tenant_fk]

    # GoClaw's schema has no foreign key from spans to traces (spans are written
    # while the trace is still open), yet spans belong to their trace: added
    # through it they are saved with it, and deleting a trace deletes its spans,
    # as pruning old traces expects.
    spans: Mapped[list[Span]] = relationship(
        primaryjoin="Trace.id == foreign(Span.trace_id)",
        back_populates="trace",
        cascade="all, delete-orphan",
        order_by="Span.start_time",
    )
    team: Mapped[AgentTeam | None] = relationship(back_populates="traces")
    agent: Mapped[Agent | None] = relationship(primaryjoin="Agent.id == foreign(Trace.agent_id)", back_populates="traces")
    tenant: Mapped[Tenant] = relationship()


class Span(Base):
    """One step inside a trace: an LLM call, a tool call, a sub-run."""

    __tablename__ = "spans"
    __table_args__ = (
        sa.Index("idx_spans_agent_time", "agent_id", sa.text("created_at DESC")),
        sa.Index(
            "idx_spans_error",
            "status",
            **where("status = 'error'"),
        ),
        sa.Index(
            "idx_spans_metadata_gin",
            "metadata",
            postgresql_using="gin",
            postgresql_where=sa.text("span_type = 'llm_call'"),
        ).ddl_if(dialect="postgresql"),
        sa.Index(
            "idx_spans_model",
            "model",
            sa.text("created_at DESC"),
            **where("model IS NOT NULL"),
        ),
        sa.Index(
            "idx_spans_parent",
            "parent_span_id",
            **where("parent_span_id IS NOT NULL"),
        ),
        sa.Index(
            "idx_spans_team",
            "team_id",
            **where("team_id IS NOT NULL"),
        ),
        sa.Index("idx_spans_tenant", "tenant_id"),
        sa.Index("idx_spans_trace", "trace_id", "start_time"),
        sa.Index("idx_spans_trace_type", "trace_id", "span_type"),
        sa.Index("idx_spans_type", "span_type", sa.text("created_at DESC")),
    )

    id: Mapped[uuid_pk]
    trace_id: Mapped[uuid.UUID] = mapped_column(info={"doc": "The trace this span belongs to."})
    parent_span_id: Mapped[uuid.UUID | None] = mapped_column(
        info={"doc": "Enclosing span; NULL for top-level spans."}
    )
    agent_id: Mapped[uuid.UUID | None]
    span_type: Mapped[str] = mapped_column(
        sa.String(20), info={"doc": "llm_call, tool_call, agent and so on."}
    )
    name: Mapped[str | None]
    start_time: Mapped[timestamp_now]
    end_time: Mapped[datetime | None]
    duration_ms: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(
        sa.String(20), server_default="running", info={"doc": "Step state, e.g. running or error."}
    )
    error: Mapped[str | None]
    level: Mapped[str | None] = mapped_column(sa.String(10), server_default="DEFAULT")
    model: Mapped[str | None] = mapped_column(sa.String(200))
    provider: Mapped[str | None] = mapped_column(sa.String(50))
    input_tokens: Mapped[int | None]
    output_tokens: Mapped[int | None]
    total_cost: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(12, 8), info={"doc": "Estimated cost of the step in US dollars."}
    )
    finish_reason: Mapped[str | None] = mapped_column(sa.String(50))
    model_params: Mapped[Any] = mapped_column(JSONB(), nullable=True)
    tool_name: Mapped[str | None] = mapped_column(sa.String(200))
    tool_call_id: Mapped[str | None] = mapped_column(sa.String(100))
    input_preview: Mapped[str | None]
    output_preview: Mapped[str | None]
    metadata_: Mapped[Any] = mapped_column("metadata", JSONB(), nullable=True)
    created_at: Mapped[timestamp_now]
    team_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agent_teams.id", ondelete="SET NULL"))
    tenant_id: Mapped[tenant_fk]

    trace: Mapped[Trace] = relationship(primaryjoin="Trace.id == foreign(Span.trace_id)", back_populates="spans")
    parent_span: Mapped[Span | None] = relationship(
        primaryjoin="Span.id == foreign(Span.parent_span_id)", remote_side="Span.id", back_populates="child_spans"
    )
    child_spans: Mapped[list[Span]] = relationship(
        primaryjoin="Span.id == foreign(Span.parent_span_id)", back_populates="parent_span", passive_deletes="all"
    )
    team: Mapped[AgentTeam | None] = relationship(back_populates="spans")
    agent: Mapped[Agent | None] = relationship(primaryjoin="Agent.id == foreign(Span.agent_id)", back_populates="spans")
    tenant: Mapped[Tenant] = relationship()


class UsageSnapshot(Base):
    """Hourly usage totals per agent, provider, model and channel."""

    __tablename__ = "usage_snapshots"
    __table_args__ = (
        sa.Index("idx_usage_snapshots_agent_bucket", "agent_id", sa.text("bucket_hour DESC")),
        sa.Index("idx_usage_snapshots_bucket", sa.text("bucket_hour DESC")),
        sa.Index(
            "idx_usage_snapshots_channel_bucket",
            "channel",
            sa.text("bucket_hour DESC"),
            **where("channel <> ''"),
        ),
        sa.Index(
            "idx_usage_snapshots_provider_bucket",
            "provider",
            sa.text("bucket_hour DESC"),
            **where("provider <> ''"),
        ),
        sa.Index("idx_usage_snapshots_tenant", "tenant_id"),
        sa.Index(
            "idx_usage_snapshots_unique",
            "bucket_hour",
            sa.text("COALESCE(agent_id, '00000000-0000-0000-0000-000000000000')"),
            "provider",
            "model",
            "channel",
            "tenant_id",
            unique=True,
        ),
    )

    id: Mapped[uuid_pk]
    bucket_hour: Mapped[datetime] = mapped_column(info={"doc": "Start of the hour the totals cover."})
    agent_id: Mapped[uuid.UUID | None]
    provider: Mapped[str] = mapped_column(sa.String(50), server_default="")
    model: Mapped[str] = mapped_column(sa.String(200), server_default="")
    channel: Mapped[str] = mapped_column(sa.String(50), server_default="")
    input_tokens: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"))
    output_tokens: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"))
    cache_read_tokens: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"))
    cache_create_tokens: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"))
    thinking_tokens: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"))
    total_cost: Mapped[Decimal] = mapped_column(sa.Numeric(12, 6), server_default=sa.text("0"))
    request_count: Mapped[int] = mapped_column(server_default=sa.text("0"))
    llm_call_count: Mapped[int] = mapped_column(server_default=sa.text("0"))
    tool_call_count: Mapped[int] = mapped_column(server_default=sa.text("0"))
    error_count: Mapped[int] = mapped_column(server_default=sa.text("0"))
    unique_users: Mapped[int] = mapped_column(
        server_default=sa.text("0"), info={"doc": "Distinct users seen in the hour."}
    )
    avg_duration_ms: Mapped[int] = mapped_column(server_default=sa.text("0"))
    memory_docs: Mapped[int] = mapped_column(
        server_default=sa.text("0"), info={"doc": "Number of memory documents when the snapshot was taken."}
    )
    memory_chunks: Mapped[int] = mapped_column(server_default=sa.text("0"))
    kg_entities: Mapped[int] = mapped_column(server_default=sa.text("0"))
    kg_relations: Mapped[int] = mapped_column(server_default=sa.text("0"))
    created_at: Mapped[timestamp_now]
    tenant_id: Mapped[tenant_fk]

    tenant: Mapped[Tenant] = relationship()


class ActivityLog(Base):
    """An audit record of an action taken by a user or the system."""

    __tablename__ = "activity_logs"
    __table_args__ = (
        sa.Index("idx_activity_logs_action", "action"),
        sa.Index("idx_activity_logs_actor", "actor_type", "actor_id"),
        sa.Index("idx_activity_logs_created", sa.text("created_at DESC")),
        sa.Index("idx_activity_logs_entity", "entity_type", "entity_id"),
        sa.Index("idx_activity_logs_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk]
    actor_type: Mapped[str] = mapped_column(sa.String(20), info={"doc": "Who acted: user, agent or system."})
    actor_id: Mapped[str] = mapped_column(sa.String(255))
    action: Mapped[str] = mapped_column(
        sa.String(100), info={"doc": "What was done, e.g. a create or delete."}
    )
    entity_type: Mapped[str | None] = mapped_column(sa.String(50), info={"doc": "Kind of object acted on."})
    entity_id: Mapped[str | None] = mapped_column(sa.String(255), info={"doc": "Id of the object acted on."})
    details: Mapped[Any] = mapped_column(JSONB(), nullable=True)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    created_at: Mapped[timestamp_now]
    tenant_id: Mapped[tenant_fk]

    tenant: Mapped[Tenant] = relationship()
