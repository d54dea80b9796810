"""The vector plan follows where an agent's rows lie, not only how many there are (issue 24).

Two agents own 1,500 chunks each, in eight of the 1536 dimensions: one agent's chunks
gathered around the query, the other's scattered in every direction.  The planner
estimates the same number of rows for both.  Walking the graph from the query finds
the gathered agent's rows at once; for the scattered agent every one of the nearest
rows belongs to the other agent, so a walk would visit thousands of tuples before
enough of its rows passed the filter, where reading its 1,500 rows cannot miss.
"""

from __future__ import annotations

import uuid

import numpy as np
import pytest
import sqlalchemy as sa

from goclaw_db.engine import create_engine
from goclaw_db.models import MemoryChunk
from goclaw_db.search import _common, search_memory
from goclaw_db.types import EMBEDDING_DIMENSIONS
from tests.search.conftest import add_agent
from tests.support import HEAD, MASTER_TENANT
from tests.templates import templates_of

TENANT = uuid.UUID(MASTER_TENANT)
ROWS_PER_AGENT = 1_500  # over EXACT_MAX_ROWS: the row estimate alone would walk the index for both
USED_DIMENSIONS = 8
QUERY = np.eye(USED_DIMENSIONS)[0]
VECTORS: dict[str, np.ndarray] = {}
AGENTS: dict[str, uuid.UUID] = {}


def padded(vector: np.ndarray) -> list[float]:
    return [*map(float, vector), *[0.0] * (EMBEDDING_DIMENSIONS - USED_DIMENSIONS)]


@pytest.fixture(scope="module")
def engine(request):
    rng = np.random.default_rng(24)
    VECTORS["gathered"] = QUERY + rng.normal(0, 0.05, (ROWS_PER_AGENT, USED_DIMENSIONS))
    VECTORS["scattered"] = rng.normal(0, 1, (ROWS_PER_AGENT, USED_DIMENSIONS))
    with templates_of(request, "postgresql").copy_at(HEAD) as url:
        engine = create_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as connection:
            for name, vectors in VECTORS.items():
                AGENTS[name] = add_agent(connection, name)
                rows = [
                    {"agent_id": AGENTS[name], "tenant_id": TENANT, "path": f"{name}/{i}.md", "hash": "h",
                     "text": "t", "embedding": padded(v)}
                    for i, v in enumerate(vectors)
                ]  # fmt: skip
                connection.execute(sa.insert(MemoryChunk.__table__), rows)
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE memory_chunks")
        yield engine
        engine.dispose()


def nearest_paths(name: str, count: int) -> list[str]:
    vectors = VECTORS[name]
    cosine = vectors @ QUERY / np.linalg.norm(vectors, axis=1)
    return [f"{name}/{i}.md" for i in np.argsort(-cosine)[:count]]


def search(engine, name: str):
    with engine.connect() as connection:
        return search_memory(connection, "", agent_id=AGENTS[name], tenant_id=TENANT, embedding=padded(QUERY))


def test_an_agents_rows_scattered_over_the_graph_are_compared_exactly(engine):
    found = search(engine, "scattered")
    assert found.debug["vector_search"].startswith(_common.EXACT + " (the planner estimates")
    assert f"0 of the {_common.LOCALITY_SAMPLE} rows nearest the query" in found.debug["vector_search"]
    assert [result.path for result in found] == nearest_paths("scattered", len(found))


def test_an_agents_rows_gathered_around_the_query_walk_the_index(engine):
    found = search(engine, "gathered")
    assert found.debug["vector_search"].startswith(_common.BY_INDEX)
    assert [result.path for result in found] == nearest_paths("gathered", len(found))
