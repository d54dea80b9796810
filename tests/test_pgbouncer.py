"""Migrations through PgBouncer in transaction pooling mode (GoClaw's recommended set-up at scale).

Through the pooler a session advisory lock stays on whichever server
connection ran it, and psycopg's server-side prepared statements meet other
clients' (``prepared statement "_pg3_0" already exists``).  These tests run
``goclaw-db`` through a real PgBouncer and check that concurrent, killed and
ordinary runs still apply each revision once and leave nothing behind.
"""

from __future__ import annotations

import os
import threading
import time

import psycopg
import pytest
import sqlalchemy as sa

from tests.pgbouncer import pgbouncer_binary, start_pgbouncer
from tests.processes import GoclawDbRun
from tests.support import (
    HEAD,
    catalog_differences,
    catalog_of,
    differences_after_a_kill,
    execute,
    postgres_reference,
    upgrade,
)

# Through the pooler an application connects like this too: no server-side prepared statements.
APPLICATION = {"prepare_threshold": None, "autocommit": False}


@pytest.fixture(scope="module")
def pgbouncer(postgres_server_url):
    binary = pgbouncer_binary()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pgbouncer is not installed: .ci/run installs the Debian package 'pgbouncer'")
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    bouncer = start_pgbouncer(binary, postgres_server_url)
    yield bouncer
    bouncer.stop()


def through(pgbouncer, direct_url: str) -> str:
    return pgbouncer.url(sa.make_url(direct_url).database)


def migrate_up(url: str) -> GoclawDbRun:
    return GoclawDbRun("--dsn", url, "migrate", "up")


def assert_left_nothing_behind(direct_url: str) -> None:
    """No advisory lock stays on a pooled server connection once the runs are over."""
    held = execute(
        direct_url,
        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
        " WHERE l.locktype = 'advisory' AND d.datname = current_database()",
    )
    assert held == [(0,)]


def test_concurrent_runs_through_the_pooler_apply_each_revision_once(pgbouncer, postgres_url):
    runs = [migrate_up(through(pgbouncer, postgres_url)) for _ in range(4)]
    results = [run.finish() for run in runs]

    assert [code for code, _out, _err in results] == [0] * 4, [err[-600:] for _c, _o, err in results]
    applied = [line for _c, _o, err in results for line in err.splitlines() if line.startswith("Running upgrade")]
    assert len(applied) == HEAD, applied
    assert not any("_pg3_" in err for _c, _o, err in results)
    assert catalog_differences(postgres_reference(HEAD), catalog_of(postgres_url)) == []
    assert_left_nothing_behind(postgres_url)
    # A later run gets the lock at once: nothing of the earlier runs stayed on the pooled connections.
    code, out, err = migrate_up(through(pgbouncer, postgres_url)).finish(timeout=60)
    assert code == 0 and f"version: {HEAD}" in out, err


def test_run_while_an_application_uses_the_pool(pgbouncer, postgres_url):
    upgrade(postgres_url, 30)
    url = through(pgbouncer, postgres_url)
    seen_lock_timeouts: set[str] = set()
    errors: list[psycopg.Error] = []
    done = threading.Event()

    def application() -> None:
        """Short transactions on agents, as GoClaw's gateway makes them, on the shared server connections."""
        try:
            with psycopg.connect(url, **APPLICATION) as conn:
                while not done.is_set():
                    conn.execute("SELECT count(*) FROM agents")
                    seen_lock_timeouts.add(conn.execute("SHOW lock_timeout").fetchone()[0])
                    conn.commit()
                    time.sleep(0.01)
        except psycopg.Error as exc:  # reported by the test below
            errors.append(exc)

    # One more application connection sits in a transaction the whole time, keeping a server connection.
    with psycopg.connect(url, **APPLICATION) as busy:
        busy.execute("SELECT 1")
        worker = threading.Thread(target=application)
        worker.start()
        try:
            code, _out, err = migrate_up(url).finish()
        finally:
            done.set()
            worker.join()
        busy.rollback()

    assert code == 0, err
    assert errors == []
    # The run's lock timeout is SET LOCAL: the application's sessions never inherit it.
    assert seen_lock_timeouts == {"0"}
    assert catalog_differences(postgres_reference(HEAD), catalog_of(postgres_url)) == []
    assert_left_nothing_behind(postgres_url)


def test_a_run_killed_through_the_pooler_leaves_a_complete_version_and_a_rerun_finishes(pgbouncer, postgres_url):
    url = through(pgbouncer, postgres_url)
    run = migrate_up(url)
    try:
        reached = 0
        while reached < 8 and run.process.poll() is None:
            rows = (
                execute(postgres_url, "SELECT version FROM schema_migrations")
                if execute(postgres_url, "SELECT to_regclass('schema_migrations') IS NOT NULL")[0][0]
                else []
            )
            reached = rows[0][0] if rows else 0
    finally:
        run.kill()
    assert run.process.returncode != 0, "the run finished before it could be killed"

    assert differences_after_a_kill(postgres_url) == []
    # The killed run's transaction died with its client connection: the rerun does not wait for it.
    code, _out, err = migrate_up(url).finish(timeout=120)
    assert code == 0, err
    assert "_pg3_" not in err
    assert catalog_differences(postgres_reference(HEAD), catalog_of(postgres_url)) == []
    assert_left_nothing_behind(postgres_url)
