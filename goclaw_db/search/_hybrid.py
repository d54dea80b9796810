"""The two halves of a hybrid search, and GoClaw's merge of rows keyed by id.

A *side* is a CTE of candidate rows with a ``score`` column: the full-text side
(PostgreSQL ``ts_rank`` over the table's tsvector; SQLite bm25 over its FTS5 index)
and the vector side (``1 - cosine distance``; on SQLite over the sqlite-vec side
table, see ``goclaw_db.search.vectors``).  Each side is cut to its own limit
before merging, as GoClaw's two queries are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.selectable import NamedFromClause

from goclaw_db.search._common import (
    bm25_relevance,
    cosine_distance,
    fts5_match,
    ts_rank,
    tsquery,
)
from goclaw_db.search.vectors import side_table, sqlite_cosine_distance


@dataclass(frozen=True)
class TextIndex:
    """Where a table's full text lives: its tsvector column and configuration on PostgreSQL."""

    tsv_column: str
    config: str  # the text-search configuration GoClaw's generated column uses


def text_source(
    dialect: str,
    t: sa.Table,
    index: TextIndex,
    query: str,
) -> tuple[sa.FromClause, sa.ColumnElement[float], sa.ColumnElement[bool]]:
    """(FROM clause, relevance, match condition) of the full-text side."""
    if dialect == "postgresql":
        words = tsquery(index.config, query)
        tsv = t.c[index.tsv_column]
        return t, ts_rank(tsv, words), tsv.op("@@")(words)
    source, matches = fts5_match(t, query)
    return source, bm25_relevance(f"{t.name}_fts"), matches


def vector_source(
    dialect: str,
    t: sa.Table | NamedFromClause,
    vector: list[float],
    partition: sa.ColumnElement[Any],
    value: Any,
) -> tuple[sa.FromClause, sa.ColumnElement[float], list[sa.ColumnElement[bool]]]:
    """(FROM clause, cosine distance, conditions) of the vector side.

    On PostgreSQL the table's own ``embedding``; on SQLite the side table holding
    the embeddings of ``t``, limited to the partition ``partition = value`` (the
    agent, team or tenant whose rows are searched; None: every partition).
    """
    if dialect == "postgresql":
        return t, cosine_distance(t.c.embedding, vector), [t.c.embedding.is_not(None)]
    side = side_table(t)
    joined = side.join(t, t.c.id == side.c.row_id)
    conditions = [] if value is None else [side.c.partition_key == value]
    return joined, sqlite_cosine_distance(side.c.embedding, vector), conditions


def text_candidates(
    dialect: str,
    t: sa.Table,
    index: TextIndex,
    query: str,
    where: Sequence[sa.ColumnElement[bool]],
    limit: int,
    name: str = "text_hits",
) -> sa.CTE:
    source, score, matches = text_source(dialect, t, index, query)
    return (
        sa.select(t.c.id, score.label("score"))
        .select_from(source)
        .where(matches, *where)
        .order_by(sa.desc("score"))
        .limit(limit)
        .cte(name)
    )


EXACT_NEAREST = (
    "exact: cosine distance of every row that passes the filters, computed once per row; "
    "on PostgreSQL the HNSW index is bypassed, so a selective filter cannot cost recall"
)


def nearest_rows(candidates: sa.Select[Any], limit: int, name: str) -> sa.Subquery:
    """The ``limit`` rows of ``candidates`` (which carry a ``distance`` column) nearest first, exactly.

    GoClaw's searches always filter (an agent, a team, a tenant).  Left to itself
    PostgreSQL may walk the HNSW index and filter afterwards; at one agent in fifty
    that returns too few or wrong neighbours (recall@10 0.73 in benchmark 7).  The
    ``OFFSET 0`` fence makes it filter first (by the agent's index) and sort the
    distances of those rows: exact, the plan GoClaw's own statement gets at that
    selectivity, and cheaper here because each distance is computed once (an
    ORDER BY repeating the expression reads every TOASTed vector twice).
    """
    filtered = candidates.offset(0).subquery(f"{name}_filtered")
    return sa.select(filtered).order_by(filtered.c.distance).limit(limit).subquery(f"{name}_nearest")


def vector_candidates(
    dialect: str,
    t: sa.Table,
    vector: list[float],
    partition: sa.Column[Any],
    value: Any,
    where: Sequence[sa.ColumnElement[bool]],
    limit: int,
    name: str = "vector_hits",
) -> sa.CTE:
    """The nearest rows by id, scored ``1 - distance`` (see ``nearest_rows``)."""
    source, distance, conditions = vector_source(dialect, t, vector, partition, value)
    candidates = sa.select(t.c.id, distance.label("distance")).select_from(source).where(*conditions, *where)
    nearest = nearest_rows(candidates, limit, name)
    return sa.select(nearest.c.id, (1.0 - nearest.c.distance).label("score")).cte(name)


def has_rows(cte: sa.CTE) -> sa.ColumnElement[bool]:
    return sa.exists(sa.select(sa.literal(1)).select_from(cte))


def _weighted(side: sa.CTE, weight: sa.ColumnElement[float] | float, normalize: bool) -> sa.Select[Any]:
    score: sa.ColumnElement[Any] = side.c.score
    if normalize:
        # Divided by the side's best score (when that is positive), so each side spans (0, 1].
        best = sa.select(sa.func.max(side.c.score)).scalar_subquery()
        score = sa.case((best > 0, score / best), else_=score)
    return sa.select(side.c.id, (score * weight).label("weighted"))


def merged_by_id(
    text: sa.CTE,
    vector: sa.CTE | None,
    text_weight: sa.ColumnElement[float] | float,
    vector_weight: sa.ColumnElement[float] | float,
    *,
    normalize: bool = False,
) -> sa.Subquery:
    """One row per id: the sum of its weighted scores from both sides."""
    sides: sa.Select[Any] | sa.CompoundSelect[Any] = _weighted(text, text_weight, normalize)
    if vector is not None:
        sides = sa.union_all(sides, _weighted(vector, vector_weight, normalize))
    hits = sides.subquery("hits")
    return sa.select(hits.c.id, sa.func.sum(hits.c.weighted).label("score")).group_by(hits.c.id).subquery("merged")
