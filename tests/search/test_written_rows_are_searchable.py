"""Rows written through this package are found by vector search with no rebuild step.

GoClaw's desktop schema has no embedding column: on SQLite the vectors live in the
``<table>_vec`` side tables.  The bulk writer and a model's ``embedding`` attribute
must fill them (issue 13), and setting the attribute to None must take the row out
of vector search, as clearing the column does on PostgreSQL.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from goclaw_db.bulk import write_memory_chunks
from goclaw_db.models import KGEntity, MemoryChunk
from goclaw_db.search import search_entities, search_memory
from tests.search.conftest import add_agent, on_postgresql, query_vector, unit_vector
from tests.support import MASTER_TENANT

TENANT = uuid.UUID(MASTER_TENANT)


def fill(connection) -> None:
    """Each test writes its own agent's rows."""


def nearest_paths(engine, agent_id: uuid.UUID) -> list[str]:
    """The agent's chunks by vector alone: a query with no word, so no text hit takes part."""
    with engine.connect() as connection:
        found = search_memory(connection, "", agent_id=agent_id, tenant_id=TENANT, embedding=query_vector())
    return [result.path for result in found]


def test_bulk_writer_rows_are_found_by_vector(engine):
    with engine.begin() as connection:
        agent_id = add_agent(connection, "bulk-writer")
        rows = [
            {"agent_id": agent_id, "tenant_id": TENANT, "path": path, "hash": path, "text": "plain words"}
            | ({"embedding": unit_vector(similarity, axis=2 + i)} if similarity is not None else {})
            for i, (path, similarity) in enumerate([("far.md", 0.2), ("near.md", 0.9), ("none.md", None)])
        ]
        assert write_memory_chunks(connection, rows) == 3
    assert nearest_paths(engine, agent_id) == ["near.md", "far.md"]


def test_orm_embedding_is_found_and_stays_readable(engine):
    with Session(engine) as session, session.begin():
        agent_id = add_agent(session.connection(), "orm-writer")
        chunk = MemoryChunk(agent_id=agent_id, tenant_id=TENANT, path="orm.md", hash="h", text="t")
        chunk.embedding = unit_vector(0.8)
        session.add(chunk)
        session.flush()
        # Read back from the object, not from the table the desktop file lacks.
        assert chunk.embedding is not None and round(chunk.embedding[0], 6) == 0.8
    assert nearest_paths(engine, agent_id) == ["orm.md"]


def test_orm_update_replaces_and_none_removes_the_vector(engine):
    with Session(engine) as session, session.begin():
        agent_id = add_agent(session.connection(), "orm-updater")
        kept = MemoryChunk(agent_id=agent_id, tenant_id=TENANT, path="kept.md", hash="h", text="t")
        kept.embedding = unit_vector(0.3, axis=3)
        moved = MemoryChunk(agent_id=agent_id, tenant_id=TENANT, path="moved.md", hash="h", text="t")
        moved.embedding = unit_vector(0.5, axis=4)
        session.add_all([kept, moved])
    assert nearest_paths(engine, agent_id) == ["moved.md", "kept.md"]
    with Session(engine) as session, session.begin():
        kept = session.scalars(sa.select(MemoryChunk).where(MemoryChunk.path == "kept.md")).one()
        kept.embedding = unit_vector(0.7, axis=3)
    assert nearest_paths(engine, agent_id) == ["kept.md", "moved.md"]
    with Session(engine) as session, session.begin():
        moved = session.scalars(sa.select(MemoryChunk).where(MemoryChunk.path == "moved.md")).one()
        moved.embedding = None
    assert nearest_paths(engine, agent_id) == ["kept.md"]


def test_orm_embedding_of_another_table_is_found(engine):
    with Session(engine) as session, session.begin():
        agent_id = add_agent(session.connection(), "graph-writer")
        entity = KGEntity(
            agent_id=agent_id, tenant_id=TENANT, user_id="", external_id="x", name="Lighthouse", entity_type="place"
        )
        entity.embedding = unit_vector(0.6)
        session.add(entity)
    with engine.connect() as connection:
        found = search_entities(connection, "", agent_id=agent_id, tenant_id=TENANT, embedding=query_vector())
    assert [entity.name for entity in found] == ["Lighthouse"]


def test_deleting_a_row_removes_its_side_vector(engine):
    with engine.begin() as connection:
        agent_id = add_agent(connection, "deleter")
        write_memory_chunks(
            connection,
            [{"agent_id": agent_id, "tenant_id": TENANT, "path": "gone.md", "hash": "h", "text": "t",
              "embedding": unit_vector(0.9)}],
        )  # fmt: skip
        connection.execute(sa.delete(MemoryChunk.__table__).where(MemoryChunk.agent_id == agent_id))
        if not on_postgresql(engine):
            left = connection.exec_driver_sql(
                "SELECT count(*) FROM memory_chunks_vec WHERE partition_key = ?", (str(agent_id),)
            ).scalar()
            assert left == 0
    assert nearest_paths(engine, agent_id) == []
