"""What every migration run does around the revisions: connect, check, record.

Used by ``alembic/env.py`` (so ``alembic upgrade`` and ``goclaw-db`` behave the
same) and by the command line.
"""

from __future__ import annotations

import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: runs on one SQLite file are not serialised there
    fcntl = None

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from goclaw_db import desktop_ladder
from goclaw_db.bookkeeping import (
    DESKTOP_EQUIVALENT_VERSION,
    DESKTOP_SCHEMA_VERSION,
    POSTGRES_BOOKKEEPING,
    schema_migrations,
    schema_version,
)
from goclaw_db.config import display_url
from goclaw_db.sqlite_functions import register_sqlite_functions


def version_number(revision: str | None) -> int:
    """Revision ids are GoClaw's version numbers: '000027' is version 27."""
    return int(revision) if revision else 0


def connect(engine: sa.Engine) -> sa.Connection:
    """Open a connection, or fail with one line that says what to check."""
    try:
        return engine.connect()
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise CommandError(
            f"cannot connect to {display_url(engine.url)}: {reason}. "
            "Check the URL (--dsn, -x url= or GOCLAW_POSTGRES_DSN) and that the server is running."
        ) from None


def preflight(connection: sa.Connection) -> None:
    """Refuse a database that cannot hold GoClaw's schema, before changing anything."""
    if connection.dialect.name == "sqlite":
        require_fts5(connection.connection.driver_connection)
        register_sqlite_functions(connection.connection.driver_connection)
        return
    version_num = int(connection.scalar(sa.text("SELECT current_setting('server_version_num')")))
    if version_num < 150000:
        raise CommandError(
            f"PostgreSQL {version_num // 10000} is too old: GoClaw needs PostgreSQL 15 or newer."
        )
    has_vector = connection.scalar(sa.text(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"))
    if not has_vector:
        raise CommandError(
            "the PostgreSQL server has no pgvector extension: install pgvector "
            "(or use the pgvector/pgvector:pg18 image) and run again."
        )
    may_create = connection.scalar(sa.text(
        "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')"
        " OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
        " OR (has_database_privilege(current_database(), 'CREATE') AND EXISTS ("
        "     SELECT 1 FROM pg_available_extension_versions WHERE name = 'vector' AND trusted))"))
    if not may_create:
        raise CommandError(
            f"the role {connection.scalar(sa.text('SELECT current_user'))} may not create the vector "
            "extension: run 'CREATE EXTENSION vector' once as a superuser, or migrate as one."
        )


def require_fts5(dbapi_connection) -> None:
    """Refuse a SQLite library built without FTS5: the search indexes need it.

    The probe creates (and drops) a throw-away FTS5 table in the connection's
    temporary schema, so the database file is not touched.
    """
    try:
        dbapi_connection.execute("CREATE VIRTUAL TABLE temp.goclaw_fts5_probe USING fts5(body)")
    except dbapi_connection.DatabaseError as exc:
        raise CommandError(
            f"this SQLite library ({sqlite_version(dbapi_connection)}) has no FTS5 ({exc}): "
            "use a Python whose sqlite3 is built with FTS5 (python.org and most distributions ship one)."
        ) from None
    dbapi_connection.execute("DROP TABLE temp.goclaw_fts5_probe")


def sqlite_version(dbapi_connection) -> str:
    return "SQLite " + dbapi_connection.execute("SELECT sqlite_version()").fetchone()[0]


def transactional_sqlite(connection: sa.Connection) -> None:
    """Make each revision one SQLite transaction, its DDL included.

    Python's sqlite3 module by default opens a transaction only before data
    changes, so a revision that failed half-way would keep its earlier DDL.
    Here the driver stays out of it and every SQLAlchemy transaction starts
    with ``BEGIN IMMEDIATE``, which also makes a second migrator wait its turn.
    """
    if connection.dialect.name != "sqlite":
        return
    connection.rollback()
    connection.connection.driver_connection.isolation_level = None
    sa.event.listen(connection, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))


def ensure_bookkeeping(connection: sa.Connection) -> None:
    """Create golang-migrate's and GoClaw's bookkeeping tables (or the desktop's) where missing."""
    tables = POSTGRES_BOOKKEEPING if connection.dialect.name == "postgresql" else (schema_version,)
    for table in tables:
        table.create(connection, checkfirst=True)


# One key for every migration run on a server: pg_advisory_lock serialises them.
MIGRATION_LOCK_KEY = 0x60C1A3DB


def lock_migrations(connection: sa.Connection, poll_seconds: float = 0.5) -> None:
    """Wait until no other run migrates this database.

    PostgreSQL: a session advisory lock.  SQLite: a lock file beside the database.

    A waiter polls with short statements instead of blocking in
    ``pg_advisory_lock``: a blocked statement keeps a snapshot open, and the
    ``CREATE INDEX CONCURRENTLY`` of version 9 waits for every open snapshot,
    so the running migration and its waiters would deadlock.
    """
    connection.rollback()  # wait holding nothing, not even the preflight's read
    if connection.dialect.name == "sqlite":
        _lock_sqlite_file(connection)
        return
    while True:
        acquired = connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()
        if acquired:
            return
        time.sleep(poll_seconds)


def _lock_sqlite_file(connection: sa.Connection) -> None:
    """Hold an exclusive lock on ``<database>.migrate-lock`` for the whole run.

    Each revision is its own ``BEGIN IMMEDIATE`` transaction, but a second run
    could slip in between two of them; the lock file keeps whole runs apart.
    """
    database = connection.engine.url.database
    if not database or database == ":memory:" or fcntl is None:
        return
    handle = open(f"{database}.migrate-lock", "a")
    fcntl.flock(handle, fcntl.LOCK_EX)
    connection.info["goclaw_migrate_lock"] = handle


def unlock_migrations(connection: sa.Connection) -> None:
    handle = connection.info.pop("goclaw_migrate_lock", None)
    if handle is not None:
        handle.close()  # closing releases the flock
    if connection.dialect.name == "postgresql":
        connection.rollback()  # a failed revision leaves its transaction aborted
        connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()


def goclaw_version(connection: sa.Connection) -> tuple[int, bool] | None:
    """(version, dirty) from GoClaw's own bookkeeping, or None where it has no row.

    On SQLite the desktop's ``schema_version`` 12 counts as GoClaw version 44,
    and so does every older desktop number: adoption brings those files to 12
    (``desktop_ladder``).  A newer desktop number counts as a version past this
    package's head.
    """
    if connection.dialect.name == "sqlite":
        if not sa.inspect(connection).has_table("schema_version"):
            return None
        desktop = connection.scalar(sa.select(sa.func.max(schema_version.c.version)))
        if desktop is None:
            return None
        return DESKTOP_EQUIVALENT_VERSION + max(desktop - DESKTOP_SCHEMA_VERSION, 0), False
    if not sa.inspect(connection).has_table("schema_migrations"):
        return None
    row = connection.execute(sa.select(schema_migrations.c.version, schema_migrations.c.dirty)).first()
    return (row.version, row.dirty) if row else None


def adopt(connection: sa.Connection, head: int) -> None:
    """Take over a database that GoClaw's own binary migrated.

    GoClaw records its version only in ``schema_migrations``; a database with
    that row and no Alembic version is stamped at the same version, so the
    chain continues from there.  A dirty or too-new database is refused
    before anything changes.
    """
    recorded = goclaw_version(connection)
    if recorded is None:
        return
    version, dirty = recorded
    if dirty:
        raise CommandError(
            f"the database is dirty at version {version}: a migration stopped part-way. "
            f"Repair what it left, then run: goclaw-db migrate force {version - 1}"
        )
    if version > head:
        raise CommandError(
            f"the database is at GoClaw schema version {version}, newer than this goclaw-db knows "
            f"(up to {head}): upgrade goclaw-db."
        )
    context = MigrationContext.configure(connection)
    if context.get_current_revision() is None and version > 0:
        # A desktop file is made the chain's head file first, in the same transaction as the stamp.
        with desktop_ladder.brought_to_head(connection):
            context.stamp(ScriptDirectory(str(script_location())), f"{version:06d}")
            connection.commit()


def emit_bookkeeping_ddl(ctx) -> None:
    """In ``--sql`` mode, print the bookkeeping tables first, so the script runs on an empty database."""
    if ctx.dialect.name == "postgresql":
        for table in POSTGRES_BOOKKEEPING:
            ctx.impl._exec(sa.schema.CreateTable(table, if_not_exists=True))


def record_version(ctx, heads) -> None:
    """Write the version reached where GoClaw's binaries look for it.

    Runs inside the revision's own transaction, so the row only ever shows a
    completed version with ``dirty = false``.
    """
    version = version_number(max(heads) if heads else None)
    if ctx.dialect.name == "postgresql":
        ctx.impl._exec(schema_migrations.delete())
        if version:
            ctx.impl._exec(schema_migrations.insert().values(version=version, dirty=False))
    else:
        ctx.impl._exec(schema_version.delete())
        if version == DESKTOP_EQUIVALENT_VERSION:
            ctx.impl._exec(schema_version.insert().values(version=DESKTOP_SCHEMA_VERSION))


def on_version_apply(ctx, step, heads, run_args) -> None:
    record_version(ctx, heads)


def alembic_config(url: sa.URL | str, *, compare_with_models: bool = True) -> Config:
    """An Alembic Config for the revision chain, pointed at one database.

    ``compare_with_models=False`` is for callers that only apply revisions:
    env.py then leaves the models unloaded (autogenerate would need them).
    """
    if isinstance(url, sa.URL):
        url = url.render_as_string(hide_password=False)
    config = Config(attributes={"compare_with_models": compare_with_models})
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def script_location() -> Path:
    """The revision chain: the checkout's alembic/ folder, or the copy inside the wheel."""
    package_dir = Path(__file__).resolve().parent
    bundled = package_dir / "_alembic"
    checkout = package_dir.parent / "alembic"
    return checkout if (checkout / "env.py").exists() else bundled
