"""GoClaw's semantic and full-text memory search can use the indexes the chain builds.

With a handful of rows PostgreSQL would rather scan the table, so the tests turn
sequential scans off: the question is whether the index *can* serve the query.
"""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from tests.support import HEAD, MASTER_TENANT


@pytest.fixture
def memory_db(make_database_at):
    engine = sa.create_engine(make_database_at(HEAD), poolclass=sa.pool.NullPool)
    rng = random.Random(7)
    with engine.begin() as conn:
        agent_id = conn.scalar(
            sa.text(
                "INSERT INTO agents (agent_key, owner_id, model, tenant_id) "
                "VALUES ('scout', 'owner', 'model-x', :tenant) RETURNING id"
            ),
            {"tenant": MASTER_TENANT},
        )
        for i, text in enumerate(["the harbour lights", "quarterly revenue report", "harbour pilot schedule"]):
            vector = [rng.uniform(-1, 1) for _ in range(1536)]
            conn.execute(
                sa.text(
                    "INSERT INTO memory_chunks (agent_id, path, hash, text, embedding, tenant_id) "
                    "VALUES (:agent, :path, :hash, :text, CAST(:vec AS vector), :tenant)"
                ),
                {
                    "agent": agent_id,
                    "path": f"notes/{i}.md",
                    "hash": f"h{i}",
                    "text": text,
                    "vec": str(vector),
                    "tenant": MASTER_TENANT,
                },
            )
    yield engine
    engine.dispose()


def plan(conn, query: str, params: dict) -> str:
    conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
    return "\n".join(conn.scalars(sa.text("EXPLAIN " + query), params))


def test_cosine_nearest_neighbour_uses_the_hnsw_index(memory_db):
    query = "SELECT text FROM memory_chunks ORDER BY embedding <=> CAST(:vec AS vector) LIMIT 2"
    with memory_db.begin() as conn:
        probe = conn.scalar(sa.text("SELECT embedding::text FROM memory_chunks WHERE path = 'notes/1.md'"))
        assert "idx_mem_vec" in plan(conn, query, {"vec": probe})
        nearest = conn.scalars(sa.text(query), {"vec": probe}).first()
    assert nearest == "quarterly revenue report"


def test_full_text_match_uses_the_gin_index(memory_db):
    query = "SELECT text FROM memory_chunks WHERE tsv @@ plainto_tsquery('simple', :words) ORDER BY text"
    with memory_db.begin() as conn:
        assert "idx_mem_tsv" in plan(conn, query, {"words": "harbour"})
        found = conn.scalars(sa.text(query), {"words": "harbour"}).all()
    assert found == ["harbour pilot schedule", "the harbour lights"]


def test_embedding_of_the_wrong_dimension_is_refused(memory_db):
    with pytest.raises(sa.exc.DataError, match="expected 1536 dimensions"), memory_db.begin() as conn:
        conn.execute(sa.text("UPDATE memory_chunks SET embedding = CAST('[1,2,3]' AS vector)"))
