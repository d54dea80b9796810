"""A migration run never waits without bound or without saying for whom.

A server that accepts connections and never answers, an application's
transaction left idle on ``agents`` while ``ALTER TABLE agents`` waits (and
the application's own queries queue behind that ALTER), another run holding
the migration lock: each is bounded by a timeout or reported while it lasts.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
import time

import psycopg
import pytest
import sqlalchemy as sa

from goclaw_db.runner.locking import (
    CONNECT_TIMEOUT_VARIABLE,
    LOCK_RETRIES_VARIABLE,
    MIGRATION_LOCK_KEY,
    OUTSIDE_TRANSACTION_KEY,
)
from goclaw_db.runner.run_lock import lock_migrations, unlock_migrations
from tests.processes import GoclawDbRun
from tests.support import (
    HEAD,
    catalog_differences,
    catalog_of,
    execute,
    postgres_reference,
)


def libpq_url(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# Version 37 adds columns to agents: ALTER TABLE agents needs the table to itself.
BEFORE_ALTER_OF_AGENTS = 36


def one_error_line(stderr: str) -> str:
    """The run's final line, after any progress and waiting reports; no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("goclaw-db: "), stderr
    return lines[-1]


@pytest.fixture
def silent_server():
    """A port that accepts connections (the kernel completes them) and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"postgresql://goclaw@127.0.0.1:{listener.getsockname()[1]}/goclaw"


@pytest.mark.parametrize("how", ["option", "environment", "url"])
def test_a_server_that_never_answers_fails_within_the_connect_timeout(silent_server, how):
    url, args, settings = silent_server, [], {}
    if how == "option":
        args = ["--connect-timeout", "2"]
    elif how == "environment":
        settings = {CONNECT_TIMEOUT_VARIABLE: "2"}
    else:
        url, settings = f"{url}?connect_timeout=2", {CONNECT_TIMEOUT_VARIABLE: "600"}  # the URL's own wins
    started = time.monotonic()
    code, _out, err = GoclawDbRun(*args, "--dsn", url, "migrate", "up", **settings).finish(timeout=60)
    waited = time.monotonic() - started

    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert "cannot connect" in err and "timeout" in err
    assert waited < 30, f"gave up after {waited:.0f} s, not after the 2 s connect timeout"


@pytest.fixture
def idle_transaction_on_agents(make_database_at):
    """A database one version before ALTER TABLE agents, and an application idle in a transaction that read agents."""
    url = make_database_at(BEFORE_ALTER_OF_AGENTS)
    application = psycopg.connect(libpq_url(url))
    application.execute("SELECT count(*) FROM agents")
    yield url, application
    application.close()


def test_a_lock_held_by_an_idle_transaction_is_reported_and_the_run_stops_at_the_last_version(
    idle_transaction_on_agents,
):
    url, application = idle_transaction_on_agents
    run = GoclawDbRun("--lock-timeout", "1", "--dsn", url, "migrate", "up", **{LOCK_RETRIES_VARIABLE: "1"})
    code, _out, err = run.finish(timeout=120)

    assert code == 1
    report = next(line for line in err.splitlines() if "waiting for" in line)
    assert "AccessExclusiveLock on agents" in report
    assert f"pid {application.info.backend_pid}" in report and "SELECT count(*) FROM agents" in report
    error = one_error_line(err)
    assert "revision 000037" in error and f"pid {application.info.backend_pid}" in error
    assert f"at version {BEFORE_ALTER_OF_AGENTS}" in error
    assert execute(url, "SELECT version, dirty FROM schema_migrations") == [(BEFORE_ALTER_OF_AGENTS, False)]
    assert catalog_differences(postgres_reference(BEFORE_ALTER_OF_AGENTS), catalog_of(url)) == []


def test_a_run_that_timed_out_on_a_lock_finishes_once_the_holder_commits(idle_transaction_on_agents):
    url, application = idle_transaction_on_agents
    run = GoclawDbRun("--lock-timeout", "1", "--dsn", url, "migrate", "up", **{LOCK_RETRIES_VARIABLE: "10"})
    run.wait_for_stderr("trying again")
    application.commit()
    code, out, err = run.finish(timeout=120)

    assert code == 0, err
    assert f"version: {HEAD}" in out
    assert catalog_differences(postgres_reference(HEAD), catalog_of(url)) == []


@pytest.mark.parametrize(
    "key",
    [MIGRATION_LOCK_KEY, OUTSIDE_TRANSACTION_KEY],
    ids=["migration lock", "revision working outside a transaction"],
)
def test_a_waiting_run_names_the_holder_of_the_migration_lock(postgres_url, key):
    with psycopg.connect(libpq_url(postgres_url), application_name="other migrator") as holder:
        holder.execute(f"SELECT pg_advisory_xact_lock({key})")
        # force is quick, and it records the version under the migration lock like every run.
        run = GoclawDbRun("--dsn", postgres_url, "migrate", "force", "1")
        line = run.wait_for_stderr("waiting for the migration lock")
        assert f"pid {holder.info.backend_pid}" in line and "'other migrator'" in line
        holder.commit()
        code, out, err = run.finish(timeout=60)
    assert code == 0 and "version: 1 (forced)" in out, err


def test_a_waiting_sqlite_run_names_the_process_holding_the_lock_file(tmp_path):
    database = tmp_path / "goclaw.db"
    engine = sa.create_engine(f"sqlite:///{database}", poolclass=sa.pool.NullPool)
    with engine.connect() as holder:
        lock_migrations(holder)
        run = GoclawDbRun("--sqlite", str(database), "migrate", "force", "1")
        run.wait_for_stderr("waiting for the migration lock", f"held by process {os.getpid()}")
        unlock_migrations(holder)
    engine.dispose()
    code, _out, err = run.finish(timeout=120)
    assert code == 0, err


def test_a_run_waiting_on_a_lock_file_its_holder_removed_locks_the_file_now_at_the_path(tmp_path, caplog):
    # Each run removes its lock file at its end; a run that opened the file before then must not
    # settle for a lock on the removed file, which keeps out no run that opens the path afterwards.
    database = tmp_path / "goclaw.db"
    lock_file = tmp_path / "goclaw.db.migrate-lock"
    engine = sa.create_engine(f"sqlite:///{database}", poolclass=sa.pool.NullPool)
    with engine.connect() as first, engine.connect() as second, caplog.at_level(logging.WARNING):
        lock_migrations(first)
        waiter = threading.Thread(target=lock_migrations, args=(second,))
        waiter.start()
        while not any("waiting for the migration lock" in r.getMessage() for r in caplog.records):
            time.sleep(0.01)  # the waiter has the file open: its holder now removes it
        unlock_migrations(first)
        waiter.join(timeout=60)
        assert not waiter.is_alive()
        with open(lock_file) as third, pytest.raises(BlockingIOError):
            fcntl.flock(third, fcntl.LOCK_EX | fcntl.LOCK_NB)
        unlock_migrations(second)
    engine.dispose()
    assert not lock_file.exists()


def test_lock_timeout_setting_that_is_not_a_number_is_one_line():
    code, _out, err = GoclawDbRun(
        "--dsn", "postgresql://goclaw@127.0.0.1:1/goclaw", "migrate", "up", GOCLAW_MIGRATE_LOCK_TIMEOUT="soon"
    ).finish(timeout=60)
    assert code == 1 and one_error_line(err) == err.strip()
    assert "GOCLAW_MIGRATE_LOCK_TIMEOUT" in err
