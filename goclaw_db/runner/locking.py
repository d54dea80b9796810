"""Keeping migration runs apart and bounded in time, also through a transaction pooler.

GoClaw's deployments at scale put PgBouncer in transaction pooling mode in
front of PostgreSQL: each transaction of a client may run on another server
connection, and whatever a session keeps (a session advisory lock, a
prepared statement, a ``SET``) stays behind on a server connection that the
next client gets.  So a migration run here keeps nothing between its
transactions:

* Each transaction of the run starts by taking the transaction-scoped
  advisory lock ``MIGRATION_LOCK_KEY``; it ends with the transaction.  Before
  a revision runs, the version is read again under that lock, and where
  another run got there first this run starts over from the version it finds.
* The lock is polled with ``pg_try_advisory_xact_lock`` between short
  transactions, never waited for inside one: a waiting statement keeps a
  snapshot, and version 9's ``CREATE INDEX CONCURRENTLY`` waits for every
  snapshot, so it would wait for its own waiters.
* That index is built outside any transaction (an autocommit block), where a
  transaction-scoped lock cannot reach; a second connection holds
  ``OUTSIDE_TRANSACTION_KEY`` meanwhile, and a run that takes the migration
  lock while that key is held waits on.
* The migration connection prepares no statements on the server
  (psycopg's ``prepare_threshold=None``), and its ``lock_timeout`` is ``SET
  LOCAL`` in each transaction.

Every connection has a connect timeout and every transaction a lock timeout;
a revision that timed out on a lock is tried again a few times, and while a
statement waits, one line says who holds what it waits for.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from goclaw_db.config import ConfigurationError, driver_reason
from goclaw_db.runner.driver import driver_connection

if TYPE_CHECKING:  # the runner imports Alembic only where revisions run (goclaw_db.runner.chain)
    from alembic.runtime.migration import MigrationContext, RevisionStep

log = logging.getLogger(__name__)

# One key for every migration run on a database (advisory locks are per database).
MIGRATION_LOCK_KEY = 0x60C1A3DB
# Held while a revision works outside a transaction (see module docstring).
OUTSIDE_TRANSACTION_KEY = MIGRATION_LOCK_KEY + 1

CONNECT_TIMEOUT_VARIABLE = "GOCLAW_MIGRATE_CONNECT_TIMEOUT"
LOCK_TIMEOUT_VARIABLE = "GOCLAW_MIGRATE_LOCK_TIMEOUT"
LOCK_RETRIES_VARIABLE = "GOCLAW_MIGRATE_LOCK_RETRIES"

LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE of a statement cancelled by lock_timeout
_STATE_KEY = "goclaw_migration_lock"


@dataclass(frozen=True)
class Timeouts:
    """How long a migration run waits: to connect, and for each lock a statement needs."""

    connect: int = 10  # seconds; libpq (and psycopg) use at least 2
    lock: float = 5.0  # seconds
    lock_retries: int = 3

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Timeouts:
        return cls(
            connect=int(_number(environ, CONNECT_TIMEOUT_VARIABLE, cls.connect, minimum=1)),
            lock=_number(environ, LOCK_TIMEOUT_VARIABLE, cls.lock, minimum=0.001),
            lock_retries=int(_number(environ, LOCK_RETRIES_VARIABLE, cls.lock_retries, minimum=0)),
        )


def _number(environ: Mapping[str, str], name: str, default: float, *, minimum: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ConfigurationError(f"{name}={raw!r} is not a number of at least {minimum:g}")
    return value


def set_timeouts(*, connect: float | None = None, lock: float | None = None) -> None:
    """Command-line options: they take the place of the environment's settings for this process."""
    for name, value in ((CONNECT_TIMEOUT_VARIABLE, connect), (LOCK_TIMEOUT_VARIABLE, lock)):
        if value is not None:
            os.environ[name] = str(value)


def migration_engine(url: sa.URL) -> sa.Engine:
    """An engine for migration commands: one connection at a time, bounded connects, pooler-safe.

    A ``connect_timeout`` in the URL wins over the setting.  The
    application name shows other sessions (and a waiting run) which process
    this is, also through a pooler, which hides the client's address.
    """
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["prepare_threshold"] = None
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = Timeouts.from_environment().connect
        if "application_name" not in url.query:
            connect_args["application_name"] = f"goclaw-db {os.getpid()}@{socket.gethostname()}"[:63]
    return sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=connect_args)


class VersionMovedOn(Exception):
    """Another run applied revisions since this one read the version: start over from there."""


# The keys are written into the statements, not bound: a statement with
# parameters leaves the transaction holding a snapshot while idle, which a
# concurrent index build would wait for.
_HOLDERS_OF_KEYS = sa.text(
    "SELECT a.pid, a.application_name, a.state, host(a.client_addr) AS client, a.query, l.objid AS key"
    " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objsubid = 1"
    f" AND l.objid IN ({MIGRATION_LOCK_KEY}, {OUTSIDE_TRANSACTION_KEY})"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)

_BLOCKERS = sa.text(
    "SELECT a.pid, a.application_name, a.state, host(a.client_addr) AS client, a.query,"
    " (SELECT string_agg(DISTINCT w.mode || coalesce(' on ' || w.relation::regclass::text, ''), ', ')"
    "    FROM pg_locks w WHERE w.pid = :pid AND NOT w.granted) AS wanted"
    " FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids(:pid)) ORDER BY a.pid"
)


def describe_session(row: sa.Row[Any]) -> str:
    """'pid 123 (application 'x', idle in transaction, from 10.0.0.5): SELECT ...' for messages."""
    details = [
        f"application {row.application_name!r}" if row.application_name else "no application name",
        row.state or "state unknown",
    ]
    if row.client:
        details.append(f"from {row.client}")
    query = " ".join((row.query or "").split())
    if len(query) > 160:
        query = query[:157] + "..."
    return f"pid {row.pid} ({', '.join(details)})" + (f": {query}" if query else "")


class MigrationLock:
    """One run's hold on a PostgreSQL database, kept on the migration connection's ``info``."""

    def __init__(self, connection: sa.Connection, timeouts: Timeouts, poll_seconds: float):
        self.connection = connection
        self.timeouts = timeouts
        self.poll_seconds = poll_seconds
        self.outside_guard: sa.Connection | None = None
        self.current_step: RevisionStep | None = None
        self.watcher = LockWaitWatcher(connection.engine, interval=min(1.0, max(0.1, timeouts.lock / 4)))
        self._last_wait_report: set[tuple[int, str | None]] | None = None

    def install(self) -> None:
        self.connection.info[_STATE_KEY] = self
        for name, listener in self._listeners():
            sa.event.listen(self.connection, name, listener)
        self.watcher.start()

    def remove(self) -> None:
        self.watcher.stop()
        for name, listener in self._listeners():
            sa.event.remove(self.connection, name, listener)
        self.connection.info.pop(_STATE_KEY, None)

    def _listeners(self) -> tuple[tuple[str, Callable[..., None]], ...]:
        return (
            ("begin", self.on_begin),
            ("commit", self.watcher.transaction_ended),
            ("rollback", self.watcher.transaction_ended),
            ("before_cursor_execute", self.watcher.statement_started),
            ("after_cursor_execute", self.watcher.statement_ended),
        )

    def on_begin(self, connection: sa.Connection) -> None:
        """Start every transaction of the run holding the migration lock, with a lock timeout."""
        driver = driver_connection(connection)
        if driver.autocommit:  # an autocommit block: no transaction to hold a lock in
            return
        while True:
            acquired, backend_pid = connection.execute(
                sa.text(f"SELECT pg_try_advisory_xact_lock({MIGRATION_LOCK_KEY}), pg_backend_pid()")
            ).one()
            holders = [] if acquired and self.outside_guard else connection.execute(_HOLDERS_OF_KEYS).all()
            others = [h for h in holders if h.pid != backend_pid]
            if acquired and not any(h.key == OUTSIDE_TRANSACTION_KEY for h in others):
                break
            self._report_wait(others)
            driver.rollback()  # wait holding nothing, not even a pooled server connection
            time.sleep(self.poll_seconds)
        self._last_wait_report = None
        connection.execute(sa.text(f"SET LOCAL lock_timeout = '{int(self.timeouts.lock * 1000)}ms'"))
        self.watcher.watch(backend_pid)

    def _report_wait(self, holders: Sequence[sa.Row[Any]]) -> None:
        """One line per holder: through a pooler the query changes with every statement of a run."""
        holder = {(h.pid, h.application_name) for h in holders}
        if holder == self._last_wait_report or (not holder and self._last_wait_report is not None):
            return
        self._last_wait_report = holder
        if holders:
            log.warning(
                "goclaw-db: waiting for the migration lock, held by %s", "; ".join(map(describe_session, holders))
            )
        else:
            log.warning("goclaw-db: waiting for another migration run of this database")

    def checked_steps(
        self,
        steps: Callable[..., Iterable[RevisionStep]],
    ) -> Callable[[tuple[str, ...], MigrationContext], Iterator[RevisionStep]]:
        """Alembic's steps, each first checked against the version read under the lock."""

        from alembic.runtime.migration import RevisionStep

        def run(heads: tuple[str, ...], context: MigrationContext) -> Iterator[RevisionStep]:
            for step in steps(heads, context):
                if isinstance(step, RevisionStep):
                    found = set(context.get_current_heads())  # begins the step's transaction: the lock
                    if found != set(step.from_revisions):
                        assert context.connection is not None  # the lock is only installed on a connection
                        context.connection.rollback()
                        raise VersionMovedOn()
                    self.current_step = step
                yield step

        return run

    @contextmanager
    def held_outside_transaction(self) -> Iterator[None]:
        guard = self.connection.engine.connect()
        try:
            guard.execute(sa.text(f"SET LOCAL lock_timeout = '{int(self.timeouts.lock * 1000)}ms'"))
            guard.execute(sa.text(f"SELECT pg_advisory_xact_lock({OUTSIDE_TRANSACTION_KEY})"))
            self.outside_guard = guard
            yield
        finally:
            self.outside_guard = None
            guard.close()  # ends its transaction: the key is free again


def install_lock(connection: sa.Connection, poll_seconds: float) -> None:
    MigrationLock(connection, Timeouts.from_environment(), poll_seconds).install()


def remove_lock(connection: sa.Connection) -> None:
    lock = connection.info.get(_STATE_KEY)
    if lock is not None:
        lock.remove()


def kept_outside_transaction(context: MigrationContext) -> AbstractContextManager[None]:
    """Around an autocommit block: keep other runs out while no transaction holds the lock."""
    if context.as_sql or context.connection is None:
        return nullcontext()
    return held_outside_transaction(context.connection)


def held_outside_transaction(connection: sa.Connection) -> AbstractContextManager[None]:
    """Around statements a run sends outside any transaction: its lock's guard (none where no run holds one)."""
    lock: MigrationLock | None = connection.info.get(_STATE_KEY)
    return lock.held_outside_transaction() if lock is not None else nullcontext()


def _lock_of(context: MigrationContext) -> MigrationLock | None:
    """The run's lock; none in ``--sql`` mode (no connection) or where no run installed one."""
    return None if context.as_sql or context.connection is None else context.connection.info.get(_STATE_KEY)


def run_migrations(context: MigrationContext, run: Callable[[], None]) -> None:
    """Run the revisions; start over where another run moved the version on; retry lock timeouts."""
    lock = _lock_of(context)
    if lock is None:
        run()
        return
    # No hook runs before a step (on_version_apply runs after it): the steps function Alembic
    # keeps is wrapped instead, on the Alembic versions pyproject.toml pins (tests/test_dependency_pins.py).
    steps = context._migrations_fn
    assert steps is not None, "Alembic runs revisions only with the command's steps function"
    context._migrations_fn = lock.checked_steps(steps)
    failures = 0
    while True:
        try:
            run()
            return
        except VersionMovedOn:
            continue
        except sa.exc.DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            failures += 1
            blocked = lock_timeout_message(lock, failures)
            if failures > lock.timeouts.lock_retries:
                reached = lock.current_step.from_revisions if lock.current_step is not None else ()
                where = f"version {int(reached[0])}" if reached else "the last completed version"
                from alembic.util import CommandError

                raise CommandError(
                    f"{blocked}; the database is at {where}. End that transaction "
                    f"(or raise the lock timeout: --lock-timeout or {LOCK_TIMEOUT_VARIABLE}) and run again."
                ) from None
            log.warning("goclaw-db: %s; trying again", blocked)
            time.sleep(min(lock.timeouts.lock, 0.5 * 2 ** (failures - 1)))


def lock_timeout_message(lock: MigrationLock, failures: int) -> str:
    step = lock.current_step
    what = f"revision {step.revision.revision}" if step is not None else "a migration step"
    waited = lock.watcher.last_report or "waiting for a lock"
    return f"{what} (try {failures}) gave up after {lock.timeouts.lock:g} s {waited}"


class LockWaitWatcher:
    """Says, while a statement of the run waits for a lock, who holds it.

    A thread looks every ``interval`` seconds; once a statement has run that
    long, it asks the server, on a connection of its own, which sessions block
    the run's backend, and reports each new set of them in one line.
    """

    def __init__(self, engine: sa.Engine, interval: float):
        self.engine = engine
        self.interval = interval
        self.backend_pid: int | None = None
        self.last_report: str | None = None
        self._last_blocker: set[tuple[int, str | None]] | None = None
        self._statement_since: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="goclaw-db lock watcher", daemon=True)
        self._connection: sa.Connection | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def watch(self, backend_pid: int) -> None:
        """A new transaction of the run: report its waits afresh, so each retry names its blockers."""
        self.last_report = self._last_blocker = None
        self.backend_pid = backend_pid

    def statement_started(self, *_args: Any) -> None:
        self._statement_since = time.monotonic()

    def statement_ended(self, *_args: Any) -> None:
        self._statement_since = None

    def transaction_ended(self, *_args: Any) -> None:
        # Through a pooler the backend serves other clients once the transaction ends.
        self._statement_since = None
        self.backend_pid = None

    def _watch(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                since, pid = self._statement_since, self.backend_pid
                if since is not None and pid is not None and time.monotonic() - since >= self.interval:
                    self._report(pid)
        except sa.exc.DBAPIError as exc:
            reason = driver_reason(exc)
            log.warning("goclaw-db: cannot see who holds the locks the migration waits for: %s", reason)
        finally:
            if self._connection is not None:
                self._connection.close()

    def _report(self, pid: int) -> None:
        if self._connection is None:
            self._connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        blockers = self._connection.execute(_BLOCKERS, {"pid": pid}).all()
        if not blockers:
            return
        blocker = {(b.pid, b.wanted) for b in blockers}
        if blocker == self._last_blocker:
            return
        self._last_blocker = blocker
        self.last_report = f"waiting for {blockers[0].wanted or 'a lock'}, held by " + "; ".join(
            map(describe_session, blockers)
        )
        log.warning("goclaw-db: %s", self.last_report)
