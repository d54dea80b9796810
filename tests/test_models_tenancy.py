"""A session scoped to one tenant reads and writes only that tenant's rows, on PostgreSQL and SQLite.

GoClaw names ``tenant_id`` in every query; ``session_factory(engine,
tenant_id=...)`` does it for the application.  Two tenants share one database
here, and nothing of the other tenant may leak through a SELECT, ``get``, a
relationship load or an ORM UPDATE, nor be written to or pointed at.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from goclaw_db.bulk import write_memory_chunks
from goclaw_db.engine import session_factory
from goclaw_db.models import Agent, ChatSession, MemoryChunk, Tenant
from goclaw_db.search import search_memory
from goclaw_db.tenancy import ALL_TENANTS, CrossTenantError
from tests.orm_world import BACKENDS, MASTER_TENANT, engine_at_head

OTHER = uuid.UUID("0193a5b0-7000-7000-8000-0000000000bb")


@pytest.fixture(scope="module", params=BACKENDS)
def head_engine(request):
    yield from engine_at_head(request)


@pytest.fixture(scope="module")
def world(head_engine) -> dict[str, uuid.UUID]:
    """Each tenant with an agent, a session and a chunk; one stray chunk of OTHER's points at ours."""
    with Session(head_engine) as db:
        db.add(Tenant(id=OTHER, name="Other", slug="other"))
        ids = {}
        for name, tenant in (("ours", MASTER_TENANT), ("theirs", OTHER)):
            agent = Agent(agent_key=name, owner_id="o", model="m", tenant_id=tenant)
            agent.sessions.append(ChatSession(session_key=f"{name}:1", tenant_id=tenant))
            agent.memory_chunks.append(MemoryChunk(path="p", hash=name, text=name, tenant_id=tenant))
            db.add(agent)
            db.flush()
            ids[name] = agent.id
        db.add(MemoryChunk(agent_id=ids["ours"], path="p", hash="stray", text="stray", tenant_id=OTHER))
        db.commit()
    return ids


@pytest.fixture
def Scoped(head_engine, world):
    return session_factory(head_engine, tenant_id=MASTER_TENANT)


def everything(engine, model) -> list:
    with Session(engine) as db:
        return list(db.scalars(sa.select(model)))


def test_selects_and_get_see_only_the_tenants_rows(Scoped, world):
    with Scoped() as db:
        assert [a.agent_key for a in db.scalars(sa.select(Agent))] == ["ours"]
        assert sorted(db.scalars(sa.select(MemoryChunk.text))) == ["ours"]
        assert [t.id for t in db.scalars(sa.select(Tenant))] == [MASTER_TENANT]
        assert db.get(Agent, world["theirs"]) is None


def test_relationship_loads_see_only_the_tenants_rows(Scoped, world):
    with Scoped() as db:
        ours = db.get(Agent, world["ours"])
        assert [c.text for c in ours.memory_chunks] == ["ours"]  # not the other tenant's stray chunk
        assert [s.session_key for s in ours.sessions] == ["ours:1"]


def test_all_tenants_is_an_explicit_choice(Scoped):
    with Scoped() as db:
        keys = db.scalars(sa.select(Agent.agent_key).execution_options(**{ALL_TENANTS: True}))
        assert sorted(keys) == ["ours", "theirs"]


def test_new_rows_get_the_tenant(head_engine, Scoped, world):
    with Scoped() as db:
        chat = ChatSession(session_key=f"ours:{uuid.uuid4().hex[:6]}", agent_id=world["ours"])
        db.add(chat)
        db.commit()
        chat_id = chat.id
    with Session(head_engine) as db:
        assert db.get(ChatSession, chat_id).tenant_id == MASTER_TENANT


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(
            lambda ids: MemoryChunk(agent_id=ids["theirs"], path="p", hash="x", text="x"), id="pointing-at-their-agent"
        ),
        pytest.param(
            lambda ids: ChatSession(session_key="sneaky", agent_id=ids["ours"], tenant_id=OTHER), id="in-their-tenant"
        ),
        pytest.param(
            lambda ids: MemoryChunk(agent_id=uuid.uuid4(), path="p", hash="x", text="x"), id="pointing-at-no-agent"
        ),
    ],
)
def test_rows_crossing_tenants_are_refused_before_the_database_sees_them(head_engine, Scoped, world, row):
    before = (len(everything(head_engine, MemoryChunk)), len(everything(head_engine, ChatSession)))
    with Scoped() as db:
        db.add(row(world))
        with pytest.raises(CrossTenantError, match="writes only that tenant's rows"):
            db.commit()
    assert (len(everything(head_engine, MemoryChunk)), len(everything(head_engine, ChatSession))) == before


def test_moving_a_row_to_another_tenant_is_refused(Scoped, world):
    with Scoped() as db:
        agent = db.get(Agent, world["ours"])
        agent.tenant_id = OTHER
        with pytest.raises(CrossTenantError):
            db.flush()


def test_orm_updates_touch_only_the_tenants_rows(head_engine, Scoped):
    with Scoped() as db:
        db.execute(sa.update(Agent).values(frontmatter="scoped update"))
        db.commit()
    touched = {a.agent_key: a.frontmatter for a in everything(head_engine, Agent)}
    assert touched["ours"] == "scoped update" and touched["theirs"] != "scoped update"


def test_a_search_in_a_scoped_session_runs_in_its_transaction_for_its_tenant(Scoped, world):
    with Scoped() as db:
        db.add(MemoryChunk(agent_id=world["ours"], path="notes.md", hash="n", text="pilot boards at the breakwater"))
        found = search_memory(db, "breakwater", agent_id=world["ours"])  # pending: flushed, not committed
        assert [hit.snippet for hit in found] == ["pilot boards at the breakwater"]
        assert len(search_memory(db, "breakwater", agent_id=world["ours"], tenant_id=MASTER_TENANT)) == 1
        with pytest.raises(CrossTenantError, match="not the session's tenant"):
            search_memory(db, "stray", agent_id=world["ours"], tenant_id=OTHER)
        db.rollback()
        assert search_memory(db, "breakwater", agent_id=world["ours"]) == []


def test_a_search_in_an_unscoped_session_takes_the_tenant_it_is_given(head_engine, world):
    with Session(head_engine) as db:
        assert [hit.snippet for hit in search_memory(db, "stray", agent_id=world["ours"], tenant_id=OTHER)] == ["stray"]


def chunk_rows(engine) -> set[tuple]:
    with Session(engine) as db:
        return set(db.execute(sa.select(MemoryChunk.id, MemoryChunk.tenant_id, MemoryChunk.agent_id, MemoryChunk.text)))


def their_chunk(engine, ids) -> uuid.UUID:
    with Session(engine) as db:
        return db.scalar(sa.select(MemoryChunk.id).where(MemoryChunk.agent_id == ids["theirs"]))


def chunk(agent_id, **columns) -> dict:
    return {"agent_id": agent_id, "path": "w.md", "hash": "w", "text": "written", **columns}


def upsert(engine, row: dict, **set_):
    """INSERT ... ON CONFLICT (id) DO UPDATE, in the engine's dialect."""
    dialect_insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(MemoryChunk).values(row).on_conflict_do_update(index_elements=["id"], set_=set_)


CROSSING_WRITES = {
    "update-moving-rows-to-their-tenant": lambda db, ids, engine: db.execute(
        sa.update(MemoryChunk).values(tenant_id=OTHER)
    ),
    "update-pointing-rows-at-their-agent": lambda db, ids, engine: db.execute(
        sa.update(MemoryChunk).values(agent_id=ids["theirs"])
    ),
    "update-to-an-unchecked-expression": lambda db, ids, engine: db.execute(
        sa.update(MemoryChunk).values(agent_id=sa.select(Agent.id).where(Agent.agent_key == "theirs").scalar_subquery())
    ),
    "bulk-update-by-primary-key-of-their-row": lambda db, ids, engine: db.execute(
        sa.update(MemoryChunk), [{"id": their_chunk(engine, ids), "text": "hacked"}]
    ),
    "bulk-insert-in-their-tenant": lambda db, ids, engine: db.execute(
        sa.insert(MemoryChunk), [chunk(ids["ours"]), chunk(ids["ours"], tenant_id=OTHER)]
    ),
    "bulk-insert-pointing-at-their-agent": lambda db, ids, engine: db.execute(
        sa.insert(MemoryChunk), [chunk(ids["theirs"])]
    ),
    "insert-values-in-their-tenant": lambda db, ids, engine: db.execute(
        sa.insert(MemoryChunk).values(chunk(ids["ours"], tenant_id=OTHER))
    ),
    "insert-select": lambda db, ids, engine: db.execute(
        sa.insert(MemoryChunk).from_select(
            ["agent_id", "path", "hash", "text", "tenant_id"],
            sa.select(Agent.id, Agent.agent_key, Agent.agent_key, Agent.agent_key, Agent.tenant_id),
        )
    ),
    "upsert-setting-their-tenant": lambda db, ids, engine: db.execute(
        upsert(engine, chunk(ids["ours"], id=uuid.uuid4()), tenant_id=OTHER)
    ),
    "bulk-save-objects-in-their-tenant": lambda db, ids, engine: db.bulk_save_objects(
        [MemoryChunk(**chunk(ids["ours"]), tenant_id=OTHER)]
    ),
    "bulk-save-objects-pointing-at-their-agent": lambda db, ids, engine: db.bulk_save_objects(
        [MemoryChunk(**chunk(ids["theirs"]))]
    ),
    "bulk-insert-mappings-in-their-tenant": lambda db, ids, engine: db.bulk_insert_mappings(
        MemoryChunk, [chunk(ids["ours"], tenant_id=OTHER)]
    ),
    "bulk-update-mappings-of-their-row": lambda db, ids, engine: db.bulk_update_mappings(
        MemoryChunk, [{"id": their_chunk(engine, ids), "text": "hacked"}]
    ),
    "bulk-writer-in-their-tenant": lambda db, ids, engine: write_memory_chunks(
        db, [chunk(ids["ours"], tenant_id=MASTER_TENANT), chunk(ids["ours"], tenant_id=OTHER)]
    ),
    "bulk-writer-pointing-at-their-agent": lambda db, ids, engine: write_memory_chunks(
        db, [chunk(ids["theirs"], tenant_id=MASTER_TENANT)]
    ),
}


@pytest.mark.parametrize("write", CROSSING_WRITES.values(), ids=CROSSING_WRITES.keys())
def test_every_orm_write_path_is_refused_before_it_crosses_tenants(head_engine, Scoped, world, write):
    before = chunk_rows(head_engine)
    with Scoped() as db:
        with pytest.raises(CrossTenantError, match="writes only that tenant's rows"):
            write(db, world, head_engine)
        db.commit()
    assert chunk_rows(head_engine) == before


def test_an_upsert_in_conflict_with_their_row_leaves_it_alone(head_engine, Scoped, world):
    before = chunk_rows(head_engine)
    theirs = their_chunk(head_engine, world)
    with Scoped() as db:
        db.execute(upsert(head_engine, chunk(world["ours"], id=theirs), text="hacked"))
        db.commit()
    assert chunk_rows(head_engine) == before


def test_rows_written_by_every_orm_write_path_get_the_tenant(head_engine, Scoped, world):
    with Scoped() as db:
        db.execute(sa.insert(MemoryChunk), [chunk(world["ours"], hash="bulk-insert")])
        db.execute(sa.insert(MemoryChunk).values(chunk(world["ours"], hash="insert-values")))
        db.bulk_save_objects([MemoryChunk(**chunk(world["ours"], hash="bulk-save"))])
        db.bulk_insert_mappings(MemoryChunk, [chunk(world["ours"], hash="insert-mappings")])
        write_memory_chunks(db, [chunk(world["ours"], hash="bulk-writer")])
        db.execute(upsert(head_engine, chunk(world["ours"], hash="upsert", id=uuid.uuid4()), text="unused"))
        db.execute(sa.update(MemoryChunk).where(MemoryChunk.text == "written").values(agent_id=world["ours"]))
        every_tenant = sa.select(MemoryChunk.hash, MemoryChunk.tenant_id).execution_options(**{ALL_TENANTS: True})
        written = db.execute(every_tenant.where(MemoryChunk.text == "written")).all()
        db.rollback()
    assert dict(written) == dict.fromkeys(
        ["bulk-insert", "insert-values", "bulk-save", "insert-mappings", "bulk-writer", "upsert"], MASTER_TENANT
    )
