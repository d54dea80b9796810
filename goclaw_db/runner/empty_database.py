"""An empty PostgreSQL database brought to a version by the chain's own offline script.

Walking the chain from nothing loads every revision module, builds each
revision's ``Table`` and ``Index`` objects and compiles about 800 statements,
each its own round trip.  For an empty database the outcome is known before
the run: it is the script ``goclaw-db migrate up --sql`` prints, which the
package keeps beside this module (``python -m goclaw_db.runner.empty_database``
writes it from the chain; ``tests/test_empty_database_script.py`` holds it
equal to the chain's output, and the databases it builds catalog-equal to the
walk's at every version).

Each revision's part still runs in the revision's own transaction, with its
version rows, under the migration lock that every transaction of a run takes
(``goclaw_db.runner.locking``); only its statements go in one round trip.  So
what the walk guarantees holds here too: a killed run leaves a completed
version, and where another run has moved the version on (read under the lock
before each part), this one stops and the walk carries on from there.  A part
Alembic runs outside a transaction (version 9's ``CREATE INDEX CONCURRENTLY``)
runs in autocommit, guarded as the walk guards it.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from goclaw_db.runner import locking
from goclaw_db.runner.chain import alembic_config, head_version, revision_id, version_number
from goclaw_db.runner.version_table import alembic_revision, recorded_version

SCRIPT = Path(__file__).with_name("empty_database.sql")

# Alembic's offline mode writes this comment before each revision's statements.
REVISION_MARK = re.compile(r"^-- Running upgrade (\S*) -> (\S+)$", re.M)
# ... and these lines around each revision's transaction (an autocommit block ends and restarts it).
_TRANSACTION_LINE = re.compile(r"^(BEGIN|COMMIT);$", re.M)
# Offline mode needs a dialect, never a server.
OFFLINE_URL = "postgresql+psycopg://offline/goclaw"

log = logging.getLogger("alembic.runtime.migration")  # where the walk's "Running upgrade" lines go


def offline_script() -> str:
    """The chain's PostgreSQL script from an empty database to head (loads Alembic and every revision)."""
    from alembic import command

    config = alembic_config(OFFLINE_URL, compare_with_models=False)
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    return config.output_buffer.getvalue()


@dataclass(frozen=True)
class Part:
    """Statements of one revision that run together: in its transaction, or outside any."""

    from_revision: str | None  # the version the database is at before the revision (None: empty)
    revision: str
    sql: str
    in_transaction: bool


def parts_of(script: str) -> list[Part]:
    """The script's statements after its bookkeeping DDL, cut where a transaction begins or ends."""
    parts: list[Part] = []
    marks = {m.start(): m for m in REVISION_MARK.finditer(script)}
    current: re.Match[str] | None = None
    for line, following in itertools.pairwise(_TRANSACTION_LINE.finditer(script)):
        body = script[line.end() : following.start()]
        for position in sorted(p for p in marks if line.end() <= p < following.start()):
            current = marks[position]
        if current is None or not _statements(body):
            continue
        parts.append(Part(current.group(1) or None, current.group(2), body, line.group(1) == "BEGIN"))
    return parts


def _statements(sql: str) -> str:
    """``sql`` without its comment lines and blank space: empty where it would run nothing."""
    return "\n".join(line for line in sql.splitlines() if line.strip() and not line.startswith("--")).strip()


@cache
def script_parts() -> tuple[Part, ...]:
    return tuple(parts_of(SCRIPT.read_text(encoding="utf-8")))


def destination_version(destination: object) -> int | None:
    """The version an upgrade names ('head', or a revision id of the chain), or None for anything else."""
    if destination in ("head", "heads"):
        return head_version()
    if isinstance(destination, str) and re.fullmatch(r"\d{6}", destination):
        number = version_number(destination)
        if any(part.revision == destination for part in script_parts()):
            return number
    return None


def upgrade_empty_database(connection: sa.Connection, destination: object) -> bool:
    """Bring an empty PostgreSQL database to ``destination`` from the script; whether it got there.

    False leaves the rest to the walk: the database was not empty, the
    destination is not a plain version, or another run moved the version on.
    ``connection`` holds no transaction and carries the run's lock.
    """
    target = destination_version(destination)
    if connection.dialect.name != "postgresql" or target is None or target == 0:
        return False
    if alembic_revision(connection) is not None or recorded_version(connection) is not None:
        connection.rollback()
        return False
    connection.rollback()
    announced: set[str] = set()
    for part in script_parts():
        if version_number(part.revision) > target:
            break
        if part.revision not in announced:
            announced.add(part.revision)
            log.info("Running upgrade %s -> %s, from the chain's script", part.from_revision or "", part.revision)
        if not _run(connection, part):
            return False
    return True


def _run(connection: sa.Connection, part: Part) -> bool:
    """Run one part; False, changing nothing, where the database is no longer where the part starts."""
    if not part.in_transaction:
        with locking.held_outside_transaction(connection):
            level = connection.get_isolation_level()
            connection.execution_options(isolation_level="AUTOCOMMIT")
            try:
                connection.exec_driver_sql(part.sql)
                connection.commit()
            finally:
                connection.execution_options(isolation_level=level)
        return True
    transaction = connection.begin()  # takes the migration lock first
    try:
        if alembic_revision(connection) != part.from_revision:
            transaction.rollback()
            return False
        connection.exec_driver_sql(part.sql)
        transaction.commit()
    except BaseException:
        transaction.rollback()
        raise
    return True


def write_script() -> None:
    """Write the chain's offline script beside this module (after any change to the chain)."""
    SCRIPT.write_text(offline_script(), encoding="utf-8")


if __name__ == "__main__":
    write_script()
    print(f"wrote {SCRIPT} ({len(script_parts())} parts up to {revision_id(head_version())})", file=sys.stderr)
