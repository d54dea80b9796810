"""Pieces every search shares: the query vector check, full-text matching on
either database, and running one statement on a sync or async connection.

Each search module builds one SQLAlchemy statement per call (a *plan*); the
sync and async entry points only execute that statement and convert its rows,
so both return the same thing for the same inputs.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from goclaw_db.types import EMBEDDING_DIMENSIONS

T = TypeVar("T")


class EmbeddingDimensionError(ValueError):
    """The query vector does not have the dimension GoClaw's schema stores."""


@overload
def checked_embedding(embedding: Sequence[float]) -> list[float]: ...
@overload
def checked_embedding(embedding: Sequence[float] | None) -> list[float] | None: ...
def checked_embedding(embedding: Sequence[float] | None) -> list[float] | None:
    """The query vector as a list of floats, refused when its length is not the schema's.

    A vector of another length would make PostgreSQL fail the whole search (or, in
    GoClaw, silently drop its vector half: the "memory search returns no results"
    symptom), so it is refused here with the one number that matters.
    """
    if embedding is None:
        return None
    vector = [float(x) for x in embedding]
    if len(vector) != EMBEDDING_DIMENSIONS:
        raise EmbeddingDimensionError(
            f"the query embedding has {len(vector)} dimensions, but GoClaw's schema stores "
            f"vector({EMBEDDING_DIMENSIONS}): embed the query with the model that filled the "
            f"database (one producing {EMBEDDING_DIMENSIONS}-dimension vectors)"
        )
    return vector


# --- full text -----------------------------------------------------------------

_WORD = re.compile(r"\w+")


def fts5_all_words(query: str) -> str | None:
    """An FTS5 query that needs every word of ``query``, each taken literally.

    This is what ``plainto_tsquery`` does on PostgreSQL (the words joined with AND,
    punctuation ignored).  Each word is quoted so FTS5 never reads it as an operator
    (``AND``, ``NEAR``, a column filter).  ``None`` when there is no word: PostgreSQL
    then matches nothing, and so do we.
    """
    words = _WORD.findall(query)
    if not words:
        return None
    return " ".join('"' + word + '"' for word in words)


def bm25_relevance(fts_table: str) -> sa.ColumnElement[float]:
    """FTS5's bm25 rank as a relevance in [0, 1), higher is better.

    bm25() is zero or negative, more negative for a better match, with no upper
    bound.  ``r / (1 + r)`` of its magnitude keeps the order and lands in the same
    range as PostgreSQL's ``ts_rank``, so a text weight of 0.3 means the same share
    of a hybrid score on both databases.
    """
    magnitude = -sa.func.bm25(sa.literal_column(fts_table))
    return sa.cast(magnitude / (1.0 + magnitude), sa.Double)


def fts5_match(table: sa.Table, query: str) -> tuple[sa.FromClause, sa.ColumnElement[bool]]:
    """``table`` joined to its FTS5 index (``<table>_fts``, rowid = the row's rowid), and the MATCH."""
    fts = sa.table(f"{table.name}_fts", sa.column("rowid"))
    joined = table.join(fts, fts.c.rowid == sa.literal_column(f"{table.name}.rowid"))
    words = fts5_all_words(query)
    matches = sa.literal_column(fts.name).op("MATCH")(words) if words else sa.false()
    return joined, matches


def tsquery(config: str, query: str) -> sa.ColumnElement[Any]:
    """``plainto_tsquery(config, query)``: every word required, punctuation ignored."""
    return sa.func.plainto_tsquery(sa.literal_column(f"'{config}'::regconfig"), sa.bindparam(None, query, sa.Text))


def ts_rank(tsv: sa.ColumnElement[Any], query: sa.ColumnElement[Any]) -> sa.ColumnElement[float]:
    """PostgreSQL's ``ts_rank`` as a double, the precision GoClaw reads it in."""
    return sa.cast(sa.func.ts_rank(tsv, query), sa.Double)


def cosine_similarity(embedding: sa.ColumnElement[Any], vector: list[float]) -> sa.ColumnElement[float]:
    """``1 - cosine distance`` between the stored embedding and the query vector."""
    return 1.0 - cosine_distance(embedding, vector)


def cosine_distance(embedding: sa.ColumnElement[Any], vector: list[float]) -> sa.ColumnElement[float]:
    return embedding.op("<=>", return_type=sa.Double)(sa.bindparam(None, vector, embedding.type))


def starts_with(column: sa.ColumnElement[str], prefix: str) -> sa.ColumnElement[bool]:
    """Case-sensitive prefix test, the same on both databases (LIKE is not: SQLite folds case)."""
    return sa.func.substr(column, 1, len(prefix)) == prefix


# --- running a plan ------------------------------------------------------------


class SearchResults(list[T]):
    """The ranked results, and ``debug``: how the statement searched (for people, not programs)."""

    debug: dict[str, str]

    def __init__(self, items: Iterable[T] = (), debug: dict[str, str] | None = None) -> None:
        super().__init__(items)
        self.debug = debug or {}


@dataclass(frozen=True)
class Plan(Generic[T]):
    """One statement and how to turn its rows into results."""

    statement: sa.Executable | None  # None: nothing can match, no round trip needed
    convert: Callable[[sa.Row[Any]], T]
    debug: dict[str, str]

    def results(self, rows: Sequence[sa.Row[Any]]) -> SearchResults[T]:
        return SearchResults((self.convert(row) for row in rows), self.debug)


Bind = sa.Connection | sa.Engine
AsyncBind = AsyncConnection | AsyncEngine


def sync_and_async(
    build: Callable[..., Plan[T]],
) -> tuple[Callable[..., SearchResults[T]], Callable[..., Awaitable[SearchResults[T]]]]:
    """The sync and the async search made from one plan builder ``build(dialect_name, ...)``."""

    def search(bind: Bind, *args: Any, **kwargs: Any) -> SearchResults[T]:
        plan = build(bind.dialect.name, *args, **kwargs)
        if plan.statement is None:
            return plan.results([])
        with _explained():
            if isinstance(bind, sa.Engine):
                with bind.connect() as connection:
                    return plan.results(connection.execute(plan.statement).all())
            return plan.results(bind.execute(plan.statement).all())

    async def search_async(bind: AsyncBind, *args: Any, **kwargs: Any) -> SearchResults[T]:
        plan = build(bind.dialect.name, *args, **kwargs)
        if plan.statement is None:
            return plan.results([])
        if isinstance(bind, AsyncEngine):
            async with bind.connect() as connection:
                return plan.results((await connection.execute(plan.statement)).all())
        return plan.results((await bind.execute(plan.statement)).all())

    for function in (search, search_async):
        function.__doc__ = build.__doc__
        function.__module__ = build.__module__
    return search, search_async


@contextlib.contextmanager
def _explained() -> Iterator[None]:
    """Turn "no such function/table" of a desktop file without vectors into one clear error."""
    from goclaw_db.search.vectors import explain_missing

    try:
        yield
    except sa.exc.OperationalError as error:
        clear = explain_missing(error)
        if clear is None:
            raise
        raise clear from None
