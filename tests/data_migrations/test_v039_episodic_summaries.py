"""GoClaw version 39: the agent links of earlier releases are cleared."""

from __future__ import annotations

import uuid

from tests.support import MASTER_TENANT, execute, upgrade


def _agent(url: str) -> uuid.UUID:
    agent_id = uuid.uuid4()
    execute(
        url,
        "INSERT INTO agents (id, agent_key, model, owner_id, tenant_id) VALUES (:id, :key, 'some-model', 'owner', :t)",
        {"id": agent_id, "key": f"agent-{agent_id.hex[:8]}", "t": MASTER_TENANT},
    )
    return agent_id


def _linked_agents(url: str) -> tuple[uuid.UUID, uuid.UUID]:
    source, target = _agent(url), _agent(url)
    execute(
        url,
        "INSERT INTO agent_links (source_agent_id, target_agent_id, created_by, tenant_id) "
        "VALUES (:s, :t, 'owner', :tenant)",
        {"s": source, "t": target, "tenant": MASTER_TENANT},
    )
    return source, target


def test_v039_clears_all_agent_links(make_database_at):
    url = make_database_at(38)
    _linked_agents(url)

    upgrade(url, 39)

    assert execute(url, "SELECT count(*) FROM agent_links") == [(0,)]


def test_v039_keeps_the_linked_agents(make_database_at):
    url = make_database_at(38)
    source, target = _linked_agents(url)

    upgrade(url, 39)

    assert execute(url, "SELECT count(*) FROM agents WHERE id IN (:s, :t)", {"s": source, "t": target}) == [(2,)]
