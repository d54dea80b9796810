"""Hybrid search over knowledge-graph entities, as GoClaw's graph store ranks them.

Mirrors ``PGKnowledgeGraphStore.SearchEntities`` with ``ftsSearchEntities``,
``vectorSearchEntities`` and ``hybridMergeEntities``
(``internal/store/pg/knowledge_graph.go``):

* **Which entities.** The agent's current entities (``valid_until`` unset) in the
  tenant; only the given user's unless the graph is shared (``shared=True``) or no
  user is given.
* **Candidates.** Up to twice ``limit`` (default 20) per side: full text over name
  and description (``simple`` configuration, ``ts_rank``; bm25 over
  ``kg_entities_fts`` on SQLite), vectors by cosine distance (``1 - distance``).
* **No vector hits:** the text hits alone, in rank order, scored by their rank.
* **Otherwise:** 0.3 x text + 0.7 x vector per entity (1.0 x vector when the text
  side found nothing), best first.  Cut to ``limit``.  Equal scores: GoClaw's
  order is arbitrary; ours is by id.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from goclaw_db.base import table_of
from goclaw_db.models import KGEntity
from goclaw_db.search._common import Plan, fts5_all_words, param, shaped, sync_and_async
from goclaw_db.search._hybrid import (
    TextIndex,
    best_first,
    fallback_weights,
    hybrid_params,
    merged_by_id,
    text_candidates,
    text_match,
    vector_candidates,
)
from goclaw_db.search.results import EntitySearchResult
from goclaw_db.types import checked_embedding

DEFAULT_LIMIT = 20
TEXT_WEIGHT = 0.3
VECTOR_WEIGHT = 0.7
_TEXT_INDEX = TextIndex("tsv", "simple")
_ENTITY_COLUMNS = (
    "id",
    "agent_id",
    "user_id",
    "external_id",
    "name",
    "entity_type",
    "description",
    "properties",
    "source_id",
    "confidence",
    "created_at",
    "updated_at",
    "valid_from",
    "valid_until",
)


def entity_search_plan(
    dialect: str,
    query: str,
    *,
    agent_id: uuid.UUID,
    tenant_id: uuid.UUID,
    user_id: str = "",
    shared: bool = False,
    embedding: Sequence[float] | None = None,
    limit: int = 0,
) -> Plan[EntitySearchResult]:
    """Search an agent's knowledge-graph entities the way GoClaw does (rules in this module's docstring)."""
    vector = checked_embedding(embedding)
    limit = limit if limit > 0 else DEFAULT_LIMIT
    shape = _entity_statement(
        dialect, fts5_all_words(query) is not None, vector is not None, bool(user_id) and not shared, limit
    )
    params = hybrid_params(dialect, query, vector, agent_id=agent_id, tenant_id=tenant_id, user_id=user_id)
    return Plan(shape, _result, {"vector_search": "none"}, params)


@shaped
def _entity_statement(dialect: str, has_words: bool, has_vector: bool, one_user: bool, limit: int) -> sa.Select[Any]:
    t = table_of(KGEntity)
    where = [t.c.agent_id == param("agent_id"), t.c.valid_until.is_(None), t.c.tenant_id == param("tenant_id")]
    if one_user:
        where.append(t.c.user_id == param("user_id"))

    text = text_candidates(t, text_match(dialect, t, _TEXT_INDEX, has_words), where, limit * 2)
    if not has_vector:
        merged = merged_by_id(text, None, 1.0, 1.0)
    else:
        near = vector_candidates(dialect, t, param("agent_id"), where, limit * 2)
        # Without vector hits the text ranks stand alone (weight 1); without text hits vectors count in full.
        merged = merged_by_id(text, near, *fallback_weights(text, near, TEXT_WEIGHT, VECTOR_WEIGHT))
    return best_first(t, [t.c[name] for name in _ENTITY_COLUMNS], merged, limit)


def _result(row: sa.Row[Any]) -> EntitySearchResult:
    fields = row._mapping
    return EntitySearchResult(**{name: fields[name] for name in _ENTITY_COLUMNS}, score=float(row.score))


search_entities, search_entities_async = sync_and_async(entity_search_plan)
