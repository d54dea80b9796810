"""Alembic environment for GoClaw's revision chain (PostgreSQL and SQLite).

The database comes from ``-x url=...``, a URL set on the Config by the
command line, or GoClaw's environment (goclaw_db.config).  Each revision runs
in its own transaction, so a failure leaves the database at the last
completed version; golang-migrate's ``schema_migrations`` is updated in the
same transaction, so GoClaw binaries accept what we migrated.
"""

from __future__ import annotations

import pgvector.sqlalchemy  # noqa: F401  (registers the vector type for reflection)
import sqlalchemy as sa
from alembic import context
from alembic.util import CommandError

from goclaw_db import locking, runtime
from goclaw_db.base import metadata
from goclaw_db.config import ConfigurationError, normalize_url, resolve_url

config = context.config


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


def database_url() -> sa.URL:
    explicit = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    try:
        return normalize_url(explicit) if explicit else resolve_url()
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
        on_version_apply=[runtime.on_version_apply],
        **kw,
    )


def run_migrations_offline() -> None:
    url = database_url()
    configure(url=url, literal_binds=True, render_as_batch=url.get_backend_name() == "sqlite")
    with context.begin_transaction():
        runtime.emit_bookkeeping_ddl(context.get_context())
        context.run_migrations()


def run_migrations_online() -> None:
    # Callers such as pytest-alembic hand over a Connection or an Engine.
    given = config.attributes.get("connection")
    if isinstance(given, sa.Connection):
        run_on(given)
        return
    engine = given if isinstance(given, sa.Engine) else locking.migration_engine(database_url())
    with runtime.connect(engine) as connection:
        run_on(connection)


def run_on(connection: sa.Connection) -> None:
    runtime.transactional_sqlite(connection)
    runtime.preflight(connection)
    runtime.lock_migrations(connection)
    try:
        runtime.adopt(connection, head=runtime.version_number(context.get_head_revision()))
        runtime.ensure_bookkeeping(connection)
        connection.commit()
        configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            locking.run_migrations(context.get_context(), context.run_migrations)
        connection.commit()
    finally:
        runtime.unlock_migrations(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
