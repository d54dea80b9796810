"""What every migration run does around the revisions: connect, check, record.

Used by ``alembic/env.py`` (so ``alembic upgrade`` and ``goclaw-db`` behave the
same) and by the command line.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path
from types import ModuleType

try:
    import fcntl as _fcntl

    fcntl: ModuleType | None = _fcntl
except ImportError:  # Windows: runs on one SQLite file are not serialised there
    fcntl = None

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from goclaw_db import desktop_ladder, locking, ownership
from goclaw_db.bookkeeping import (
    DESKTOP_EQUIVALENT_VERSION,
    DESKTOP_SCHEMA_VERSION,
    POSTGRES_BOOKKEEPING,
    schema_migrations,
    schema_version,
)
from goclaw_db.config import display_url
from goclaw_db.engine import driver_connection
from goclaw_db.sqlite_functions import register_sqlite_functions

log = logging.getLogger(__name__)


def version_number(revision: str | None) -> int:
    """Revision ids are GoClaw's version numbers: '000027' is version 27."""
    return int(revision) if revision else 0


def connect(engine: sa.Engine) -> sa.Connection:
    """Open a connection, or fail with one line that says what to check."""
    if engine.url.get_backend_name() == "sqlite":
        require_sqlite_file(engine.url.database)
    try:
        return engine.connect()
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise CommandError(
            f"cannot connect to {display_url(engine.url)}: {reason}. "
            "Check the URL (--dsn, -x url= or GOCLAW_POSTGRES_DSN) and that the server is running."
        ) from None


SQLITE_HEADER = b"SQLite format 3\x00"


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
    raise CommandError(
        f"{path} is not a SQLite database (it is {kind}): point --sqlite or GOCLAW_SQLITE_PATH at "
        "GoClaw's goclaw.db; nothing was changed."
    )


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
        raise CommandError(
            f"{connection.engine.url.database} is damaged: SQLite's quick_check reports "
            f"{len(problems)} problem(s), the first: {problems[0]}. Restore it from a backup or recover it "
            "with sqlite3's .recover; nothing was changed."
        )


def preflight(connection: sa.Connection) -> None:
    """Refuse a database that cannot hold GoClaw's schema, before changing anything."""
    if connection.dialect.name == "sqlite":
        require_sound_sqlite_file(connection)
        require_fts5(driver_connection(connection))
        register_sqlite_functions(driver_connection(connection))
        return
    version_num = int(connection.scalar(sa.text("SELECT current_setting('server_version_num')")))
    if version_num < 150000:
        raise CommandError(f"PostgreSQL {version_num // 10000} is too old: GoClaw needs PostgreSQL 15 or newer.")
    has_vector = connection.scalar(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"))
    if not has_vector:
        raise CommandError(
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
    driver_connection(connection).isolation_level = None
    sa.event.listen(connection, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))


def suspend_sqlite_foreign_keys(connection: sa.Connection) -> None:
    """Turn SQLite's foreign keys off for this run; ``restore_sqlite_foreign_keys`` puts the setting back.

    A revision that rebuilds a table drops the old one, and with foreign keys
    on that drop deletes (ON DELETE CASCADE) or clears (SET NULL) every row
    pointing at it.  SQLite ignores the PRAGMA inside a transaction, so it is
    set here, between transactions, on the driver's connection (through
    SQLAlchemy it would open one), and checked.
    """
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = driver_connection(connection)
    connection.info[_FOREIGN_KEYS_BEFORE] = _sqlite_foreign_keys_on(dbapi_connection)
    dbapi_connection.execute("PRAGMA foreign_keys = OFF")
    if _sqlite_foreign_keys_on(dbapi_connection):
        raise CommandError(
            "SQLite foreign keys are on and cannot be turned off inside the connection's open transaction; "
            "commit or roll it back (or set PRAGMA foreign_keys = OFF before it) and run again."
        )


def restore_sqlite_foreign_keys(connection: sa.Connection) -> None:
    """Give the connection back the foreign-key setting it had before ``suspend_sqlite_foreign_keys``."""
    if not connection.info.pop(_FOREIGN_KEYS_BEFORE, False):
        return
    if connection.in_transaction():
        connection.rollback()  # what a failed run left open; the PRAGMA would be ignored inside it
    driver_connection(connection).execute("PRAGMA foreign_keys = ON")


_FOREIGN_KEYS_BEFORE = "goclaw_sqlite_foreign_keys_before"


def _sqlite_foreign_keys_on(dbapi_connection) -> bool:
    return bool(dbapi_connection.execute("PRAGMA foreign_keys").fetchone()[0])


def check_sqlite_foreign_keys(ctx, step) -> None:
    """Fail the revision if it leaves a row pointing at no row, so that nothing of it is kept.

    The revisions run with SQLite's foreign keys off (see
    ``suspend_sqlite_foreign_keys``); this is the check SQLite would have made.
    It runs inside the revision's own transaction.
    """
    if ctx.dialect.name != "sqlite" or ctx.as_sql:
        return
    dangling = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if dangling:
        table, parent = dangling[0][0], dangling[0][2]
        rows = sum(1 for row in dangling if row[0] == table and row[2] == parent)
        raise CommandError(
            f"{_step_name(step)} would leave {rows} row(s) of {table} referring to rows of {parent} "
            f"that do not exist (PRAGMA foreign_key_check), so it was not applied: "
            f"repair or delete those rows and run again."
        )


def _step_name(step) -> str:
    direction = "upgrade to" if step.is_upgrade else "downgrade from"
    return f"the {direction} version {version_number(step.up_revision_id)}"


def ensure_bookkeeping(connection: sa.Connection) -> None:
    """Create golang-migrate's and GoClaw's bookkeeping tables (or the desktop's) where missing."""
    tables = POSTGRES_BOOKKEEPING if connection.dialect.name == "postgresql" else (schema_version,)
    for table in tables:
        table.create(connection, checkfirst=True)


def lock_migrations(connection: sa.Connection, poll_seconds: float = 0.5) -> None:
    """Keep other runs of this database out while this one migrates it.

    PostgreSQL: every transaction of the run takes a transaction-scoped
    advisory lock first (``goclaw_db.locking``), which also works through a
    transaction pooler.  SQLite: a lock file beside the database.
    """
    connection.rollback()  # wait holding nothing, not even the preflight's read
    if connection.dialect.name == "sqlite":
        _lock_sqlite_file(connection)
        return
    locking.install_lock(connection, poll_seconds)


def _lock_sqlite_file(connection: sa.Connection) -> None:
    """Hold an exclusive lock on ``<database>.migrate-lock`` for the whole run.

    Each revision is its own ``BEGIN IMMEDIATE`` transaction, but a second run
    could slip in between two of them; the lock file keeps whole runs apart.
    The holder writes its process id into the file, so a waiter can say who it waits for.
    """
    database = connection.engine.url.database
    if not database or database == ":memory:" or fcntl is None:
        return
    path = f"{database}.migrate-lock"
    try:
        handle = open(path, "a+")  # noqa: SIM115  (held for the whole run: closing it releases the flock)
    except OSError as exc:
        raise CommandError(
            f"cannot open the lock file {path}: {exc.strerror}. It may belong to another user "
            "(an earlier run with sudo): give it to this user or remove it while no migration runs."
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        locking.log.warning("goclaw-db: waiting for the migration lock %s, held by process %s", path, holder)
        fcntl.flock(handle, fcntl.LOCK_EX)
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    connection.info["goclaw_migrate_lock"] = handle


def unlock_migrations(connection: sa.Connection) -> None:
    handle = connection.info.pop("goclaw_migrate_lock", None)
    if handle is not None:
        handle.close()  # closing releases the flock
    if connection.dialect.name == "postgresql":
        locking.remove_lock(connection)
        connection.rollback()  # a failed revision leaves its transaction aborted


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


def refuse_foreign_database(connection: sa.Connection) -> None:
    """Refuse a database with no GoClaw version whose tables already carry GoClaw's names.

    Such tables belong to another application (or to a GoClaw whose records
    were lost): creating the schema around them would mix two owners' data.
    Other applications' tables are fine beside GoClaw's and are left alone.
    """
    # The tables first, the version after: a concurrent first run commits its
    # tables and its version together, so whoever sees its tables sees its
    # version too, and a run never mistakes it for a stranger.
    inventory = ownership.take_inventory(connection)
    recorded = goclaw_version(connection)
    if (recorded and recorded[0]) or MigrationContext.configure(connection).get_current_revision():
        return
    if inventory.goclaw_tables:
        raise CommandError(
            f"{display_url(connection.engine.url)} records no GoClaw version but already has tables with "
            f"GoClaw's names ({', '.join(inventory.goclaw_tables)}): it is not a GoClaw database. Migrate an "
            "empty database, or move those tables away; nothing was changed."
        )
    if inventory.foreign_tables:
        log.warning(
            "leaving %d tables that are not GoClaw's: %s",
            len(inventory.foreign_tables),
            ", ".join(inventory.foreign_tables),
        )


def adopt(connection: sa.Connection, head: int, *, in_callers_transaction: bool = False) -> None:
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
        if in_callers_transaction:
            if desktop_ladder.desktop_version(connection) is not None:
                raise CommandError(
                    "adopting a GoClaw desktop file rebuilds its tables and needs transactions of its own: "
                    "hand over an Engine (or nothing) instead of a Connection in a transaction."
                )
            context.stamp(ScriptDirectory(str(script_location())), f"{version:06d}")
            return
        # A desktop file is made the chain's head file first, in the same transaction as the stamp.
        with desktop_ladder.brought_to_head(connection):
            context.stamp(ScriptDirectory(str(script_location())), f"{version:06d}")
            connection.commit()


def handed_connectable(given: object) -> sa.Connection | sa.Engine:
    """What a caller put in ``config.attributes["connection"]``, or a one-line refusal.

    A wrapper that holds a Connection in ``.connection`` (pytest-alembic's
    stand-in for an Engine) means that Connection.  Nothing else is guessed at:
    falling back to the URL would migrate GoClaw's default database instead.
    """
    if isinstance(given, (sa.Connection, sa.Engine)):
        return given
    wrapped = getattr(given, "connection", None)
    if isinstance(wrapped, sa.Connection):
        return wrapped
    raise CommandError(
        f"config.attributes['connection'] holds a {type(given).__name__}: hand over a SQLAlchemy "
        "Connection or Engine (or nothing, to use the URL)."
    )


def require_existing_sqlite(url: sa.URL) -> None:
    """A read-only command on a SQLite path that does not exist: say so, create nothing."""
    if (
        url.get_backend_name() == "sqlite"
        and url.database
        and url.database != ":memory:"
        and not Path(url.database).exists()
    ):
        raise CommandError(f"no SQLite database at {url.database}: check the path (nothing was created).")


def enter_callers_sqlite_transaction(connection: sa.Connection) -> None:
    """SQLite, in a caller's transaction: refuse foreign keys on, and make the transaction real.

    Table rebuilds need foreign keys off, and only the caller can set that:
    ``PRAGMA foreign_keys`` is ignored inside a transaction, and with it on the
    rebuild's ``DROP TABLE`` would delete (by cascade) rows of other tables.
    """
    if connection.dialect.name != "sqlite":
        return
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise CommandError(
            "foreign keys are on in the transaction handed over, and SQLite cannot switch them off inside it: "
            "run 'PRAGMA foreign_keys = OFF' before beginning it, or hand over an Engine."
        )
    if not driver_connection(connection).in_transaction:
        # pysqlite opens its transaction lazily, before the first data change; the DDL must be in it too.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_migrations_in_transaction(connection: sa.Connection, poll_seconds: float = 0.5) -> None:
    """In a caller's transaction: PostgreSQL's transaction-level advisory lock, released by their commit.

    It shares the key of ``lock_migrations``; polled for the same reason.  On
    SQLite the caller's write transaction itself keeps other migrators out.
    """
    if connection.dialect.name != "postgresql":
        return
    while not connection.scalar(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": locking.MIGRATION_LOCK_KEY}):
        time.sleep(poll_seconds)


# What the chain builds on SQLite and GoClaw's desktop build does not make
# (see tests/reference/sqlite_goclaw.json).  The downgrades alter or drop them,
# so a desktop file GoClaw made cannot be taken below its schema version 12.
CHAIN_ONLY_DESKTOP_OBJECTS = (
    "vault_versions",
    "idx_episodic_expires",
    "idx_kg_entities_temporal",
    "idx_kg_relations_temporal",
    "idx_skills_slug",
    "idx_subagent_tasks_archive",
)


def refuse_downgrade_of_goclaw_desktop_file(connection: sa.Connection) -> None:
    """Refuse, before any change, to downgrade a SQLite file that GoClaw's desktop build made."""
    if connection.dialect.name != "sqlite":
        return
    present = set(connection.scalars(sa.text("SELECT name FROM sqlite_master")))
    missing = [name for name in CHAIN_ONLY_DESKTOP_OBJECTS if name not in present]
    if missing:
        raise CommandError(
            f"this desktop file was made by GoClaw (it has no {', '.join(missing)}, which the downgrades need) "
            "and cannot be downgraded: GoClaw's desktop has no schema before version 12. Nothing was changed."
        )


def emit_adoption_stamp(ctx, start: str) -> None:
    """In ``--sql`` mode from a database GoClaw migrated: record its version for Alembic first."""
    ctx.impl._exec(sa.schema.CreateTable(ctx._version, if_not_exists=True))
    ctx.impl._exec(ctx._version.insert().values(version_num=start))


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
    for statement in version_statements(ctx.dialect.name, version_number(max(heads) if heads else None)):
        ctx.execute(statement)


def write_version(connection: sa.Connection, version: int) -> None:
    """Record ``version`` in GoClaw's bookkeeping (``migrate force``)."""
    for statement in version_statements(connection.dialect.name, version):
        connection.execute(statement)


def version_statements(dialect_name: str, version: int) -> list[sa.Executable]:
    """golang-migrate's one clean row (PostgreSQL), or the desktop's counter at head (SQLite)."""
    if dialect_name == "postgresql":
        return [
            schema_migrations.delete(),
            *([schema_migrations.insert().values(version=version, dirty=False)] if version else []),
        ]
    return [
        schema_version.delete(),
        *(
            [schema_version.insert().values(version=DESKTOP_SCHEMA_VERSION)]
            if version == DESKTOP_EQUIVALENT_VERSION
            else []
        ),
    ]


def on_version_apply(ctx, step, heads, run_args) -> None:
    check_sqlite_foreign_keys(ctx, step)
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
