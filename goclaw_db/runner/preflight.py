"""Refusing, before anything changes, a database that cannot hold GoClaw's schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from goclaw_db.runner.driver import driver_connection
from goclaw_db.runner.errors import refusal
from goclaw_db.sqlite_functions import register_sqlite_functions

SQLITE_HEADER = b"SQLite format 3\x00"
# GoClaw's oldest PostgreSQL, as server_version_num reads it.
MINIMUM_POSTGRES_VERSION_NUM = 150000
MINIMUM_POSTGRES = f"PostgreSQL {MINIMUM_POSTGRES_VERSION_NUM // 10000}"


def preflight(connection: sa.Connection) -> None:
    """Refuse a database that cannot hold GoClaw's schema, before changing anything."""
    if connection.dialect.name == "sqlite":
        require_sound_sqlite_file(connection)
        require_fts5(driver_connection(connection))
        register_sqlite_functions(driver_connection(connection))
        return
    version_num = int(connection.scalar(sa.text("SELECT current_setting('server_version_num')")))
    if version_num < MINIMUM_POSTGRES_VERSION_NUM:
        raise refusal(f"PostgreSQL {version_num // 10000} is too old: GoClaw needs {MINIMUM_POSTGRES} or newer.")
    has_vector = connection.scalar(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"))
    if not has_vector:
        raise refusal(
            "the PostgreSQL server has no pgvector extension: install pgvector "
            "(or use the pgvector/pgvector:pg18 image) and run again."
        )
    may_create = connection.scalar(
        sa.text(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')"
            " OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
            " OR (has_database_privilege(current_database(), 'CREATE') AND EXISTS ("
            "     SELECT 1 FROM pg_available_extension_versions WHERE name = 'vector' AND trusted))"
        )
    )
    if not may_create:
        raise refusal(
            f"the role {connection.scalar(sa.text('SELECT current_user'))} may not create the vector "
            "extension: run 'CREATE EXTENSION vector' once as a superuser, or migrate as one."
        )


def require_sqlite_file(path: str | None) -> None:
    """Refuse a file that is not a SQLite database, saying what it is instead.

    A missing or empty file is a new database; anything else must begin with
    SQLite's header (SQLite itself would only say "file is not a database").
    """
    if not path or path == ":memory:" or not Path(path).is_file():
        return
    with open(path, "rb") as file:
        head = file.read(512)
    if not head or head.startswith(SQLITE_HEADER):
        return
    try:
        head.decode("utf-8")
        kind = "a text file"
    except UnicodeDecodeError:
        kind = "a binary file of another kind"
    raise refusal(
        f"{path} is not a SQLite database (it is {kind}): point --sqlite or GOCLAW_SQLITE_PATH at "
        "GoClaw's goclaw.db; nothing was changed."
    )


def require_existing_sqlite(url: sa.URL) -> None:
    """A read-only command on a SQLite path that does not exist: say so, create nothing."""
    if (
        url.get_backend_name() == "sqlite"
        and url.database
        and url.database != ":memory:"
        and not Path(url.database).exists()
    ):
        raise refusal(f"no SQLite database at {url.database}: check the path (nothing was created).")


def require_sound_sqlite_file(connection: sa.Connection) -> None:
    """Refuse a damaged SQLite file before writing to it (``PRAGMA quick_check``).

    Read on the driver's own connection: through SQLAlchemy the read would
    open the run's ``BEGIN IMMEDIATE`` and wait on another run's revision.
    """
    try:
        reports = driver_connection(connection).execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:  # too damaged for quick_check to finish
        reports = [(str(exc),)]
    problems = [
        line
        for (report,) in reports
        for line in report.splitlines()
        if line.strip() and not line.startswith("*** in database")
    ]
    if problems != ["ok"]:
        raise refusal(
            f"{connection.engine.url.database} is damaged: SQLite's quick_check reports "
            f"{len(problems)} problem(s), the first: {problems[0]}. Restore it from a backup or recover it "
            "with sqlite3's .recover; nothing was changed."
        )


def require_fts5(dbapi_connection: Any) -> None:
    """Refuse a SQLite library built without FTS5: the search indexes need it.

    The probe creates (and drops) a throw-away FTS5 table in the connection's
    temporary schema, so the database file is not touched.
    """
    try:
        dbapi_connection.execute("CREATE VIRTUAL TABLE temp.goclaw_fts5_probe USING fts5(body)")
    except dbapi_connection.DatabaseError as exc:
        raise refusal(
            f"this SQLite library ({sqlite_version(dbapi_connection)}) has no FTS5 ({exc}): "
            "use a Python whose sqlite3 is built with FTS5 (python.org and most distributions ship one)."
        ) from None
    dbapi_connection.execute("DROP TABLE temp.goclaw_fts5_probe")


def sqlite_version(dbapi_connection: Any) -> str:
    """'SQLite 3.40.1': the library of the driver's connection (sqlite3's or pysqlite3's), for messages."""
    return f"SQLite {dbapi_connection.execute('SELECT sqlite_version()').fetchone()[0]}"
