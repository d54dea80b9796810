"""The models under asyncio, on asyncpg against the real server.

Lazy loading needs I/O, which asyncio forbids outside an ``await``
(``MissingGreenlet``).  ``Base`` carries ``AsyncAttrs``, so relationships and
deferred columns (the embedding) load through ``await obj.awaitable_attrs.x``;
``async_session_factory`` gives sessions that keep objects usable after
commit, and in-place JSON changes are saved as with the sync engine.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import MissingGreenlet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from goclaw_db.engine import async_session_factory, create_async_engine
from goclaw_db.models import Agent, ChatSession, MemoryChunk, Tenant
from goclaw_db.search import search_memory_async
from goclaw_db.tenancy import CrossTenantError
from tests.orm_world import MASTER_TENANT, engine_at_head

VECTOR = [0.25] * 1536


@pytest.fixture(scope="module", params=["postgresql"])
def head_url(request):
    for engine in engine_at_head(request):
        yield engine.url.render_as_string(hide_password=False)


def run(url: str, body, tenant_id: uuid.UUID | None = None):
    async def main():
        engine = create_async_engine(url, poolclass=sa.pool.NullPool)
        try:
            return await body(async_session_factory(engine, tenant_id=tenant_id))
        finally:
            await engine.dispose()

    return asyncio.run(main())


async def add_agent_with_work(Session: async_sessionmaker[AsyncSession]) -> uuid.UUID:
    async with Session() as db:
        agent = Agent(agent_key=f"a-{uuid.uuid4().hex[:8]}", owner_id="o", model="m", tenant_id=MASTER_TENANT)
        agent.sessions.append(ChatSession(session_key=f"k-{uuid.uuid4().hex[:8]}", tenant_id=MASTER_TENANT))
        agent.memory_chunks.append(
            MemoryChunk(path="p.md", hash="h", text="tides", embedding=VECTOR, tenant_id=MASTER_TENANT)
        )
        db.add(agent)
        await db.commit()
        return agent.id


def test_relationships_and_deferred_columns_load_through_awaitable_attrs(head_url):
    async def body(Session):
        agent_id = await add_agent_with_work(Session)
        async with Session() as db:
            agent = await db.get(Agent, agent_id)
            with pytest.raises(MissingGreenlet):
                agent.sessions  # noqa: B018  (the failure awaitable_attrs avoids)
            chats = await agent.awaitable_attrs.sessions
            (chunk,) = await agent.awaitable_attrs.memory_chunks
            return [c.tenant_id for c in chats], await chunk.awaitable_attrs.embedding, chunk.text

    tenants, embedding, text = run(head_url, body)
    assert (tenants, text) == ([MASTER_TENANT], "tides")
    assert embedding == VECTOR


def test_objects_stay_readable_after_commit_and_json_changes_are_saved(head_url):
    async def body(Session):
        agent_id = await add_agent_with_work(Session)
        async with Session() as db:
            chat = await db.scalar(sa.select(ChatSession).where(ChatSession.agent_id == agent_id))
            chat.messages.append({"role": "user", "content": "when is high tide?"})
            await db.commit()
            key = chat.session_key  # no reload after commit: expire_on_commit is off
        async with Session() as db:
            stored = await db.scalar(sa.select(ChatSession).where(ChatSession.session_key == key))
            return stored.messages

    assert run(head_url, body) == [{"role": "user", "content": "when is high tide?"}]


def test_an_async_session_scoped_to_a_tenant_sees_only_its_rows(head_url):
    other = uuid.uuid4()

    async def seed(Session):
        async with Session() as db:
            db.add(Tenant(id=other, name="Other", slug=f"other-{other.hex[:6]}"))
            db.add(Agent(agent_key="theirs", owner_id="o", model="m", tenant_id=other))
            await db.commit()
        return await add_agent_with_work(Session)

    async def tenant_view(Session):
        async with Session() as db:
            return set(await db.scalars(sa.select(Agent.tenant_id)))

    run(head_url, seed)
    assert run(head_url, tenant_view, tenant_id=other) == {other}
    assert run(head_url, tenant_view, tenant_id=MASTER_TENANT) == {MASTER_TENANT}


def test_a_search_in_a_scoped_async_session_runs_in_its_transaction_for_its_tenant(head_url):
    async def body(Session):
        agent_id = await add_agent_with_work(Session)
        async with Session() as db:
            db.add(MemoryChunk(agent_id=agent_id, path="q.md", hash="q", text="a squall over the breakwater"))
            pending = await search_memory_async(db, "breakwater", agent_id=agent_id, embedding=VECTOR)
            with pytest.raises(CrossTenantError, match="not the session's tenant"):
                await search_memory_async(db, "tides", agent_id=agent_id, tenant_id=uuid.uuid4())
            return sorted(hit.snippet for hit in pending)  # the text match and the vector match

    assert run(head_url, body, tenant_id=MASTER_TENANT) == ["a squall over the breakwater", "tides"]


def test_orm_writes_in_a_scoped_async_session_keep_to_its_tenant(head_url):
    async def body(Session):
        agent_id = await add_agent_with_work(Session)
        async with Session() as db:
            with pytest.raises(CrossTenantError, match="has tenant_id"):
                await db.execute(sa.update(MemoryChunk).values(tenant_id=uuid.uuid4()))
            rows = [{"agent_id": agent_id, "path": "b.md", "hash": "b", "text": "bulk"}]
            await db.execute(sa.insert(MemoryChunk), rows)
            return set(await db.scalars(sa.select(MemoryChunk.tenant_id).where(MemoryChunk.text == "bulk")))

    assert run(head_url, body, tenant_id=MASTER_TENANT) == {MASTER_TENANT}
