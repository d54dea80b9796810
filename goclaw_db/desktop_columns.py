"""Where GoClaw's desktop schema puts each column: the order of its ``schema.sql``, per desktop version.

GoClaw's desktop ladder copies tables with a positional ``SELECT *`` (its step
from 13 to 14 does so with ``vault_documents``), so a desktop file is only
GoClaw's if its columns stand where GoClaw's ``schema.sql`` of that
``schema_version`` declares them.  The revisions build PostgreSQL's order
(SQLite appends what ``ADD COLUMN`` adds), so after a run reaches a desktop
version the tables that differ are rebuilt in that version's order, through
the chain's own table rebuild (``op.alter_portable_table``), which keeps their
rows, indexes, triggers and FTS5 indexes.  The same repair puts right a file
an earlier goclaw-db left in PostgreSQL's order.

The orders are data, ``desktop_columns.json``: desktop version -> table ->
columns, from the ``position`` fields of the catalog of GoClaw's desktop schema
at that version (``tests/reference/sqlite_goclaw.json`` for 12,
``sqlite_goclaw_v15.json`` for 15); a later desktop version adds its own entry
from its catalog.  13 and 14, which no release shipped, have 15's order: GoClaw's
steps to them append the columns where 15's ``schema.sql`` has them and copy
``vault_documents`` in the order it keeps.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from goclaw_db.base import metadata
from goclaw_db.revision_ops.sqlite_rebuild import alter_portable_table

ORDERS_FILE = Path(__file__).with_name("desktop_columns.json")


@cache
def desktop_column_orders() -> Mapping[int, Mapping[str, tuple[str, ...]]]:
    """Every desktop version whose order is known: version -> table -> its columns in GoClaw's order."""
    data = json.loads(ORDERS_FILE.read_text())
    return {
        int(version): {table: tuple(columns) for table, columns in tables.items()} for version, tables in data.items()
    }


def tables_out_of_desktop_order(connection: sa.Connection, desktop_version: int | None) -> dict[str, tuple[str, ...]]:
    """Each table whose columns stand otherwise than at ``desktop_version``, with the order they should have.

    Columns GoClaw's schema does not name keep their relative order after its
    own; a version whose order is not known (or None) asks for nothing.
    """
    orders = desktop_column_orders().get(desktop_version) if desktop_version is not None else None
    if not orders:
        return {}
    present_tables = set(sa.inspect(connection).get_table_names())
    wanted = {}
    for table, order in orders.items():
        if table not in present_tables:
            continue
        present = [row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')]
        ordered = (*(c for c in order if c in present), *(c for c in present if c not in order))
        if list(ordered) != present:
            wanted[table] = ordered
    return wanted


def put_columns_in_desktop_order(connection: sa.Connection, desktop_version: int | None) -> list[str]:
    """Rebuild the tables of a SQLite file whose columns stand otherwise than at ``desktop_version``.

    Runs in the connection's transaction, with SQLite's foreign keys off (the
    rebuild refuses otherwise); returns the tables rebuilt.
    """
    if connection.dialect.name != "sqlite":
        return []
    wanted = tables_out_of_desktop_order(connection, desktop_version)
    if not wanted:
        return []
    # The models' metadata names unnamed constraints as the chain's runs do.
    operations = Operations(MigrationContext.configure(connection, opts={"target_metadata": metadata}))
    for table, order in wanted.items():
        indexes = _index_definitions(connection, table)
        with alter_portable_table(operations, table, recreate="always", partial_reordering=[order]):
            pass
        # The copy re-creates the indexes SQLAlchemy reflects, without their DESC: each keeps its own definition.
        copied = _index_definitions(connection, table)
        for name, definition in indexes.items():
            if copied.get(name) != definition:
                connection.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
                connection.exec_driver_sql(definition)
    return list(wanted)


def _index_definitions(connection: sa.Connection, table: str) -> dict[str, str]:
    rows = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
    )
    return {name: definition for name, definition in rows}
