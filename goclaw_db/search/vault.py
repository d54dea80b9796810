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
from goclaw_db.search._common import Plan, fts5_all_words, param, shaped, sync_and_async
from goclaw_db.search._hybrid import (
    TextIndex,
    best_first,
    hybrid_params,
    merged_by_id,
    text_candidates,
    text_match,
    vector_candidates,
)
from goclaw_db.search.results import VaultDocumentData, VaultSearchResult
from goclaw_db.types import checked_embedding

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
    # team_id: None searches every team's documents, "" only those of no team.
    team = "any" if team_id is None else "none" if team_id == "" else "one"
    shape = _vault_statement(
        dialect, fts5_all_words(query) is not None, vector is not None, team, bool(scope), bool(doc_types),
        max_results, min_score,
    )  # fmt: skip
    params = hybrid_params(
        dialect,
        query,
        vector,
        agent_id=agent_id,
        tenant_id=tenant_id,
        team_id=team_id or None,
        scope=scope,
        doc_types=list(doc_types),
    )
    return Plan(shape, _result, {"vector_search": "none"}, params)


@shaped
def _vault_statement(
    dialect: str,
    has_words: bool,
    has_vector: bool,
    team: str,
    has_scope: bool,
    has_doc_types: bool,
    max_results: int,
    min_score: float,
) -> sa.Select[Any]:
    t = table_of(VaultDocument)
    where = [t.c.tenant_id == param("tenant_id"), t.c.agent_id == param("agent_id")]
    if team != "any":
        where.append(t.c.team_id.is_(None) if team == "none" else t.c.team_id == param("team_id"))
    if has_scope:
        where.append(t.c.scope == param("scope"))
    if has_doc_types:
        where.append(t.c.doc_type.in_(sa.bindparam("doc_types", expanding=True)))
    text = text_candidates(t, text_match(dialect, t, _TEXT_INDEX, has_words), where, max_results * 2)
    near = vector_candidates(dialect, t, param("agent_id"), where, max_results * 2) if has_vector else None
    merged = merged_by_id(text, near, TEXT_WEIGHT, VECTOR_WEIGHT, normalize=True)
    return best_first(t, [t.c[name] for name in _DOCUMENT_COLUMNS], merged, max_results, min_score)


def _result(row: sa.Row[Any]) -> VaultSearchResult:
    fields = row._mapping
    document = VaultDocumentData(**{name: fields[name] for name in _DOCUMENT_COLUMNS})
    return VaultSearchResult(document=document, score=float(row.score), source="vault")


search_vault, search_vault_async = sync_and_async(vault_search_plan)
