"""Benchmark 2's script: every statement the walk of the chain makes SQLite execute.

``migrate up --sql`` cannot print SQLite's migration (its table rebuilds read
the live file), so the benchmark runs ``migrate up`` once in this process,
walking the revisions as on a file that is not new (a new file gets the kept
head script instead: ``goclaw_db.runner.empty_database``), with SQLite's own
trace hook on each connection, and writes what SQLite executed, in order, as a script::

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

    import sqlalchemy as sa

    from goclaw_db.runner import Migrator

    migrator = Migrator(sa.make_url(f"sqlite:///{database}"))
    migrator.config.attributes["walk_empty_database"] = True
    migrator.upgrade()
    status = 0
    # SQLite reports the statements its triggers and FTS5 tables run as "-- "
    # comments; replaying the outer statement runs them again.
    own = [s.strip().rstrip(";") for s in statements if not s.startswith("-- ")]
    Path(script).write_text("".join(s + ";\n" for s in own))
    return status


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
