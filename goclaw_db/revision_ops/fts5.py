"""FTS5 search tables: how the desktop (SQLite) file searches what PostgreSQL searches with tsvector.

``<table>_fts`` is an external-content FTS5 table: it indexes the table's text
columns by rowid and stores no copy of them; three triggers keep it in step
with every insert, update and delete.  Rank matches with ``bm25(<table>_fts)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic.operations import Operations

from goclaw_db.revision_ops._registry import on_postgresql, revision_operation


def _fts(table: str) -> str:
    return f"{table}_fts"


@revision_operation
def create_fts5_index(operations: Operations, table: str, columns: Sequence[str]) -> None:
    """Full-text search over ``columns`` of ``table`` on SQLite; nothing on PostgreSQL (it has tsvector)."""
    if on_postgresql(operations):
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
        operations.execute(sa.text(statement))
    rebuild_fts5_index(operations, table)


@revision_operation
def drop_fts5_index(operations: Operations, table: str) -> None:
    """Remove the search table of ``table`` and its triggers (SQLite only)."""
    if on_postgresql(operations):
        return
    fts = _fts(table)
    for trigger in ("insert", "delete", "update"):
        operations.execute(sa.text(f"DROP TRIGGER IF EXISTS {fts}_{trigger}"))
    operations.execute(sa.text(f"DROP TABLE IF EXISTS {fts}"))


def has_fts5_index(operations: Operations, table: str) -> bool:
    found = operations.get_bind().scalar(
        sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": _fts(table)}
    )
    return found is not None


def rebuild_fts5_index(operations: Operations, table: str) -> None:
    """Index the table's current rows afresh (after a copy gave them new rowids)."""
    operations.execute(rebuild_fts5_index_statement(table))


def rebuild_fts5_index_statement(table: str) -> sa.TextClause:
    """The statement that fills ``table``'s FTS5 index from its current rows (on any SQLite connection)."""
    return sa.text(f"INSERT INTO {_fts(table)}({_fts(table)}) VALUES ('rebuild')")
