"""SQLAlchemy models of GoClaw's tables, one module per domain."""

from goclaw_db import bookkeeping  # noqa: F401  (registers schema_migrations, data_migrations)
from goclaw_db.base import Base, metadata
from goclaw_db.models.tenants import MASTER_TENANT_ID, Tenant, TenantUser, SystemConfig
from goclaw_db.models.providers import LLMProvider
from goclaw_db.models.agents import (
    Agent,
    AgentLink,
    AgentShare,
    AgentContextFile,
    UserContextFile,
    AgentConfigPermission,
    UserAgentOverride,
    UserAgentProfile,
    AgentEvolutionMetric,
    AgentEvolutionSuggestion,
)
from goclaw_db.models.sessions import ChatSession, SubagentTask
from goclaw_db.models.memory import MemoryDocument, MemoryChunk, EmbeddingCache, EpisodicSummary
from goclaw_db.models.knowledge_graph import KGEntity, KGRelation, KGDedupCandidate
from goclaw_db.models.vault import VaultDocument, VaultLink, VaultVersion
from goclaw_db.models.teams import (
    AgentTeam,
    AgentTeamMember,
    TeamTask,
    TeamTaskComment,
    TeamTaskEvent,
    TeamTaskAttachment,
    TeamUserGrant,
)
from goclaw_db.models.tracing import Trace, Span, UsageSnapshot, ActivityLog
from goclaw_db.models.cron import CronJob, CronRunLog, AgentHeartbeat, HeartbeatRunLog
from goclaw_db.models.channels import ChannelInstance, ChannelContact, ChannelPendingMessage
from goclaw_db.models.security import (
    APIKey,
    ConfigSecret,
    PairedDevice,
    PairingRequest,
    SecureCLIBinary,
    SecureCLIUserCredential,
    SecureCLIAgentGrant,
)
from goclaw_db.models.mcp import MCPServer, MCPAgentGrant, MCPUserGrant, MCPAccessRequest, MCPUserCredential
from goclaw_db.models.skills import (
    Skill,
    SkillAgentGrant,
    SkillUserGrant,
    SkillTenantConfig,
    BuiltinTool,
    BuiltinToolTenantConfig,
)

__all__ = [
    "MASTER_TENANT_ID",
    "Base",
    "metadata",
    "Tenant",
    "TenantUser",
    "SystemConfig",
    "LLMProvider",
    "Agent",
    "AgentLink",
    "AgentShare",
    "AgentContextFile",
    "UserContextFile",
    "AgentConfigPermission",
    "UserAgentOverride",
    "UserAgentProfile",
    "AgentEvolutionMetric",
    "AgentEvolutionSuggestion",
    "ChatSession",
    "SubagentTask",
    "MemoryDocument",
    "MemoryChunk",
    "EmbeddingCache",
    "EpisodicSummary",
    "KGEntity",
    "KGRelation",
    "KGDedupCandidate",
    "VaultDocument",
    "VaultLink",
    "VaultVersion",
    "AgentTeam",
    "AgentTeamMember",
    "TeamTask",
    "TeamTaskComment",
    "TeamTaskEvent",
    "TeamTaskAttachment",
    "TeamUserGrant",
    "Trace",
    "Span",
    "UsageSnapshot",
    "ActivityLog",
    "CronJob",
    "CronRunLog",
    "AgentHeartbeat",
    "HeartbeatRunLog",
    "ChannelInstance",
    "ChannelContact",
    "ChannelPendingMessage",
    "APIKey",
    "ConfigSecret",
    "PairedDevice",
    "PairingRequest",
    "SecureCLIBinary",
    "SecureCLIUserCredential",
    "SecureCLIAgentGrant",
    "MCPServer",
    "MCPAgentGrant",
    "MCPUserGrant",
    "MCPAccessRequest",
    "MCPUserCredential",
    "Skill",
    "SkillAgentGrant",
    "SkillUserGrant",
    "SkillTenantConfig",
    "BuiltinTool",
    "BuiltinToolTenantConfig",
]
