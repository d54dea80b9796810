"""The models work as an ORM on a database the chain built, PostgreSQL and a desktop SQLite file alike.

Rows written through related objects come back through the relationships, and
deleting a parent has the effect GoClaw's foreign keys give it: CASCADE removes
the dependent rows, SET NULL detaches them.
"""

from __future__ import annotations

import math
import random
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from goclaw_db.engine import create_engine
from goclaw_db.models import (
    Agent,
    AgentTeam,
    AgentTeamMember,
    ChatSession,
    CronJob,
    CronRunLog,
    KGEntity,
    KGRelation,
    MemoryChunk,
    MemoryDocument,
    TeamTask,
    TeamTaskComment,
    Trace,
    VaultDocument,
    VaultLink,
    VaultVersion,
)
from tests.orm_world import MASTER_TENANT, populate_world
from tests.support import HEAD

DIMENSIONS = 1536


def unit_vector(seed: int) -> list[float]:
    rng = random.Random(seed)
    values = [rng.uniform(-1, 1) for _ in range(DIMENSIONS)]
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


def nudged(vector: list[float], amount: float, seed: int) -> list[float]:
    """A vector close to ``vector``: the larger ``amount``, the further away."""
    noise = unit_vector(seed)
    return [v + amount * n for v, n in zip(vector, noise, strict=False)]


@pytest.fixture
def engine(make_database_at, backend):
    """A copy of the chain's database at head on the test's backend, through the engine users make."""
    engine = create_engine(make_database_at(HEAD, backend), poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def ids(engine) -> dict[str, uuid.UUID]:
    return populate_world(engine)


def count(engine, model, **where) -> int:
    with Session(engine) as db:
        return db.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def test_agent_work_reads_back_through_relationships(engine, ids):
    with Session(engine) as db:
        scout = db.get(Agent, ids["scout"])
        assert scout.tenant.id == MASTER_TENANT
        assert [s.session_key for s in scout.sessions] == ["agent:scout:1"]
        assert scout.sessions[0].team.name == "harbour"
        assert sorted(c.text for c in scout.memory_documents[0].chunks) == ["pilot boarding point", "tides at dawn"]
        assert [log.summary for log in scout.cron_jobs[0].run_logs] == ["sent"]
        assert scout.cron_jobs[0].payload == {"message": "report"}


def test_team_task_board_reads_back_through_relationships(engine, ids):
    with Session(engine) as db:
        team = db.get(AgentTeam, ids["team"])
        assert team.lead_agent.agent_key == "lead"
        assert sorted(m.agent.agent_key for m in team.members) == ["lead", "scout"]
        task = team.tasks[0]
        assert task.owner_agent.agent_key == "scout"
        assert [c.content for c in task.comments] == ["on it"]
        assert [e.event_type for e in task.events] == ["created"]


def test_graph_vault_and_trace_read_back_through_relationships(engine, ids):
    with Session(engine) as db:
        harbour = db.get(KGEntity, ids["harbour"])
        assert [(r.relation_type, r.target_entity.name) for r in harbour.outgoing_relations] == [("employs", "Pilot")]
        chart = db.get(VaultDocument, ids["chart"])
        assert [link.to_doc.title for link in chart.outgoing_links] == ["Tides"]
        assert [v.content for v in chart.versions] == ["first draft"]
        assert sorted(s.name for s in db.get(Trace, ids["trace"]).spans) == ["look", "think"]


def test_deleting_an_agent_cascades_to_its_sessions_memory_and_jobs(engine, ids):
    with Session(engine) as db:
        db.delete(db.get(Agent, ids["scout"]))
        db.commit()
    remaining = {
        model.__name__: count(engine, model)
        for model in (
            ChatSession,
            MemoryDocument,
            MemoryChunk,
            CronJob,
            CronRunLog,
            KGEntity,
            KGRelation,
        )
    }
    assert remaining == dict.fromkeys(remaining, 0)
    with Session(engine) as db:
        assert [m.agent.agent_key for m in db.get(AgentTeam, ids["team"]).members] == ["lead"]


def test_deleting_an_agent_keeps_its_vault_documents_without_an_agent(engine, ids):
    # GoClaw 46: the documents outlive their agent, with their links and versions.
    links, versions = count(engine, VaultLink), count(engine, VaultVersion)
    with Session(engine) as db:
        db.delete(db.get(Agent, ids["scout"]))
        db.commit()
    with Session(engine) as db:
        assert db.get(VaultDocument, ids["chart"]).agent_id is None
    assert (count(engine, VaultLink), count(engine, VaultVersion)) == (links, versions) != (0, 0)


def test_deleting_an_agent_leaves_its_team_tasks_unowned(engine, ids):
    with Session(engine) as db:
        db.delete(db.get(Agent, ids["scout"]))
        db.commit()
    with Session(engine) as db:
        task = db.get(TeamTask, ids["task"])
        assert (task.subject, task.owner_agent_id) == ("chart the bay", None)


def test_deleting_a_team_detaches_its_sessions_and_removes_its_tasks(engine, ids):
    with Session(engine) as db:
        db.delete(db.get(AgentTeam, ids["team"]))
        db.commit()
    with Session(engine) as db:
        session = db.scalars(sa.select(ChatSession)).one()
        assert (session.agent_id, session.team_id) == (ids["scout"], None)
    assert (count(engine, TeamTask), count(engine, TeamTaskComment), count(engine, AgentTeamMember)) == (0, 0, 0)


def test_deleting_a_team_by_sql_is_carried_out_by_the_databases_foreign_keys(engine, ids):
    with engine.begin() as conn:  # no ORM cascade: the database does it
        conn.execute(sa.delete(AgentTeam).where(AgentTeam.id == ids["team"]))
    with Session(engine) as db:
        session = db.scalars(sa.select(ChatSession)).one()
        assert (session.agent_id, session.team_id) == (ids["scout"], None)
    assert (count(engine, TeamTask), count(engine, TeamTaskComment), count(engine, AgentTeamMember)) == (0, 0, 0)


@pytest.mark.parametrize("backend", ["postgresql"])  # pgvector's distance; the desktop file keeps no embeddings
def test_memory_chunks_come_back_nearest_first_by_cosine_distance(engine, ids):
    query = unit_vector(1)
    distances = {"near": 0.05, "middle": 0.5, "far": 3.0}
    with Session(engine) as db:
        for seed, (label, amount) in enumerate(distances.items(), start=10):
            db.add(
                MemoryChunk(
                    agent_id=ids["scout"],
                    document_id=ids["note"],
                    path="notes/bay.md",
                    hash=label,
                    text=label,
                    embedding=nudged(query, amount, seed),
                    tenant_id=MASTER_TENANT,
                )
            )
        db.commit()
        ranked = db.execute(
            sa.select(MemoryChunk.text, MemoryChunk.embedding.cosine_distance(query).label("distance"))
            .where(MemoryChunk.embedding.is_not(None))
            .order_by(MemoryChunk.embedding.cosine_distance(query))
        ).all()
        stored = db.scalars(sa.select(MemoryChunk.embedding).where(MemoryChunk.text == "near")).one()
    assert [row.text for row in ranked] == ["near", "middle", "far"]
    assert ranked[0].distance < ranked[1].distance < ranked[2].distance
    assert len(stored) == DIMENSIONS
