"""Agents and what hangs directly off them: links, shares, context files, per-user state, self-evolution."""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goclaw_db.base import Base
from goclaw_db.ids import uuid7
from goclaw_db.json_shapes import (
    CompactionConfig,
    ContextPruningConfig,
    JSONValue,
    MemoryConfig,
    ReasoningConfig,
    SandboxConfig,
    SubagentsConfig,
    ToolPolicy,
    WorkspaceSharing,
)
from goclaw_db.models._columns import (
    embedding_vector,
    gin_index,
    hnsw_index,
    random_uuid_pk,
    tenant_fk,
    timestamp_now,
    timestamp_updated,
    uuid_pk,
    where,
)
from goclaw_db.types import JSONB, TSVector

if TYPE_CHECKING:
    from goclaw_db.models.channels import ChannelInstance
    from goclaw_db.models.cron import (
        AgentHeartbeat,
        CronJob,
        CronRunLog,
        HeartbeatRunLog,
    )
    from goclaw_db.models.knowledge_graph import KGDedupCandidate, KGEntity, KGRelation
    from goclaw_db.models.mcp import MCPAccessRequest, MCPAgentGrant
    from goclaw_db.models.memory import EpisodicSummary, MemoryChunk, MemoryDocument
    from goclaw_db.models.security import SecureCLIAgentGrant
    from goclaw_db.models.sessions import ChatSession
    from goclaw_db.models.skills import SkillAgentGrant
    from goclaw_db.models.teams import (
        AgentTeam,
        AgentTeamMember,
        TeamTask,
        TeamTaskAttachment,
        TeamTaskComment,
    )
    from goclaw_db.models.tenants import Tenant
    from goclaw_db.models.tracing import Span, Trace
    from goclaw_db.models.vault import VaultDocument


class Agent(Base):
    """An AI agent: its model, tools, memory settings and workspace."""

    __tablename__ = "agents"
    __table_args__ = (
        hnsw_index("idx_agents_embedding"),
        sa.Index(
            "idx_agents_owner",
            "owner_id",
            **where("deleted_at IS NULL"),
        ),
        sa.Index(
            "idx_agents_status",
            "status",
            **where("deleted_at IS NULL"),
        ),
        sa.Index("idx_agents_tenant", "tenant_id"),
        sa.Index(
            "idx_agents_tenant_active",
            "tenant_id",
            **where("deleted_at IS NULL"),
        ),
        sa.Index(
            "idx_agents_tenant_agent_key_active",
            "tenant_id",
            "agent_key",
            unique=True,
            **where("deleted_at IS NULL"),
        ),
        gin_index("idx_agents_tsv", "tsv"),
        # Columns of the FTS5 index that stands in for the tsvector search on SQLite.
        {"info": {"fts5": ["display_name", "frontmatter"]}},
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_key: Mapped[str] = mapped_column(
        sa.String(100), info={"doc": "Stable identifier used in routing and session keys."}
    )
    display_name: Mapped[str | None] = mapped_column(
        sa.String(255), info={"doc": "Name shown to people; the agent_key stays stable."}, default=None
    )
    owner_id: Mapped[str] = mapped_column(sa.String(255), info={"doc": "User who created and owns the agent."})
    provider: Mapped[str] = mapped_column(
        sa.String(50),
        server_default="openrouter",
        info={"doc": "Name of the LLM provider the agent calls."},
        default=None,
    )
    model: Mapped[str] = mapped_column(sa.String(200), info={"doc": "Model identifier passed to the provider."})
    context_window: Mapped[int] = mapped_column(
        server_default=sa.text("200000"), info={"doc": "Size of the model's context window in tokens."}, default=None
    )
    max_tool_iterations: Mapped[int] = mapped_column(
        server_default=sa.text("20"), info={"doc": "Upper bound on tool calls in one run."}, default=None
    )
    workspace: Mapped[str] = mapped_column(server_default=".", info={"doc": "Folder the agent works in."}, default=None)
    restrict_to_workspace: Mapped[bool] = mapped_column(
        server_default=sa.true(), info={"doc": "Keep file tools inside the workspace."}, default=None
    )
    tools_config: Mapped[ToolPolicy] = mapped_column(
        JSONB(),
        server_default="{}",
        info={"doc": "Which tools the agent may use, and their settings (JSON)."},
        default=None,
    )
    sandbox_config: Mapped[SandboxConfig | None] = mapped_column(
        JSONB(),
        nullable=True,
        info={"doc": "Sandbox settings for command execution (JSON); NULL uses the defaults."},
        default=None,
    )
    subagents_config: Mapped[SubagentsConfig | None] = mapped_column(JSONB(), nullable=True, default=None)
    memory_config: Mapped[MemoryConfig | None] = mapped_column(
        JSONB(), nullable=True, info={"doc": "Long-term memory settings (JSON); NULL uses the defaults."}, default=None
    )
    compaction_config: Mapped[CompactionConfig | None] = mapped_column(
        JSONB(), nullable=True, info={"doc": "When and how long conversations are compacted (JSON)."}, default=None
    )
    context_pruning: Mapped[ContextPruningConfig | None] = mapped_column(JSONB(), nullable=True, default=None)
    other_config: Mapped[dict[str, Any]] = mapped_column(
        server_default="{}", info={"doc": "Further settings without a column of their own (JSON)."}, default=None
    )
    is_default: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "The agent used when a request names none."}, default=None
    )
    agent_type: Mapped[str] = mapped_column(
        sa.String(20),
        server_default="open",
        info={"doc": "open (per-user context) or predefined (shared context)."},
        default=None,
    )
    status: Mapped[str | None] = mapped_column(
        sa.String(20), server_default="active", info={"doc": "Lifecycle state, e.g. active."}, default=None
    )
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(
        info={"doc": "Set when the agent is soft-deleted; NULL while active."}, default=None
    )
    frontmatter: Mapped[str | None] = mapped_column(
        info={"doc": "Short self-description used for agent discovery."}, default=None
    )
    tsv: Mapped[str | None] = mapped_column(
        TSVector(),
        sa.Computed(
            "to_tsvector('simple'::regconfig, (((COALESCE(display_name, ''::character"
            " varying))::text || ' '::text) || COALESCE(frontmatter, ''::text)))",
            persisted=True,
        ),
        deferred=True,
        info={"doc": "Full-text search vector over display name and frontmatter (generated)."},
        init=False,
    )
    embedding: Mapped[embedding_vector] = mapped_column(
        info={"doc": "Embedding of the agent description, for semantic discovery."}, default=None
    )
    budget_monthly_cents: Mapped[int | None] = mapped_column(
        info={"doc": "Monthly spending cap in cents; NULL means unlimited."}, default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    emoji: Mapped[str] = mapped_column(
        server_default="", default=None, info={"doc": "Emoji shown beside the agent's name."}
    )
    agent_description: Mapped[str] = mapped_column(
        server_default="", default=None, info={"doc": "What the agent is for, as shown to users and other agents."}
    )
    thinking_level: Mapped[str] = mapped_column(
        server_default="",
        info={"doc": "Reasoning effort requested from the model; empty for the provider default."},
        default=None,
    )
    max_tokens: Mapped[int] = mapped_column(
        server_default=sa.text("0"), default=None, info={"doc": "Most tokens the model may produce per reply."}
    )
    self_evolve: Mapped[bool] = mapped_column(
        server_default=sa.false(), info={"doc": "Lets the agent propose changes to itself."}, default=None
    )
    skill_evolve: Mapped[bool] = mapped_column(
        server_default=sa.false(), default=None, info={"doc": "Whether the agent may improve its own skills."}
    )
    skill_nudge_interval: Mapped[int] = mapped_column(
        server_default=sa.text("0"),
        default=None,
        info={"doc": "How often (in turns) the agent is reminded to record skills; 0 never."},
    )
    reasoning_config: Mapped[ReasoningConfig] = mapped_column(JSONB(), server_default="{}", default=None)
    workspace_sharing: Mapped[WorkspaceSharing] = mapped_column(JSONB(), server_default="{}", default=None)
    chatgpt_oauth_routing: Mapped[dict[str, Any]] = mapped_column(
        server_default="{}", default=None, info={"doc": "How calls through a ChatGPT account are routed (JSON object)."}
    )
    shell_deny_groups: Mapped[dict[str, Any]] = mapped_column(
        server_default="{}", default=None, info={"doc": "Groups of shell commands the agent may not run (JSON object)."}
    )
    kg_dedup_config: Mapped[dict[str, Any]] = mapped_column(
        server_default="{}",
        default=None,
        info={"doc": "Settings of knowledge-graph duplicate detection (JSON object)."},
    )

    tenant: Mapped["Tenant"] = relationship(back_populates="agents", default=None)
    sessions: Mapped[list["ChatSession"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    context_files: Mapped[list["AgentContextFile"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    outgoing_links: Mapped[list["AgentLink"]] = relationship(
        foreign_keys="AgentLink.source_agent_id",
        back_populates="source_agent",
        cascade="all, delete-orphan",
        passive_deletes=True,
        default_factory=list,
    )
    incoming_links: Mapped[list["AgentLink"]] = relationship(
        foreign_keys="AgentLink.target_agent_id",
        back_populates="target_agent",
        cascade="all, delete-orphan",
        passive_deletes=True,
        default_factory=list,
    )
    memory_documents: Mapped[list["MemoryDocument"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    led_teams: Mapped[list["AgentTeam"]] = relationship(
        back_populates="lead_agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    team_memberships: Mapped[list["AgentTeamMember"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    owned_tasks: Mapped[list["TeamTask"]] = relationship(
        foreign_keys="TeamTask.owner_agent_id", back_populates="owner_agent", passive_deletes=True, default_factory=list
    )
    cron_jobs: Mapped[list["CronJob"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    channel_instances: Mapped[list["ChannelInstance"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    heartbeat: Mapped["AgentHeartbeat | None"] = relationship(
        back_populates="agent", passive_deletes=True, default=None
    )
    config_permissions: Mapped[list["AgentConfigPermission"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    evolution_metrics: Mapped[list["AgentEvolutionMetric"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    evolution_suggestions: Mapped[list["AgentEvolutionSuggestion"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    shares: Mapped[list["AgentShare"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    episodic_summaries: Mapped[list["EpisodicSummary"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    mcp_access_requests: Mapped[list["MCPAccessRequest"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    mcp_grants: Mapped[list["MCPAgentGrant"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    secure_cli_grants: Mapped[list["SecureCLIAgentGrant"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    skill_grants: Mapped[list["SkillAgentGrant"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    user_overrides: Mapped[list["UserAgentOverride"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    user_profiles: Mapped[list["UserAgentProfile"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    user_context_files: Mapped[list["UserContextFile"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    heartbeat_run_logs: Mapped[list["HeartbeatRunLog"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    kg_entities: Mapped[list["KGEntity"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    created_tasks: Mapped[list["TeamTask"]] = relationship(
        foreign_keys="TeamTask.created_by_agent_id",
        back_populates="created_by_agent",
        passive_deletes=True,
        default_factory=list,
    )
    # An agent's deletion leaves its documents without an agent (the database sets it NULL).
    vault_documents: Mapped[list["VaultDocument"]] = relationship(
        back_populates="agent", passive_deletes=True, default_factory=list
    )
    cron_run_logs: Mapped[list["CronRunLog"]] = relationship(
        back_populates="agent", passive_deletes=True, default_factory=list
    )
    kg_dedup_candidates: Mapped[list["KGDedupCandidate"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    kg_relations: Mapped[list["KGRelation"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    memory_chunks: Mapped[list["MemoryChunk"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True, default_factory=list
    )
    created_attachments: Mapped[list["TeamTaskAttachment"]] = relationship(
        back_populates="created_by_agent", default_factory=list
    )
    task_comments: Mapped[list["TeamTaskComment"]] = relationship(
        back_populates="agent", passive_deletes=True, default_factory=list
    )
    traces: Mapped[list["Trace"]] = relationship(
        primaryjoin="Agent.id == foreign(Trace.agent_id)",
        back_populates="agent",
        passive_deletes="all",
        default_factory=list,
    )
    spans: Mapped[list["Span"]] = relationship(
        primaryjoin="Agent.id == foreign(Span.agent_id)",
        back_populates="agent",
        passive_deletes="all",
        default_factory=list,
    )


class AgentLink(Base):
    """A delegation link letting one agent hand work to another."""

    __tablename__ = "agent_links"
    __table_args__ = (
        sa.CheckConstraint("source_agent_id <> target_agent_id", name="agent_links_check"),
        sa.UniqueConstraint("source_agent_id", "target_agent_id"),
        sa.Index(
            "idx_agent_links_source",
            "source_agent_id",
            **where("status = 'active'"),
        ),
        sa.Index(
            "idx_agent_links_target",
            "target_agent_id",
            **where("status = 'active'"),
        ),
        sa.Index("idx_agent_links_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    source_agent_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None, info={"doc": "Agent that may delegate work."}
    )
    target_agent_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="CASCADE"),
        default=None,
        info={"doc": "Agent that receives the delegated work."},
    )
    direction: Mapped[str] = mapped_column(
        sa.String(20),
        server_default="outbound",
        info={"doc": "outbound, inbound or bidirectional delegation."},
        default=None,
    )
    description: Mapped[str | None] = mapped_column(default=None)
    max_concurrent: Mapped[int] = mapped_column(
        server_default=sa.text("3"),
        info={"doc": "How many delegated runs may be in flight over this link at once."},
        default=None,
    )
    settings: Mapped[dict[str, Any]] = mapped_column(server_default="{}", default=None)
    status: Mapped[str] = mapped_column(
        sa.String(20), server_default="active", info={"doc": "active links are used for delegation."}, default=None
    )
    created_by: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agent_teams.id", ondelete="SET NULL"), default=None
    )
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    source_agent: Mapped["Agent"] = relationship(
        foreign_keys="AgentLink.source_agent_id", back_populates="outgoing_links", default=None
    )
    target_agent: Mapped["Agent"] = relationship(
        foreign_keys="AgentLink.target_agent_id", back_populates="incoming_links", default=None
    )
    team: Mapped["AgentTeam | None"] = relationship(back_populates="agent_links", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class AgentShare(Base):
    """Access to an agent granted to a user who does not own it."""

    __tablename__ = "agent_shares"
    __table_args__ = (
        sa.UniqueConstraint("agent_id", "user_id"),
        sa.Index("idx_agent_shares_tenant", "tenant_id"),
        sa.Index("idx_agent_shares_user", "user_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(
        sa.String(20), server_default="user", info={"doc": "What the user may do with the shared agent."}, default=None
    )
    granted_by: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    agent: Mapped["Agent"] = relationship(back_populates="shares", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class AgentContextFile(Base):
    """A context file (e.g. AGENTS.md) shared by every user of an agent."""

    __tablename__ = "agent_context_files"
    __table_args__ = (
        sa.UniqueConstraint("agent_id", "file_name"),
        sa.Index("idx_agent_context_files_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    file_name: Mapped[str] = mapped_column(sa.String(255), info={"doc": "Name of the file, e.g. AGENTS.md."})
    content: Mapped[str] = mapped_column(server_default="", info={"doc": "The file's text."}, default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    agent: Mapped["Agent"] = relationship(back_populates="context_files", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class UserContextFile(Base):
    """A context file an agent keeps for one particular user."""

    __tablename__ = "user_context_files"
    __table_args__ = (
        sa.UniqueConstraint("agent_id", "user_id", "file_name"),
        sa.Index("idx_user_context_files_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str] = mapped_column(sa.String(255))
    file_name: Mapped[str] = mapped_column(sa.String(255), info={"doc": "Name of the file."})
    content: Mapped[str] = mapped_column(server_default="", info={"doc": "The file's text."}, default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    agent: Mapped["Agent"] = relationship(back_populates="user_context_files", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class AgentConfigPermission(Base):
    """Who may change which part of an agent's configuration."""

    __tablename__ = "agent_config_permissions"
    __table_args__ = (
        sa.UniqueConstraint("agent_id", "scope", "config_type", "user_id"),
        sa.Index("idx_acp_lookup", "agent_id", "scope", "config_type"),
        sa.Index("idx_agent_config_permissions_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    scope: Mapped[str] = mapped_column(
        sa.String(255), info={"doc": "Which part of the configuration the permission covers."}
    )
    config_type: Mapped[str] = mapped_column(
        sa.String(50), info={"doc": "Which part of the agent's configuration the permission covers."}
    )
    user_id: Mapped[str] = mapped_column(sa.String(255))
    permission: Mapped[str] = mapped_column(sa.String(10), info={"doc": "The access level granted."})
    granted_by: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}", default=None)
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    agent: Mapped["Agent"] = relationship(back_populates="config_permissions", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class UserAgentOverride(Base):
    """A user's personal override of an agent's provider or model."""

    __tablename__ = "user_agent_overrides"
    __table_args__ = (
        sa.UniqueConstraint("agent_id", "user_id"),
        sa.Index("idx_user_agent_overrides_tenant", "tenant_id"),
    )

    id: Mapped[uuid_pk] = mapped_column(default_factory=uuid7)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[str] = mapped_column(sa.String(255))
    provider: Mapped[str | None] = mapped_column(sa.String(50), default=None)
    model: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(
        server_default="{}", info={"doc": "Further per-user settings (JSON)."}, default=None
    )
    created_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp_updated | None] = mapped_column(default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    agent: Mapped["Agent"] = relationship(back_populates="user_overrides", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class UserAgentProfile(Base):
    """What an agent knows about a user it has met: workspace and activity."""

    __tablename__ = "user_agent_profiles"
    __table_args__ = (sa.Index("idx_user_agent_profiles_tenant", "tenant_id"),)

    agent_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, default=None
    )
    user_id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    workspace: Mapped[str | None] = mapped_column(
        info={"doc": "The user's own workspace folder for this agent."}, default=None
    )
    first_seen_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    last_seen_at: Mapped[timestamp_now | None] = mapped_column(default=None)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", server_default="{}", default=None)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)

    agent: Mapped["Agent"] = relationship(back_populates="user_profiles", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class AgentEvolutionMetric(Base):
    """A measurement recorded to drive an agent's self-improvement."""

    __tablename__ = "agent_evolution_metrics"
    __table_args__ = (
        sa.Index("idx_evo_metrics_agent_type", "agent_id", "metric_type"),
        sa.Index("idx_evo_metrics_created", "created_at"),
        sa.Index("idx_evo_metrics_tenant", "tenant_id"),
    )

    id: Mapped[random_uuid_pk] = mapped_column(default_factory=uuid7)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    session_key: Mapped[str]
    metric_type: Mapped[str] = mapped_column(info={"doc": "Kind of observation, used to group metrics."})
    metric_key: Mapped[str] = mapped_column(info={"doc": "Name of the measured quantity."})
    value: Mapped[JSONValue] = mapped_column(JSONB(), nullable=False, info={"doc": "The measured value (JSON)."})
    created_at: Mapped[timestamp_now] = mapped_column(default=None)

    agent: Mapped["Agent"] = relationship(back_populates="evolution_metrics", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)


class AgentEvolutionSuggestion(Base):
    """A proposed change to an agent, awaiting review."""

    __tablename__ = "agent_evolution_suggestions"
    __table_args__ = (
        sa.Index("idx_evo_suggestions_agent", "agent_id", "status"),
        sa.Index("idx_evo_suggestions_tenant", "tenant_id"),
    )

    id: Mapped[random_uuid_pk] = mapped_column(default_factory=uuid7)
    tenant_id: Mapped[tenant_fk] = mapped_column(default=None)
    agent_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agents.id", ondelete="CASCADE"), default=None)
    suggestion_type: Mapped[str] = mapped_column(info={"doc": "What kind of change is proposed."})
    suggestion: Mapped[str] = mapped_column(info={"doc": "The proposed change."})
    rationale: Mapped[str] = mapped_column(info={"doc": "Why the change is proposed."})
    parameters: Mapped[dict[str, Any] | None] = mapped_column(
        JSONB(), nullable=True, default=None, info={"doc": "Values the change would set (JSON object)."}
    )
    status: Mapped[str] = mapped_column(
        server_default="pending", info={"doc": "pending until someone reviews the suggestion."}, default=None
    )
    reviewed_by: Mapped[str | None] = mapped_column(default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[timestamp_now] = mapped_column(default=None)

    agent: Mapped["Agent"] = relationship(back_populates="evolution_suggestions", default=None)
    tenant: Mapped["Tenant"] = relationship(default=None)
