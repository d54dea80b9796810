"""Hybrid memory search over ``memory_chunks``, as GoClaw's memory store ranks it.

Mirrors ``PGMemoryStore.Search`` with ``ftsSearch``, ``vectorSearch`` and
``hybridMerge`` (``internal/store/pg/memory_search.go``), in one statement:

* **Who is searched.** The agent's chunks in the tenant.  Without a user only the
  agent's global chunks (``user_id IS NULL``); with a user, those plus the user's
  own; in shared-memory mode every chunk of the agent, whoever owns it.
* **Candidates.** Up to twice ``max_results`` from each side: the full-text side
  ranked by ``ts_rank`` of the ``simple`` configuration's ``plainto_tsquery``, the
  vector side by cosine distance, scored ``1 - distance``.  On SQLite the text side
  is the ``memory_chunks_fts`` index ranked by bm25 (see ``bm25_relevance``).
* **Weights.** 0.3 text, 0.7 vector unless the caller gives a positive weight.  When
  one side found nothing the other side counts in full (weight 1): with no query
  vector, text scores are the ts_rank itself.
* **Per-user boost.** A hit from a chunk with an owner (a non-empty ``user_id``)
  counts 1.2 times.  GoClaw keeps the boost in shared mode, and so do we.
* **Merge.** Hits at the same ``(path, start_line)`` are one result whose score is
  the sum of all of them (text and vector, global and per-user copies).  Its end
  line is the first hit's (text hits before vector hits, best first); its snippet
  is the first hit's text unless a per-user copy took part: then the last per-user
  hit's text, and the scope is ``personal``.
* **After the merge.** Results below a positive ``min_score`` and paths not
  starting with ``path_prefix`` are dropped (after the candidate limits, as in
  GoClaw), the rest ranked by score and cut to ``max_results``.  GoClaw leaves
  equal scores in map order; we break ties by path, then start line.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from goclaw_db.base import table_of
from goclaw_db.models import MemoryChunk
from goclaw_db.search._common import (
    Plan,
    fts5_all_words,
    param,
    shaped,
    starts_with,
    sync_and_async,
)
from goclaw_db.search._hybrid import (
    TextIndex,
    fallback_weights,
    hybrid_params,
    text_candidates,
    text_match,
    vector_candidates,
)
from goclaw_db.search.results import MemorySearchResult
from goclaw_db.types import checked_embedding

DEFAULT_MAX_RESULTS = 6
DEFAULT_TEXT_WEIGHT = 0.3
DEFAULT_VECTOR_WEIGHT = 0.7
PER_USER_BOOST = 1.2

_TEXT_INDEX = TextIndex("tsv", "simple")
_TEXT, _VECTOR = 0, 1  # which side a hit came from; text hits are "seen" first


def _owned(t: sa.Table) -> sa.ColumnElement[bool]:
    return sa.and_(t.c.user_id.is_not(None), t.c.user_id != "")


def _who(t: sa.Table, has_user: bool, shared: bool) -> list[sa.ColumnElement[bool]]:
    """The chunks searched, by the ``agent_id``, ``tenant_id`` and ``user_id`` parameters."""
    conditions = [t.c.agent_id == param("agent_id"), t.c.tenant_id == param("tenant_id")]
    if shared:
        return conditions
    if has_user:
        return [*conditions, sa.or_(t.c.user_id.is_(None), t.c.user_id == param("user_id"))]
    return [*conditions, t.c.user_id.is_(None)]


def _hit_columns(t: sa.Table, side: int) -> list[sa.ColumnElement[Any]]:
    return [
        t.c.path,
        t.c.start_line,
        t.c.end_line,
        t.c.text,
        sa.case((_owned(t), 1), else_=0).label("personal"),
        sa.literal(side).label("side"),
    ]


def _weighted(hits: sa.CTE, weight: sa.ColumnElement[float] | float) -> sa.Select[Any]:
    boost = sa.case((hits.c.personal == 1, PER_USER_BOOST), else_=1.0)
    return sa.select(hits, ((hits.c.score * weight) * boost).label("weighted"))


def memory_search_plan(
    dialect: str,
    query: str,
    *,
    agent_id: uuid.UUID,
    tenant_id: uuid.UUID,
    user_id: str = "",
    embedding: Sequence[float] | None = None,
    shared: bool = False,
    max_results: int = 0,
    min_score: float = 0.0,
    path_prefix: str = "",
    text_weight: float = 0.0,
    vector_weight: float = 0.0,
) -> Plan[MemorySearchResult]:
    """Search an agent's memory the way GoClaw does (see this module's docstring for the rules).

    ``query`` is the text; ``embedding`` the caller's vector of the same text (1536
    floats), or None for full text only.  ``max_results`` <= 0 means 6; weights <= 0
    mean the defaults 0.3 (text) and 0.7 (vector).  Returns the ranked
    ``MemorySearchResult`` list.
    """
    vector = checked_embedding(embedding)
    max_results = max_results if max_results > 0 else DEFAULT_MAX_RESULTS
    text_weight = text_weight if text_weight > 0 else DEFAULT_TEXT_WEIGHT
    vector_weight = vector_weight if vector_weight > 0 else DEFAULT_VECTOR_WEIGHT
    has_words = fts5_all_words(query) is not None
    if vector is None and not has_words:
        return Plan(None, _result, {"vector_search": "none: no word and no query vector"})
    shape = _memory_statement(
        dialect, has_words, vector is not None, bool(user_id), shared, max_results, min_score > 0,
        bool(path_prefix), text_weight, vector_weight,
    )  # fmt: skip
    params = hybrid_params(
        dialect,
        query,
        vector,
        agent_id=agent_id,
        tenant_id=tenant_id,
        user_id=user_id,
        min_score=min_score,
        path_prefix=path_prefix,
    )
    return Plan(shape, _result, {"vector_search": "full text only (no query vector)"}, params)


@shaped
def _memory_statement(
    dialect: str,
    has_words: bool,
    has_vector: bool,
    has_user: bool,
    shared: bool,
    max_results: int,
    has_min_score: bool,
    has_prefix: bool,
    text_weight: float,
    vector_weight: float,
) -> sa.Select[Any]:
    t = table_of(MemoryChunk)
    who = _who(t, has_user, shared)
    limit = max_results * 2

    text = text_candidates(t, text_match(dialect, t, _TEXT_INDEX, has_words), who, limit, _hit_columns(t, _TEXT))
    if not has_vector:
        sides: sa.Select[Any] | sa.CompoundSelect[Any] = _weighted(text, 1.0)
    else:
        near = vector_candidates(dialect, t, param("agent_id"), who, limit, _hit_columns(t, _VECTOR))
        text_share, vector_share = fallback_weights(text, near, text_weight, vector_weight)
        sides = sa.union_all(_weighted(text, text_share), _weighted(near, vector_share))
    hits = sides.subquery("hits")

    position = (hits.c.path, hits.c.start_line)
    first_seen = (hits.c.side, hits.c.score.desc())
    last_personal_seen = (hits.c.personal.desc(), hits.c.side.desc(), hits.c.score.asc())
    merged = sa.select(
        hits.c.path,
        hits.c.start_line,
        sa.func.first_value(hits.c.end_line).over(partition_by=position, order_by=first_seen).label("end_line"),
        sa.func.sum(hits.c.weighted).over(partition_by=position).label("score"),
        sa.func.max(hits.c.personal).over(partition_by=position).label("personal"),
        sa.func.first_value(hits.c.text).over(partition_by=position, order_by=first_seen).label("first_text"),
        sa.func.first_value(hits.c.text)
        .over(partition_by=position, order_by=last_personal_seen)
        .label("personal_text"),
        sa.func.row_number().over(partition_by=position).label("nth"),
    ).subquery("merged")

    kept = [merged.c.nth == 1]
    if has_min_score:
        kept.append(merged.c.score >= param("min_score", sa.Double))
    if has_prefix:
        kept.append(starts_with(merged.c.path, param("path_prefix", sa.String)))
    return (
        sa.select(
            merged.c.path,
            merged.c.start_line,
            merged.c.end_line,
            merged.c.score,
            sa.case((merged.c.personal == 1, merged.c.personal_text), else_=merged.c.first_text).label("snippet"),
            sa.case((merged.c.personal == 1, "personal"), else_="global").label("scope"),
        )
        .where(*kept)
        .order_by(merged.c.score.desc(), merged.c.path, merged.c.start_line)
        .limit(max_results)
    )


def _result(row: sa.Row[Any]) -> MemorySearchResult:
    return MemorySearchResult(
        path=row.path,
        start_line=row.start_line,
        end_line=row.end_line,
        score=float(row.score),
        snippet=row.snippet,
        source="memory",
        scope=row.scope,
    )


search_memory, search_memory_async = sync_and_async(memory_search_plan)
