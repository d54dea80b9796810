"""The models on the real server: refusals that write nothing, and the asyncpg engine."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from goclaw_db.engine import create_async_engine, create_engine, session_factory
from goclaw_db.models import MASTER_TENANT_ID, Agent, MemoryChunk
from tests.support import HEAD


@pytest.fixture
def head_url(make_database_at) -> str:
    return make_database_at(HEAD)


@pytest.fixture
def Session(head_url):
    engine = create_engine(head_url, poolclass=sa.pool.NullPool)
    yield session_factory(engine)
    engine.dispose()


def agent(**fields) -> Agent:
    return Agent(**{"agent_key": "scout", "owner_id": "alice", "model": "m", "tenant_id": MASTER_TENANT_ID, **fields})


def chunk(agent_id, **fields) -> MemoryChunk:
    return MemoryChunk(
        **{"agent_id": agent_id, "path": "p.md", "hash": "h", "text": "t", "tenant_id": MASTER_TENANT_ID, **fields}
    )


def count(Session, model) -> int:
    with Session() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(model))


def test_embedding_of_the_wrong_dimension_is_refused_and_nothing_is_written(Session):
    with pytest.raises(sa.exc.DataError, match="expected 1536 dimensions, not 3"), Session.begin() as db:
        scout = agent()
        db.add(scout)
        db.flush()
        db.add(chunk(scout.id, embedding=[0.1, 0.2, 0.3]))
    assert (count(Session, Agent), count(Session, MemoryChunk)) == (0, 0)


def test_agent_without_its_model_is_refused(Session):
    with pytest.raises(sa.exc.IntegrityError, match='null value in column "model"'), Session.begin() as db:
        db.add(agent(model=None))
    assert count(Session, Agent) == 0


def test_memory_of_an_agent_that_does_not_exist_is_refused(Session):
    with pytest.raises(sa.exc.IntegrityError, match="memory_chunks_agent_id_fkey"), Session.begin() as db:
        db.add(chunk(uuid.uuid4()))
    assert count(Session, MemoryChunk) == 0


def test_async_engine_writes_and_finds_nearest_memory(head_url):
    async def scenario() -> list[str]:
        engine = create_async_engine(head_url, poolclass=sa.pool.NullPool)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as db:
                scout = agent()
                db.add(scout)
                await db.flush()
                db.add_all(
                    [
                        chunk(scout.id, hash="a", text="east", embedding=[1.0] + [0.0] * 1535),
                        chunk(scout.id, hash="b", text="north", embedding=[0.0, 1.0] + [0.0] * 1534),
                    ]
                )
                await db.commit()
                probe = [0.2, 0.9] + [0.0] * 1534
                rows = await db.scalars(
                    sa.select(MemoryChunk.text).order_by(MemoryChunk.embedding.cosine_distance(probe))
                )
                return list(rows)
        finally:
            await engine.dispose()

    assert asyncio.run(scenario()) == ["north", "east"]


def test_vector_reads_back_as_a_list_of_floats(Session):
    with Session.begin() as db:
        scout = agent()
        db.add(scout)
        db.flush()
        db.add(chunk(scout.id, embedding=[0.5] * 1536))
    with Session() as db:
        stored = db.scalars(sa.select(MemoryChunk.embedding)).one()
    assert isinstance(stored, list) and stored[:2] == [0.5, 0.5] and len(stored) == 1536


def test_numpy_embedding_is_stored_and_reads_back_as_floats(Session):
    import numpy

    with Session.begin() as db:
        scout = agent()
        db.add(scout)
        db.flush()
        db.add(chunk(scout.id, embedding=numpy.full(1536, 0.25, dtype=numpy.float32)))
    with Session() as db:
        stored = db.scalars(sa.select(MemoryChunk.embedding)).one()
    assert stored == [0.25] * 1536
