"""The driver's own connection under a SQLAlchemy one, for what SQLAlchemy does not pass through.

Kept apart from ``goclaw_db.engine`` (psycopg, pgvector and the async ORM) so
that the runner's parts that need only this do not load all of that.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def driver_connection(connection: sa.Connection) -> Any:
    """The driver's own connection under ``connection`` (sqlite3's, psycopg's): untyped, as DBAPI is."""
    driver = connection.connection.driver_connection
    assert driver is not None, "a Connection in use always holds its driver connection"
    return driver
