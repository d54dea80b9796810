"""Search GoClaw's memory, episodic summaries, vault, knowledge graph, team tasks,
skills and delegate targets, ranked as GoClaw's own store ranks them.

Every search takes a sync ``Connection``/``Engine`` (``search_x``) or an async
one (``search_x_async``), the query text, and optionally the caller's embedding
of it (1536 floats; this package embeds nothing).  Each runs one statement.
"""

from goclaw_db.search._common import EmbeddingDimensionError, SearchResults
from goclaw_db.search.memory import search_memory, search_memory_async
from goclaw_db.search.results import EpisodicSearchResult, MemorySearchResult

__all__ = [
    "EmbeddingDimensionError",
    "EpisodicSearchResult",
    "MemorySearchResult",
    "SearchResults",
    "search_memory",
    "search_memory_async",
]
