"""Embeddings travel in pgvector's binary form on psycopg and on asyncpg, as seen on the wire.

GoClaw's embeddings are 1536 floats; as text each is ~13 characters, in
pgvector's binary form 4 bytes.  The engines register pgvector's binary codec
on every connection; these tests relay the connections through a recorder
(tests/wire.py) and read the format code each Bind message gives the vector
parameters, so they fail if a driver sends text.
"""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from pgvector import Vector as PGVector
from pgvector.sqlalchemy import VECTOR
from sqlalchemy.orm import Session

from goclaw_db.engine import async_session_factory, create_async_engine, create_engine
from goclaw_db.models import MemoryChunk
from tests.orm_world import MASTER_TENANT, engine_at_head, new_agent
from tests.wire import BINARY, TEXT, Bind, WireRecorder

# Values float32 holds exactly, so the binary form below is exactly what must travel.
EMBEDDINGS = [[((i + d) % 32) / 32 for d in range(1536)] for i in range(3)]
PROBE = EMBEDDINGS[1]


@pytest.fixture(scope="module", params=["postgresql"])
def head(request):
    """The URL of a database at head, and the agent the chunks belong to."""
    for engine in engine_at_head(request):
        with Session(engine) as db:
            agent_id = new_agent(db).id
            db.commit()
        yield engine.url.render_as_string(hide_password=False), agent_id


@pytest.fixture
def wire(head):
    recorder = WireRecorder(head[0])
    yield recorder
    recorder.close()


@pytest.fixture
def chunks(head):
    def make(tag: str) -> list[MemoryChunk]:
        return [
            MemoryChunk(agent_id=head[1], path=f"{tag}.md", hash=f"{tag}{i}", text=tag, embedding=vector,
                        tenant_id=MASTER_TENANT)
            for i, vector in enumerate(EMBEDDINGS)
        ]  # fmt: skip

    return make


def vector_parameters(binds: list[Bind]) -> list[tuple[int, bytes]]:
    """The parameters that carry an embedding, in either form (binary: 6,148 bytes; text: longer)."""
    return [(code, value) for bind in binds for code, value in bind.parameters if value and len(value) > 1536 * 4]


def binary_form(vector: list[float]) -> bytes:
    return PGVector(vector).to_binary()


def nearest(probe: list[float], tag: str) -> sa.Select[tuple[str]]:
    return (
        sa.select(MemoryChunk.hash)
        .where(MemoryChunk.path == f"{tag}.md")
        .order_by(MemoryChunk.embedding.cosine_distance(probe))
        .limit(1)
    )


def test_psycopg_orm_insert_sends_embeddings_in_binary(wire, chunks):
    engine = create_engine(wire.client_url, poolclass=sa.pool.NullPool)
    with Session(engine) as db:
        db.add_all(chunks("sync-insert"))
        db.commit()
    engine.dispose()
    assert vector_parameters(wire.binds) == [(BINARY, binary_form(v)) for v in EMBEDDINGS]


def test_psycopg_nearest_neighbour_probe_is_sent_in_binary(wire, chunks):
    engine = create_engine(wire.client_url, poolclass=sa.pool.NullPool)
    with Session(engine) as db:
        db.add_all(chunks("sync-probe"))
        db.commit()
        wire.binds.clear()
        assert db.scalar(nearest(PROBE, "sync-probe")) == "sync-probe1"
    engine.dispose()
    assert vector_parameters(wire.binds) == [(BINARY, binary_form(PROBE))]


def run_async(url: str, body):
    async def main():
        engine = create_async_engine(url, poolclass=sa.pool.NullPool)
        try:
            async with async_session_factory(engine)() as db:
                return await body(db)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def test_asyncpg_orm_insert_sends_embeddings_in_binary(wire, chunks):
    async def body(db):
        db.add_all(chunks("async-insert"))
        await db.commit()

    run_async(wire.client_url, body)
    assert vector_parameters(wire.binds) == [(BINARY, binary_form(v)) for v in EMBEDDINGS]


def test_asyncpg_probe_and_embeddings_read_back_travel_in_binary(wire, chunks):
    async def body(db):
        db.add_all(chunks("async-read"))
        await db.commit()
        wire.binds.clear()
        found = await db.scalar(nearest(PROBE, "async-read"))
        probe_binds = list(wire.binds)
        wire.binds.clear()
        stored = await db.scalar(sa.select(MemoryChunk.embedding).where(MemoryChunk.hash == "async-read2"))
        return found, probe_binds, list(wire.binds), stored

    found, probe_binds, read_binds, stored = run_async(wire.client_url, body)
    assert (found, stored) == ("async-read1", EMBEDDINGS[2])
    assert vector_parameters(probe_binds) == [(BINARY, binary_form(PROBE))]
    # The one result column, the embedding, is asked for in binary.
    assert [bind.result_formats for bind in read_binds] == [[BINARY]]


def test_the_recorder_sees_text_when_a_driver_sends_text(wire):
    # pgvector's own SQLAlchemy type on a plain engine sends text: the check above can fail.
    engine = sa.create_engine(wire.client_url, poolclass=sa.pool.NullPool)
    probe = sa.bindparam("probe", PROBE, type_=VECTOR(1536))
    with engine.connect() as conn:
        conn.execute(sa.select(probe))
    engine.dispose()
    assert [code for code, _ in vector_parameters(wire.binds)] == [TEXT]
