"""Benchmark 2's script: every statement ``goclaw-db migrate up`` makes SQLite execute.

``migrate up --sql`` cannot print SQLite's migration (its table rebuilds read
the live file), so the benchmark runs the real command once in this process,
with SQLite's own trace hook on each connection, and writes what SQLite
executed, in order, as a script::

    python -m benchmarks.sqlite_trace DB_FILE SCRIPT
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.pool import Pool


def main(database: str, script: str) -> int:
    statements: list[str] = []

    @event.listens_for(Pool, "connect")
    def trace(dbapi_connection, _record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(statements.append)

    from goclaw_db.cli import main as goclaw_db

    status = goclaw_db(["--sqlite", database, "migrate", "up"])
    # SQLite reports the statements its triggers and FTS5 tables run as "-- "
    # comments; replaying the outer statement runs them again.
    own = [s.strip().rstrip(";") for s in statements if not s.startswith("-- ")]
    Path(script).write_text("".join(s + ";\n" for s in own))
    return status


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
