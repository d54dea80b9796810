"""Pieces every search shares: the query vector check, full-text matching on
either database, and running one statement on a sync or async connection.

Each search module turns a call into a *plan*: a statement and the parameters to
run it with.  The statement depends only on the call's *shape* (the dialect, which
options are set, the limits and weights), never on the values searched for, which
travel as named parameters (``agent_id``, ``query_text``, ``query_vector``, ...).
So it is built once per shape (``shaped``) and reused: building one costs more
than running it (5 ms against 6 ms for a memory search on 100,000 chunks).  The
sync and async entry points only execute the plan and convert its rows, so both
return the same thing for the same inputs.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import re
from collections.abc import Callable, Coroutine, Generator, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.visitors import InternalTraversal

from goclaw_db.tenancy import tenant_for

T = TypeVar("T")
P = ParamSpec("P")


class SearchIndexMissing(RuntimeError):
    """A desktop file without the FTS5 search indexes: GoClaw made it and goclaw-db has not adopted it yet."""


_MISSING_FTS5_TABLE = re.compile(r"no such table: (?:main\.)?(\w+_fts)\b")


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


def fts5_match(table: sa.Table, has_words: bool) -> tuple[sa.FromClause, sa.ColumnElement[bool]]:
    """``table`` joined to its FTS5 index (``<table>_fts``, rowid = the row's rowid), and the MATCH
    of the ``query_text`` parameter (``fts5_all_words`` of the query); no words match nothing."""
    fts = sa.table(f"{table.name}_fts", sa.column("rowid"))
    joined = table.join(fts, fts.c.rowid == sa.literal_column(f"{table.name}.rowid"))
    matches = sa.literal_column(fts.name).op("MATCH")(param(QUERY_TEXT, sa.Text)) if has_words else sa.false()
    return joined, matches


# The parameters every search's statement takes its searched-for values by.
QUERY_TEXT = "query_text"
QUERY_VECTOR = "query_vector"


def param(name: str, type_: Any = None) -> sa.BindParameter[Any]:
    """A named parameter of a shaped statement, its value given when the statement runs."""
    return sa.bindparam(name, type_=type_)


def tsquery(config: str, query: sa.ColumnElement[str]) -> sa.ColumnElement[Any]:
    """``plainto_tsquery(config, query)``: every word required, punctuation ignored."""
    return sa.func.plainto_tsquery(sa.literal_column(f"'{config}'::regconfig"), query)


def ts_rank(tsv: sa.ColumnElement[Any], query: sa.ColumnElement[Any]) -> sa.ColumnElement[float]:
    """PostgreSQL's ``ts_rank`` as a double, the precision GoClaw reads it in."""
    return sa.cast(sa.func.ts_rank(tsv, query), sa.Double)


def cosine_distance(
    embedding: sa.ColumnElement[Any], vector: list[float] | sa.BindParameter[Any]
) -> sa.ColumnElement[float]:
    """pgvector's ``<=>`` between the stored embedding and ``vector`` (a list, or a parameter)."""
    other = vector if isinstance(vector, sa.BindParameter) else sa.bindparam(None, vector, embedding.type)
    return embedding.op("<=>", return_type=sa.Double)(other)


def starts_with(column: sa.ColumnElement[str], prefix: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    """Case-sensitive prefix test, the same on both databases (LIKE is not: SQLite folds case)."""
    return sa.func.substr(column, 1, sa.func.length(prefix)) == prefix


# --- running a plan ------------------------------------------------------------


class SearchResults(list[T]):
    """The ranked results, and ``debug``: how the statement searched (for people, not programs)."""

    debug: dict[str, str]

    def __init__(self, items: Iterable[T] = (), debug: dict[str, str] | None = None) -> None:
        super().__init__(items)
        self.debug = debug or {}


@dataclass(frozen=True)
class Shape:
    """A statement built once for every search of one shape, and the vector sides in it."""

    statement: sa.Executable
    probes: tuple[_Explain, ...]  # per PostgreSQL vector side: the rows it would compare
    samples: tuple[sa.Select[int, int], ...]  # per PostgreSQL vector side: its ``Locality`` in the index
    gates: tuple[tuple[str, int], ...]  # per PostgreSQL vector side: (gate parameter, its limit)
    choices: tuple[str, ...]  # the choices made while building (SQLite's is always exact)


def shaped(build: Callable[..., sa.Executable]) -> Callable[..., Shape]:
    """``build(*shape)`` made once per distinct ``shape`` (hashable: the dialect, the options
    set, limits and weights) and kept, with what its vector sides recorded while it was built."""

    @functools.lru_cache(maxsize=256)
    def shape_of(*shape: Hashable) -> Shape:
        state = VectorPlanning()
        with planning(state):
            statement = build(*shape)
        probes = tuple(_Explain(p) for p in state.probes)
        return Shape(statement, probes, tuple(state.samples), tuple(state.gates), tuple(state.choices))

    functools.update_wrapper(shape_of, build)
    return shape_of


@dataclass(frozen=True)
class Plan(Generic[T]):
    """A shaped statement, the parameters of this call, and how to turn its rows into results."""

    shape: Shape | None  # None: nothing can match, no round trip needed
    convert: Callable[[sa.Row[Any]], T]
    debug: dict[str, str]
    params: Mapping[str, Any] = field(default_factory=dict)

    def results(self, rows: Sequence[sa.Row[Any]]) -> SearchResults[T]:
        return SearchResults((self.convert(row) for row in rows), self.debug)


Bind = sa.Connection | sa.Engine | Session
AsyncBind = AsyncConnection | AsyncEngine | AsyncSession


def _in_session(session: Session, kwargs: dict[str, Any]) -> dict[str, Any]:
    """A search's keyword arguments in ``session``: a tenant-scoped session searches its own tenant."""
    tenant_id = tenant_for(session, kwargs.get("tenant_id"))
    return kwargs if tenant_id is None else {**kwargs, "tenant_id": tenant_id}


class _Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a statement: the planner's view, nothing executed.

    Cached like the statement it wraps (its cache key is that statement's), so a
    search of a shape seen before is not compiled again.
    """

    inherit_cache = True
    _traverse_internals = [("statement", InternalTraversal.dp_clauseelement)]  # noqa: RUF012 (SQLAlchemy's own)

    def __init__(self, statement: sa.Select[Any]) -> None:
        self.statement = statement

    @property
    def _all_selected_columns(self) -> Any:
        # The compiler took the wrapped select's columns as the result's; a cached
        # compilation matches its rows to a new statement by these.
        return self.statement._all_selected_columns


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + str(compiler.process(element.statement, **kw))


def _estimated_rows(explained: Any) -> float:
    return float(explained[0]["Plan"]["Plan Rows"])


# The settings of the index plan and their defaults (pgvector's own appear in a session
# only once the library has loaded, so they are read missing-ok).
_HNSW_SETTINGS = {"hnsw.iterative_scan": "off", "hnsw.ef_search": "40", "enable_sort": "on"}


def _hnsw_settings(ef_search: int) -> sa.Select[Any]:
    """This transaction's HNSW scans iterate in relaxed order from ``ef_search`` candidates, and
    sorting is off, so the planner walks the index rather than sorting the filtered rows (its cost
    model prefers the sort at a few percent, which is 10× slower there); every other part of a
    search needs its sort whatever the plan, so their choices stay as they were.  Returns the
    settings it replaced (read first: a select list is evaluated left to right)."""
    return sa.select(
        *(sa.func.current_setting(name, True) for name in _HNSW_SETTINGS),
        sa.func.set_config("hnsw.iterative_scan", "relaxed_order", True),
        sa.func.set_config("hnsw.ef_search", str(ef_search), True),
        sa.func.set_config("enable_sort", "off", True),
    )


def _restored(previous: Sequence[str | None]) -> sa.Select[Any]:
    return sa.select(
        *(
            sa.func.set_config(name, default if value is None else value, True)
            for (name, default), value in zip(_HNSW_SETTINGS.items(), previous)
        )
    )


# --- choosing how to find the nearest rows, per query ---------------------------------

# Up to this many rows passing the filters (as the planner estimates them), the exact
# plan is used on PostgreSQL; below a thousand rows it costs a few milliseconds and
# cannot miss.  Above it, where the rows lie decides (see ``VectorPlanning.decide``).
EXACT_MAX_ROWS = 1_000
# The iterative scan's starting candidate list (pgvector's default is 40).
MIN_EF_SEARCH = 200
# The index walk takes this many times the side's limit, in pgvector's relaxed order, and
# keeps the nearest of them by exact distance.  On benchmark 7's agents (clusters the
# graph links poorly) recall@10 was 0.87 in strict order, 0.927 in relaxed order taking 10,
# 0.935 taking 40, at 3-4 ms.  Taking 180 (nine tenths of the candidate list, so that a
# walk goes on to a second batch whenever the filters reject a tenth of the first) reached
# 0.96 at 7-10 ms, but a hybrid search's narrower filter (agent and user) then walked
# 5,000 index tuples: 34 ms instead of 11.
INDEX_POOL = 4
# Where the filtered rows lie is sampled from the index: of this many rows nearest the query
# in the whole table (pgvector's default candidate list, one batch of the walk), how many
# pass the filters.  A walk passes about that share of the tuples it visits.
LOCALITY_SAMPLE = 40
# What one index tuple the walk visits costs, in rows the exact plan reads (benchmark 7: a
# walk ~20-30 us a tuple, an exact row 8 us with its vector in TOAST, 5 us in the heap).
WALK_TUPLE_COST = 4.0

EXACT = "exact: cosine distance of every row that passes the filters"
BY_INDEX = (
    f"HNSW index with pgvector's iterative scan in relaxed order, {INDEX_POOL}× the limit re-ranked "
    "by exact distance (it keeps walking the index until enough rows pass the filters)"
)
SQLITE_EXACT = "exact: cosine distance of every vector in the partition's side-table rows"


@dataclass(frozen=True)
class Locality:
    """Of the ``sampled`` rows nearest the query in the whole index, ``passing`` pass the side's filters."""

    passing: int
    sampled: int

    def walked_tuples(self, wanted: int) -> float:
        """About how many index tuples a walk visits to find ``wanted`` rows passing the filters
        (none passing counts as one, the sample's resolution)."""
        return wanted * self.sampled / max(self.passing, 1)


@dataclass
class VectorPlanning:
    """What one search's vector sides need from the planner and the index, and what was chosen.

    While the statement is built, each PostgreSQL vector side records the filtered
    set it will search (``probes``: the planner estimates its rows), a ``sample`` of
    the rows nearest the query in the whole index that counts those passing the
    filters, and holds both of its plans, each behind a ``gate`` parameter.  Once
    those are known, ``decide`` sets the gates, so the statement is built once and
    only the chosen plan runs (the other is pruned by a false one-time filter).
    """

    probes: list[sa.Select[Any]] = field(default_factory=list)
    samples: list[sa.Select[int, int]] = field(default_factory=list)
    gates: list[tuple[str, int]] = field(default_factory=list)  # (parameter key, the side's limit)
    choices: list[str] = field(default_factory=list)
    ef_search: int = 0  # > 0: a side walks the HNSW index, with this candidate list

    def side(self, probe: sa.Select[Any], sample: sa.Select[int, int], limit: int) -> sa.BindParameter[bool]:
        """The gate of a new side searching ``probe``'s rows: true walks the index, false is exact."""
        key = f"vector_side_{len(self.gates)}_walks_index"
        self.probes.append(probe)
        self.samples.append(sample)
        self.gates.append((key, limit))
        return sa.bindparam(key, False, type_=sa.Boolean)

    def decide(self, estimates: Sequence[float], localities: Sequence[Locality | None]) -> dict[str, bool]:
        """The gates' values, each choice said in ``choices``.

        Few rows (``EXACT_MAX_ROWS``): exact, no sample taken (``None``).  Otherwise the
        walk is chosen only when the tuples it would visit, at the share of them the
        sample saw pass the filters, cost less than reading every filtered row: where an
        agent's rows are scattered over the graph the walk visits thousands of tuples
        and still misses (benchmark 7, chunks dealt at random: recall 0.75 and slower).
        """
        gates = {}
        for (key, limit), rows, locality in zip(self.gates, estimates, localities):
            estimated = f"the planner estimates {rows:,.0f} rows"
            if locality is None:
                gates[key] = False
                self.choices.append(f"{EXACT} ({estimated}, at most {EXACT_MAX_ROWS:,})")
                continue
            ef_search = max(MIN_EF_SEARCH, INDEX_POOL * limit)
            walked = max(ef_search, locality.walked_tuples(INDEX_POOL * limit))
            gates[key] = WALK_TUPLE_COST * walked < rows
            observed = (
                f"{estimated}; {locality.passing} of the {locality.sampled} rows nearest the query in the "
                f"whole index pass the filters, so a walk would visit about {walked:,.0f} index tuples, "
                f"costing as much as reading {WALK_TUPLE_COST * walked:,.0f} rows"
            )
            if gates[key]:
                self.ef_search = max(self.ef_search, ef_search)
                self.choices.append(f"{BY_INDEX} ({observed}: fewer than every filtered row)")
            else:
                self.choices.append(
                    f"{EXACT} ({observed}: the filtered rows lie scattered over the graph, "
                    "reading them all costs less and cannot miss)"
                )
        return gates


_planning: contextvars.ContextVar[VectorPlanning | None] = contextvars.ContextVar("vector_planning", default=None)


def current_planning() -> VectorPlanning | None:
    """The planning of the search being built; None when a statement is built outside a search."""
    return _planning.get()


@contextlib.contextmanager
def planning(state: VectorPlanning) -> Iterator[VectorPlanning]:
    """Statements built inside record their vector sides in ``state`` (or choose by its estimates)."""
    token = _planning.set(state)
    try:
        yield state
    finally:
        _planning.reset(token)


class _Planned(Generic[T]):
    """A search's plan, and what its vector sides ask of the planner (see ``VectorPlanning``)."""

    def __init__(self, build: Callable[..., Plan[T]], dialect: str, args: Any, kwargs: Any) -> None:
        self.plan = build(dialect, *args, **kwargs)
        shape = self.plan.shape
        self.state = VectorPlanning(gates=list(shape.gates), choices=list(shape.choices)) if shape else VectorPlanning()
        self.params = dict(self.plan.params)

    def arguments(self) -> Generator[sa.Executable, Any, dict[str, Any]]:
        """This call's parameters, with each vector side's gate set from what the planner and the
        index say: yields each statement to ask (run with ``params``) and is sent its one row."""
        shape = self.plan.shape
        estimates: list[float] = []
        localities: list[Locality | None] = []
        for probe, sample in zip(shape.probes, shape.samples) if shape else ():
            rows = _estimated_rows((yield probe)[0])
            estimates.append(rows)
            localities.append(Locality(*(yield sample)) if rows > EXACT_MAX_ROWS else None)
        return {**self.params, **self.state.decide(estimates, localities)}

    def results(self, rows: Sequence[sa.Row[Any]]) -> SearchResults[T]:
        results = self.plan.results(rows)
        if self.state.choices:
            results.debug = {**results.debug, "vector_search": "; ".join(self.state.choices)}
        return results


def sync_and_async(
    build: Callable[Concatenate[str, P], Plan[T]],
) -> tuple[
    Callable[Concatenate[Bind, P], SearchResults[T]],
    Callable[Concatenate[AsyncBind, P], Coroutine[Any, Any, SearchResults[T]]],
]:
    """The sync and the async search made from one plan builder ``build(dialect_name, ...)``.

    Both take the builder's parameters after the connection: for type checkers
    through ``P``, for ``help()`` and ``inspect.signature`` through ``__signature__``.
    """

    def search(bind: Bind, /, *args: P.args, **kwargs: P.kwargs) -> SearchResults[T]:
        if isinstance(bind, Session):
            # In the session's transaction, after its pending changes, as the session's own queries run.
            in_session = _in_session(bind, kwargs)
            if bind.autoflush:
                bind.flush()
            # With the session's tenant filled in: the same parameters, though P cannot say so.
            with_tenant: Callable[..., SearchResults[T]] = search
            return with_tenant(bind.connection(), *args, **in_session)
        if isinstance(bind, sa.Engine):
            with bind.connect() as connection:
                return search(connection, *args, **kwargs)
        planned = _Planned(build, bind.dialect.name, args, kwargs)
        if planned.plan.shape is None:
            return planned.results([])
        statement = planned.plan.shape.statement
        asking = planned.arguments()
        try:
            question = next(asking)
            while True:
                question = asking.send(bind.execute(question, planned.params).one())
        except StopIteration as answered:
            arguments = answered.value
        with _explained():
            if not planned.state.ef_search:
                return planned.results(bind.execute(statement, arguments).all())
            previous = bind.execute(_hnsw_settings(planned.state.ef_search)).one()[: len(_HNSW_SETTINGS)]
            rows = bind.execute(statement, arguments).all()
            bind.execute(_restored(previous))
            return planned.results(rows)

    async def search_async(bind: AsyncBind, /, *args: P.args, **kwargs: P.kwargs) -> SearchResults[T]:
        if isinstance(bind, AsyncSession):
            in_session = _in_session(bind.sync_session, kwargs)
            if bind.sync_session.autoflush:
                await bind.flush()
            with_tenant_async: Callable[..., Coroutine[Any, Any, SearchResults[T]]] = search_async
            return await with_tenant_async(await bind.connection(), *args, **in_session)
        if isinstance(bind, AsyncEngine):
            async with bind.connect() as connection:
                return await search_async(connection, *args, **kwargs)
        planned = _Planned(build, bind.dialect.name, args, kwargs)
        if planned.plan.shape is None:
            return planned.results([])
        statement = planned.plan.shape.statement
        asking = planned.arguments()
        try:
            question = next(asking)
            while True:
                question = asking.send((await bind.execute(question, planned.params)).one())
        except StopIteration as answered:
            arguments = answered.value
        with _explained():
            if not planned.state.ef_search:
                return planned.results((await bind.execute(statement, arguments)).all())
            previous = (await bind.execute(_hnsw_settings(planned.state.ef_search))).one()[: len(_HNSW_SETTINGS)]
            rows = (await bind.execute(statement, arguments)).all()
            await bind.execute(_restored(previous))
            return planned.results(rows)

    built = inspect.signature(build)
    after_dialect = list(built.parameters.values())[1:]
    # The builder's own annotations are strings ("Plan[MemorySearchResult]"): the results name the same type.
    results = str(built.return_annotation).replace("Plan[", "SearchResults[", 1)
    functions: list[tuple[Callable[..., Any], str]] = [
        (search, "Connection | Engine"),
        (search_async, "AsyncConnection | AsyncEngine"),
    ]
    for function, bind_type in functions:
        function.__doc__ = build.__doc__
        function.__module__ = build.__module__
        bind = inspect.Parameter("bind", inspect.Parameter.POSITIONAL_ONLY, annotation=bind_type)
        signature = built.replace(parameters=[bind, *after_dialect], return_annotation=results)
        setattr(function, "__signature__", signature)  # noqa: B010  (functions declare no such attribute)
    return search, search_async


@contextlib.contextmanager
def _explained() -> Iterator[None]:
    """Turn "no such function/table" of a desktop file without vectors or search indexes into one clear error."""
    from goclaw_db.search.vectors import explain_missing

    try:
        yield
    except sa.exc.OperationalError as error:
        clear: Exception | None = explain_missing(error)
        missing_index = _MISSING_FTS5_TABLE.search(str(error.orig))
        if missing_index:
            clear = SearchIndexMissing(
                f"{missing_index[1]} does not exist: GoClaw's desktop file has no search indexes until "
                "goclaw-db adopts it; run goclaw-db upgrade first (--sqlite PATH), which builds them"
            )
        if clear is None:
            raise
        raise clear from None
