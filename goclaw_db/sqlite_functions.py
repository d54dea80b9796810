"""The SQL functions a SQLite migration connection gets beyond SQLite's own.

Standard library only: the benchmark's bare-``sqlite3`` replay of a migration
registers the same set without loading SQLAlchemy.
"""

from __future__ import annotations

import re
import sqlite3


def _regexp_replace(text, pattern, replacement):
    return None if text is None else re.sub(pattern, replacement, text)


def register_sqlite_functions(dbapi_connection: sqlite3.Connection) -> None:
    """Give a SQLite migration connection what the data migrations need beyond SQLite's own functions."""
    dbapi_connection.create_function("regexp_replace", 3, _regexp_replace, deterministic=True)
