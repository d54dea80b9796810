"""SQLAlchemy models of GoClaw's tables, one module per domain.

Everything is imported with Python's cyclic garbage collector paused.  Building
the mapped classes makes some 44,000 objects that all live on (classes, tables, columns,
mappers), so the 75 collections their allocation sets off find next to nothing to free,
and each walks the objects made since the last: about a tenth of the import.  The
collector's state is put back afterwards, and a failed import puts it back too.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


with _collector_paused():
    import goclaw_db.vector_side_tables  # noqa: F401  (ORM embeddings reach SQLite's side tables)
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
    "APIKey",
    "ActivityLog",
    "Agent",
    "AgentConfigPermission",
    "AgentContextFile",
    "AgentEvolutionMetric",
    "AgentEvolutionSuggestion",
    "AgentHeartbeat",
    "AgentLink",
    "AgentShare",
    "AgentTeam",
    "AgentTeamMember",
    "Base",
    "BuiltinTool",
    "BuiltinToolTenantConfig",
    "ChannelContact",
    "ChannelInstance",
    "ChannelPendingMessage",
    "ChatSession",
    "ConfigSecret",
    "CronJob",
    "CronRunLog",
    "EmbeddingCache",
    "EpisodicSummary",
    "HeartbeatRunLog",
    "KGDedupCandidate",
    "KGEntity",
    "KGRelation",
    "LLMProvider",
    "MCPAccessRequest",
    "MCPAgentGrant",
    "MCPServer",
    "MCPUserCredential",
    "MCPUserGrant",
    "MemoryChunk",
    "MemoryDocument",
    "PairedDevice",
    "PairingRequest",
    "SecureCLIAgentGrant",
    "SecureCLIBinary",
    "SecureCLIUserCredential",
    "Skill",
    "SkillAgentGrant",
    "SkillTenantConfig",
    "SkillUserGrant",
    "Span",
    "SubagentTask",
    "SystemConfig",
    "TeamTask",
    "TeamTaskAttachment",
    "TeamTaskComment",
    "TeamTaskEvent",
    "TeamUserGrant",
    "Tenant",
    "TenantUser",
    "Trace",
    "UsageSnapshot",
    "UserAgentOverride",
    "UserAgentProfile",
    "UserContextFile",
    "VaultDocument",
    "VaultLink",
    "VaultVersion",
    "metadata",
]
