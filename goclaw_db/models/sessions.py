"""Conversations and the sub-agent tasks spawned from them."""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.ids import uuid7
from goclaw_db.json_shapes import SessionMessage
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
    from goclaw_db.models.teams import AgentTeam
    from goclaw_db.models.tenants import Tenant


class ChatSession(Base):
    """A conversation between users and an agent, with its message history."""

    __tablename__ = "sessions"
    __table_args__ = (
        sa.Index("idx_sessions_agent", "agent_id"),
        sa.Index(
            "idx_sessions_metadata_gin",
            "metadata",
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        sa.Index(
            "idx_sessions_team",
            "team_id",
            **where("team_id IS NOT NULL"),
        ),
        sa.Index("idx_sessions_tenant", "tenant_id"),
        sa.Index("idx_sessions_tenant_session_key", "tenant_id", "session_key", unique=True),
        sa.Index("idx_sessions_tenant_user", "tenant_id", "user_id"),
        sa.Index("idx_sessions_updated", sa.text("updated_at DESC")),
        sa.Index("idx_sessions_user", "user_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    session_key: Mapped[str] = mapped_column(
        sa.String(500), info={"doc": "Gateway-side key of the conversation, unique per tenant."}
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    messages: Mapped[list[SessionMessage]] = mapped_column(
        JSONB(), server_default="[]", info={"doc": "The conversation history as a JSON array."}, default=None
    )
    summary: Mapped[str | None] = mapped_column(
        info={"doc": "Summary of earlier turns, kept after compaction."}, default=None
    )
    model: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    provider: Mapped[str | None] = mapped_column(sa.String(50), default=None)
    channel: Mapped[str | None] = mapped_column(
        sa.String(50), info={"doc": "Channel the conversation runs on."}, default=None
    )
    input_tokens: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"), default=None)
    output_tokens: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"), default=None)
    compaction_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"), info={"doc": "How often the history has been compacted."}, default=None
    )
    memory_flush_compaction_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Compaction count at the last memory flush."}
    )
    memory_flush_at: Mapped[int | None] = mapped_column(
        sa.BigInteger(),
        server_default=sa.text("0"),
        default=None,
        info={"doc": "When memories were last flushed (Unix milliseconds)."},
    )
    label: Mapped[str | None] = mapped_column(sa.String(500), default=None, info={"doc": "Title of the conversation."})
    spawned_by: Mapped[str | None] = mapped_column(
        sa.String(200), info={"doc": "Session key of the parent when a sub-agent session was spawned."}, default=None
    )
    spawn_depth: Mapped[int] = mapped_column(
        server_default=sa.text("0"),
        info={"doc": "Nesting depth when the session was spawned by another agent."},
        default=None,
    )
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}", default=None)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    agent: Mapped["Agent | None"] = relationship(back_populates="sessions", default=None)
    team: Mapped["AgentTeam | None"] = relationship(back_populates="sessions", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class SubagentTask(Base):
    """A task an agent spawned onto a sub-agent, with its outcome."""

    __tablename__ = "subagent_tasks"
    __table_args__ = (
        sa.Index(
            "idx_subagent_tasks_archive",
            "status",
            "completed_at",
            **where("status IN ('completed', 'failed', 'cancelled') AND archived_at IS NULL"),
        ),
        sa.Index("idx_subagent_tasks_created", "tenant_id", sa.text("created_at DESC")),
        sa.Index(
            "idx_subagent_tasks_metadata_gin",
            "metadata",
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        sa.Index("idx_subagent_tasks_parent_status", "tenant_id", "parent_agent_key", "status"),
        sa.Index(
            "idx_subagent_tasks_session",
            "session_key",
            **where("session_key IS NOT NULL"),
        ),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    tenant_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), default=None)
    parent_agent_key: Mapped[str] = mapped_column(
        sa.String(255), info={"doc": "Key of the agent that spawned the task."}
    )
    session_key: Mapped[str | None] = mapped_column(sa.String(500), default=None)
    subject: Mapped[str] = mapped_column(sa.String(255), info={"doc": "Short title of the task."})
    description: Mapped[str]
    status: Mapped[str] = mapped_column(
        sa.String(20), server_default="running", info={"doc": "running, completed, failed or cancelled."}, default=None
    )
    result: Mapped[str | None] = mapped_column(info={"doc": "What the sub-agent returned."}, default=None)
    depth: Mapped[int] = mapped_column(
        server_default=sa.text("1"),
        info={"doc": "How deep in the chain of spawned sub-agents the task runs."},
        default=None,
    )
    model: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    provider: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    iterations: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Agent-loop iterations the sub-agent used."}
    )
    input_tokens: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"), default=None)
    output_tokens: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"), default=None)
    origin_channel: Mapped[str | None] = mapped_column(
        sa.String(50), default=None, info={"doc": "Channel of the conversation that spawned the task."}
    )
    origin_chat_id: Mapped[str | None] = mapped_column(
        sa.String(255), default=None, info={"doc": "Chat of the conversation that spawned the task."}
    )
    origin_peer_kind: Mapped[str | None] = mapped_column(
        sa.String(20), default=None, info={"doc": "Kind of that chat (direct or group)."}
    )
    origin_user_id: Mapped[str | None] = mapped_column(
        sa.String(255), default=None, info={"doc": "User of the conversation that spawned the task."}
    )
    spawned_by: Mapped[uuid.UUID | None] = mapped_column(
        default=None, info={"doc": "Id of the task or run that spawned this one."}
    )
    completed_at: Mapped[datetime | None] = mapped_column(default=None, info={"doc": "When the task finished."})
    archived_at: Mapped[datetime | None] = mapped_column(
        info={"doc": "Set when a finished task has been archived."}, default=None
    )
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", server_default="{}", default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated] = mapped_column(default=None)
    custom_scope: Mapped[str | None] = mapped_column(sa.String(255), default=None)

    tenant: Mapped["Tenant"] = relationship(default=None)
