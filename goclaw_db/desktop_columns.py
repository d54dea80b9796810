"""Where GoClaw's desktop schema puts each column and how it defines each index, per desktop version.

GoClaw's desktop ladder copies tables with a positional ``SELECT *`` (its step
from 13 to 14 does so with ``vault_documents``), so a desktop file is only
GoClaw's if its columns stand where GoClaw's ``schema.sql`` of that
``schema_version`` declares them.  The revisions build PostgreSQL's order
(SQLite appends what ``ADD COLUMN`` adds), so after a run reaches a desktop
version the tables that differ are rebuilt in that version's order, through
the chain's own table rebuild (``op.alter_portable_table``), which keeps their
rows, indexes, triggers and FTS5 indexes.  Then each index that GoClaw's
schema defines otherwise is made anew as GoClaw defines it: the revisions
make PostgreSQL's indexes (``idx_subagent_tasks_created`` is newest first
there, not on the desktop), and files an earlier goclaw-db made lost every
DESC to the table rebuilds.  The same repair puts right such a file.

The facts are data, ``desktop_columns.json`` (rebuilt by
``python -m tests.reference.desktop_schemas``): desktop version -> ``columns``
(table -> its columns in GoClaw's order) and ``indexes`` (name -> table, key
columns, unique, WHERE), from the catalog of GoClaw's desktop schema at that
version (``tests/reference/sqlite_goclaw.json`` for 12, ``sqlite_goclaw_v15.json``
for 15); the catalog does not record which keys sort descending, so that comes
from the file GoClaw's ``schema.sql`` makes (``tests/desktop_files/``).
Expression indexes are not listed (the catalog does not give their
expressions; the table rebuild keeps them as written).  13 and 14, which no
release shipped, have 15's column order (GoClaw's steps to them append the
columns where 15's ``schema.sql`` has them and copy ``vault_documents`` in the
order it keeps) and the indexes 12 and 15 define alike.  A later desktop
version adds its own entry from its catalog.

Finding what is pending loads no Alembic (``migrate status`` reports it);
only the repair does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa

SCHEMAS_FILE = Path(__file__).with_name("desktop_columns.json")
DESCENDING = " DESC"


class DesktopIndex(NamedTuple):
    table: str
    columns: tuple[str, ...]  # each key column's name, followed by " DESC" where it sorts descending
    unique: bool
    where: str | None  # the condition of a partial index, its words separated by single spaces

    def create_statement(self, name: str) -> str:
        keys = ", ".join(
            f'"{key.removesuffix(DESCENDING)}"{DESCENDING if key.endswith(DESCENDING) else ""}' for key in self.columns
        )
        return f'CREATE {"UNIQUE " if self.unique else ""}INDEX "{name}" ON "{self.table}" ({keys})' + (
            f" WHERE {self.where}" if self.where else ""
        )


class DesktopSchema(NamedTuple):
    columns: Mapping[str, tuple[str, ...]]  # table -> its columns in GoClaw's order
    indexes: Mapping[str, DesktopIndex]


@dataclass
class DesktopRepairs:
    """What puts a file into GoClaw's desktop schema of ``version``: tables to reorder, indexes to make anew."""

    version: int | None
    tables: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table -> the column order it should have
    indexes: dict[str, DesktopIndex] = field(default_factory=dict)  # index -> GoClaw's definition

    def __bool__(self) -> bool:
        return bool(self.tables or self.indexes)

    def summary(self) -> str:
        parts = [f"{len(self.tables)} table(s) in another column order"] if self.tables else []
        parts += [f"{len(self.indexes)} index(es) defined otherwise"] if self.indexes else []
        return f"{' and '.join(parts)} than in GoClaw's desktop schema {self.version}"

    def findings(self) -> list[str]:
        return [f"table {table}: columns in another order" for table in self.tables] + [
            f"index {name}: GoClaw's is {index.create_statement(name)}" for name, index in self.indexes.items()
        ]


@cache
def desktop_schemas() -> Mapping[int, DesktopSchema]:
    """Every desktop version whose schema is known: its column orders and its indexes."""
    data = json.loads(SCHEMAS_FILE.read_text())
    return {
        int(version): DesktopSchema(
            columns={table: tuple(columns) for table, columns in schema["columns"].items()},
            indexes={
                name: DesktopIndex(index["table"], tuple(index["columns"]), index["unique"], index["where"])
                for name, index in schema["indexes"].items()
            },
        )
        for version, schema in data.items()
    }


def pending_desktop_repairs(connection: sa.Connection, desktop_version: int | None) -> DesktopRepairs:
    """What stands otherwise in a SQLite file than in GoClaw's desktop schema of ``desktop_version``.

    Columns GoClaw's schema does not name keep their relative order after its
    own; only indexes the file has are made anew (one it lacks is drift, which
    doctor lists: the revisions decide what a file has, this only how GoClaw
    defines it); a version whose schema is not known (or None) asks for nothing.
    """
    schema = desktop_schemas().get(desktop_version) if desktop_version is not None else None
    repairs = DesktopRepairs(desktop_version)
    if connection.dialect.name != "sqlite" or schema is None:
        return repairs
    present = {table: _columns(connection, table) for table in sa.inspect(connection).get_table_names()}
    for table, order in schema.columns.items():
        if table not in present:
            continue
        ordered = (*(c for c in order if c in present[table]), *(c for c in present[table] if c not in order))
        if list(ordered) != present[table]:
            repairs.tables[table] = ordered
    for name, index in schema.indexes.items():
        found = _index(connection, name) if index.table in present else None
        if found is not None and found != index:
            repairs.indexes[name] = index
    return repairs


def indexes_as_goclaw_defines(connection: sa.Connection) -> dict[str, str]:
    """The file's indexes that stand as one of GoClaw's desktop schemas defines them: index -> its table.

    Such an index can differ from what the revisions make at a version below
    the first desktop one (a file brought down from head keeps GoClaw's).
    """
    return {
        name: index.table
        for schema in desktop_schemas().values()
        for name, index in schema.indexes.items()
        if _index(connection, name) == index
    }


def put_in_desktop_schema(connection: sa.Connection, desktop_version: int | None) -> DesktopRepairs:
    """Rebuild the tables and make anew the indexes of a SQLite file that stand otherwise than at ``desktop_version``.

    Runs in the connection's transaction, with SQLite's foreign keys off (the
    rebuild refuses otherwise); returns what it repaired.
    """
    repairs = pending_desktop_repairs(connection, desktop_version)
    if repairs.tables:
        from alembic.operations import Operations
        from alembic.runtime.migration import MigrationContext

        from goclaw_db.base import metadata
        from goclaw_db.revision_ops.sqlite_rebuild import alter_portable_table

        # The models' metadata names unnamed constraints as the chain's runs do.
        operations = Operations(MigrationContext.configure(connection, opts={"target_metadata": metadata}))
        for table, order in repairs.tables.items():
            with alter_portable_table(operations, table, recreate="always", partial_reordering=[order]):
                pass
    for name, index in repairs.indexes.items():
        connection.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
        connection.exec_driver_sql(index.create_statement(name))
    return repairs


def _columns(connection: sa.Connection, table: str) -> list[str]:
    return [row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')]


def _index(connection: sa.Connection, name: str) -> DesktopIndex | None:
    """An index of the file as SQLite reads it, or None where there is none."""
    found = connection.exec_driver_sql(
        "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND name = ? AND sql IS NOT NULL", (name,)
    ).first()
    if found is None:
        return None
    table, sql = found
    keys = tuple(
        f"{column if column is not None else '<expression>'}{DESCENDING if descending else ''}"
        for _seq, _cid, column, descending, _collation, key in connection.exec_driver_sql(
            f'PRAGMA index_xinfo("{name}")'
        )
        if key
    )
    condition = re.search(r"\bWHERE\b(.*)$", sql, re.DOTALL | re.IGNORECASE)
    return DesktopIndex(
        table,
        keys,
        sql.lstrip().upper().startswith("CREATE UNIQUE"),
        " ".join(condition.group(1).split()) if condition else None,
    )
