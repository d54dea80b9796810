"""Scheduled work: cron jobs, heartbeats and their run logs."""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.ids import uuid7
from goclaw_db.json_shapes import CronPayload
from goclaw_db.models._columns import (
    tenant_fk,
    timestamp_now,
    timestamp_updated,
    uuid_pk,
    where,
)
from goclaw_db.types import JSONB

if TYPE_CHECKING:
    from goclaw_db.models.agents import Agent
    from goclaw_db.models.providers import LLMProvider
    from goclaw_db.models.teams import AgentTeam
    from goclaw_db.models.tenants import Tenant


class CronJob(Base):
    """A scheduled job that runs an agent at set times."""

    __tablename__ = "cron_jobs"
    __table_args__ = (
        sa.Index("idx_cron_jobs_agent_user", "agent_id", "user_id"),
        sa.Index(
            "idx_cron_jobs_team",
            "team_id",
            **where("team_id IS NOT NULL"),
        ),
        sa.Index("idx_cron_jobs_tenant", "tenant_id"),
        sa.Index("idx_cron_jobs_user_id", "user_id"),
        # One job per agent, tenant and name: creating a job under a name that exists updates it.
        sa.Index("uq_cron_jobs_agent_tenant_name", "agent_id", "tenant_id", "name", unique=True),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str | None] = mapped_column(default=None)
    name: Mapped[str] = mapped_column(sa.String(255))
    enabled: Mapped[bool] = mapped_column(server_default=sa.true(), default=None)
    schedule_kind: Mapped[str] = mapped_column(
        sa.String(10), info={"doc": "at (one-off), every (interval) or cron (expression)."}
    )
    cron_expression: Mapped[str | None] = mapped_column(
        sa.String(100), info={"doc": "Schedule of a cron job, in cron syntax."}, default=None
    )
    interval_ms: Mapped[int | None] = mapped_column(
        sa.BigInteger(), info={"doc": "Interval of an every job, in milliseconds."}, default=None
    )
    run_at: Mapped[datetime | None] = mapped_column(info={"doc": "Time of an at (one-off) job."}, default=None)
    timezone: Mapped[str | None] = mapped_column(sa.String(50), default=None)
    payload: Mapped[CronPayload] = mapped_column(
        JSONB(), nullable=False, info={"doc": "Message and options handed to the agent at each run."}
    )
    delete_after_run: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "Remove the job once it has run."}, default=None
    )
    next_run_at: Mapped[datetime | None] = mapped_column(info={"doc": "When the job runs next."}, default=None)
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)
    last_status: Mapped[str | None] = mapped_column(sa.String(20), default=None)
    last_error: Mapped[str | None] = mapped_column(default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    stateless: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "Run without loading the agent's conversation history."}, default=None
    )
    deliver: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "Post the result to a chat."}, default=None
    )
    deliver_channel: Mapped[str] = mapped_column(
        server_default="", info={"doc": "Channel the result goes to."}, default=None
    )
    deliver_to: Mapped[str] = mapped_column(server_default="", info={"doc": "Chat the result goes to."}, default=None)
    wake_heartbeat: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "Trigger the agent's heartbeat after the run."}, default=None
    )

    agent: Mapped["Agent | None"] = relationship(back_populates="cron_jobs", default=None)
    run_logs: Mapped[list["CronRunLog"]] = relationship(
        back_populates="job", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    team: Mapped["AgentTeam | None"] = relationship(back_populates="cron_jobs", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class CronRunLog(Base):
    """The outcome of one run of a scheduled job."""

    __tablename__ = "cron_run_logs"
    __table_args__ = (
        sa.Index("idx_cron_run_logs_job", "job_id", sa.text("ran_at DESC")),
        sa.Index(
            "idx_cron_run_logs_team",
            "team_id",
            **where("team_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    job_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("cron_jobs.id", ondelete="CASCADE"), default=None, info={"doc": "Cron job that ran."}
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    status: Mapped[str] = mapped_column(sa.String(20), info={"doc": "Outcome of the run."})
    summary: Mapped[str | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(default=None)
    duration_ms: Mapped[int | None] = mapped_column(default=None)
    input_tokens: Mapped[int | None] = mapped_column(server_default=sa.text("0"), default=None)
    output_tokens: Mapped[int | None] = mapped_column(server_default=sa.text("0"), default=None)
    ran_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), default=None
    )

    job: Mapped["CronJob"] = relationship(back_populates="run_logs", default=None)
    team: Mapped["AgentTeam | None"] = relationship(back_populates="cron_run_logs", default=None)
    agent: Mapped["Agent | None"] = relationship(back_populates="cron_run_logs", default=None)


class AgentHeartbeat(Base):
    """An agent's periodic self-check schedule."""

    __tablename__ = "agent_heartbeats"
    __table_args__ = (
        sa.Index(
            "idx_heartbeats_due",
            "next_run_at",
            **where("enabled = true AND next_run_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="CASCADE"), unique=True, default=None
    )
    enabled: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "Whether heartbeats run."}, default=None
    )
    interval_sec: Mapped[int] = mapped_column(
        server_default=sa.text("1800"), info={"doc": "Seconds between heartbeat runs."}, default=None
    )
    prompt: Mapped[str | None] = mapped_column(
        default=None, info={"doc": "Message the agent receives at each heartbeat."}
    )
    provider_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("llm_providers.id"),
        default=None,
        info={"doc": "LLM provider the heartbeat runs on; NULL uses the agent's own."},
    )
    model: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    isolated_session: Mapped[bool] = mapped_column(
        server_default=sa.true(),
        info={"doc": "Run in a session of its own rather than the agent's main one."},
        default=None,
    )
    light_context: Mapped[bool] = mapped_column(
        server_default=sa.false(), default=None, info={"doc": "Whether heartbeats run with a reduced context."}
    )
    ack_max_chars: Mapped[int] = mapped_column(
        server_default=sa.text("300"),
        default=None,
        info={"doc": "Longest reply still treated as a plain acknowledgement."},
    )
    max_retries: Mapped[int] = mapped_column(
        server_default=sa.text("2"), default=None, info={"doc": "Retries of a failed heartbeat."}
    )
    active_hours_start: Mapped[str | None] = mapped_column(
        sa.String(5), info={"doc": "Start of the daily window in which heartbeats run."}, default=None
    )
    active_hours_end: Mapped[str | None] = mapped_column(
        sa.String(5), default=None, info={"doc": "End of the daily window in which heartbeats run."}
    )
    timezone: Mapped[str | None] = mapped_column(default=None)
    channel: Mapped[str | None] = mapped_column(sa.String(50), default=None)
    chat_id: Mapped[str | None] = mapped_column(default=None)
    next_run_at: Mapped[datetime | None] = mapped_column(info={"doc": "When the next heartbeat is due."}, default=None)
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)
    last_status: Mapped[str | None] = mapped_column(sa.String(20), default=None)
    last_error: Mapped[str | None] = mapped_column(default=None)
    run_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Heartbeats run so far."}
    )
    suppress_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"),
        info={"doc": "Runs whose reply was not delivered because there was nothing to report."},
        default=None,
    )
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}", default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)

    run_logs: Mapped[list["HeartbeatRunLog"]] = relationship(
        back_populates="heartbeat", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    agent: Mapped["Agent"] = relationship(back_populates="heartbeat", default=None)
    provider: Mapped["LLMProvider | None"] = relationship(back_populates="heartbeats", default=None)


class HeartbeatRunLog(Base):
    """The outcome of one heartbeat run."""

    __tablename__ = "heartbeat_run_logs"
    __table_args__ = (
        sa.Index("idx_hb_logs_agent", "agent_id", sa.text("ran_at DESC")),
        sa.Index("idx_hb_logs_heartbeat", "heartbeat_id", sa.text("ran_at DESC")),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    heartbeat_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agent_heartbeats.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "Heartbeat schedule that ran."},
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    status: Mapped[str] = mapped_column(sa.String(20), info={"doc": "Outcome of the heartbeat run."})
    summary: Mapped[str | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(default=None)
    duration_ms: Mapped[int | None] = mapped_column(default=None)
    input_tokens: Mapped[int | None] = mapped_column(server_default=sa.text("0"), default=None)
    output_tokens: Mapped[int | None] = mapped_column(server_default=sa.text("0"), default=None)
    skip_reason: Mapped[str | None] = mapped_column(
        sa.String(50), info={"doc": "Why the run was skipped, if it was."}, default=None
    )
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}", default=None)
    ran_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)

    heartbeat: Mapped["AgentHeartbeat"] = relationship(back_populates="run_logs", default=None)
    agent: Mapped["Agent"] = relationship(back_populates="heartbeat_run_logs", default=None)
