"""Hybrid search over the Knowledge Vault, as GoClaw's vault store ranks it.

Mirrors ``PGVaultStore.Search`` with ``ftsSearch``, ``vectorSearch`` and
``mergeResults`` (``internal/store/pg/vault_documents.go``):

* **Which documents.** The agent's documents in the tenant; ``team_id`` None
  means any team, ``""`` only documents without a team (personal), a UUID only
  that team's; ``scope`` (personal, team, shared) and ``doc_types`` narrow further
  when given.
* **Candidates.** Up to twice ``max_results`` (default 10) per side: full text
  over title, path and summary (``simple`` configuration, ``ts_rank``; bm25 over
  ``vault_documents_fts`` on SQLite), vectors by cosine distance (``1 - distance``).
* **Normalise, weigh, merge.** Each side's scores are divided by that side's best
  score (when it is positive), then weighted 0.4 (text) and 0.6 (vector); a
  document's result is the sum.  No fallback: without a vector side text scores
  top out at 0.4.
* **After the merge.** Ranked best first, cut to ``max_results``, then a positive
  ``min_score`` drops weaker ones.  GoClaw leaves equal scores in arbitrary order;
  ours breaks them by id.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from goclaw_db.base import table_of
from goclaw_db.models import VaultDocument
from goclaw_db.search._common import Plan, checked_embedding, sync_and_async
from goclaw_db.search._hybrid import (
    TextIndex,
    best_first,
    merged_by_id,
    text_candidates,
    text_match,
    vector_candidates,
)
from goclaw_db.search.results import VaultDocumentData, VaultSearchResult

DEFAULT_MAX_RESULTS = 10
TEXT_WEIGHT = 0.4
VECTOR_WEIGHT = 0.6
_TEXT_INDEX = TextIndex("tsv", "simple")
_DOCUMENT_COLUMNS = (
    "id",
    "tenant_id",
    "agent_id",
    "team_id",
    "scope",
    "custom_scope",
    "path",
    "title",
    "doc_type",
    "content_hash",
    "summary",
    "metadata",
    "created_at",
    "updated_at",
)


def vault_search_plan(
    dialect: str,
    query: str,
    *,
    agent_id: uuid.UUID,
    tenant_id: uuid.UUID,
    team_id: uuid.UUID | str | None = None,
    scope: str = "",
    doc_types: Sequence[str] = (),
    embedding: Sequence[float] | None = None,
    max_results: int = 0,
    min_score: float = 0.0,
) -> Plan[VaultSearchResult]:
    """Search an agent's vault documents the way GoClaw does (rules in this module's docstring)."""
    vector = checked_embedding(embedding)
    max_results = max_results if max_results > 0 else DEFAULT_MAX_RESULTS
    t = table_of(VaultDocument)
    where = [t.c.tenant_id == tenant_id, t.c.agent_id == agent_id]
    if team_id is not None:
        where.append(t.c.team_id.is_(None) if team_id == "" else t.c.team_id == team_id)
    if scope:
        where.append(t.c.scope == scope)
    if doc_types:
        where.append(t.c.doc_type.in_(list(doc_types)))

    text = text_candidates(t, text_match(dialect, t, _TEXT_INDEX, query), where, max_results * 2)
    near = None
    if vector is not None:
        near = vector_candidates(dialect, t, vector, agent_id, where, max_results * 2)
    merged = merged_by_id(text, near, TEXT_WEIGHT, VECTOR_WEIGHT, normalize=True)
    statement = best_first(t, [t.c[name] for name in _DOCUMENT_COLUMNS], merged, max_results, min_score)
    return Plan(statement, _result, {"vector_search": "none"})


def _result(row: sa.Row[Any]) -> VaultSearchResult:
    fields = row._mapping
    document = VaultDocumentData(**{name: fields[name] for name in _DOCUMENT_COLUMNS})
    return VaultSearchResult(document=document, score=float(row.score), source="vault")


search_vault, search_vault_async = sync_and_async(vault_search_plan)
