"""Agent teams and their task board."""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.ids import uuid7
from goclaw_db.models._columns import (
    embedding_vector,
    gin_index,
    hnsw_index,
    tenant_fk,
    timestamp_now,
    timestamp_updated,
    uuid_pk,
    where,
)
from goclaw_db.types import JSONB, TSVector, UUIDArray, empty_array

if TYPE_CHECKING:
    from goclaw_db.models.agents import Agent, AgentLink
    from goclaw_db.models.cron import CronJob, CronRunLog
    from goclaw_db.models.knowledge_graph import KGEntity, KGRelation
    from goclaw_db.models.memory import MemoryChunk, MemoryDocument
    from goclaw_db.models.sessions import ChatSession
    from goclaw_db.models.tenants import Tenant
    from goclaw_db.models.tracing import Span, Trace
    from goclaw_db.models.vault import VaultDocument


class AgentTeam(Base):
    """A team of agents working under a lead agent."""

    __tablename__ = "agent_teams"
    __table_args__ = (sa.Index("idx_agent_teams_tenant", "tenant_id"),)

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    name: Mapped[str] = mapped_column(sa.String(255))
    lead_agent_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="CASCADE"),
        info={"doc": "The agent that coordinates the team."},
        default=None,
    )
    description: Mapped[str | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(
        sa.String(20), server_default="active", info={"doc": "Lifecycle state, e.g. active."}, default=None
    )
    settings: Mapped[dict[str, Any]] = mapped_column(
        server_default="{}", info={"doc": "Team settings (JSON)."}, default=None
    )
    created_by: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    tenant: Mapped["Tenant"] = relationship(back_populates="teams", default=None)
    sessions: Mapped[list["ChatSession"]] = relationship(
        back_populates="team", passive_deletes=True, default_factory=list
    )
    lead_agent: Mapped["Agent"] = relationship(back_populates="led_teams", default=None)
    members: Mapped[list["AgentTeamMember"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    tasks: Mapped[list["TeamTask"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    agent_links: Mapped[list["AgentLink"]] = relationship(
        back_populates="team", passive_deletes=True, default_factory=list
    )
    cron_jobs: Mapped[list["CronJob"]] = relationship(back_populates="team", passive_deletes=True, default_factory=list)
    kg_entities: Mapped[list["KGEntity"]] = relationship(
        back_populates="team", passive_deletes=True, default_factory=list
    )
    memory_documents: Mapped[list["MemoryDocument"]] = relationship(
        back_populates="team", passive_deletes=True, default_factory=list
    )
    spans: Mapped[list["Span"]] = relationship(back_populates="team", passive_deletes=True, default_factory=list)
    user_grants: Mapped[list["TeamUserGrant"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    traces: Mapped[list["Trace"]] = relationship(back_populates="team", passive_deletes=True, default_factory=list)
    vault_documents: Mapped[list["VaultDocument"]] = relationship(
        back_populates="team", passive_deletes=True, default_factory=list
    )
    cron_run_logs: Mapped[list["CronRunLog"]] = relationship(
        back_populates="team", passive_deletes=True, default_factory=list
    )
    kg_relations: Mapped[list["KGRelation"]] = relationship(
        back_populates="team", passive_deletes=True, default_factory=list
    )
    memory_chunks: Mapped[list["MemoryChunk"]] = relationship(
        back_populates="team", passive_deletes=True, default_factory=list
    )
    task_attachments: Mapped[list["TeamTaskAttachment"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )


class AgentTeamMember(Base):
    """An agent's membership of a team."""

    __tablename__ = "agent_team_members"
    __table_args__ = (sa.Index("idx_agent_team_members_tenant", "tenant_id"),)

    team_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="CASCADE"), primary_key=True, default=None
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, default=None
    )
    role: Mapped[str] = mapped_column(
        sa.String(20), server_default="member", info={"doc": "The agent's role in the team, e.g. member."}, default=None
    )
    joined_at: Mapped[timestamp_now | None] = mapped_column(
        default=None, info={"doc": "When the agent joined the team."}
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    team: Mapped["AgentTeam"] = relationship(back_populates="members", default=None)
    agent: Mapped["Agent"] = relationship(back_populates="team_memberships", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class TeamTask(Base):
    """A unit of work on a team's task board."""

    __tablename__ = "team_tasks"
    __table_args__ = (
        sa.CheckConstraint(
            "progress_percent >= 0 AND progress_percent <= 100", name="team_tasks_progress_percent_check"
        ),
        sa.Index("idx_team_tasks_status", "team_id", "status"),
        sa.Index("idx_team_tasks_team", "team_id"),
        sa.Index("idx_team_tasks_tenant", "tenant_id"),
        gin_index("idx_team_tasks_tsv", "tsv"),
        sa.Index(
            "idx_team_tasks_user_scope",
            "team_id",
            "user_id",
            **where("user_id IS NOT NULL"),
        ),
        gin_index("idx_tt_blocked_by", "blocked_by"),
        hnsw_index("idx_tt_embedding"),
        sa.Index(
            "idx_tt_followup",
            "followup_at",
            **where("followup_at IS NOT NULL AND status = 'in_progress'"),
        ),
        sa.Index(
            "idx_tt_identifier",
            "team_id",
            "identifier",
            unique=True,
            **where("identifier IS NOT NULL"),
        ),
        sa.Index(
            "idx_tt_lock",
            "lock_expires_at",
            **where("lock_expires_at IS NOT NULL AND status = 'in_progress'"),
        ),
        sa.Index("idx_tt_owner_status", "team_id", "owner_agent_id", "status"),
        sa.Index(
            "idx_tt_parent",
            "parent_id",
            **where("parent_id IS NOT NULL"),
        ),
        sa.Index("idx_tt_scope", "team_id", "channel", "chat_id"),
        sa.Index("idx_tt_type", "team_id", "task_type"),
        # Columns of the FTS5 index that stands in for the tsvector search on SQLite.
        {"info": {"fts5": ["subject", "description"]}},
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agent_teams.id", ondelete="CASCADE"), default=None)
    subject: Mapped[str] = mapped_column(sa.String(500), info={"doc": "One-line title of the task."})
    description: Mapped[str | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(
        sa.String(20),
        server_default="pending",
        info={"doc": "Board column, e.g. pending, in_progress or completed."},
        default=None,
    )
    owner_agent_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="SET NULL"), info={"doc": "Agent working on the task."}, default=None
    )
    blocked_by: Mapped[list[uuid.UUID] | None] = mapped_column(
        server_default=empty_array(UUIDArray()),
        info={"doc": "Ids of tasks that must finish before this one."},
        default=None,
    )
    priority: Mapped[int] = mapped_column(server_default=sa.text("0"), default=None, info={"doc": "Higher runs first."})
    result: Mapped[str | None] = mapped_column(default=None, info={"doc": "What the task produced."})
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    tsv: Mapped[str | None] = mapped_column(
        TSVector(),
        sa.Computed(
            "to_tsvector('simple'::regconfig, (((subject)::text || ' '::text) || COALESCE(description, ''::text)))",
            persisted=True,
        ),
        deferred=True,
        info={"doc": "Full-text search vector over subject and description (generated)."},
        init=False,
    )
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", server_default="{}", default=None)
    user_id: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    channel: Mapped[str | None] = mapped_column(sa.String(50), default=None)
    task_type: Mapped[str] = mapped_column(
        sa.String(30), server_default="general", info={"doc": "Kind of task, e.g. general."}, default=None
    )
    task_number: Mapped[int] = mapped_column(
        server_default=sa.text("0"), info={"doc": "Sequence number of the task within its team."}, default=None
    )
    identifier: Mapped[str | None] = mapped_column(
        sa.String(20), info={"doc": "Human-readable task id such as ABC-12, unique per team."}, default=None
    )
    created_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="SET NULL"),
        default=None,
        info={"doc": "Agent that created the task, if an agent did."},
    )
    assignee_user_id: Mapped[str | None] = mapped_column(
        sa.String(255), default=None, info={"doc": "User the task is assigned to, if a person."}
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("team_tasks.id", ondelete="SET NULL"),
        default=None,
        info={"doc": "Task this one is a subtask of; NULL for a top-level task."},
    )
    chat_id: Mapped[str | None] = mapped_column(sa.String(255), server_default="", default=None)
    locked_at: Mapped[datetime | None] = mapped_column(default=None, info={"doc": "When an agent claimed the task."})
    lock_expires_at: Mapped[datetime | None] = mapped_column(
        info={"doc": "When the current owner's claim on the task lapses."}, default=None
    )
    progress_percent: Mapped[int | None] = mapped_column(
        server_default=sa.text("0"), info={"doc": "Completion estimate from 0 to 100."}, default=None
    )
    progress_step: Mapped[str | None] = mapped_column(default=None, info={"doc": "Description of the current step."})
    followup_at: Mapped[datetime | None] = mapped_column(
        info={"doc": "When the next follow-up reminder is due."}, default=None
    )
    followup_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Follow-up reminders sent."}
    )
    followup_max: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Most follow-up reminders to send."}
    )
    followup_message: Mapped[str | None] = mapped_column(default=None, info={"doc": "Text of the follow-up reminder."})
    followup_channel: Mapped[str | None] = mapped_column(
        sa.String(60), default=None, info={"doc": "Channel the reminder goes to."}
    )
    followup_chat_id: Mapped[str | None] = mapped_column(
        sa.String(255), default=None, info={"doc": "Chat the reminder goes to."}
    )
    confidence_score: Mapped[float | None] = mapped_column(sa.Double(), default=None)
    comment_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Number of comments."}
    )
    attachment_count: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Number of attachments."}
    )
    embedding: Mapped[embedding_vector] = mapped_column(
        info={"doc": "Embedding of the task for semantic search."}, default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    custom_scope: Mapped[str | None] = mapped_column(sa.String(255), default=None)

    team: Mapped["AgentTeam"] = relationship(back_populates="tasks", default=None)
    owner_agent: Mapped["Agent | None"] = relationship(
        foreign_keys="TeamTask.owner_agent_id", back_populates="owned_tasks", default=None
    )
    comments: Mapped[list["TeamTaskComment"]] = relationship(
        back_populates="task", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    events: Mapped[list["TeamTaskEvent"]] = relationship(
        back_populates="task", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    attachments: Mapped[list["TeamTaskAttachment"]] = relationship(
        back_populates="task", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    parent: Mapped["TeamTask | None"] = relationship(remote_side="TeamTask.id", back_populates="subtasks", default=None)
    subtasks: Mapped[list["TeamTask"]] = relationship(
        back_populates="parent", passive_deletes=True, default_factory=list
    )
    created_by_agent: Mapped["Agent | None"] = relationship(
        foreign_keys="TeamTask.created_by_agent_id", back_populates="created_tasks", default=None
    )
    tenant: Mapped["Tenant"] = relationship(default=None)


class TeamTaskComment(Base):
    """A comment left on a team task."""

    __tablename__ = "team_task_comments"
    __table_args__ = (
        sa.Index("idx_team_task_comments_tenant", "tenant_id"),
        sa.Index("idx_ttc_task", "task_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    task_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("team_tasks.id", ondelete="CASCADE"), default=None, info={"doc": "Task the comment is on."}
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    user_id: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    content: Mapped[str] = mapped_column(info={"doc": "Text of the comment."})
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}", default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    confidence_score: Mapped[float | None] = mapped_column(sa.Double(), default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    comment_type: Mapped[str] = mapped_column(
        sa.String(20), server_default="note", info={"doc": "Kind of comment, e.g. note."}, default=None
    )
    custom_scope: Mapped[str | None] = mapped_column(sa.String(255), default=None)

    task: Mapped["TeamTask"] = relationship(back_populates="comments", default=None)
    agent: Mapped["Agent | None"] = relationship(back_populates="task_comments", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class TeamTaskEvent(Base):
    """An entry in a team task's history."""

    __tablename__ = "team_task_events"
    __table_args__ = (
        sa.Index("idx_team_task_events_tenant", "tenant_id"),
        sa.Index("idx_tte_task", "task_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    task_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("team_tasks.id", ondelete="CASCADE"), default=None, info={"doc": "Task the event happened to."}
    )
    event_type: Mapped[str] = mapped_column(sa.String(30), info={"doc": "What happened, e.g. a status change."})
    actor_type: Mapped[str] = mapped_column(sa.String(10), info={"doc": "Kind of actor, e.g. agent."})
    actor_id: Mapped[str] = mapped_column(sa.String(255))
    data: Mapped[dict[str, Any] | None] = mapped_column(
        JSONB(), nullable=True, info={"doc": "Details of the event (JSON)."}, default=None
    )
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    custom_scope: Mapped[str | None] = mapped_column(sa.String(255), default=None)

    task: Mapped["TeamTask"] = relationship(back_populates="events", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class TeamTaskAttachment(Base):
    """A workspace file attached to a team task."""

    __tablename__ = "team_task_attachments"
    __table_args__ = (
        sa.UniqueConstraint("task_id", "path"),
        sa.Index("idx_team_task_attachments_tenant", "tenant_id"),
        sa.Index("idx_tta_task", "task_id"),
        sa.Index("idx_tta_team", "team_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    task_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("team_tasks.id", ondelete="CASCADE"), default=None, info={"doc": "Task the file is attached to."}
    )
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agent_teams.id", ondelete="CASCADE"), default=None)
    chat_id: Mapped[str] = mapped_column(sa.String(255), server_default="", default=None)
    path: Mapped[str] = mapped_column(info={"doc": "Path of the attached file in the team workspace."})
    file_size: Mapped[int] = mapped_column(sa.BigInteger(), server_default=sa.text("0"), default=None)
    mime_type: Mapped[str | None] = mapped_column(
        sa.String(100), server_default="", default=None, info={"doc": "Media type of the file."}
    )
    created_by_agent_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agents.id"), default=None, info={"doc": "Agent that attached the file, if an agent did."}
    )
    created_by_sender_id: Mapped[str | None] = mapped_column(
        sa.String(255), server_default="", default=None, info={"doc": "Channel sender who attached the file."}
    )
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", server_default="{}", default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    custom_scope: Mapped[str | None] = mapped_column(sa.String(255), default=None)

    task: Mapped["TeamTask"] = relationship(back_populates="attachments", default=None)
    created_by_agent: Mapped["Agent | None"] = relationship(back_populates="created_attachments", default=None)
    team: Mapped["AgentTeam"] = relationship(back_populates="task_attachments", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class TeamUserGrant(Base):
    """Access to a team granted to a user."""

    __tablename__ = "team_user_grants"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "user_id"),
        sa.Index("idx_team_user_grants_team", "team_id"),
        sa.Index("idx_team_user_grants_tenant", "tenant_id"),
        sa.Index("idx_team_user_grants_user", "user_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agent_teams.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(
        sa.String(50),
        server_default="viewer",
        info={"doc": "What the user may do with the team, e.g. viewer."},
        default=None,
    )
    granted_by: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    team: Mapped["AgentTeam"] = relationship(back_populates="user_grants", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)
