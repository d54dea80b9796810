"""Writes made through the models reach the database, on PostgreSQL and SQLite.

A chat turn is naturally written as ``chat.messages.append(turn)``; an agent
setting as ``agent.other_config["temperature"] = 0.2``.  Those in-place
changes, nested ones included, must be saved; ``updated_at`` must move on
every ORM update (GoClaw lists recent sessions by it); spans belong to their
trace although GoClaw's schema has no foreign key between them.  Every check
reads back in a new session, from the database.
"""

from __future__ import annotations

import time
import uuid

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from goclaw_db.models import (
    Agent,
    APIKey,
    ChatSession,
    EpisodicSummary,
    KGEntity,
    MemoryChunk,
    Span,
    Tenant,
    Trace,
    VaultDocument,
)
from tests.orm_world import BACKENDS, MASTER_TENANT, engine_at_head, new_agent


@pytest.fixture(scope="module", params=BACKENDS)
def head_engine(request):
    yield from engine_at_head(request)


def new_chat(db: Session) -> ChatSession:
    agent = new_agent(db)
    chat = ChatSession(
        session_key=f"agent:{agent.agent_key}:{uuid.uuid4().hex[:6]}",
        agent=agent,
        tenant_id=MASTER_TENANT,
        messages=[{"role": "user", "content": "hello"}],
    )
    db.add(chat)
    db.commit()
    return chat


def reloaded(engine: sa.Engine, model: type, key: object):
    with Session(engine) as db:
        return db.get(model, key)


def test_a_message_appended_to_a_session_is_saved(head_engine):
    with Session(head_engine) as db:
        chat = new_chat(db)
        chat.messages.append({"role": "assistant", "content": "hi there"})
        assert db.is_modified(chat)
        db.commit()
        chat_id = chat.id
    assert [m["content"] for m in reloaded(head_engine, ChatSession, chat_id).messages] == ["hello", "hi there"]


def test_a_change_inside_a_stored_message_is_saved(head_engine):
    with Session(head_engine) as db:
        chat_id = new_chat(db).id
    with Session(head_engine) as db:
        chat = db.get(ChatSession, chat_id)
        chat.messages[-1]["content"] = "hello, edited"
        chat.messages[-1].setdefault("media_refs", []).append({"id": "m1", "kind": "image"})
        db.commit()
    message = reloaded(head_engine, ChatSession, chat_id).messages[-1]
    assert (message["content"], message["media_refs"]) == ("hello, edited", [{"id": "m1", "kind": "image"}])


def test_an_agent_setting_changed_in_place_is_saved(head_engine):
    with Session(head_engine) as db:
        agent_id = new_agent(db).id
        db.commit()
    with Session(head_engine) as db:
        agent = db.get(Agent, agent_id)
        agent.other_config["temperature"] = 0.2
        agent.other_config.setdefault("limits", {})["max_tokens"] = 512
        db.commit()
    assert reloaded(head_engine, Agent, agent_id).other_config == {"temperature": 0.2, "limits": {"max_tokens": 512}}


def test_an_array_column_changed_in_place_is_saved(head_engine):
    with Session(head_engine) as db:
        agent = new_agent(db)
        episode = EpisodicSummary(
            agent=agent, session_key="s", summary="talked", key_topics=["tides"], tenant_id=MASTER_TENANT
        )
        db.add(episode)
        db.commit()
        episode.key_topics.append("pilots")
        db.commit()
        episode_id = episode.id
    assert reloaded(head_engine, EpisodicSummary, episode_id).key_topics == ["tides", "pilots"]


def test_a_value_detached_from_its_row_no_longer_marks_it(head_engine):
    with Session(head_engine) as db:
        chat = new_chat(db)
        old = chat.messages
        chat.messages = [{"role": "user", "content": "fresh start"}]
        db.commit()
        old.append({"role": "user", "content": "stray"})
        assert not db.is_modified(chat)


def test_an_embedding_set_again_to_the_same_vector_is_not_a_change(head_engine):
    vector = [0.25] * 1536
    with Session(head_engine, expire_on_commit=False) as db:  # the saved value stays, to compare with
        chunk = MemoryChunk(agent=new_agent(db), path="p.md", hash="h", text="t", tenant_id=MASTER_TENANT)
        chunk.embedding = vector
        db.add(chunk)
        db.commit()
        chunk.embedding = np.array(vector, dtype=np.float32)
        assert not db.is_modified(chunk)
        chunk.embedding = [0.5] * 1536
        assert db.is_modified(chunk)


def test_updated_at_moves_on_every_orm_update(head_engine):
    with Session(head_engine) as db:
        chat = new_chat(db)
        db.refresh(chat)
        first = chat.updated_at
        time.sleep(0.01)
        chat.messages.append({"role": "assistant", "content": "again"})
        db.commit()
        chat_id = chat.id
    assert reloaded(head_engine, ChatSession, chat_id).updated_at > first


def test_spans_added_through_their_trace_are_saved_and_deleted_with_it(head_engine):
    with Session(head_engine) as db:
        agent = new_agent(db)
        trace = Trace(agent=agent, name="run", tenant_id=MASTER_TENANT)
        trace.spans.append(Span(span_type="llm_call", name="think", tenant_id=MASTER_TENANT))
        trace.spans.append(Span(span_type="tool_call", name="look", tenant_id=MASTER_TENANT))
        db.add(trace)
        db.commit()
        trace_id = trace.id
    with Session(head_engine) as db:
        trace = db.get(Trace, trace_id)
        assert sorted(s.name for s in trace.spans) == ["look", "think"]
        assert {s.trace.id for s in trace.spans} == {trace_id}
        db.delete(trace)
        db.commit()
        assert db.scalar(sa.select(sa.func.count()).select_from(Span).where(Span.trace_id == trace_id)) == 0


def test_tenants_and_api_keys_get_their_ids_in_python(head_engine):
    with Session(head_engine) as db:
        tenant = Tenant(name="Harbour Co", slug=f"harbour-{uuid.uuid4().hex[:6]}")
        key = APIKey(name="ci", prefix="gc_test", key_hash=uuid.uuid4().hex, tenant=tenant)
        db.add_all([tenant, key])
        db.commit()
        assert (tenant.id.version, key.id.version) == (7, 7)
        tenant_id = tenant.id
    assert reloaded(head_engine, Tenant, tenant_id).name == "Harbour Co"


def test_agent_owned_rows_reach_their_agent(head_engine):
    with Session(head_engine) as db:
        agent = new_agent(db)
        rows = [
            MemoryChunk(agent=agent, path="p.md", hash="h", text="t", tenant_id=MASTER_TENANT),
            KGEntity(agent=agent, external_id="e", name="E", entity_type="thing", tenant_id=MASTER_TENANT),
            VaultDocument(agent=agent, path="v.md", title="V", tenant_id=MASTER_TENANT),
            Trace(agent=agent, name="run", tenant_id=MASTER_TENANT),
            EpisodicSummary(agent=agent, session_key="s", summary="x", tenant_id=MASTER_TENANT),
        ]
        db.add_all(rows)
        db.commit()
        agent_id = agent.id
    with Session(head_engine) as db:
        agent = db.get(Agent, agent_id)
        reached = (
            agent.memory_chunks,
            agent.kg_entities,
            agent.vault_documents,
            agent.traces,
            agent.episodic_summaries,
        )
        assert [len(rows) for rows in reached] == [1, 1, 1, 1, 1]
        assert {rows[0].agent.id for rows in reached} == {agent_id}
