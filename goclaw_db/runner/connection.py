"""Connecting a migration run: one connection of the migration engine, or one line that says what to check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from goclaw_db.config import display_url, driver_reason
from goclaw_db.runner import locking
from goclaw_db.runner.errors import refusal
from goclaw_db.runner.preflight import require_sqlite_file


def connect(engine: sa.Engine) -> sa.Connection:
    """Open a connection, or fail with one line that says what to check."""
    if engine.url.get_backend_name() == "sqlite":
        require_sqlite_file(engine.url.database)
    try:
        return engine.connect()
    except sa.exc.DBAPIError as exc:
        reason = driver_reason(exc)
        raise refusal(
            f"cannot connect to {display_url(engine.url)}: {reason}. "
            "Check the URL (--dsn, -x url= or GOCLAW_POSTGRES_DSN) and that the server is running."
        ) from None


@contextmanager
def migration_connection(url: sa.URL) -> Iterator[sa.Connection]:
    """A connection from ``locking.migration_engine``; closed, and its engine disposed, on the way out."""
    engine = locking.migration_engine(url)
    try:
        with connect(engine) as connection:
            yield connection
    finally:
        engine.dispose()
