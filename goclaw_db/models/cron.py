"""Scheduled work: cron jobs, heartbeats and their run logs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.types import JSONB, Timestamp, UUID, now, uuid_generate_v7

if TYPE_CHECKING:
    from goclaw_db.models.agents import Agent


class CronJob(Base):
    """A scheduled job that runs an agent at set times."""

    __tablename__ = "cron_jobs"
    __table_args__ = (
        sa.Index("idx_cron_jobs_agent_user", "agent_id", "user_id"),
        sa.Index(
            "idx_cron_jobs_team",
            "team_id",
            postgresql_where=sa.text("team_id IS NOT NULL"),
            sqlite_where=sa.text("team_id IS NOT NULL"),
        ),
        sa.Index("idx_cron_jobs_tenant", "tenant_id"),
        sa.Index("idx_cron_jobs_user_id", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(), primary_key=True, server_default=uuid_generate_v7())
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=True
    )
    user_id: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.true())
    schedule_kind: Mapped[str] = mapped_column(
        sa.String(10), nullable=False, info={"doc": "at (one-off), every (interval) or cron (expression)."}
    )
    cron_expression: Mapped[str | None] = mapped_column(
        sa.String(100), nullable=True, info={"doc": "Schedule of a cron job, in cron syntax."}
    )
    interval_ms: Mapped[int | None] = mapped_column(
        sa.BigInteger(), nullable=True, info={"doc": "Interval of an every job, in milliseconds."}
    )
    run_at: Mapped[datetime | None] = mapped_column(
        Timestamp(), nullable=True, info={"doc": "Time of an at (one-off) job."}
    )
    timezone: Mapped[str | None] = mapped_column(sa.String(50), nullable=True)
    payload: Mapped[Any] = mapped_column(
        JSONB(), nullable=False, info={"doc": "Message and options handed to the agent at each run."}
    )
    delete_after_run: Mapped[bool] = mapped_column(
        sa.Boolean(),
        nullable=False,
        server_default=sa.false(),
        info={"doc": "Remove the job once it has run."},
    )
    next_run_at: Mapped[datetime | None] = mapped_column(
        Timestamp(), nullable=True, info={"doc": "When the job runs next."}
    )
    last_run_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True)
    last_status: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    updated_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(), sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), nullable=True
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(), sa.ForeignKey("tenants.id"), nullable=False)
    stateless: Mapped[bool] = mapped_column(
        sa.Boolean(),
        nullable=False,
        server_default=sa.false(),
        info={"doc": "Run without loading the agent's conversation history."},
    )
    deliver: Mapped[bool] = mapped_column(
        sa.Boolean(), nullable=False, server_default=sa.false(), info={"doc": "Post the result to a chat."}
    )
    deliver_channel: Mapped[str] = mapped_column(
        sa.Text(), nullable=False, server_default="", info={"doc": "Channel the result goes to."}
    )
    deliver_to: Mapped[str] = mapped_column(
        sa.Text(), nullable=False, server_default="", info={"doc": "Chat the result goes to."}
    )
    wake_heartbeat: Mapped[bool] = mapped_column(
        sa.Boolean(),
        nullable=False,
        server_default=sa.false(),
        info={"doc": "Trigger the agent's heartbeat after the run."},
    )

    agent: Mapped[Agent | None] = relationship(back_populates="cron_jobs")
    run_logs: Mapped[list[CronRunLog]] = relationship(
        back_populates="job", cascade="all, delete-orphan", passive_deletes=True
    )


class CronRunLog(Base):
    """The outcome of one run of a scheduled job."""

    __tablename__ = "cron_run_logs"
    __table_args__ = (
        sa.Index("idx_cron_run_logs_job", "job_id", sa.text("ran_at DESC")),
        sa.Index(
            "idx_cron_run_logs_team",
            "team_id",
            postgresql_where=sa.text("team_id IS NOT NULL"),
            sqlite_where=sa.text("team_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(), primary_key=True, server_default=uuid_generate_v7())
    job_id: Mapped[uuid.UUID] = mapped_column(
        UUID(), sa.ForeignKey("cron_jobs.id", ondelete="CASCADE"), nullable=False
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(), sa.ForeignKey("agents.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, info={"doc": "Outcome of the run."})
    summary: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    error: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer(), nullable=True)
    input_tokens: Mapped[int | None] = mapped_column(sa.Integer(), nullable=True, server_default=sa.text("0"))
    output_tokens: Mapped[int | None] = mapped_column(
        sa.Integer(), nullable=True, server_default=sa.text("0")
    )
    ran_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    created_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(), sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), nullable=True
    )

    job: Mapped[CronJob] = relationship(back_populates="run_logs")


class AgentHeartbeat(Base):
    """An agent's periodic self-check schedule."""

    __tablename__ = "agent_heartbeats"
    __table_args__ = (
        sa.Index(
            "idx_heartbeats_due",
            "next_run_at",
            postgresql_where=sa.text("enabled = true AND next_run_at IS NOT NULL"),
            sqlite_where=sa.text("enabled = true AND next_run_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(), primary_key=True, server_default=uuid_generate_v7())
    agent_id: Mapped[uuid.UUID] = mapped_column(
        UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    enabled: Mapped[bool] = mapped_column(
        sa.Boolean(), nullable=False, server_default=sa.false(), info={"doc": "Whether heartbeats run."}
    )
    interval_sec: Mapped[int] = mapped_column(
        sa.Integer(),
        nullable=False,
        server_default=sa.text("1800"),
        info={"doc": "Seconds between heartbeat runs."},
    )
    prompt: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    provider_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(), sa.ForeignKey("llm_providers.id"), nullable=True
    )
    model: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    isolated_session: Mapped[bool] = mapped_column(
        sa.Boolean(),
        nullable=False,
        server_default=sa.true(),
        info={"doc": "Run in a session of its own rather than the agent's main one."},
    )
    light_context: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, server_default=sa.false())
    ack_max_chars: Mapped[int] = mapped_column(sa.Integer(), nullable=False, server_default=sa.text("300"))
    max_retries: Mapped[int] = mapped_column(sa.Integer(), nullable=False, server_default=sa.text("2"))
    active_hours_start: Mapped[str | None] = mapped_column(
        sa.String(5), nullable=True, info={"doc": "Start of the daily window in which heartbeats run."}
    )
    active_hours_end: Mapped[str | None] = mapped_column(sa.String(5), nullable=True)
    timezone: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    channel: Mapped[str | None] = mapped_column(sa.String(50), nullable=True)
    chat_id: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    next_run_at: Mapped[datetime | None] = mapped_column(
        Timestamp(), nullable=True, info={"doc": "When the next heartbeat is due."}
    )
    last_run_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True)
    last_status: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    run_count: Mapped[int] = mapped_column(sa.Integer(), nullable=False, server_default=sa.text("0"))
    suppress_count: Mapped[int] = mapped_column(
        sa.Integer(),
        nullable=False,
        server_default=sa.text("0"),
        info={"doc": "Runs whose reply was not delivered because there was nothing to report."},
    )
    metadata_: Mapped[dict[str, Any] | None] = mapped_column(
        "metadata", JSONB(), nullable=True, server_default="{}"
    )
    created_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    updated_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())

    run_logs: Mapped[list[HeartbeatRunLog]] = relationship(
        back_populates="heartbeat", cascade="all, delete-orphan", passive_deletes=True
    )
    agent: Mapped[Agent] = relationship(back_populates="heartbeat")


class HeartbeatRunLog(Base):
    """The outcome of one heartbeat run."""

    __tablename__ = "heartbeat_run_logs"
    __table_args__ = (
        sa.Index("idx_hb_logs_agent", "agent_id", sa.text("ran_at DESC")),
        sa.Index("idx_hb_logs_heartbeat", "heartbeat_id", sa.text("ran_at DESC")),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(), primary_key=True, server_default=uuid_generate_v7())
    heartbeat_id: Mapped[uuid.UUID] = mapped_column(
        UUID(), sa.ForeignKey("agent_heartbeats.id", ondelete="CASCADE"), nullable=False
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(
        UUID(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    summary: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    error: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer(), nullable=True)
    input_tokens: Mapped[int | None] = mapped_column(sa.Integer(), nullable=True, server_default=sa.text("0"))
    output_tokens: Mapped[int | None] = mapped_column(
        sa.Integer(), nullable=True, server_default=sa.text("0")
    )
    skip_reason: Mapped[str | None] = mapped_column(
        sa.String(50), nullable=True, info={"doc": "Why the run was skipped, if it was."}
    )
    metadata_: Mapped[dict[str, Any] | None] = mapped_column(
        "metadata", JSONB(), nullable=True, server_default="{}"
    )
    ran_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())
    created_at: Mapped[datetime | None] = mapped_column(Timestamp(), nullable=True, server_default=now())

    heartbeat: Mapped[AgentHeartbeat] = relationship(back_populates="run_logs")
