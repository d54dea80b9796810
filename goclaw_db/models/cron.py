"""Scheduled work: cron jobs, heartbeats and their run logs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
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
    )

    id: Mapped[uuid_pk]
    agent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"))
    user_id: Mapped[str | None]
    name: Mapped[str] = mapped_column(sa.String(255))
    enabled: Mapped[bool] = mapped_column(server_default=sa.true())
    schedule_kind: Mapped[str] = mapped_column(
        sa.String(10), info={"doc": "at (one-off), every (interval) or cron (expression)."}
    )
    cron_expression: Mapped[str | None] = mapped_column(
        sa.String(100), info={"doc": "Schedule of a cron job, in cron syntax."}
    )
    interval_ms: Mapped[int | None] = mapped_column(
        sa.BigInteger(), info={"doc": "Interval of an every job, in milliseconds."}
    )
    run_at: Mapped[datetime | None] = mapped_column(info={"doc": "Time of an at (one-off) job."})
    timezone: Mapped[str | None] = mapped_column(sa.String(50))
    payload: Mapped[Any] = mapped_column(
        JSONB(), nullable=False, info={"doc": "Message and options handed to the agent at each run."}
    )
    delete_after_run: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "Remove the job once it has run."}
    )
    next_run_at: Mapped[datetime | None] = mapped_column(info={"doc": "When the job runs next."})
    last_run_at: Mapped[datetime | None]
    last_status: Mapped[str | None] = mapped_column(sa.String(20))
    last_error: Mapped[str | None]
    created_at: Mapped[timestamp_now | None]
    updated_at: Mapped[timestamp_updated | None]
    team_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agent_teams.id", ondelete="SET NULL"))
    tenant_id: Mapped[tenant_fk]
    stateless: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "Run without loading the agent's conversation history."}
    )
    deliver: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "Post the result to a chat."}
    )
    deliver_channel: Mapped[str] = mapped_column(
        server_default="", info={"doc": "Channel the result goes to."}
    )
    deliver_to: Mapped[str] = mapped_column(server_default="", info={"doc": "Chat the result goes to."})
    wake_heartbeat: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "Trigger the agent's heartbeat after the run."}
    )

    agent: Mapped[Agent | None] = relationship(back_populates="cron_jobs")
    run_logs: Mapped[list[CronRunLog]] = relationship(
        back_populates="job", cascade="all, delete-orphan", passive_deletes=True
    )
    team: Mapped[AgentTeam | None] = relationship(back_populates="cron_jobs")
    tenant: Mapped[Tenant] = relationship()


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

    id: Mapped[uuid_pk]
    job_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cron_jobs.id", ondelete="CASCADE"))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(20), info={"doc": "Outcome of the run."})
    summary: Mapped[str | None]
    error: Mapped[str | None]
    duration_ms: Mapped[int | None]
    input_tokens: Mapped[int | None] = mapped_column(server_default=sa.text("0"))
    output_tokens: Mapped[int | None] = mapped_column(server_default=sa.text("0"))
    ran_at: Mapped[timestamp_now | None]
    created_at: Mapped[timestamp_now | None]
    team_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agent_teams.id", ondelete="SET NULL"))

    job: Mapped[CronJob] = relationship(back_populates="run_logs")
    team: Mapped[AgentTeam | None] = relationship(back_populates="cron_run_logs")
    agent: Mapped[Agent | None] = relationship(back_populates="cron_run_logs")


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

    id: Mapped[uuid_pk]
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), unique=True)
    enabled: Mapped[bool] = mapped_column(server_default=sa.false(), info={"doc": "Whether heartbeats run."})
    interval_sec: Mapped[int] = mapped_column(
        server_default=sa.text("1800"), info={"doc": "Seconds between heartbeat runs."}
    )
    prompt: Mapped[str | None]
    provider_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("llm_providers.id"))
    model: Mapped[str | None] = mapped_column(sa.String(200))
    isolated_session: Mapped[bool] = mapped_column(
        server_default=sa.true(),
        info={"doc": "Run in a session of its own rather than the agent's main one."},
    )
    light_context: Mapped[bool] = mapped_column(server_default=sa.false())
    ack_max_chars: Mapped[int] = mapped_column(server_default=sa.text("300"))
    max_retries: Mapped[int] = mapped_column(server_default=sa.text("2"))
    active_hours_start: Mapped[str | None] = mapped_column(
        sa.String(5), info={"doc": "Start of the daily window in which heartbeats run."}
    )
    active_hours_end: Mapped[str | None] = mapped_column(sa.String(5))
    timezone: Mapped[str | None]
    channel: Mapped[str | None] = mapped_column(sa.String(50))
    chat_id: Mapped[str | None]
    next_run_at: Mapped[datetime | None] = mapped_column(info={"doc": "When the next heartbeat is due."})
    last_run_at: Mapped[datetime | None]
    last_status: Mapped[str | None] = mapped_column(sa.String(20))
    last_error: Mapped[str | None]
    run_count: Mapped[int] = mapped_column(server_default=sa.text("0"))
    suppress_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"),
        info={"doc": "Runs whose reply was not delivered because there was nothing to report."},
    )
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}")
    created_at: Mapped[timestamp_now | None]
    updated_at: Mapped[timestamp_updated | None]

    run_logs: Mapped[list[HeartbeatRunLog]] = relationship(
        back_populates="heartbeat", cascade="all, delete-orphan", passive_deletes=True
    )
    agent: Mapped[Agent] = relationship(back_populates="heartbeat")
    provider: Mapped[LLMProvider | None] = relationship(back_populates="heartbeats")


class HeartbeatRunLog(Base):
    """The outcome of one heartbeat run."""

    __tablename__ = "heartbeat_run_logs"
    __table_args__ = (
        sa.Index("idx_hb_logs_agent", "agent_id", sa.text("ran_at DESC")),
        sa.Index("idx_hb_logs_heartbeat", "heartbeat_id", sa.text("ran_at DESC")),
    )

    id: Mapped[uuid_pk]
    heartbeat_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agent_heartbeats.id", ondelete="CASCADE"))
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(20))
    summary: Mapped[str | None]
    error: Mapped[str | None]
    duration_ms: Mapped[int | None]
    input_tokens: Mapped[int | None] = mapped_column(server_default=sa.text("0"))
    output_tokens: Mapped[int | None] = mapped_column(server_default=sa.text("0"))
    skip_reason: Mapped[str | None] = mapped_column(
        sa.String(50), info={"doc": "Why the run was skipped, if it was."}
    )
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}")
    ran_at: Mapped[timestamp_now | None]
    created_at: Mapped[timestamp_now | None]

    heartbeat: Mapped[AgentHeartbeat] = relationship(back_populates="run_logs")
    agent: Mapped[Agent] = relationship(back_populates="heartbeat_run_logs")
