"""A new object reads as the row GoClaw's schema would make of it, on PostgreSQL and SQLite.

GoClaw declares server defaults (0, '', '[]', '{}', true, now()) on about 300 columns; an
application builds a ChatSession and appends to its ``messages`` before anything is flushed,
or reads ``input_tokens`` as the ``int`` its type says.  Each such attribute of a new object
reads as its default, made in Python, and the row written is the one the database's own
defaults would have made.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from goclaw_db.base import Base, table_of
from goclaw_db.models import Agent, APIKey, ChatSession, KGEntity, Trace
from goclaw_db.types import Timestamp, gen_random_uuid, uuid_generate_v7
from tests.orm_world import BACKENDS, MASTER_TENANT, engine_at_head, new_agent


@pytest.fixture(scope="module", params=BACKENDS)
def head_engine(request):
    yield from engine_at_head(request)


def defaulted_columns(model) -> list[sa.Column]:
    """The columns with a declared default value (not a generated key, not a generated column)."""
    return [
        c
        for c in table_of(model).columns
        if isinstance(c.server_default, sa.DefaultClause)
        and not isinstance(c.server_default.arg, uuid_generate_v7 | gen_random_uuid)
    ]


def test_every_column_with_a_declared_default_reads_it_on_a_new_object():
    sa.orm.configure_mappers()
    unset = []
    for mapper in Base.registry.mappers:
        new = mapper.class_manager.new_instance()
        for column in defaulted_columns(mapper.class_):
            value = getattr(new, mapper.get_property_by_column(column).key)
            if not isinstance(value, column.type.python_type):
                unset.append(f"{mapper.class_.__name__}.{column.key}={value!r}")
    assert unset == []


def test_a_new_chat_is_what_its_types_say_and_its_history_grows_before_a_flush(head_engine):
    chat = ChatSession(session_key=f"new:{uuid.uuid4().hex[:6]}", tenant_id=MASTER_TENANT)
    assert (chat.messages, chat.input_tokens, chat.metadata_, chat.label) == ([], 0, {}, None)
    assert ChatSession(session_key="given", input_tokens=7).input_tokens == 7
    chat.messages.append({"role": "user", "content": "hello"})
    with Session(head_engine, expire_on_commit=False) as db:
        db.add(chat)
        db.commit()
        chat.messages.append({"role": "assistant", "content": "hi"})  # the same list, now the row's
        db.commit()
    with Session(head_engine) as db:
        assert [m["content"] for m in db.get(ChatSession, chat.id).messages] == ["hello", "hi"]


# Rows of each model made with the required columns only: once by the database's defaults, once by an
# object whose every default was read (so made in Python) before it was written; what the object read
# is what the database made.
REQUIRED = {
    Agent: lambda key, agent_id: {"agent_key": key, "owner_id": "o", "model": "m"},
    ChatSession: lambda key, agent_id: {"session_key": key, "agent_id": agent_id},
    Trace: lambda key, agent_id: {"name": key, "agent_id": agent_id},
    KGEntity: lambda key, agent_id: {"external_id": key, "name": key, "entity_type": "t", "agent_id": agent_id},
    APIKey: lambda key, agent_id: {"name": key, "prefix": key[:8], "key_hash": key},
}


@pytest.mark.parametrize("model", REQUIRED, ids=lambda m: m.__name__)
def test_the_defaults_made_in_python_are_the_ones_the_database_makes(head_engine, model):
    table = table_of(model)
    # Moments (now()) differ by when they were taken; every other default must be equal.
    compared = [c for c in defaulted_columns(model) if not isinstance(c.type, Timestamp)]
    with Session(head_engine) as db:
        agent_id = new_agent(db).id
        by_database = uuid.uuid4()
        db.execute(
            sa.insert(table).values(id=by_database, tenant_id=MASTER_TENANT, **REQUIRED[model]("database", agent_id))
        )
        new = model(tenant_id=MASTER_TENANT, **REQUIRED[model](f"python-{uuid.uuid4().hex[:6]}", agent_id))
        for column in defaulted_columns(model):  # every default read: made in Python and so written
            getattr(new, model.__mapper__.get_property_by_column(column).key)
        read = tuple(getattr(new, model.__mapper__.get_property_by_column(column).key) for column in compared)
        by_python = new.id
        db.add(new)
        db.commit()
        rows = {row.id: row[1:] for row in db.execute(sa.select(table.c.id, *compared))}
    assert compared and read == rows[by_database] == rows[by_python]
