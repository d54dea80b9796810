"""The two halves of a hybrid search, and GoClaw's merge of rows keyed by id.

A *side* is a CTE of candidate rows with a ``score`` column: the full-text side
(PostgreSQL ``ts_rank`` over the table's tsvector; SQLite bm25 over its FTS5 index)
and the vector side (``1 - cosine distance``; on SQLite over the sqlite-vec side
table, see ``goclaw_db.search.vectors``).  Each side is cut to its own limit
before merging, as GoClaw's two queries are.

The searched-for values are parameters (``query_text``, ``query_vector`` and the
filters' own), so a statement serves every search of its shape; ``text_params``
and ``vector_params`` give the two query values in each database's form.

How the vector side finds its nearest rows is chosen per query (see
``vector_candidates``): on PostgreSQL the statement holds both plans, each behind a
parameter; the search runner asks the planner how many rows pass the side's filters,
and the index how many of the rows nearest the query pass them, and sets the
parameters, so only the chosen plan runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.selectable import NamedFromClause

from goclaw_db.search._common import (
    INDEX_POOL,
    LOCALITY_SAMPLE,
    QUERY_TEXT,
    QUERY_VECTOR,
    SQLITE_EXACT,
    bm25_relevance,
    cosine_distance,
    current_planning,
    fts5_all_words,
    fts5_match,
    param,
    ts_rank,
    tsquery,
)
from goclaw_db.search.vectors import side_table, sqlite_cosine_distance
from goclaw_db.vector_side_tables import float32_blob

# A side is read twice (its rows, and whether it has any: GoClaw's weight fallback).
# SQLite inlines a CTE at each reference unless told otherwise, which ran the whole
# vector search twice; PostgreSQL already computes a twice-read CTE once.
ONCE = "MATERIALIZED"


@dataclass(frozen=True)
class TextIndex:
    """Where a table's full text lives: its tsvector column and configuration on PostgreSQL."""

    tsv_column: str
    config: str  # the text-search configuration GoClaw's generated column uses


@dataclass(frozen=True)
class TextMatch:
    """The full-text side's FROM clause, relevance and match condition."""

    source: sa.FromClause
    score: sa.ColumnElement[float]
    matches: sa.ColumnElement[bool]


def text_match(dialect: str, t: sa.Table, index: TextIndex, has_words: bool = True) -> TextMatch:
    """Every word of the ``query_text`` parameter required: ``plainto_tsquery`` and ``ts_rank``,
    or FTS5 and bm25 (``has_words``: whether the query has a word; FTS5 cannot match none)."""
    if dialect == "postgresql":
        words = tsquery(index.config, param(QUERY_TEXT, sa.Text))
        tsv = t.c[index.tsv_column]
        return TextMatch(t, ts_rank(tsv, words), tsv.op("@@")(words))
    source, matches = fts5_match(t, has_words)
    return TextMatch(source, bm25_relevance(f"{t.name}_fts"), matches)


def text_params(dialect: str, query: str) -> dict[str, Any]:
    """The ``query_text`` parameter of ``text_match``: the query itself, or its FTS5 words."""
    return {QUERY_TEXT: query if dialect == "postgresql" else fts5_all_words(query)}


def hybrid_params(dialect: str, query: str, vector: list[float] | None, **filters: Any) -> dict[str, Any]:
    """A hybrid search's parameters: ``filters`` by name, then the query text and vector."""
    return {**filters, **text_params(dialect, query), **vector_params(dialect, vector)}


def vector_params(dialect: str, vector: list[float] | None) -> dict[str, Any]:
    """The ``query_vector`` parameter of ``vector_source``: the floats, or sqlite-vec's blob of them."""
    if vector is None:
        return {}
    return {QUERY_VECTOR: vector if dialect == "postgresql" else float32_blob(vector)}


def text_candidates(
    t: sa.Table,
    match: TextMatch,
    where: Sequence[sa.ColumnElement[bool]],
    limit: int,
    columns: Sequence[sa.ColumnElement[Any]] = (),
    name: str = "text_hits",
) -> sa.CTE:
    """The ``limit`` best text matches passing ``where``: ``columns`` (default the id) and ``score``."""
    return (
        sa.select(*(columns or [t.c.id]), match.score.label("score"))
        .select_from(match.source)
        .where(match.matches, *where)
        .order_by(sa.desc("score"))
        .limit(limit)
        .cte(name)
        .prefix_with(ONCE)
    )


def vector_source(
    dialect: str,
    t: sa.Table | NamedFromClause,
    partition: sa.ColumnElement[Any] | None,
) -> tuple[sa.FromClause, sa.ColumnElement[float], list[sa.ColumnElement[bool]]]:
    """(FROM clause, cosine distance to the ``query_vector`` parameter, conditions) of the vector side.

    On PostgreSQL the table's own ``embedding``; on SQLite the side table holding
    the embeddings of ``t``, limited to the partition ``partition`` (the parameter
    holding the agent, team or tenant whose rows are searched; None: every partition).
    """
    if dialect == "postgresql":
        query = param(QUERY_VECTOR, t.c.embedding.type)
        return t, cosine_distance(t.c.embedding, query), [t.c.embedding.is_not(None)]
    side = side_table(t)
    joined = side.join(t, t.c.id == side.c.row_id)
    conditions = [] if partition is None else [side.c.partition_key == partition]
    return joined, sqlite_cosine_distance(side.c.embedding, param(QUERY_VECTOR, sa.LargeBinary)), conditions


def vector_candidates(
    dialect: str,
    t: sa.Table,
    partition: sa.ColumnElement[Any] | None,
    where: Sequence[sa.ColumnElement[bool]],
    limit: int,
    columns: Sequence[sa.ColumnElement[Any]] = (),
    name: str = "vector_hits",
) -> sa.CTE:
    """The ``limit`` rows nearest to the ``query_vector`` parameter passing ``where``: ``columns``
    (default the id) and ``score`` = 1 - distance.

    GoClaw's searches always filter (an agent, a team, a tenant).  Left to itself
    PostgreSQL may walk the HNSW index and filter afterwards, which at one agent in
    fifty returns too few or wrong neighbours (GoClaw's recall@10: 0.77 in benchmark
    7).  So the plan is chosen per query: few rows passing the filters (as the planner
    estimates them), or rows scattered over the graph (few of the ``LOCALITY_SAMPLE``
    rows nearest the query in the whole index pass the filters), and every one is
    compared (exact; an ``OFFSET 0`` fence makes
    PostgreSQL filter first, and each distance is computed once, where an ORDER BY
    repeating the expression reads every TOASTed vector twice); many lying near the
    query, and the index is walked with pgvector's iterative scan, which keeps going until enough rows
    pass the filters, in relaxed order: ``INDEX_POOL`` times the limit are taken from
    the walk and the nearest of them kept.  On SQLite the partition's side-table rows are compared, exactly.
    """
    source, distance, conditions = vector_source(dialect, t, partition)

    def measured_by(measure: sa.ColumnElement[float]) -> sa.Select[Any]:
        """The rows passing the filters, with ``measure`` as their distance."""
        selected = sa.select(*(columns or [t.c.id]), measure.label("distance"))
        return selected.select_from(source).where(*conditions, *where)

    candidates = measured_by(distance)
    state = current_planning()
    filtered = candidates.offset(0).subquery(f"{name}_filtered")
    exact = sa.select(filtered).order_by(filtered.c.distance).limit(limit)
    if state is not None and dialect != "postgresql":
        state.choices.append(SQLITE_EXACT)
    if state is None or dialect != "postgresql":
        nearest = exact.subquery(f"{name}_nearest")
    else:
        filters = [*conditions, *where]
        nearest_anywhere = (
            sa.select(sa.and_(*filters).label("passes"))
            .select_from(source)
            .where(t.c.embedding.is_not(None))
            .order_by(distance)
            .limit(LOCALITY_SAMPLE)
            .subquery(f"{name}_nearest_anywhere")
        )
        sample = sa.select(sa.func.count().filter(nearest_anywhere.c.passes.is_(True)), sa.func.count()).select_from(
            nearest_anywhere
        )
        walks_index = state.side(sa.select(sa.literal(1)).select_from(source).where(*filters), sample, limit)
        # The pool's distance is pgvector's cosine_distance() function, not the <=> the walk is
        # ordered by: PostgreSQL would take the walk's relaxed order for the pool's own and cut
        # the limit from it unsorted.
        exactly = sa.func.cosine_distance(t.c.embedding, param(QUERY_VECTOR, t.c.embedding.type), type_=sa.Double)
        walk = measured_by(exactly).where(walks_index).order_by(distance).limit(INDEX_POOL * limit)
        pool = walk.subquery(f"{name}_pool")
        by_index = sa.select(pool).order_by(pool.c.distance).limit(limit)
        nearest = sa.union_all(
            sa.select(exact.where(sa.not_(walks_index)).subquery(f"{name}_exact")),
            sa.select(by_index.subquery(f"{name}_by_index")),
        ).subquery(f"{name}_nearest")
    kept = [c for c in nearest.c if c.key != "distance"]
    return sa.select(*kept, (1.0 - nearest.c.distance).label("score")).cte(name).prefix_with(ONCE)


# --- merging -----------------------------------------------------------------------


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


def best_first(
    t: sa.Table, columns: Sequence[sa.ColumnElement[Any]], merged: NamedFromClause, limit: int, min_score: float = 0.0
) -> sa.Select[Any]:
    """``columns`` of the rows of ``t`` that ``merged`` scored, best first (ties by id), at most
    ``limit``; with ``min_score``, the ones under it are left out after the cut, as GoClaw does."""
    ranked = (
        sa.select(*columns, merged.c.score)
        .join(merged, merged.c.id == t.c.id)
        .order_by(merged.c.score.desc(), t.c.id)
        .limit(limit)
    )
    if min_score <= 0:
        return ranked
    top = ranked.subquery("top")
    return sa.select(top).where(top.c.score >= min_score).order_by(top.c.score.desc(), top.c.id)


def fallback_weights(
    text: sa.CTE, vector: sa.CTE, text_weight: float, vector_weight: float
) -> tuple[sa.ColumnElement[float], sa.ColumnElement[float]]:
    """GoClaw's fallback: a side that found nothing hands its weight to the other (which counts in full)."""
    return (
        sa.case((has_rows(vector), text_weight), else_=1.0),
        sa.case((has_rows(text), vector_weight), else_=1.0),
    )
