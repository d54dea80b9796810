"""SQLAlchemy models of GoClaw's tables, one module per domain."""

from goclaw_db import bookkeeping  # noqa: F401  (registers schema_migrations, data_migrations)
from goclaw_db.base import Base, metadata
from goclaw_db.models.agents import (
    Agent,
    AgentConfigPermission,
    AgentContextFile,
    AgentEvolutionMetric,
    AgentEvolutionSuggestion,
    AgentLink,
    AgentShare,
    UserAgentOverride,
    UserAgentProfile,
    UserContextFile,
)
from goclaw_db.models.channels import (
    ChannelContact,
    ChannelInstance,
    ChannelPendingMessage,
)
from goclaw_db.models.cron import AgentHeartbeat, CronJob, CronRunLog, HeartbeatRunLog
from goclaw_db.models.knowledge_graph import KGDedupCandidate, KGEntity, KGRelation
from goclaw_db.models.mcp import (
    MCPAccessRequest,
    MCPAgentGrant,
    MCPServer,
    MCPUserCredential,
    MCPUserGrant,
)
from goclaw_db.models.memory import (
    EmbeddingCache,
    EpisodicSummary,
    MemoryChunk,
    MemoryDocument,
)
from goclaw_db.models.providers import LLMProvider
from goclaw_db.models.security import (
    APIKey,
    ConfigSecret,
    PairedDevice,
    PairingRequest,
    SecureCLIAgentGrant,
    SecureCLIBinary,
    SecureCLIUserCredential,
)
from goclaw_db.models.sessions import ChatSession, SubagentTask
from goclaw_db.models.skills import (
    BuiltinTool,
    BuiltinToolTenantConfig,
    Skill,
    SkillAgentGrant,
    SkillTenantConfig,
    SkillUserGrant,
)
from goclaw_db.models.teams import (
    AgentTeam,
    AgentTeamMember,
    TeamTask,
    TeamTaskAttachment,
    TeamTaskComment,
    TeamTaskEvent,
    TeamUserGrant,
)
from goclaw_db.models.tenants import MASTER_TENANT_ID, SystemConfig, Tenant, TenantUser
from goclaw_db.models.tracing import ActivityLog, Span, Trace, UsageSnapshot
from goclaw_db.models.vault import VaultDocument, VaultLink, VaultVersion

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
