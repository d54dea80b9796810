"""An empty database brought to a version by the chain's own script, kept beside this module.

Walking the chain from nothing loads every revision module, builds each
revision's ``Table`` and ``Index`` objects and compiles about 800 statements,
each its own round trip.  For an empty database the outcome is known before
the run.  On PostgreSQL it is the script ``goclaw-db migrate up --sql``
prints; on SQLite, whose revisions rebuild tables from the live file and so
have no offline form, it is the head file the walk makes (its tables, rows,
indexes, search indexes and triggers as SQLite recorded them).
``python -m goclaw_db.runner.empty_database`` writes both from the chain;
``tests/test_empty_database_script.py`` holds them equal to what the chain
makes now, and the databases they build catalog-equal to the walk's (on
PostgreSQL at every version; on SQLite at head, the only target it serves:
a new desktop file goes to head).

On PostgreSQL each revision's part still runs in the revision's own transaction, with its
version rows, under the migration lock that every transaction of a run takes
(``goclaw_db.runner.locking``); only its statements go in one round trip.  So
what the walk guarantees holds here too: a killed run leaves a completed
version, and where another run has moved the version on (read under the lock
before each part), this one stops and the walk carries on from there.  A part
Alembic runs outside a transaction (version 9's ``CREATE INDEX CONCURRENTLY``)
runs in autocommit, guarded as the walk guards it.  On SQLite the whole file
is made in one transaction, under the run's lock file, with its version rows.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import re
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from goclaw_db.bookkeeping import POSTGRES_BOOKKEEPING
from goclaw_db.runner import locking
from goclaw_db.runner.chain import alembic_config, chain_versions, head_version, revision_id, version_number
from goclaw_db.runner.version_table import alembic_revision, recorded_version

POSTGRESQL_SCRIPT = Path(__file__).with_name("empty_database_postgresql.sql")
SQLITE_SCRIPT = Path(__file__).with_name("empty_database_sqlite.json")

# Alembic's offline mode writes this comment before each revision's statements.
REVISION_MARK = re.compile(r"^-- Running upgrade (\S*) -> (\S+)$", re.M)
# ... and these lines around each revision's transaction (an autocommit block ends and restarts it).
_TRANSACTION_LINE = re.compile(r"^(BEGIN|COMMIT);$", re.M)
# What ``ensure_bookkeeping`` makes before any revision runs.
_RUN_BOOKKEEPING = frozenset({"schema_version", *(table.name for table in POSTGRES_BOOKKEEPING)})
# Offline mode needs a dialect, never a server.
OFFLINE_URL = "postgresql+psycopg://offline/goclaw"

log = logging.getLogger("alembic.runtime.migration")  # where the walk's "Running upgrade" lines go


def offline_script() -> str:
    """The chain's PostgreSQL script from an empty database to head (loads Alembic and every revision)."""
    from alembic import command

    config = alembic_config(OFFLINE_URL, compare_with_models=False)
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    return config.output_buffer.getvalue()


@dataclass(frozen=True)
class Part:
    """Statements of one revision that run together: in its transaction, or outside any."""

    from_revision: str | None  # the version the database is at before the revision (None: empty)
    revision: str
    sql: str
    in_transaction: bool


def parts_of(script: str) -> list[Part]:
    """The script's statements after its bookkeeping DDL, cut where a transaction begins or ends."""
    parts: list[Part] = []
    marks = {m.start(): m for m in REVISION_MARK.finditer(script)}
    current: re.Match[str] | None = None
    for line, following in itertools.pairwise(_TRANSACTION_LINE.finditer(script)):
        body = script[line.end() : following.start()]
        for position in sorted(p for p in marks if line.end() <= p < following.start()):
            current = marks[position]
        if current is None or not _statements(body):
            continue
        parts.append(Part(current.group(1) or None, current.group(2), body, line.group(1) == "BEGIN"))
    return parts


def _statements(sql: str) -> str:
    """``sql`` without its comment lines and blank space: empty where it would run nothing."""
    return "\n".join(line for line in sql.splitlines() if line.strip() and not line.startswith("--")).strip()


@cache
def script_parts() -> tuple[Part, ...]:
    return tuple(parts_of(POSTGRESQL_SCRIPT.read_text(encoding="utf-8")))


def destination_version(destination: object) -> int | None:
    """The version an upgrade names ('head', or a revision id of the chain), or None for anything else."""
    if destination in ("head", "heads"):
        return head_version()
    if isinstance(destination, str) and re.fullmatch(r"\d{6}", destination):
        number = version_number(destination)
        if any(part.revision == destination for part in script_parts()):
            return number
    return None


def upgrade_empty_database(connection: sa.Connection, destination: object) -> bool:
    """Bring an empty database to ``destination`` from the kept script; whether it got there.

    False leaves the rest to the walk: the database was not empty, the
    destination is not one the script serves, or another run moved the version
    on.  ``connection`` holds no transaction and carries the run's lock.
    """
    target = destination_version(destination)
    if target is None or target == 0 or not _empty(connection):
        return False
    if connection.dialect.name == "sqlite":
        return target == head_version() and _make_sqlite_head_file(connection)
    announced: set[str] = set()
    for part in script_parts():
        if version_number(part.revision) > target:
            break
        if not _run(connection, part, announced):
            return False
    return True


def _empty(connection: sa.Connection) -> bool:
    empty = _is_empty(connection)
    connection.rollback()
    return empty


def _is_empty(connection: sa.Connection) -> bool:
    """No version recorded and no table but the bookkeeping a run makes before any revision.

    A database taken down to version 0 keeps Alembic's table: the walk goes on from there.
    """
    if recorded_version(connection) is not None:
        return False
    return not set(sa.inspect(connection).get_table_names()) - _RUN_BOOKKEEPING


def _announce(from_revision: str | None, revision: str) -> None:
    """The walk's line for each revision applied."""
    log.info("Running upgrade %s -> %s, from the chain's script", from_revision or "", revision)


def _run(connection: sa.Connection, part: Part, announced: set[str]) -> bool:
    """Run one part; False, changing nothing, where the database is no longer where the part starts."""
    transaction = connection.begin()  # takes the migration lock first
    try:
        if alembic_revision(connection) != part.from_revision:
            transaction.rollback()
            return False
        if part.revision not in announced:
            announced.add(part.revision)
            _announce(part.from_revision, part.revision)
        if part.in_transaction:
            connection.exec_driver_sql(part.sql)
        transaction.commit()
    except BaseException:
        transaction.rollback()
        raise
    if not part.in_transaction:
        with locking.held_outside_transaction(connection):
            level = connection.get_isolation_level()
            connection.execution_options(isolation_level="AUTOCOMMIT")
            try:
                connection.exec_driver_sql(part.sql)
                connection.commit()
            finally:
                connection.execution_options(isolation_level=level)
    return True


def _make_sqlite_head_file(connection: sa.Connection) -> bool:
    """The head file in one transaction (``BEGIN IMMEDIATE``, under the run's lock file)."""
    transaction = connection.begin()  # BEGIN IMMEDIATE: after any run that got the file first
    try:
        if not _is_empty(connection):
            transaction.rollback()
            return False
        for statement in sqlite_script():
            connection.exec_driver_sql(statement)
        transaction.commit()
    except BaseException:
        transaction.rollback()
        raise
    previous = None
    for version in chain_versions():
        _announce(previous, revision_id(version))
        previous = revision_id(version)
    return True


@cache
def sqlite_script() -> tuple[str, ...]:
    statements: list[str] = json.loads(SQLITE_SCRIPT.read_text(encoding="utf-8"))
    return tuple(statements)


def sqlite_file_statements(connection: sa.Connection) -> list[str]:
    """The statements that make a file like this one: tables, their rows, indexes, search indexes, triggers.

    Rows go in before the triggers (which would otherwise write them twice into
    the search indexes) and a search index with rows is rebuilt from them.  The
    desktop's ``schema_version`` table is left out: a run makes it before any revision.
    """
    objects = connection.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
    ).all()
    shadow = {row[1] for row in connection.exec_driver_sql("PRAGMA table_list") if row[2] == "shadow"}
    search = [(name, sql) for kind, name, sql in objects if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    tables = [
        (name, sql)
        for kind, name, sql in objects
        if kind == "table" and name not in shadow and not sql.upper().startswith("CREATE VIRTUAL TABLE")
    ]
    statements = [sql for name, sql in tables if name != "schema_version"]
    for name, _sql in tables:
        statements += _rows_of(connection, name)
    statements += [sql for kind, _name, sql in objects if kind == "index"]
    for name, sql in search:
        statements.append(sql)
        content = re.search(r"content='(\w+)'", sql)
        if content and connection.exec_driver_sql(f'SELECT 1 FROM "{content.group(1)}"').first():
            statements.append(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')
    statements += [sql for kind, _name, sql in objects if kind == "trigger"]
    return statements


def _rows_of(connection: sa.Connection, table: str) -> list[str]:
    columns = [row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')]
    names = ", ".join(f'"{c}"' for c in columns)
    values = " || ', ' || ".join(f'quote("{c}")' for c in columns)
    return [
        f'INSERT INTO "{table}" ({names}) VALUES ({row[0]})'
        for row in connection.exec_driver_sql(f'SELECT {values} FROM "{table}" ORDER BY rowid')
    ]


def walked_sqlite_head_file(path: Path) -> None:
    """A new SQLite file at head, made by the walk (what the kept SQLite script is made from)."""
    from alembic import command

    config = alembic_config(f"sqlite:///{path}", compare_with_models=False)
    config.attributes["walk_empty_database"] = True
    command.upgrade(config, "head")


def sqlite_statements_of_the_walk() -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "head.db"
        walked_sqlite_head_file(path)
        engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                return sqlite_file_statements(connection)
        finally:
            engine.dispose()


def write_scripts() -> None:
    """Write both kept scripts from the chain (after any change to it)."""
    POSTGRESQL_SCRIPT.write_text(offline_script(), encoding="utf-8")
    SQLITE_SCRIPT.write_text(json.dumps(sqlite_statements_of_the_walk(), indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_scripts()
    print(
        f"wrote {POSTGRESQL_SCRIPT.name} and {SQLITE_SCRIPT.name} up to {revision_id(head_version())}", file=sys.stderr
    )
