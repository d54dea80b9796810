"""One database per test module and backend, at head, filled by the module's ``fill(connection)``.

Each search test module describes its rows once; the ``engine`` fixture builds
them on PostgreSQL (pgvector, tsvector) and on a desktop SQLite file (FTS5), so
every test runs on both databases without a copy.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from goclaw_db.engine import create_engine
from goclaw_db.models import Agent, Tenant
from goclaw_db.search.vectors import (
    create_vector_engine,
    create_vector_tables,
    store_embeddings,
)
from tests.support import HEAD, MASTER_TENANT
from tests.templates import BACKENDS, templates_of

OTHER_TENANT = uuid.UUID("0193a5b0-7000-7000-8000-0000000000aa")


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request):
    with templates_of(request, request.param).copy_at(HEAD) as url:
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
    connection.execute(
        sa.insert(Agent.__table__).values(
            id=agent_id, agent_key=key, owner_id="owner", model="model-x", tenant_id=uuid.UUID(str(tenant)), **columns
        )
    )
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


def text_ranks(engine, t: sa.Table, tsv_column: str, config: str, query: str) -> dict:
    """Every matching row's own text rank by id: ts_rank on PostgreSQL, bm25 as r/(1+r) on SQLite."""
    with engine.connect() as conn:
        if on_postgresql(engine):
            found = conn.execute(
                sa.text(
                    f"SELECT id, ts_rank({tsv_column}, plainto_tsquery('{config}', :q))::float8 FROM {t.name} "
                    f"WHERE {tsv_column} @@ plainto_tsquery('{config}', :q)"
                ),
                {"q": query},
            ).all()
            return {uuid.UUID(str(key)): score for key, score in found}
        phrase = " ".join(f'"{word}"' for word in query.split())
        found = conn.execute(
            sa.text(
                f"SELECT x.id, -bm25({t.name}_fts) FROM {t.name}_fts JOIN {t.name} x ON x.rowid = {t.name}_fts.rowid "
                f"WHERE {t.name}_fts MATCH :q"
            ),
            {"q": phrase},
        ).all()
        return {uuid.UUID(str(key)): magnitude / (1 + magnitude) for key, magnitude in found}


def goclaw_merge_by_id(
    texts: dict, vectors: dict, text_weight: float, vector_weight: float, limit: int, *, normalize: bool = False
) -> list[tuple]:
    """GoClaw's merge of two candidate lists keyed by id, re-stated: each side cut to ``2 * limit`` best,
    optionally divided by its best score, weighted, summed per id, ranked (ties by id), cut to ``limit``.
    Returns (id, approx score) pairs."""
    total: dict = {}
    for scores, weight in ((texts, text_weight), (vectors, vector_weight)):
        best = sorted(scores.items(), key=lambda item: -item[1])[: limit * 2]
        top = max((score for _, score in best), default=0.0)
        for key, score in best:
            if normalize and top > 0:
                score = score / top
            total[key] = total.get(key, 0.0) + score * weight
    ranked = sorted(total.items(), key=lambda item: (-item[1], str(item[0])))[:limit]
    return [(key, pytest.approx(score, rel=1e-5)) for key, score in ranked]
