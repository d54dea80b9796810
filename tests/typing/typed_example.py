"""An application written against goclaw-db's models, checked with ``mypy --strict`` and ``pyright --strict``.

It must type-check with no errors: the models, their JSON shapes, the
session factories and the async attribute loaders are all typed.
"""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa

from goclaw_db.engine import (
    async_session_factory,
    create_async_engine,
    create_engine,
    session_factory,
)
from goclaw_db.json_shapes import SessionMessage, ToolCall
from goclaw_db.models import MASTER_TENANT_ID, Agent, ChatSession, MemoryChunk
from goclaw_db.search import search_memory, search_memory_async


def record_turn(chat: ChatSession, question: str, answer: str) -> None:
    call: ToolCall = {"id": "call-1", "name": "search", "arguments": {"query": question}}
    chat.messages.append({"role": "user", "content": question})
    chat.messages.append({"role": "assistant", "content": "", "tool_calls": [call]})
    chat.messages.append({"role": "tool", "content": answer, "tool_call_id": call["id"]})


def last_answer(chat: ChatSession) -> str | None:
    replies: list[SessionMessage] = [m for m in chat.messages if m["role"] == "assistant"]
    return replies[-1]["content"] if replies else None


def nearest_chunks(url: str, query: list[float]) -> list[str]:
    Session = session_factory(create_engine(url), tenant_id=MASTER_TENANT_ID)
    with Session() as db:
        agent = Agent(agent_key="scout", owner_id="alice", model="model-x")
        chat = ChatSession(session_key="agent:scout:1", agent=agent)
        record_turn(chat, "where is the pilot?", "at the north pier")
        agent.other_config["temperature"] = 0.2
        db.add_all([agent, chat])
        db.commit()
        rows = db.scalars(
            sa.select(MemoryChunk)
            .where(MemoryChunk.agent_id == agent.id)
            .order_by(MemoryChunk.embedding.cosine_distance(query))
            .limit(5)
        ).all()
        return [row.text for row in rows]


def memory_paths(url: str, agent_id: uuid.UUID, question: str) -> list[str]:
    hits = search_memory(create_engine(url), question, agent_id=agent_id, tenant_id=MASTER_TENANT_ID, max_results=3)
    return [hit.path for hit in hits]


async def memory_paths_async(url: str, agent_id: uuid.UUID, question: str) -> list[str]:
    engine = create_async_engine(url)
    hits = await search_memory_async(engine, question, agent_id=agent_id, tenant_id=MASTER_TENANT_ID)
    return [hit.path for hit in hits]


async def agent_sessions(url: str, agent_id: uuid.UUID) -> list[str]:
    Session = async_session_factory(create_async_engine(url))
    async with Session() as db:
        agent = await db.get(Agent, agent_id)
        if agent is None:
            return []
        chats = await agent.awaitable_attrs.sessions
        chunk = await db.scalar(sa.select(MemoryChunk).where(MemoryChunk.agent_id == agent_id))
        if chunk is not None:
            embedding: list[float] | None = await chunk.awaitable_attrs.embedding
            print(len(embedding or []))
        return [chat.session_key for chat in chats]


if __name__ == "__main__":
    print(asyncio.run(agent_sessions("postgresql://localhost/goclaw", uuid.uuid4())))
