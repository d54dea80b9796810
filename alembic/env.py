"""Alembic environment for GoClaw's revision chain (PostgreSQL and SQLite).

The database comes from ``-x url=...``, a URL set on the Config by the
command line, or GoClaw's environment (goclaw_db.config).  Each revision runs
in its own transaction, so a failure leaves the database at the last
completed version; golang-migrate's ``schema_migrations`` is updated in the
same transaction, so GoClaw binaries accept what we migrated.  An empty
PostgreSQL database gets the chain's own offline script instead of the walk
(goclaw_db.runner.empty_database), in the same transactions.

Who owns what:

- Nothing handed over (``alembic upgrade``, ``goclaw-db``): the database from
  the URL, on a connection and transactions of our own.
- An ``Engine`` in ``config.attributes["connection"]``: a connection of our
  own from it, as above.
- A ``Connection`` (or a wrapper holding one, as pytest-alembic hands over):
  if it is already in a transaction, that transaction is the caller's
  (Alembic's "sharing a connection" recipe): every revision runs inside it and
  nothing is committed or rolled back here, so the caller's earlier work and
  the migration stand or fall together.  On SQLite the caller then owns the
  ``foreign_keys`` setting too (it cannot change inside a transaction): a run
  with it on is refused, as rebuilding a table would cascade deletes.
  A Connection outside a transaction gets per-revision transactions.
- Anything else is refused.

Read-only commands (``alembic current``, ``alembic check``, autogenerate) name
no destination revision: they change nothing, create no bookkeeping, lock
file or SQLite file.
"""

from __future__ import annotations

import logging
import logging.config

import pgvector.sqlalchemy  # noqa: F401  (registers the vector type for reflection)
import sqlalchemy as sa
from alembic.util import CommandError

from alembic import context
from goclaw_db import revision_ops  # noqa: F401  (revision_ops: the op.* of the revisions)
from goclaw_db.base import metadata
from goclaw_db.bookkeeping import desktop_version
from goclaw_db.config import ConfigurationError, resolve_url
from goclaw_db.desktop_columns import put_in_desktop_schema
from goclaw_db.runner import locking, migration_connection, version_number
from goclaw_db.runner.adoption import adopt
from goclaw_db.runner.connection import connect
from goclaw_db.runner.empty_database import upgrade_empty_database
from goclaw_db.runner.preflight import preflight, require_existing_sqlite
from goclaw_db.runner.refusals import (
    handed_connectable,
    refuse_downgrade_of_goclaw_desktop_file,
    refuse_foreign_database,
)
from goclaw_db.runner.run_lock import lock_migrations, lock_migrations_in_transaction, unlock_migrations
from goclaw_db.runner.safe_path import refuse_captures
from goclaw_db.runner.sqlite_foreign_keys import restore_sqlite_foreign_keys, suspend_sqlite_foreign_keys
from goclaw_db.runner.sqlite_transactions import enter_callers_sqlite_transaction, transactional_sqlite
from goclaw_db.runner.version_table import (
    alembic_revision,
    emit_adoption_stamp,
    emit_bookkeeping_ddl,
    ensure_bookkeeping,
    goclaw_version,
    on_version_apply,
)

config = context.config


def configure_logging() -> None:
    """As Alembic's own template: the ini file's loggers, so ``alembic upgrade`` shows each revision.

    Only when run from an ini file and nothing has configured logging yet, so
    that callers' own handlers (goclaw-db's progress lines, a test runner's
    capture) are neither replaced nor doubled.
    """
    if config.config_file_name is not None and not logging.getLogger().handlers:
        logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)


def writes() -> bool:
    """Whether this run may change the database.

    upgrade, downgrade and stamp name a destination revision; current, check
    and autogenerate name none.
    """
    try:
        context.get_revision_argument()
    except KeyError:
        return False
    return True


def starting_revision() -> str | None:
    """The ``START:`` of an offline ``START:head`` range (goclaw-db's ``--sql`` from the database's version)."""
    try:
        return context.get_starting_revision_argument()
    except CommandError:
        return None


def downgrading(current: int) -> bool:
    """Whether the destination lies below ``current`` ('base', '-1', '000042-1' or a lower version)."""
    destination = context.get_revision_argument()
    if destination is None:
        return current > 0
    if isinstance(destination, tuple):
        return False
    return "-" in destination or version_number(destination) < current


def target_metadata() -> sa.MetaData:
    """The models, which autogenerate and ``alembic check`` compare the database with.

    Revisions take only the naming convention from it (Alembic names their
    unnamed constraints with it), and that lives in ``goclaw_db.base``; so
    ``goclaw-db``'s own commands, which only apply revisions, skip building
    every model class (a third of a second).
    """
    if config.attributes.get("compare_with_models", True):
        import goclaw_db.models  # noqa: F401  (registers every table on the shared MetaData)
    return metadata


def walk_always() -> bool:
    """Whether the caller asked for the walk even on an empty database (what the script is tested against)."""
    return bool(config.attributes.get("walk_empty_database", False))


def database_url() -> sa.URL:
    explicit = context.get_x_argument(as_dictionary=True).get("url")
    if explicit is None:
        explicit = config.get_main_option("sqlalchemy.url") or None
    try:
        return resolve_url(explicit)
    except ConfigurationError as exc:
        raise CommandError(str(exc)) from None


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    # Alembic's own table is bookkeeping, not GoClaw's schema.
    return not (type_ == "table" and name.endswith("alembic_version"))


def configure(**kw) -> None:
    context.configure(
        target_metadata=target_metadata(),
        transaction_per_migration=True,
        compare_type=True,
        compare_server_default=True,
        include_object=include_object,
        on_version_apply=[on_version_apply],
        announce_data_changes=True,  # goclaw_db.revision_ops.announcements: a line before rows change or go
        **kw,
    )


def run_migrations_offline() -> None:
    url = database_url()
    configure(url=url, literal_binds=True, render_as_batch=url.get_backend_name() == "sqlite")
    with context.begin_transaction():
        start = starting_revision()
        if start is None:
            emit_bookkeeping_ddl(context.get_context())
        elif config.attributes.get("stamp_start_in_script"):
            emit_adoption_stamp(context.get_context(), start)
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is None:
        url = database_url()
        if not writes():
            require_existing_sqlite(url)
        with migration_connection(url) as connection:
            run_on(connection)
        return
    given = handed_connectable(given)
    if isinstance(given, sa.Connection):
        refuse_captures(given)
        run_on(given)
        return
    with connect(given) as connection:
        run_on(connection)


def run_read_only(connection: sa.Connection) -> None:
    """current, check: look, and leave no trace (no bookkeeping, no Alembic table, no adoption)."""
    recorded = goclaw_version(connection)
    if recorded and alembic_revision(connection) is None:
        config.print_stdout(f"GoClaw schema version {recorded[0]}, recorded by GoClaw; the next upgrade adopts it")
    configure(connection=connection, dont_mutate=True)
    with context.begin_transaction():
        context.run_migrations()


def run_in_callers_transaction(connection: sa.Connection) -> None:
    """Every revision inside the transaction the caller began; committing it is the caller's call."""
    enter_callers_sqlite_transaction(connection)
    preflight(connection)
    refuse_desktop_downgrade(connection)
    lock_migrations_in_transaction(connection)
    adopt(connection, in_callers_transaction=True)
    ensure_bookkeeping(connection)
    configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite", in_caller_transaction=True)
    with context.begin_transaction():
        context.run_migrations()
    put_in_goclaw_desktop_schema(connection)


def put_in_goclaw_desktop_schema(connection: sa.Connection) -> None:
    """After the revisions: the file's column orders and indexes as GoClaw's desktop schema of the version reached."""
    version = desktop_version(connection)
    repaired = put_in_desktop_schema(connection, version)
    log = logging.getLogger("goclaw_db.desktop_columns")
    if repaired.tables:
        log.info("rebuilt %d table(s) in the column order of GoClaw's desktop schema %d", len(repaired.tables), version)
    if repaired.indexes:
        log.info("made %d index(es) anew as GoClaw's desktop schema %d defines them", len(repaired.indexes), version)


def refuse_desktop_downgrade(connection: sa.Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    recorded = goclaw_version(connection)
    if recorded and downgrading(recorded[0]):
        refuse_downgrade_of_goclaw_desktop_file(connection)


def run_on(connection: sa.Connection) -> None:
    if not writes():
        run_read_only(connection)
        return
    if connection.in_transaction():
        run_in_callers_transaction(connection)
        return
    # Before the lock (its file is a change too) and before SQLite's BEGIN
    # IMMEDIATE, which would queue this read behind a running migration.
    refuse_desktop_downgrade(connection)
    transactional_sqlite(connection)
    preflight(connection)
    lock_migrations(connection)
    try:
        suspend_sqlite_foreign_keys(connection)  # before any read opens a transaction
        refuse_foreign_database(connection)
        adopt(connection)
        ensure_bookkeeping(connection)
        connection.commit()
        if walk_always() or not upgrade_empty_database(connection, context.get_revision_argument()):
            configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
            with context.begin_transaction():
                locking.run_migrations(context.get_context(), context.run_migrations)
            connection.commit()
        # In a transaction of its own: also repairs a file an earlier goclaw-db left in PostgreSQL's order
        # or without its DESC indexes.
        put_in_goclaw_desktop_schema(connection)
        connection.commit()
    finally:
        restore_sqlite_foreign_keys(connection)
        unlock_migrations(connection)


configure_logging()
if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
