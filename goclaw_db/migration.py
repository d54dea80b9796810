"""Small ``op`` helpers for the revisions: the one place that knows the dialects.

A revision says what GoClaw's version changes; these helpers decide what that
means on each backend.  PostgreSQL gets everything.  GoClaw's desktop (SQLite)
schema has no vectors, no tsvector, no GIN/HNSW indexes and no PL/pgSQL, so
those parts are left out there; in their place SQLite gets FTS5 search tables
(``create_fts5_index``), which PostgreSQL does without.

SQLite cannot alter most things in place, so ``batch_alter_table`` copies the
table into a new one.  The copy loses what SQLAlchemy cannot reflect
(expression indexes) and what belongs to the old table (its triggers, its
rowids, which the FTS5 tables point at); the helper here puts all of that back.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from goclaw_db.types import is_pg_only


def on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


# --- where GoClaw's desktop schema is not its PostgreSQL schema --------------
# The desktop build wrote its SQLite schema by hand, and a few details came out
# differently from the PostgreSQL one.  The helpers below (create_table,
# add_columns, create_index, drop_index) apply these on SQLite, so the
# revisions describe each change once.

# Column attributes the desktop declares differently, by "table.column".
DESKTOP_COLUMNS: dict[str, dict] = {
    "episodic_summaries.key_topics": {"nullable": False},
    "team_tasks.blocked_by": {"nullable": False},
    "subagent_tasks.created_at": {"nullable": True},
    "subagent_tasks.updated_at": {"nullable": True},
    # Flags the desktop declares INTEGER (0/1) rather than BOOLEAN.
    "cron_jobs.stateless": {"type": sa.Integer()},
    "cron_jobs.deliver": {"type": sa.Integer()},
    "cron_jobs.wake_heartbeat": {"type": sa.Integer()},
    # The desktop's own key default: 32 hex digits from SQLite's random source.
    "usage_snapshots.id": {"server_default": sa.DefaultClause(sa.text("lower(hex(randomblob(16)))"))},
}
# Indexes the desktop names differently.
DESKTOP_INDEX_NAMES = {"uq_vault_docs_agent_team_scope_path": "idx_vault_docs_unique_path"}
# Partial indexes on PostgreSQL that cover every row on the desktop.
DESKTOP_WHOLE_TABLE_INDEXES = frozenset({"idx_subagent_tasks_session", "idx_vault_docs_team"})
# Index columns the desktop wraps in COALESCE(column, '') (it stores no NULL keys).
DESKTOP_COALESCED_INDEX_COLUMNS = {"idx_usage_snapshots_unique": frozenset({"provider", "model", "channel"})}


def _portable(table: str, items: Sequence) -> list:
    """The columns as the database in use holds them (see ``DESKTOP_COLUMNS``)."""
    if on_postgresql():
        return list(items)
    kept = [i for i in items if not (isinstance(i, sa.Column) and is_pg_only(i.type))]
    for item in kept:
        if isinstance(item, sa.Column):
            for attribute, value in DESKTOP_COLUMNS.get(f"{table}.{item.name}", {}).items():
                setattr(item, attribute, value)
    return kept


def create_table(name: str, *items, **kw) -> sa.Table:
    """``op.create_table``; vector and tsvector columns exist on PostgreSQL only."""
    return op.create_table(name, *_portable(name, items), **kw)


@contextmanager
def batch_alter_table(table: str, **kw) -> Iterator:
    """``op.batch_alter_table`` that keeps a SQLite table's indexes, triggers and search index.

    On PostgreSQL this is plain ``ALTER TABLE``.  On SQLite, where Alembic may
    rebuild the table, every index and trigger the table had is re-created if
    the rebuild lost it (unless it names a column the batch dropped: PostgreSQL
    drops those with the column), and the table's FTS5 index is rebuilt,
    because the copied rows have new rowids.
    """
    if on_postgresql() or op.get_context().as_sql:
        with op.batch_alter_table(table, **kw) as batch:
            yield batch
        return
    kept = _sqlite_objects_on(table)
    columns_before = _sqlite_columns(table)
    with warnings.catch_warnings():
        # SQLAlchemy cannot reflect expression indexes on SQLite; they are re-created below.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        # Alembic stubs the tables a foreign key refers to; reflecting them
        # too (SQLAlchemy's default, recursively) was most of a SQLite run.
        with op.batch_alter_table(table, reflect_kwargs={"resolve_fks": False}, **kw) as batch:
            yield batch
    present = _sqlite_objects_on(table)
    lost = {name: sql for name, sql in kept.items() if name not in present}
    dropped = columns_before - _sqlite_columns(table)
    for sql in lost.values():
        if not dropped & _words(sql):
            op.execute(sa.text(sql))
    # Lost triggers mean the table was copied; only then have its rows new rowids.
    if lost and _has_fts5_index(table):
        _rebuild_fts5_index(table)


def _sqlite_objects_on(table: str) -> dict[str, str]:
    rows = op.get_bind().execute(sa.text(
        "SELECT name, sql FROM sqlite_master WHERE tbl_name = :table AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL"), {"table": table})
    return dict(rows.all())


def _sqlite_columns(table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(op.get_bind()).get_columns(table)}


def _words(sql: str) -> set[str]:
    return set(re.findall(r"\w+", sql))


def add_columns(table: str, *columns: sa.Column) -> None:
    """Add columns in order (GoClaw's column order is part of the schema)."""
    with batch_alter_table(table) as batch:
        for column in _portable(table, columns):
            batch.add_column(column)


def drop_columns(table: str, *names: str, pg_only: Sequence[str] = ()) -> None:
    """Drop columns; those named in ``pg_only`` exist on PostgreSQL only."""
    with batch_alter_table(table) as batch:
        for name in names:
            if name in pg_only and not on_postgresql():
                continue
            batch.drop_column(name)


def create_index(name: str, table: str, columns: Sequence, where: str | sa.ClauseElement | None = None, **kw) -> None:
    """An index on both databases, partial where ``where`` is given, in the desktop's form on SQLite.

    Write a condition on booleans as an expression (``sa.column("enabled") ==
    sa.true()``): it renders ``true`` on PostgreSQL and ``1`` on SQLite, as
    each of GoClaw's schemas has it.
    """
    columns = list(columns)
    if not on_postgresql():
        coalesced = DESKTOP_COALESCED_INDEX_COLUMNS.get(name, frozenset())
        columns = [sa.text(f"COALESCE({c}, '')") if c in coalesced else c for c in columns]
        where = None if name in DESKTOP_WHOLE_TABLE_INDEXES else where
        name = DESKTOP_INDEX_NAMES.get(name, name)
    if where is not None:
        condition = sa.text(where) if isinstance(where, str) else where
        kw.update(postgresql_where=condition, sqlite_where=condition)
    op.create_index(name, table, columns, **kw)


def drop_index(name: str, table: str) -> None:
    """Drop an index made by ``create_index`` (under its desktop name on SQLite)."""
    op.drop_index(name if on_postgresql() else DESKTOP_INDEX_NAMES.get(name, name), table_name=table)


def create_pg_index(name: str, table: str, columns: Sequence, **kw) -> None:
    """An index that only PostgreSQL has (GIN, HNSW, expression indexes on tsvector)."""
    if on_postgresql():
        op.create_index(name, table, list(columns), **kw)


def create_hnsw_index(
    name: str, table: str, column: str = "embedding", *, m: int | None = None,
    ef_construction: int | None = None, where: str | None = None,
) -> None:
    """A pgvector HNSW index for cosine distance, with GoClaw's build options when it sets them."""
    options = {k: v for k, v in (("m", m), ("ef_construction", ef_construction)) if v is not None}
    create_pg_index(
        name, table, [column],
        postgresql_using="hnsw",
        postgresql_ops={column: "vector_cosine_ops"},
        postgresql_with=options or None,
        postgresql_where=sa.text(where) if where else None,
    )


def create_gin_index(name: str, table: str, column, *, where: str | None = None) -> None:
    """A GIN index over a tsvector, jsonb or array column (or an expression)."""
    create_pg_index(
        name, table, [column], postgresql_using="gin",
        postgresql_where=sa.text(where) if where else None,
    )


def drop_pg_index(name: str, table: str | None = None) -> None:
    if on_postgresql():
        op.drop_index(name, table_name=table)


def execute_on_postgresql(statement) -> None:
    """DDL that has no desktop equivalent: functions, triggers, extensions."""
    if on_postgresql():
        op.execute(statement)


def create_extension(name: str) -> None:
    execute_on_postgresql(sa.text(f'CREATE EXTENSION IF NOT EXISTS "{name}"'))


def create_extension_if_offered(name: str) -> None:
    """Create an extension only where the server ships it (some, e.g. embedded builds, lack pgcrypto)."""
    if not on_postgresql():
        return
    if op.get_context().as_sql:
        op.execute(sa.text(
            f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = '{name}') "
            f'THEN CREATE EXTENSION IF NOT EXISTS "{name}"; END IF; END $$'
        ))
        return
    offered = op.get_bind().scalar(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = :name"), {"name": name}
    )
    if offered:
        create_extension(name)


def drop_extension(name: str) -> None:
    execute_on_postgresql(sa.text(f'DROP EXTENSION IF EXISTS "{name}"'))


def drop_function(signature: str) -> None:
    execute_on_postgresql(sa.text(f"DROP FUNCTION IF EXISTS {signature}"))


def create_index_concurrently(name: str, table: str, columns: Sequence, where: str | None = None, **kw) -> None:
    """Build an index without locking writers, outside the revision's transaction.

    ``CREATE INDEX CONCURRENTLY`` cannot run in a transaction, so this runs in
    an autocommit block.  A build that was interrupted leaves an INVALID index
    behind; it is dropped and rebuilt, so a rerun finishes the job.
    """
    if where is not None:
        kw.update(postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    if not on_postgresql():
        op.create_index(name, table, list(columns), if_not_exists=True, **kw)
        return
    context = op.get_context()
    with context.autocommit_block():
        if not context.as_sql:
            invalid = op.get_bind().scalar(sa.text(
                "SELECT 1 FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE i.relname = :name AND NOT x.indisvalid"), {"name": name})
            if invalid:
                op.drop_index(name, table_name=table, postgresql_concurrently=True)
        op.create_index(name, table, list(columns), postgresql_concurrently=True, if_not_exists=True, **kw)


# --- FTS5 search on SQLite ---------------------------------------------------
# PostgreSQL searches a generated tsvector column; the desktop file gets an
# external-content FTS5 table instead: ``<table>_fts`` indexes the table's text
# columns by rowid and stores no copy of them; three triggers keep it in step
# with every insert, update and delete.  Rank matches with ``bm25(<table>_fts)``.


def _fts(table: str) -> str:
    return f"{table}_fts"


def create_fts5_index(table: str, columns: Sequence[str]) -> None:
    """Full-text search over ``columns`` of ``table`` on SQLite; nothing on PostgreSQL (it has tsvector)."""
    if on_postgresql():
        return
    fts, names = _fts(table), ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    forget = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.rowid, {old});"
    learn = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.rowid, {new});"
    for statement in (
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='rowid')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {learn} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {forget} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} BEGIN {forget} {learn} END",
    ):
        op.execute(sa.text(statement))
    _rebuild_fts5_index(table)


def drop_fts5_index(table: str) -> None:
    """Remove the search table of ``table`` and its triggers (SQLite only)."""
    if on_postgresql():
        return
    fts = _fts(table)
    for trigger in ("insert", "delete", "update"):
        op.execute(sa.text(f"DROP TRIGGER IF EXISTS {fts}_{trigger}"))
    op.execute(sa.text(f"DROP TABLE IF EXISTS {fts}"))


def _has_fts5_index(table: str) -> bool:
    return op.get_bind().scalar(
        sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": _fts(table)}
    ) is not None


def _rebuild_fts5_index(table: str) -> None:
    """Index the table's current rows afresh (after a copy gave them new rowids)."""
    op.execute(rebuild_fts5_index_statement(table))


def rebuild_fts5_index_statement(table: str) -> sa.TextClause:
    """The statement that fills ``table``'s FTS5 index from its current rows (on any SQLite connection)."""
    return sa.text(f"INSERT INTO {_fts(table)}({_fts(table)}) VALUES ('rebuild')")
