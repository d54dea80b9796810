"""Observability: traces, spans, hourly usage and the activity log."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.ids import uuid7
from goclaw_db.json_shapes import SpanMetadata
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

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    user_id: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    session_key: Mapped[str | None] = mapped_column(default=None)
    run_id: Mapped[str | None] = mapped_column(info={"doc": "Gateway id of the run."}, default=None)
    start_time: Mapped[timestamp_now] = mapped_column(default=None)
    end_time: Mapped[datetime | None] = mapped_column(default=None)
    duration_ms: Mapped[int | None] = mapped_column(default=None)
    name: Mapped[str | None] = mapped_column(default=None)
    channel: Mapped[str | None] = mapped_column(sa.String(50), default=None)
    input_preview: Mapped[str | None] = mapped_column(info={"doc": "Start of the run's input."}, default=None)
    output_preview: Mapped[str | None] = mapped_column(info={"doc": "Start of the run's output."}, default=None)
    total_input_tokens: Mapped[int | None] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Input tokens of all LLM calls in the run."}
    )
    total_output_tokens: Mapped[int | None] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Output tokens of all LLM calls in the run."}
    )
    total_cost: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(12, 6),
        server_default=sa.text("0"),
        info={"doc": "Estimated cost of the run in US dollars."},
        default=None,
    )
    span_count: Mapped[int | None] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Number of spans in the run."}
    )
    llm_call_count: Mapped[int | None] = mapped_column(server_default=sa.text("0"), default=None)
    tool_call_count: Mapped[int | None] = mapped_column(server_default=sa.text("0"), default=None)
    status: Mapped[str | None] = mapped_column(
        sa.String(20), server_default="running", info={"doc": "Run state, e.g. running or error."}, default=None
    )
    error: Mapped[str | None] = mapped_column(default=None)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB(), nullable=True, default=None)
    tags: Mapped[list[str] | None] = mapped_column(default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    parent_trace_id: Mapped[uuid.UUID | None] = mapped_column(
        info={"doc": "Trace of the run that delegated this one; NULL for root runs."}, default=None
    )
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    # GoClaw's schema has no foreign key from spans to traces (spans are written
    # while the trace is still open), yet spans belong to their trace: added
    # through it they are saved with it, and deleting a trace deletes its spans,
    # as pruning old traces expects.
    spans: Mapped[list["Span"]] = relationship(
        primaryjoin="Trace.id == foreign(Span.trace_id)",
        back_populates="trace",
        cascade="all, delete-orphan",
        order_by="Span.start_time",
        default_factory=list,
    )
    team: Mapped["AgentTeam | None"] = relationship(back_populates="traces", default=None)
    agent: Mapped["Agent | None"] = relationship(
        primaryjoin="Agent.id == foreign(Trace.agent_id)", back_populates="traces", default=None
    )
    tenant: Mapped["Tenant"] = relationship(default=None)


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

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    trace_id: Mapped[uuid.UUID] = mapped_column(info={"doc": "The trace this span belongs to."}, default=None)
    parent_span_id: Mapped[uuid.UUID | None] = mapped_column(
        info={"doc": "Enclosing span; NULL for top-level spans."}, default=None
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    span_type: Mapped[str] = mapped_column(sa.String(20), info={"doc": "llm_call, tool_call, agent and so on."})
    name: Mapped[str | None] = mapped_column(default=None)
    start_time: Mapped[timestamp_now] = mapped_column(default=None)
    end_time: Mapped[datetime | None] = mapped_column(default=None)
    duration_ms: Mapped[int | None] = mapped_column(default=None)
    status: Mapped[str | None] = mapped_column(
        sa.String(20), server_default="running", info={"doc": "Step state, e.g. running or error."}, default=None
    )
    error: Mapped[str | None] = mapped_column(default=None)
    level: Mapped[str | None] = mapped_column(
        sa.String(10),
        server_default="DEFAULT",
        default=None,
        info={"doc": "Severity (DEFAULT, DEBUG, WARNING, ERROR)."},
    )
    model: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    provider: Mapped[str | None] = mapped_column(sa.String(50), default=None)
    input_tokens: Mapped[int | None] = mapped_column(default=None)
    output_tokens: Mapped[int | None] = mapped_column(default=None)
    total_cost: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(12, 8), info={"doc": "Estimated cost of the step in US dollars."}, default=None
    )
    finish_reason: Mapped[str | None] = mapped_column(
        sa.String(50), default=None, info={"doc": "Why the model stopped (stop, tool_calls, length)."}
    )
    model_params: Mapped[dict[str, Any] | None] = mapped_column(
        JSONB(), nullable=True, default=None, info={"doc": "Parameters sent with the LLM call (JSON object)."}
    )
    tool_name: Mapped[str | None] = mapped_column(
        sa.String(200), default=None, info={"doc": "Tool called, for tool spans."}
    )
    tool_call_id: Mapped[str | None] = mapped_column(
        sa.String(100), default=None, info={"doc": "The model's id of the tool call."}
    )
    input_preview: Mapped[str | None] = mapped_column(default=None, info={"doc": "Start of the step's input."})
    output_preview: Mapped[str | None] = mapped_column(default=None, info={"doc": "Start of the step's output."})
    metadata_: Mapped[SpanMetadata | None] = mapped_column("metadata", JSONB(), nullable=True, default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    trace: Mapped["Trace"] = relationship(
        primaryjoin="Trace.id == foreign(Span.trace_id)", back_populates="spans", default=None
    )
    parent_span: Mapped["Span | None"] = relationship(
        primaryjoin="Span.id == foreign(Span.parent_span_id)",
        remote_side="Span.id",
        back_populates="child_spans",
        default=None,
    )
    child_spans: Mapped[list["Span"]] = relationship(
        primaryjoin="Span.id == foreign(Span.parent_span_id)",
        back_populates="parent_span",
        passive_deletes="all",
        default_factory=list,
    )
    team: Mapped["AgentTeam | None"] = relationship(back_populates="spans", default=None)
    agent: Mapped["Agent | None"] = relationship(
        primaryjoin="Agent.id == foreign(Span.agent_id)", back_populates="spans", default=None
    )
    tenant: Mapped["Tenant"] = relationship(default=None)


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

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    bucket_hour: Mapped[datetime] = mapped_column(info={"doc": "Start of the hour the totals cover."})
    agent_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    provider: Mapped[str] = mapped_column(sa.String(50), server_default="", default=None)
    model: Mapped[str] = mapped_column(sa.String(200), server_default="", default=None)
    channel: Mapped[str] = mapped_column(sa.String(50), server_default="", default=None)
    input_tokens: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"), default=None)
    output_tokens: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"), default=None)
    cache_read_tokens: Mapped[int] = mapped_column(
        sa.BigInteger(),
        server_default=sa.text("0"),
        default=None,
        info={"doc": "Prompt tokens served from the provider's cache."},
    )
    cache_create_tokens: Mapped[int] = mapped_column(
        sa.BigInteger(),
        server_default=sa.text("0"),
        default=None,
        info={"doc": "Prompt tokens written to the provider's cache."},
    )
    thinking_tokens: Mapped[int] = mapped_column(
        sa.BigInteger(), server_default=sa.text("0"), default=None, info={"doc": "Reasoning tokens."}
    )
    total_cost: Mapped[Decimal] = mapped_column(
        sa.Numeric(12, 6), server_default=sa.text("0"), default=None, info={"doc": "Estimated cost in US dollars."}
    )
    request_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Agent runs in the hour."}
    )
    llm_call_count: Mapped[int] = mapped_column(server_default=sa.text("0"), default=None)
    tool_call_count: Mapped[int] = mapped_column(server_default=sa.text("0"), default=None)
    error_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Runs that failed."}
    )
    unique_users: Mapped[int] = mapped_column(
        server_default=sa.text("0"), info={"doc": "Distinct users seen in the hour."}, default=None
    )
    avg_duration_ms: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Mean run duration in milliseconds."}
    )
    memory_docs: Mapped[int] = mapped_column(
        server_default=sa.text("0"),
        info={"doc": "Number of memory documents when the snapshot was taken."},
        default=None,
    )
    memory_chunks: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Number of memory chunks when the snapshot was taken."}
    )
    kg_entities: Mapped[int] = mapped_column(
        server_default=sa.text("0"),
        default=None,
        info={"doc": "Number of knowledge-graph entities when the snapshot was taken."},
    )
    kg_relations: Mapped[int] = mapped_column(
        server_default=sa.text("0"),
        default=None,
        info={"doc": "Number of knowledge-graph relations when the snapshot was taken."},
    )
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    tenant: Mapped["Tenant"] = relationship(default=None)


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

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    actor_type: Mapped[str] = mapped_column(sa.String(20), info={"doc": "Who acted: user, agent or system."})
    actor_id: Mapped[str] = mapped_column(sa.String(255))
    action: Mapped[str] = mapped_column(sa.String(100), info={"doc": "What was done, e.g. a create or delete."})
    entity_type: Mapped[str | None] = mapped_column(
        sa.String(50), info={"doc": "Kind of object acted on."}, default=None
    )
    entity_id: Mapped[str | None] = mapped_column(
        sa.String(255), info={"doc": "Id of the object acted on."}, default=None
    )
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB(), nullable=True, default=None)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45), default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    tenant: Mapped["Tenant"] = relationship(default=None)
