"""Connecting a migration run: one connection of the migration engine, or one line that says what to check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from goclaw_db.config import display_url, driver_reason
from goclaw_db.runner import locking
from goclaw_db.runner.errors import refusal
from goclaw_db.runner.preflight import require_sqlite_file
from goclaw_db.runner.safe_path import CapturesFound, guard


def connect(engine: sa.Engine, *, report_captures: bool = False) -> sa.Connection:
    """Open a connection, or fail with one line that says what to check.

    On PostgreSQL the connection is refused where a less privileged role's
    code could run as ours (``goclaw_db.runner.safe_path``); with
    ``report_captures`` the caller gets ``CapturesFound`` to report instead.
    """
    if engine.url.get_backend_name() == "sqlite":
        require_sqlite_file(engine.url.database)
    guard(engine)
    try:
        return engine.connect()
    except CapturesFound as found:
        if report_captures:
            raise
        raise refusal(str(found)) from None
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
