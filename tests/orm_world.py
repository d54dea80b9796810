"""One small GoClaw world, written through the models, for the ORM tests on both databases.

A lead agent with a team, and a scout agent with work in several domains: a
session, memory, a cron job with a run, a knowledge-graph pair, linked vault
documents and a trace with spans.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from goclaw_db.engine import create_engine
from goclaw_db.models import (
    MASTER_TENANT_ID,
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
    Span,
    TeamTask,
    TeamTaskComment,
    TeamTaskEvent,
    Tenant,
    Trace,
    VaultDocument,
    VaultLink,
    VaultVersion,
)
from tests.support import HEAD
from tests.templates import templates_of

MASTER_TENANT = MASTER_TENANT_ID


def populate_world(engine) -> dict[str, uuid.UUID]:
    """Write the world and return the ids the tests look things up by."""
    with Session(engine) as db, db.no_autoflush:
        tenant = db.get(Tenant, MASTER_TENANT)
        lead = Agent(agent_key="lead", owner_id="owner", model="model-x", tenant=tenant)
        scout = Agent(agent_key="scout", owner_id="owner", model="model-x", tenant=tenant)
        db.add_all([lead, scout])
        db.flush()

        team = AgentTeam(name="harbour", created_by="owner", lead_agent=lead, tenant=tenant)
        team.members = [
            AgentTeamMember(agent=lead, tenant_id=MASTER_TENANT),
            AgentTeamMember(agent=scout, tenant_id=MASTER_TENANT),
        ]
        task = TeamTask(subject="chart the bay", owner_agent_id=scout.id, tenant_id=MASTER_TENANT)
        task.comments = [TeamTaskComment(content="on it", agent_id=scout.id, tenant_id=MASTER_TENANT)]
        task.events = [
            TeamTaskEvent(event_type="created", actor_type="agent", actor_id="lead", tenant_id=MASTER_TENANT)
        ]
        team.tasks = [task]
        team.sessions = [ChatSession(session_key="agent:scout:1", agent_id=scout.id, tenant_id=MASTER_TENANT)]

        note = MemoryDocument(agent_id=scout.id, path="notes/bay.md", hash="h1", tenant_id=MASTER_TENANT)
        note.chunks = [
            MemoryChunk(agent_id=scout.id, path="notes/bay.md", hash=f"c{i}", text=text, tenant_id=MASTER_TENANT)
            for i, text in enumerate(["tides at dawn", "pilot boarding point"])
        ]
        job = CronJob(
            agent_id=scout.id,
            name="morning report",
            schedule_kind="cron",
            payload={"message": "report"},
            tenant_id=MASTER_TENANT,
        )
        job.run_logs = [CronRunLog(status="ok", summary="sent")]

        harbour = KGEntity(
            agent_id=scout.id, external_id="harbour", name="Harbour", entity_type="place", tenant_id=MASTER_TENANT
        )
        pilot = KGEntity(
            agent_id=scout.id, external_id="pilot", name="Pilot", entity_type="person", tenant_id=MASTER_TENANT
        )
        harbour.outgoing_relations = [
            KGRelation(agent_id=scout.id, relation_type="employs", target_entity=pilot, tenant_id=MASTER_TENANT)
        ]
        chart = VaultDocument(agent_id=scout.id, path="charts/bay.md", title="Bay chart", tenant_id=MASTER_TENANT)
        tides = VaultDocument(agent_id=scout.id, path="charts/tides.md", title="Tides", tenant_id=MASTER_TENANT)
        chart.outgoing_links = [VaultLink(to_doc=tides)]
        chart.versions = [VaultVersion(version=1, content="first draft")]
        trace = Trace(agent_id=scout.id, name="run", tenant_id=MASTER_TENANT)
        db.add_all([team, note, job, harbour, pilot, chart, tides, trace])
        db.flush()

        db.add_all(
            [
                Span(trace_id=trace.id, span_type="llm_call", name="think", tenant_id=MASTER_TENANT),
                Span(trace_id=trace.id, span_type="tool_call", name="look", tenant_id=MASTER_TENANT),
            ]
        )
        db.commit()
        return {
            "lead": lead.id,
            "scout": scout.id,
            "team": team.id,
            "task": task.id,
            "note": note.id,
            "job": job.id,
            "harbour": harbour.id,
            "chart": chart.id,
            "trace": trace.id,
        }


BACKENDS = ["postgresql", "sqlite"]


def engine_at_head(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    """Body of a module-scoped fixture parametrized by BACKENDS: a copy of the session's database at head.

    One database per test module and backend; the engine is made as users make it.
    """
    with templates_of(request, request.param).copy_at(HEAD) as url:
        engine = create_engine(url, poolclass=sa.pool.NullPool)
        yield engine
        engine.dispose()


def new_agent(db: Session, key: str | None = None, tenant_id: uuid.UUID = MASTER_TENANT) -> Agent:
    """A flushed agent with a key of its own, so tests sharing a database do not collide."""
    agent = Agent(
        agent_key=key or f"agent-{uuid.uuid4().hex[:8]}", owner_id="owner", model="model-x", tenant_id=tenant_id
    )
    db.add(agent)
    db.flush()
    return agent
