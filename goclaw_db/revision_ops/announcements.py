"""Saying what a step does to rows before it does it.

Revisions that delete or rewrite rows, and drops of tables and columns that
hold values, would otherwise lose an operator's data without a word.  When the
runner asks for it (env.py configures ``announce_data_changes``), Alembic's own
implementations of these operations are wrapped: before each one runs, a line
on the ``goclaw_db.data`` logger says what it changes and how many rows; in
``--sql`` mode the line says what would.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations, ops, toimpl

from goclaw_db.revision_ops._registry import revision_operation

data_log = logging.getLogger("goclaw_db.data")


@revision_operation
def keep_data_changes(operations: Operations, reason: str) -> None:
    """A downgrade's word that the rows its upgrade changed stay as they are, and why (they cannot be restored)."""
    if operations.migration_context.opts.get("announce_data_changes"):
        data_log.info("keeping the rows this revision changed: %s", reason)


def _announcing(op_class: type[ops.MigrateOperation], default_implementation, describe) -> None:
    @Operations.implementation_for(op_class, replace=True)
    def announce_then_run(operations: Operations, operation) -> None:
        context = operations.migration_context
        if context.opts.get("announce_data_changes"):
            line = describe(context, operation)
            if line:
                data_log.info(line)
        default_implementation(operations, operation)


def _count(context, statement) -> int | None:
    """Rows a statement would touch, or None in ``--sql`` mode (no database to ask)."""
    return None if context.as_sql else context.bind.scalar(statement)


def _rows_changed(context, operation: ops.ExecuteSQLOp) -> str | None:
    statement = operation.sqltext
    if not isinstance(statement, (sa.Delete, sa.Update)):
        return None
    table = statement.table
    assert not isinstance(table, sa.Join), "the revisions delete from and update one table at a time"
    # The same WHERE in a SELECT picks the same rows: its subqueries correlate
    # with the target table as they do in the DELETE or UPDATE.
    counting = sa.select(sa.func.count()).select_from(table)
    if statement.whereclause is not None:
        counting = counting.where(statement.whereclause)
    count = _count(context, counting)
    verb = "deleting" if isinstance(statement, sa.Delete) else "rewriting"
    if count is None:
        return f"{verb} rows of {table.name} (counted when run)"
    return f"{verb} {count} rows of {table.name}" if count else None


def _table_dropped(context, operation: ops.DropTableOp) -> str | None:
    if operation.if_exists and not context.as_sql and not sa.inspect(context.bind).has_table(operation.table_name):
        return None  # GoClaw's own downgrade may have dropped it already
    count = _count(context, sa.select(sa.func.count()).select_from(sa.table(operation.table_name)))
    if count is None:
        return f"dropping table {operation.table_name} with its rows (counted when run)"
    return f"dropping table {operation.table_name} with its {count} rows" if count else None


def _column_dropped(context, operation: ops.DropColumnOp) -> str | None:
    column: sa.ColumnClause[Any] = sa.column(operation.column_name)
    holding = sa.select(sa.func.count()).select_from(sa.table(operation.table_name, column)).where(column.is_not(None))
    count = _count(context, holding)
    where = f"{operation.table_name}.{operation.column_name}"
    if count is None:
        return f"dropping column {where} with its values (counted when run)"
    return f"dropping column {where}: {count} rows hold a value that goes with it" if count else None


_announcing(ops.ExecuteSQLOp, toimpl.execute_sql, _rows_changed)
_announcing(ops.DropTableOp, toimpl.drop_table, _table_dropped)
_announcing(ops.DropColumnOp, toimpl.drop_column, _column_dropped)
