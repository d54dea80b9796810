"""Keeping whole migration runs of one database apart.

PostgreSQL: every transaction of a run takes a transaction-scoped advisory
lock first (``goclaw_db.runner.locking``), which also works through a transaction
pooler.  SQLite: a lock file beside the database, held for the whole run and removed at its end.
"""

from __future__ import annotations

import contextlib
import os
import time
from types import ModuleType
from typing import IO

import sqlalchemy as sa

from goclaw_db.runner import locking
from goclaw_db.runner.errors import refusal

try:
    import fcntl as _fcntl

    fcntl: ModuleType | None = _fcntl
except ImportError:  # Windows: runs on one SQLite file are not serialised there
    fcntl = None

_LOCK_FILE = "goclaw_migrate_lock"


def lock_migrations(connection: sa.Connection, poll_seconds: float = 0.5) -> None:
    """Keep other runs of this database out while this one migrates it (``unlock_migrations`` ends it)."""
    connection.rollback()  # wait holding nothing, not even the preflight's read
    if connection.dialect.name == "sqlite":
        _lock_sqlite_file(connection)
        return
    locking.install_lock(connection, poll_seconds)


def _lock_sqlite_file(connection: sa.Connection) -> None:
    """Hold an exclusive lock on ``<database>.migrate-lock`` for the whole run; the run's end removes the file.

    Each revision is its own ``BEGIN IMMEDIATE`` transaction, but a second run
    could slip in between two of them; the lock file keeps whole runs apart.
    The holder writes its process id into the file, so a waiter can say who it waits for.
    """
    database = connection.engine.url.database
    if not database or database == ":memory:" or fcntl is None:
        return
    path = f"{database}.migrate-lock"
    while True:
        handle = _open_lock_file(path)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            locking.log.warning("goclaw-db: waiting for the migration lock %s, held by process %s", path, holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        if _names(path, handle):
            break
        # The holder removed the file as it finished, after this run had opened it: a lock
        # on that file keeps out no run that opens the path now, so lock whatever is there.
        handle.close()
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    connection.info[_LOCK_FILE] = handle


def _open_lock_file(path: str) -> IO[str]:
    try:
        return open(path, "a+")  # held for the whole run: closing it releases the flock
    except OSError as exc:
        raise refusal(
            f"cannot open the lock file {path}: {exc.strerror}. It may belong to another user "
            "(an earlier run with sudo): give it to this user or remove it while no migration runs."
        ) from None


def _names(path: str, handle: IO[str]) -> bool:
    """Whether ``path`` is still the file ``handle`` has open."""
    try:
        at_path = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(handle.fileno())
    return (at_path.st_dev, at_path.st_ino) == (held.st_dev, held.st_ino)


def unlock_migrations(connection: sa.Connection) -> None:
    handle = connection.info.pop(_LOCK_FILE, None)
    if handle is not None:
        # Removed while still locked, so no run can lock it in between; a run already
        # waiting on it sees it gone and locks the path anew (_lock_sqlite_file).
        with contextlib.suppress(OSError):  # a folder that forbids it keeps the file: harmless
            os.unlink(handle.name)
        handle.close()  # closing releases the flock
    if connection.dialect.name == "postgresql":
        locking.remove_lock(connection)
        connection.rollback()  # a failed revision leaves its transaction aborted


def lock_migrations_in_transaction(connection: sa.Connection, poll_seconds: float = 0.5) -> None:
    """In a caller's transaction: PostgreSQL's transaction-level advisory lock, released by their commit.

    It shares the key of ``lock_migrations``; polled for the same reason.  On
    SQLite the caller's write transaction itself keeps other migrators out.
    """
    if connection.dialect.name != "postgresql":
        return
    while not connection.scalar(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": locking.MIGRATION_LOCK_KEY}):
        time.sleep(poll_seconds)
