"""Delegate targets are found as GoClaw's agent-link store finds them (SearchDelegateTargets and
SearchDelegateTargetsByEmbedding): only links that let the agent delegate, to an active agent, in the
tenant; text or vectors, each alone; the joined names seen from the searching agent's side."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from goclaw_db.models import Agent, AgentLink, AgentTeam
from goclaw_db.search import (
    search_delegate_targets,
    search_delegate_targets_by_embedding,
)
from tests.search.conftest import put_embeddings, query_vector, text_ranks, unit_vector
from tests.support import MASTER_TENANT

TENANT = uuid.UUID(MASTER_TENANT)
IDS: dict[str, uuid.UUID] = {}
AGENTS = [  # key, status, display name, frontmatter, similarity
    ("scout", "active", "Scout", "asks others", None),
    ("pilot", "active", "Harbour Pilot", "guides ships into the harbour harbour", 0.90),
    ("cook", "active", "Ship Cook", "cooks harbour stew", 0.50),
    ("lead", "active", "Fleet Lead", "leads the fleet from the harbour harbour harbour", 0.70),
    ("ghost", "inactive", "Harbour Ghost", "harbour", 0.99),
    ("loner", "active", "Harbour Loner", "harbour", 0.95),
    ("boss", "active", "Harbour Boss", "harbour harbour", 0.97),
]
LINKS = [  # source, target, direction, team
    ("scout", "pilot", "outbound", None),
    ("cook", "scout", "bidirectional", None),  # drawn towards scout, usable both ways
    ("scout", "lead", "bidirectional", "crew"),
    ("scout", "ghost", "outbound", None),  # the other agent is not active
    ("boss", "scout", "outbound", None),  # only boss may delegate along it
]


def fill(connection) -> None:
    embeddings = {}
    for number, (key, status, name, frontmatter, similarity) in enumerate(AGENTS, start=1):
        IDS[key] = uuid.uuid4()
        connection.execute(
            sa.insert(Agent.__table__).values(
                id=IDS[key],
                agent_key=key,
                owner_id="owner",
                model="m",
                status=status,
                display_name=name,
                frontmatter=frontmatter,
                emoji=key[0],
                tenant_id=TENANT,
            )
        )
        if similarity is not None:
            embeddings[IDS[key]] = unit_vector(similarity, axis=number)
    put_embeddings(connection, Agent.__table__, embeddings)
    for team, lead in (("crew", "scout"), ("fleet", "lead")):
        IDS[team] = uuid.uuid4()
        connection.execute(
            sa.insert(AgentTeam.__table__).values(
                id=IDS[team], name=team, lead_agent_id=IDS[lead], created_by="owner", status="active", tenant_id=TENANT
            )
        )
    for source, target, direction, team in LINKS:
        IDS[f"{source}-{target}"] = uuid.uuid4()
        connection.execute(
            sa.insert(AgentLink.__table__).values(
                id=IDS[f"{source}-{target}"],
                source_agent_id=IDS[source],
                target_agent_id=IDS[target],
                direction=direction,
                team_id=IDS.get(team),
                status="active",
                created_by="owner",
                tenant_id=TENANT,
            )
        )


USABLE = {"pilot": "scout-pilot", "cook": "cook-scout", "lead": "scout-lead"}


def test_text_search_finds_usable_links_best_match_first(engine):
    ranks = text_ranks(engine, Agent.__table__, "tsv", "simple", "harbour")
    expected = sorted(USABLE, key=lambda key: (-ranks[IDS[key]], str(IDS[USABLE[key]])))
    found = search_delegate_targets(engine, "harbour", from_agent_id=IDS["scout"], tenant_id=TENANT, limit=10)
    assert [(r.target_agent_key, r.id, r.score) for r in found] == [
        (key, IDS[USABLE[key]], pytest.approx(ranks[IDS[key]])) for key in expected
    ]


def test_vector_search_orders_by_similarity_alone(engine):
    found = search_delegate_targets_by_embedding(engine, query_vector(), from_agent_id=IDS["scout"], tenant_id=TENANT)
    assert [(r.target_agent_key, r.score) for r in found] == [
        ("pilot", pytest.approx(0.90, rel=1e-5)),
        ("lead", pytest.approx(0.70, rel=1e-5)),
        ("cook", pytest.approx(0.50, rel=1e-5)),
    ]
    assert (
        len(
            search_delegate_targets_by_embedding(
                engine, query_vector(), from_agent_id=IDS["scout"], tenant_id=TENANT, limit=2
            )
        )
        == 2
    )


def test_joined_fields_are_seen_from_the_searching_agent(engine):
    found = {
        r.target_agent_key: r
        for r in search_delegate_targets(engine, "harbour", from_agent_id=IDS["scout"], tenant_id=TENANT)
    }
    cook, lead = found["cook"], found["lead"]
    assert (cook.source_agent_key, cook.source_display_name, cook.source_emoji) == ("scout", "Scout", "s")
    assert (cook.source_agent_id, cook.target_agent_id) == (IDS["cook"], IDS["scout"])  # the link as drawn
    assert (cook.target_display_name, cook.target_emoji, cook.target_description) == (
        "Ship Cook",
        "c",
        "cooks harbour stew",
    )
    assert (lead.team_name, lead.target_is_team_lead, lead.target_team_name) == ("crew", True, "fleet")
    assert (cook.team_name, cook.target_is_team_lead, cook.target_team_name) == ("", False, "")


def test_a_link_without_a_description_has_the_empty_one_as_in_goclaw(engine):
    found = search_delegate_targets(engine, "harbour", from_agent_id=IDS["scout"], tenant_id=TENANT)
    by_vector = search_delegate_targets_by_embedding(
        engine, query_vector(), from_agent_id=IDS["scout"], tenant_id=TENANT
    )
    assert {r.description for r in [*found, *by_vector]} == {""}


def test_another_tenant_sees_no_links(engine):
    assert search_delegate_targets(engine, "harbour", from_agent_id=IDS["scout"], tenant_id=uuid.uuid4()) == []
