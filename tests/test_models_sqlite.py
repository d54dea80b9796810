"""The models work unchanged on SQLite, in GoClaw's desktop storage formats.

On a SQLite file the portable types store what GoClaw's desktop build stores
(UUIDs as 36-character text, timestamps as RFC 3339 UTC text, JSON and arrays
as JSON text), rows written that way by anyone read back as Python values,
ids are made in the application (UUIDv7), and the PostgreSQL-only columns
(embeddings, tsvectors) never appear in the SQL the ORM sends. Relationships
and delete rules, on both databases, are in ``test_orm_roundtrip.py``.
"""

from __future__ import annotations

import re
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, undefer

from goclaw_db import models
from goclaw_db.engine import create_engine
from goclaw_db.ids import uuid7, uuid7_datetime
from goclaw_db.models import (
    Agent,
    AgentTeam,
    EpisodicSummary,
    KGEntity,
    MemoryChunk,
    MemoryDocument,
    TeamTask,
    Tenant,
    VaultDocument,
)
from tests.support import HEAD, sqlite_file

TENANT = uuid.UUID("0193a5b0-7000-7000-8000-000000000001")
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
# Models with a PostgreSQL-only column (vector or generated tsvector).
PG_ONLY_MODELS = [Agent, MemoryChunk, KGEntity, TeamTask, VaultDocument, EpisodicSummary]


# --- uuid7 --------------------------------------------------------------------------------------


def test_uuid7_has_the_rfc_9562_layout():
    moment = datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
    ns = int(moment.timestamp()) * 1_000_000_000 + 890_123_000
    value = uuid7(timestamp_ns=ns)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert value.int >> 80 == ns // 1_000_000  # 48-bit unix milliseconds
    assert (value.int >> 76) & 0xF == 7
    assert (value.int >> 64) & 0xFFF == (ns % 1_000_000) * 4096 // 1_000_000  # sub-millisecond fraction
    assert (value.int >> 62) & 0b11 == 0b10
    assert uuid7_datetime(value) == moment.replace(microsecond=890000)
    # The random part differs between two ids of the same moment.
    assert uuid7(timestamp_ns=ns) != value


def test_uuid7_is_now_and_strictly_increasing():
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    ids = [uuid7() for _ in range(20_000)]
    after = datetime.now(UTC) + timedelta(milliseconds=1)
    assert before <= uuid7_datetime(ids[0]) <= uuid7_datetime(ids[-1]) <= after
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    # The desktop stores ids as text: text order is creation order too.
    assert [str(i) for i in ids] == sorted(str(i) for i in ids)
    time.sleep(0.002)
    assert uuid7() > ids[-1]


def test_uuid7_datetime_refuses_other_versions():
    with pytest.raises(ValueError):
        uuid7_datetime(uuid.uuid4())


def test_every_generated_key_gets_an_application_default():
    keys = [
        column
        for table in models.Base.metadata.tables.values()
        for column in table.primary_key.columns
        if column.server_default is not None
    ]
    assert len(keys) == 52
    assert all(column.default is not None and column.default.arg.__name__ == "uuid7" for column in keys)


# --- a SQLite file ---------------------------------------------------------------------------------


@pytest.fixture
def sqlite_path(tmp_path):
    path = tmp_path / "goclaw.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    models.Base.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture
def engine(sqlite_path):
    engine = create_engine(sqlite_path=sqlite_path, poolclass=sa.pool.NullPool)
    with Session(engine) as db:
        db.add(Tenant(id=TENANT, name="Master", slug="master"))
        db.commit()
    yield engine
    engine.dispose()


def raw(path, statement: str, params=()) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(statement, params).fetchall()


def add_agent(db: Session, key: str) -> Agent:
    agent = Agent(agent_key=key, owner_id="owner", model="model-x", tenant_id=TENANT)
    db.add(agent)
    db.flush()
    return agent


def test_connections_get_goclaw_desktops_settings(engine, sqlite_path):
    # Beside a running GoClaw desktop: same journal, and 15 s of waiting for its writer.
    with engine.connect() as conn:
        settings = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "synchronous", "cache_size", "foreign_keys")
        }
    assert settings == {
        "journal_mode": "wal",
        "busy_timeout": 15000,
        "synchronous": 1,
        "cache_size": -8000,
        "foreign_keys": 1,
    }
    assert raw(sqlite_path, "PRAGMA journal_mode") == [("wal",)]  # WAL stays with the file


def test_desktop_schema_has_no_postgres_only_columns(engine):
    inspector = sa.inspect(engine)
    for model in PG_ONLY_MODELS:
        columns = {c["name"] for c in inspector.get_columns(model.__tablename__)}
        assert columns.isdisjoint({"embedding", "tsv", "search_vector"}), model.__tablename__


def test_rows_written_through_the_models_are_stored_in_desktop_formats(engine, sqlite_path):
    moment = datetime(2025, 3, 4, 12, 6, 7, 250000, tzinfo=timezone(timedelta(hours=7)))
    with Session(engine) as db:
        agent = add_agent(db, "scout")
        agent.tools_config = {"shell": {"enabled": True}, "limits": [1, 2]}
        agent.deleted_at = moment
        team = AgentTeam(name="harbour", created_by="owner", lead_agent=agent, tenant_id=TENANT)
        blocker = TeamTask(subject="first", team=team, tenant_id=TENANT)
        db.add_all([team, blocker])
        db.flush()
        task = TeamTask(subject="second", team=team, blocked_by=[blocker.id], tenant_id=TENANT)
        summary = EpisodicSummary(
            agent_id=agent.id, session_key="s1", summary="we met", key_topics=["tides", "pilots"], tenant_id=TENANT
        )
        db.add_all([task, summary])
        db.commit()
        agent_id, task_id, blocker_id = agent.id, task.id, blocker.id

    (row,) = raw(
        sqlite_path,
        "SELECT id, tenant_id, created_at, updated_at, deleted_at, tools_config, "
        "other_config, restrict_to_workspace, typeof(id) FROM agents",
    )
    assert row[0] == str(agent_id) and UUID_TEXT.match(row[0]) and row[8] == "text"
    assert row[1] == str(TENANT)
    assert RFC3339_UTC.match(row[2]) and RFC3339_UTC.match(row[3])  # the server default
    assert row[4] == "2025-03-04T05:06:07.250000Z"  # a value written by Python, converted to UTC
    assert row[5] == '{"shell":{"enabled":true},"limits":[1,2]}'
    assert row[6] == "{}"  # the server default
    assert row[7] == 1

    assert raw(sqlite_path, "SELECT blocked_by FROM team_tasks WHERE id = ?", (str(task_id),)) == [
        (f'["{blocker_id}"]',)
    ]
    assert raw(sqlite_path, "SELECT blocked_by FROM team_tasks WHERE id = ?", (str(blocker_id),)) == [("[]",)]
    assert raw(sqlite_path, "SELECT key_topics FROM episodic_summaries") == [('["tides","pilots"]',)]
    assert uuid.UUID(raw(sqlite_path, "SELECT id FROM episodic_summaries")[0][0]).version == 7


def test_rows_in_desktop_formats_read_back_as_python_values(engine, sqlite_path):
    agent_id, task_id, blocker_id = uuid7(), uuid7(), uuid7()
    with sqlite3.connect(sqlite_path) as conn:
        conn.execute(
            "INSERT INTO agents (id, agent_key, owner_id, model, tenant_id, tools_config, created_at, deleted_at)"
            " VALUES (?, 'raw', 'owner', 'model-x', ?, '{\"a\":[1,\"b\"]}', '2025-03-04T05:06:07Z',"
            " '2025-03-04T05:06:07.123456789Z')",
            (str(agent_id), str(TENANT)),
        )
        conn.execute(
            "INSERT INTO agent_teams (id, name, lead_agent_id, created_by, tenant_id)"
            " VALUES (?, 'harbour', ?, 'owner', ?)",
            (str(task_id), str(agent_id), str(TENANT)),
        )
        conn.execute(
            "INSERT INTO team_tasks (id, team_id, subject, blocked_by, tenant_id, updated_at)"
            " VALUES (?, ?, 'raw task', ?, ?, '2025-03-04 05:06:07')",
            (str(blocker_id), str(task_id), f'["{agent_id}"]', str(TENANT)),
        )
    with Session(engine) as db:
        agent = db.get(Agent, agent_id)
        assert isinstance(agent.id, uuid.UUID) and agent.tenant_id == TENANT
        assert agent.created_at == datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
        assert agent.deleted_at == datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
        assert agent.updated_at.tzinfo is not None  # written by the server default
        assert agent.tools_config == {"a": [1, "b"]}
        assert agent.other_config == {}
        task = db.get(TeamTask, blocker_id)
        assert task.blocked_by == [agent_id]
        assert task.updated_at == datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
        assert task.team.lead_agent is agent


@pytest.mark.parametrize("model", PG_ONLY_MODELS, ids=lambda m: m.__name__)
def test_insert_select_update_delete_of_models_with_postgres_only_columns(engine, model):
    with Session(engine) as db:
        agent = add_agent(db, "scout")
        team = AgentTeam(name="harbour", created_by="owner", lead_agent=agent, tenant_id=TENANT)
        db.add(team)
        db.flush()
        make = {
            Agent: lambda: Agent(agent_key="other", owner_id="o", model="m", tenant_id=TENANT),
            MemoryChunk: lambda: MemoryChunk(agent_id=agent.id, path="p", hash="h", text="tides", tenant_id=TENANT),
            KGEntity: lambda: KGEntity(
                agent_id=agent.id, external_id="x", name="Harbour", entity_type="place", tenant_id=TENANT
            ),
            TeamTask: lambda: TeamTask(subject="chart", team_id=team.id, tenant_id=TENANT),
            VaultDocument: lambda: VaultDocument(agent_id=agent.id, path="a.md", title="A", tenant_id=TENANT),
            EpisodicSummary: lambda: EpisodicSummary(
                agent_id=agent.id, session_key="s", summary="met", tenant_id=TENANT
            ),
        }[model]
        row = make()
        db.add(row)
        db.commit()
        row_id = row.id
        assert row_id.version == 7 and row.created_at.tzinfo is not None

    with Session(engine) as db:
        row = db.scalars(sa.select(model).where(model.id == row_id)).one()
        text_column = {
            Agent: "frontmatter",
            MemoryChunk: "text",
            KGEntity: "description",
            TeamTask: "description",
            VaultDocument: "title",
            EpisodicSummary: "summary",
        }[model]
        setattr(row, text_column, "changed")
        db.commit()
    with Session(engine) as db:
        row = db.get(model, row_id)
        assert getattr(row, text_column) == "changed"
        db.delete(row)
        db.commit()
        assert db.get(model, row_id) is None


def count(engine, model) -> int:
    with Session(engine) as db:
        return db.scalar(sa.select(sa.func.count()).select_from(model))


def test_models_work_on_a_file_built_by_the_revision_chain(make_database_at):
    path = sqlite_file(make_database_at(HEAD, "sqlite"))
    engine = create_engine(sqlite_path=path, poolclass=sa.pool.NullPool)
    try:
        with Session(engine) as db:
            tenant = db.scalars(sa.select(Tenant)).first()
            if tenant is None:
                tenant = Tenant(id=TENANT, name="Master", slug="master")
                db.add(tenant)
            agent = Agent(
                agent_key="scout", owner_id="owner", model="model-x", tenant_id=tenant.id, other_config={"k": "v"}
            )
            db.add(agent)
            db.flush()
            doc = MemoryDocument(agent=agent, path="n.md", hash="h", tenant_id=tenant.id)
            doc.chunks = [MemoryChunk(agent_id=agent.id, path="n.md", hash="c", text="tides", tenant_id=tenant.id)]
            db.add(doc)
            db.commit()
            agent_id = agent.id
        (row,) = raw(path, "SELECT id, created_at, other_config FROM agents WHERE agent_key = 'scout'")
        assert row[0] == str(agent_id) and RFC3339_UTC.match(row[1]) and row[2] == '{"k":"v"}'
        with Session(engine) as db:
            agent = db.get(Agent, agent_id)
            assert agent.memory_documents[0].chunks[0].text == "tides"
            db.delete(agent)
            db.commit()
        assert count(engine, MemoryChunk) == 0
    finally:
        engine.dispose()


# --- the same models on PostgreSQL -----------------------------------------------------------------


def test_postgres_only_columns_are_deferred_but_readable_on_postgres(make_database_at):
    engine = sa.create_engine(make_database_at(HEAD), poolclass=sa.pool.NullPool)
    vector = [1.0] + [0.0] * 1535
    try:
        with Session(engine) as db:
            tenant_id = db.scalars(sa.select(Tenant.id)).first()
            agent = Agent(agent_key="scout", owner_id="owner", model="model-x", tenant_id=tenant_id)
            db.add(agent)
            db.flush()
            chunk = MemoryChunk(
                agent_id=agent.id, path="p", hash="h", text="pilot boarding", embedding=vector, tenant_id=tenant_id
            )
            db.add(chunk)
            db.commit()
            chunk_id, agent_id = chunk.id, agent.id
        assert chunk_id.version == 7 and agent_id.version == 7  # made in Python, not by uuid_generate_v7()
        with Session(engine) as db:
            plain = str(sa.select(MemoryChunk).compile(engine))
            assert "embedding" not in plain and "tsv" not in plain
            chunk = db.scalars(
                sa.select(MemoryChunk).options(undefer(MemoryChunk.embedding), undefer(MemoryChunk.tsv))
            ).one()
            assert list(chunk.embedding) == vector
            assert "'pilot'" in chunk.tsv
            assert list(db.scalars(sa.select(MemoryChunk.embedding)).one()) == vector
            chunk.text = "harbour pilot"
            db.commit()
            assert db.scalars(sa.select(MemoryChunk.text).where(MemoryChunk.tsv.match("harbour"))).all() == [
                "harbour pilot"
            ]
    finally:
        engine.dispose()
