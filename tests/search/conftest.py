"""One database per test module and backend, at head, filled by the module's ``fill(connection)``.

Each search test module describes its rows once; the ``engine`` fixture builds
them on PostgreSQL (pgvector, tsvector) and on a desktop SQLite file (FTS5), so
every test runs on both databases without a copy.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
import sqlalchemy as sa

from goclaw_db.engine import create_engine
from goclaw_db.models import Agent, Tenant
from goclaw_db.search.vectors import (
    create_vector_engine,
    create_vector_tables,
    store_embeddings,
)
from tests.support import MASTER_TENANT, admin_url_with_database, upgrade

OTHER_TENANT = uuid.UUID("0193a5b0-7000-7000-8000-0000000000aa")


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def engine(request, tmp_path_factory):
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server_url")
        name = f"t_search_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = admin_url_with_database(server, name)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'goclaw.db'}"
    upgrade(url, "head")
    if request.param == "postgresql":
        engine = create_engine(url, poolclass=sa.pool.NullPool)
    else:
        engine = create_vector_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as connection:
            create_vector_tables(connection)
    with engine.begin() as connection:
        request.module.fill(connection)
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def on_postgresql(engine: sa.Engine) -> bool:
    return engine.dialect.name == "postgresql"


def put_embeddings(connection, t: sa.Table, embeddings: dict) -> None:
    """Store embeddings where each database keeps them: the row's column, or the SQLite side table."""
    if connection.dialect.name == "postgresql":
        for row_id, vector in embeddings.items():
            connection.execute(sa.update(t).where(t.c.id == row_id).values(embedding=vector))
    else:
        store_embeddings(connection, t, embeddings.items())


def add_agent(connection, key: str, tenant=MASTER_TENANT, **columns) -> uuid.UUID:
    agent_id = uuid.uuid4()
    connection.execute(sa.insert(Agent.__table__).values(
        id=agent_id, agent_key=key, owner_id="owner", model="model-x", tenant_id=uuid.UUID(str(tenant)), **columns))
    return agent_id


def add_other_tenant(connection) -> uuid.UUID:
    connection.execute(sa.insert(Tenant.__table__).values(id=OTHER_TENANT, name="Other", slug="other"))
    return OTHER_TENANT


def unit_vector(similarity: float, axis: int = 1) -> list[float]:
    """A 1536-d unit vector whose cosine similarity with ``query_vector()`` is ``similarity``."""
    vector = [0.0] * 1536
    vector[0] = similarity
    vector[axis] = (1.0 - similarity * similarity) ** 0.5
    return vector


def query_vector() -> list[float]:
    vector = [0.0] * 1536
    vector[0] = 1.0
    return vector
