"""Small ``op`` helpers for the revisions: the one place that knows the dialects.

A revision says what GoClaw's version changes; these helpers decide what that
means on each backend.  PostgreSQL gets everything.  GoClaw's desktop (SQLite)
schema has no vectors, no tsvector, no GIN/HNSW indexes and no PL/pgSQL, so
those parts are left out there.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from goclaw_db.types import is_pg_only


def on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def _portable(items: Sequence) -> list:
    """Drop the columns the desktop schema has no place for, when on SQLite."""
    if on_postgresql():
        return list(items)
    return [i for i in items if not (isinstance(i, sa.Column) and is_pg_only(i.type))]


def create_table(name: str, *items, **kw) -> sa.Table:
    """``op.create_table``; vector and tsvector columns exist on PostgreSQL only."""
    return op.create_table(name, *_portable(items), **kw)


def add_columns(table: str, *columns: sa.Column) -> None:
    """Add columns in order (GoClaw's column order is part of the schema)."""
    for column in _portable(columns):
        op.add_column(table, column)


def drop_columns(table: str, *names: str, pg_only: Sequence[str] = ()) -> None:
    """Drop columns; those named in ``pg_only`` exist on PostgreSQL only."""
    with op.batch_alter_table(table) as batch:
        for name in names:
            if name in pg_only and not on_postgresql():
                continue
            batch.drop_column(name)


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


def create_index_concurrently(name: str, table: str, columns: Sequence, **kw) -> None:
    """Build an index without locking writers, outside the revision's transaction.

    ``CREATE INDEX CONCURRENTLY`` cannot run in a transaction, so this runs in
    an autocommit block.  A build that was interrupted leaves an INVALID index
    behind; it is dropped and rebuilt, so a rerun finishes the job.
    """
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
