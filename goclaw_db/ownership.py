"""What the revision chain owns in a database, and what it must leave alone.

A GoClaw database often shares its schema (or its SQLite file) with other
applications' tables.  ``goclaw-db migrate drop`` removes only what the chain
created, and a database whose tables merely share GoClaw's names is refused
rather than migrated.  GoClaw's tables are the models' tables and the
retired ones below; the functions and extensions are listed (a test holds all
of them to GoClaw's catalogs at every version); the FTS5 search tables of the
desktop file carry a ``_fts`` suffix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa

# Tables GoClaw's versions made and later dropped, each with the version that dropped it:
# the models map today's tables, so these are the rest of what a database at an older
# version may hold.  A revision that drops a table adds it here.
RETIRED_TABLES = {
    "custom_tools": 27,
    "delegation_history": 26,
    "group_file_writers": 23,
    "handoff_routes": 26,
    "team_messages": 24,
    "team_workspace_comments": 24,
    "team_workspace_file_versions": 24,
    "team_workspace_files": 24,
}
# Tables that record versions rather than hold GoClaw's data: golang-migrate's,
# GoClaw's data hooks', the desktop's counter, and Alembic's.
BOOKKEEPING_TABLES = frozenset({"schema_migrations", "data_migrations", "schema_version", "alembic_version"})
# PL/pgSQL functions the chain creates (PostgreSQL), with their signatures: a
# function of the same name with other arguments is somebody else's.
GOCLAW_FUNCTIONS = (
    "uuid_generate_v7()",
    "immutable_array_to_string(text[], text)",
    "vault_docs_team_null_scope_fix()",
    "vault_docs_agent_null_scope_fix()",
)
# Extensions the chain creates; dropped only when nothing else uses them.
GOCLAW_EXTENSIONS = ("vector", "pgcrypto")

_FTS5_SUFFIX = "_fts"


@cache
def goclaw_tables() -> frozenset[str]:
    """Every table any GoClaw version has had, its own bookkeeping excluded.

    Loading the models costs half a second, so only a run that has to tell
    GoClaw's tables from others' (a first run, ``drop``, ``backup``) pays it.
    """
    import goclaw_db.models  # noqa: F401  (puts every table on the shared MetaData)
    from goclaw_db.base import metadata

    return frozenset(metadata.tables).union(RETIRED_TABLES) - BOOKKEEPING_TABLES


def is_goclaw_table(name: str) -> bool:
    """A table of GoClaw's schema or one of the desktop file's FTS5 search tables."""
    tables = goclaw_tables()
    return name in tables or (name.endswith(_FTS5_SUFFIX) and name[: -len(_FTS5_SUFFIX)] in tables)


def is_owned_table(name: str) -> bool:
    return is_goclaw_table(name) or name in BOOKKEEPING_TABLES


@dataclass
class Inventory:
    """The tables (and, on PostgreSQL, functions) in a database, split by owner."""

    owned_tables: list[str] = field(default_factory=list)
    foreign_tables: list[str] = field(default_factory=list)
    owned_functions: list[str] = field(default_factory=list)  # as signatures, e.g. uuid_generate_v7()

    @property
    def goclaw_tables(self) -> list[str]:
        """GoClaw's own tables, bookkeeping left out."""
        return [name for name in self.owned_tables if is_goclaw_table(name)]


def take_inventory(connection: sa.Connection) -> Inventory:
    """Which tables of the connection's schema (or file) the chain owns, and which it does not.

    SQLite's FTS5 shadow tables (``<table>_fts_data`` and the like) belong to
    their virtual table and are neither listed nor dropped on their own.
    """
    return classify(connection, table_names(connection))


def table_names(connection: sa.Connection) -> list[str]:
    """The tables of the connection's schema (or file), SQLite's FTS5 shadow tables left out."""
    names = sorted(sa.inspect(connection).get_table_names())
    if connection.dialect.name == "sqlite":
        shadow = {
            f"{fts}_{part}"
            for fts in names
            if fts.endswith(_FTS5_SUFFIX)
            for part in ("data", "idx", "docsize", "config", "content")
        }
        names = [name for name in names if name not in shadow]
    return names


def classify(connection: sa.Connection, names: list[str]) -> Inventory:
    """Split ``names`` by owner, and find the chain's functions (PostgreSQL)."""
    inventory = Inventory()
    for name in names:
        (inventory.owned_tables if is_owned_table(name) else inventory.foreign_tables).append(name)
    if connection.dialect.name == "postgresql":
        inventory.owned_functions = [
            signature
            for signature in GOCLAW_FUNCTIONS
            if connection.scalar(sa.text("SELECT to_regprocedure(:signature)"), {"signature": signature})
        ]
    return inventory


def drop_owned(connection: sa.Connection, inventory: Inventory) -> tuple[list[str], list[str]]:
    """Drop the chain's tables, functions and extensions; returns (dropped, kept in use).

    The tables go in one ``DROP TABLE`` with their indexes, triggers and
    sequences, and without CASCADE: a foreign key or view of another
    application that depends on one of them stops the drop, so nothing
    outside the chain goes with it.  Functions and extensions that another
    application's objects still use are kept and reported.
    """
    dropped = _drop_tables(connection, inventory.owned_tables, cascade=False)
    kept: list[str] = []
    if connection.dialect.name != "postgresql":
        return dropped, kept
    present_extensions = [
        name
        for name in GOCLAW_EXTENSIONS
        if connection.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = :name"), {"name": name})
    ]
    for what, statement in [
        *((f"function {signature}", f"DROP FUNCTION {signature}") for signature in inventory.owned_functions),
        *((f"extension {name}", f'DROP EXTENSION "{name}"') for name in present_extensions),
    ]:
        try:
            with connection.begin_nested():
                connection.execute(sa.text(statement))
        except sa.exc.DBAPIError:
            kept.append(what)
        else:
            dropped.append(what)
    return dropped, kept


def drop_everything_in_schema(connection: sa.Connection) -> list[str]:
    """golang-migrate's ``drop``: every table in the schema (or file), GoClaw's or not."""
    inventory = take_inventory(connection)
    dropped = _drop_tables(connection, inventory.owned_tables + inventory.foreign_tables, cascade=True)
    if connection.dialect.name == "postgresql":
        dropped += drop_owned(connection, Inventory(owned_functions=inventory.owned_functions))[0]
    return dropped


def _drop_tables(connection: sa.Connection, names: list[str], *, cascade: bool) -> list[str]:
    if not names:
        return []
    # Names read from the database reach SQL only quoted by SQLAlchemy, and
    # through exec_driver_sql, which leaves colons and percent signs alone.
    quote = connection.dialect.identifier_preparer.quote
    if connection.dialect.name == "postgresql":
        listed = ", ".join(quote(name) for name in names)
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {listed}{' CASCADE' if cascade else ''}")
    else:
        # SQLite drops one table per statement; the runner keeps its foreign keys
        # off, so the order does not matter.
        for name in names:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(name)}")
    return [f"table {name}" for name in names]
