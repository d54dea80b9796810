"""Bulk-written memory chunks are ordinary rows, on PostgreSQL (binary COPY) and SQLite (executemany).

An indexer writes thousands of chunks at once; write_memory_chunks must give
the same rows the ORM would: defaults filled, ids made, embeddings stored in
full (PostgreSQL), the full-text column generated, and nothing written when
the caller's transaction rolls back.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, undefer

from goclaw_db.bulk import ChunkRow, write_memory_chunks
from goclaw_db.models import MemoryChunk
from tests.orm_world import BACKENDS, MASTER_TENANT, engine_at_head, new_agent

ROWS = 300


@pytest.fixture(scope="module", params=BACKENDS)
def head_engine(request):
    yield from engine_at_head(request)


def vector(i: int) -> list[float]:
    # Values float32 holds exactly, so what comes back equals what went in.
    return [((i + d) % 64) / 64 for d in range(1536)]


def chunks(agent_id: uuid.UUID, n: int = ROWS) -> list[ChunkRow]:
    return [
        ChunkRow(agent_id=agent_id, tenant_id=MASTER_TENANT, path="notes/bay.md", hash=f"h{i}",
                 text=f"chunk {i} about the harbour pilot", embedding=vector(i))
        for i in range(n)
    ]  # fmt: skip


@pytest.fixture
def agent_id(head_engine) -> uuid.UUID:
    with Session(head_engine) as db:
        agent_id = new_agent(db).id
        db.commit()
    return agent_id


def test_bulk_rows_read_back_as_the_orm_writes_them(head_engine, agent_id):
    with head_engine.begin() as conn:
        assert write_memory_chunks(conn, chunks(agent_id)) == ROWS
    postgres = head_engine.dialect.name == "postgresql"
    with Session(head_engine) as db:
        query = sa.select(MemoryChunk).where(MemoryChunk.agent_id == agent_id).order_by(MemoryChunk.id)
        stored = db.scalars(query.options(undefer(MemoryChunk.embedding)) if postgres else query).all()
        assert [c.hash for c in stored] == [f"h{i}" for i in range(ROWS)]  # ids are time-ordered UUIDv7s
        assert {(c.id.version, c.start_line, c.tenant_id) for c in stored} == {(7, 0, MASTER_TENANT)}
        assert all(c.created_at is not None for c in stored)
        if postgres:
            assert [c.embedding for c in stored[:3]] == [vector(i) for i in range(3)]
            found = db.scalars(query.where(MemoryChunk.tsv.match("pilot"))).all()
            assert len(found) == ROWS


def test_bulk_rows_follow_the_callers_transaction(head_engine, agent_id):
    with Session(head_engine) as db:
        write_memory_chunks(db, chunks(agent_id, 10))
        db.rollback()
        assert db.scalar(sa.select(sa.func.count()).where(MemoryChunk.agent_id == agent_id)) == 0
