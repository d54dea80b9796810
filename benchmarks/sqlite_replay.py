"""Apply a traced SQLite script with nothing but the ``sqlite3`` module (benchmark 2's baseline).

    python -m benchmarks.sqlite_replay DB_FILE SCRIPT

The sqlite3 command line cannot run the script: revision 27's data migration
calls ``regexp_replace``, which goclaw-db registers on its migration
connections and the command line lacks.  This is the same SQLite library with
the same functions, and no SQLAlchemy or Alembic in the process.
"""

import sqlite3
import sys

from goclaw_db.sqlite_functions import register_sqlite_functions


def main(database: str, script: str) -> int:
    connection = sqlite3.connect(database, isolation_level=None)
    register_sqlite_functions(connection)
    with open(script) as f:
        connection.executescript(f.read())
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
