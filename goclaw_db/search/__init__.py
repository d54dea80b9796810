"""Search GoClaw's memory, episodic summaries, vault, knowledge graph, team tasks, skills
and delegate targets, ranked as GoClaw's own stores rank them.

Every search takes a sync ``Connection``/``Engine``/``Session`` (``search_x``) or an
async one (``search_x_async``), the query text, and optionally the caller's embedding
of it (1536 floats; this package embeds nothing).  Each runs one statement.  A session's
search runs in its transaction (after a flush of its pending changes, when it autoflushes);
in a tenant-scoped session ``tenant_id`` may be left out, and another tenant's is refused
(``CrossTenantError``).
"""

from goclaw_db.search._common import SearchIndexMissing, SearchResults
from goclaw_db.search.delegates import (
    search_delegate_targets,
    search_delegate_targets_async,
    search_delegate_targets_by_embedding,
    search_delegate_targets_by_embedding_async,
)
from goclaw_db.search.episodic import search_episodic, search_episodic_async
from goclaw_db.search.knowledge_graph import search_entities, search_entities_async
from goclaw_db.search.memory import search_memory, search_memory_async
from goclaw_db.search.results import (
    DelegateTarget,
    EntitySearchResult,
    EpisodicSearchResult,
    MemorySearchResult,
    SkillSearchResult,
    TaskSearchResult,
    VaultDocumentData,
    VaultSearchResult,
)
from goclaw_db.search.skills import search_skills, search_skills_async
from goclaw_db.search.tasks import search_tasks, search_tasks_async
from goclaw_db.search.vault import search_vault, search_vault_async
from goclaw_db.types import EmbeddingDimensionError

__all__ = [
    "DelegateTarget",
    "EmbeddingDimensionError",
    "EntitySearchResult",
    "EpisodicSearchResult",
    "MemorySearchResult",
    "SearchIndexMissing",
    "SearchResults",
    "SkillSearchResult",
    "TaskSearchResult",
    "VaultDocumentData",
    "VaultSearchResult",
    "search_delegate_targets",
    "search_delegate_targets_async",
    "search_delegate_targets_by_embedding",
    "search_delegate_targets_by_embedding_async",
    "search_entities",
    "search_entities_async",
    "search_episodic",
    "search_episodic_async",
    "search_memory",
    "search_memory_async",
    "search_skills",
    "search_skills_async",
    "search_tasks",
    "search_tasks_async",
    "search_vault",
    "search_vault_async",
]
