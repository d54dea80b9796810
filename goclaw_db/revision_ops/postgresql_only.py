"""Operations for what only GoClaw's PostgreSQL schema has; on SQLite they do nothing.

The desktop (SQLite) schema has no vector or tsvector columns to index, no
GIN or HNSW access methods, no extensions and no PL/pgSQL functions or
triggers; it searches its FTS5 tables instead (``goclaw_db.revision_ops.fts5``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations

from goclaw_db.revision_ops._registry import on_postgresql, revision_operation


@revision_operation
def create_postgresql_index(operations: Operations, name: str, table: str, columns: Sequence[Any], **kw: Any) -> None:
    """An index that only PostgreSQL has (expression indexes on tsvector, for example)."""
    if on_postgresql(operations):
        operations.create_index(name, table, list(columns), **kw)


@revision_operation
def create_hnsw_index(
    operations: Operations,
    name: str,
    table: str,
    column: str = "embedding",
    *,
    m: int | None = None,
    ef_construction: int | None = None,
    where: str | None = None,
) -> None:
    """A pgvector HNSW index for cosine distance, with GoClaw's build options when it sets them."""
    options = {k: v for k, v in (("m", m), ("ef_construction", ef_construction)) if v is not None}
    create_postgresql_index(
        operations,
        name,
        table,
        [column],
        postgresql_using="hnsw",
        postgresql_ops={column: "vector_cosine_ops"},
        postgresql_with=options or None,
        postgresql_where=sa.text(where) if where else None,
    )


@revision_operation
def create_gin_index(operations: Operations, name: str, table: str, column: Any, *, where: str | None = None) -> None:
    """A GIN index over a tsvector, jsonb or array column (or an expression)."""
    create_postgresql_index(
        operations,
        name,
        table,
        [column],
        postgresql_using="gin",
        postgresql_where=sa.text(where) if where else None,
    )


@revision_operation
def drop_postgresql_index(operations: Operations, name: str, table: str | None = None) -> None:
    """Drop an index made by ``op.create_postgresql_index``, ``op.create_gin_index`` or ``op.create_hnsw_index``."""
    if on_postgresql(operations):
        operations.drop_index(name, table_name=table)


@revision_operation
def execute_on_postgresql(operations: Operations, statement: Any) -> None:
    """DDL that has no desktop equivalent: functions, triggers, extensions."""
    if on_postgresql(operations):
        operations.execute(statement)


@revision_operation
def create_postgresql_extension(operations: Operations, name: str) -> None:
    execute_on_postgresql(operations, sa.text(f'CREATE EXTENSION IF NOT EXISTS "{name}"'))


@revision_operation
def create_postgresql_extension_if_offered(operations: Operations, name: str) -> None:
    """Create an extension only where the server ships it (some, e.g. embedded builds, lack pgcrypto)."""
    if not on_postgresql(operations):
        return
    if operations.get_context().as_sql:
        operations.execute(
            sa.text(
                f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = '{name}') "
                f'THEN CREATE EXTENSION IF NOT EXISTS "{name}"; END IF; END $$'
            )
        )
        return
    offered = operations.get_bind().scalar(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = :name"), {"name": name}
    )
    if offered:
        create_postgresql_extension(operations, name)


@revision_operation
def drop_postgresql_extension(operations: Operations, name: str) -> None:
    execute_on_postgresql(operations, sa.text(f'DROP EXTENSION IF EXISTS "{name}"'))


@revision_operation
def drop_postgresql_function(operations: Operations, signature: str) -> None:
    execute_on_postgresql(operations, sa.text(f"DROP FUNCTION IF EXISTS {signature}"))
