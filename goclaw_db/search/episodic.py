"""Hybrid search over episodic summaries, as GoClaw's episodic store ranks them.

Mirrors ``PGEpisodicStore.Search`` with ``ftsSearch``, ``vectorSearch`` and
``mergeEpisodicScores`` (``internal/store/pg/episodic_summaries.go``,
``episodic_search.go``):

* **Who is searched.** The agent's summaries in the tenant; only the given user's
  when ``user_id`` is set, every user's otherwise (GoClaw's admin view).
* **Candidates.** Up to twice ``max_results`` per side: full text on the
  ``search_vector`` column (the ``english`` configuration, so words are stemmed)
  ranked by ``ts_rank``; vectors by cosine distance, scored ``1 - distance``.
  SQLite ranks its ``episodic_summaries_fts`` index (summary, key topics) by bm25.
* **Weights.** 0.4 text, 0.6 vector unless given (0 means the default).  Unlike
  memory there is no fallback: without a query vector, scores are 0.4 x rank.
* **Merge.** One result per summary, the sum of its weighted scores; ranked best
  first and cut to ``max_results`` (default 10) *before* ``min_score`` drops weak
  ones, as GoClaw does.  Equal scores: GoClaw's order is arbitrary; ours is by id.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from goclaw_db.base import table_of
from goclaw_db.models import EpisodicSummary
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
from goclaw_db.search.results import EpisodicSearchResult
from goclaw_db.types import checked_embedding

DEFAULT_MAX_RESULTS = 10
DEFAULT_TEXT_WEIGHT = 0.4
DEFAULT_VECTOR_WEIGHT = 0.6
_TEXT_INDEX = TextIndex("search_vector", "english")


def episodic_search_plan(
    dialect: str,
    query: str,
    *,
    agent_id: uuid.UUID,
    tenant_id: uuid.UUID,
    user_id: str = "",
    embedding: Sequence[float] | None = None,
    max_results: int = 0,
    min_score: float = 0.0,
    text_weight: float = 0.0,
    vector_weight: float = 0.0,
) -> Plan[EpisodicSearchResult]:
    """Search an agent's episodic summaries the way GoClaw does (rules in this module's docstring)."""
    vector = checked_embedding(embedding)
    max_results = max_results if max_results > 0 else DEFAULT_MAX_RESULTS
    text_weight = text_weight or DEFAULT_TEXT_WEIGHT
    vector_weight = vector_weight or DEFAULT_VECTOR_WEIGHT
    shape = _episodic_statement(
        dialect, fts5_all_words(query) is not None, vector is not None, bool(user_id), max_results, min_score,
        text_weight, vector_weight,
    )  # fmt: skip
    params = hybrid_params(dialect, query, vector, agent_id=agent_id, tenant_id=tenant_id, user_id=user_id)
    return Plan(shape, _result, {"vector_search": "none"}, params)


@shaped
def _episodic_statement(
    dialect: str,
    has_words: bool,
    has_vector: bool,
    has_user: bool,
    max_results: int,
    min_score: float,
    text_weight: float,
    vector_weight: float,
) -> sa.Select[Any]:
    t = table_of(EpisodicSummary)
    where = [t.c.agent_id == param("agent_id"), t.c.tenant_id == param("tenant_id")]
    if has_user:
        where.append(t.c.user_id == param("user_id"))
    text = text_candidates(t, text_match(dialect, t, _TEXT_INDEX, has_words), where, max_results * 2)
    near = vector_candidates(dialect, t, param("agent_id"), where, max_results * 2) if has_vector else None
    merged = merged_by_id(text, near, text_weight, vector_weight)
    columns = (t.c.id, t.c.l0_abstract, t.c.created_at, t.c.session_key)
    return best_first(t, columns, merged, max_results, min_score)


def _result(row: sa.Row[Any]) -> EpisodicSearchResult:
    return EpisodicSearchResult(
        episodic_id=row.id,
        l0_abstract=row.l0_abstract,
        score=float(row.score),
        created_at=row.created_at,
        session_key=row.session_key,
    )


search_episodic, search_episodic_async = sync_and_async(episodic_search_plan)
