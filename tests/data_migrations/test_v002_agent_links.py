"""GoClaw version 2: existing agents become searchable by name and frontmatter; agents link for delegation."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.support import downgrade, execute, upgrade


def _agent(url: str, display_name: str | None) -> uuid.UUID:
    agent_id = uuid.uuid4()
    execute(
        url,
        "INSERT INTO agents (id, agent_key, display_name, owner_id, model) VALUES (:id, :key, :name, 'owner', 'm')",
        {"id": agent_id, "key": f"agent-{agent_id.hex[:8]}", "name": display_name},
    )
    return agent_id


def _matches(url: str, agent: uuid.UUID, word: str) -> bool:
    return execute(
        url, "SELECT tsv @@ to_tsquery('simple', :word) FROM agents WHERE id = :id", {"word": word, "id": agent}
    )[0][0]


def test_v002_indexes_existing_agents_by_display_name(make_database_at):
    url = make_database_at(1)
    agent = _agent(url, "Research Assistant")

    upgrade(url, 2)

    assert _matches(url, agent, "research")


def test_v002_gives_existing_agent_without_display_name_an_empty_search_vector(make_database_at):
    url = make_database_at(1)
    agent = _agent(url, None)

    upgrade(url, 2)

    assert execute(url, "SELECT tsv::text FROM agents WHERE id = :id", {"id": agent}) == [("",)]


def test_v002_search_vector_follows_frontmatter(make_database_at):
    url = make_database_at(1)
    agent = _agent(url, "Helper")
    upgrade(url, 2)

    execute(url, "UPDATE agents SET frontmatter = 'translates invoices' WHERE id = :id", {"id": agent})

    assert _matches(url, agent, "invoices")


def test_v002_leaves_existing_agents_without_embedding(make_database_at):
    url = make_database_at(1)
    agent = _agent(url, "Research Assistant")

    upgrade(url, 2)

    assert execute(url, "SELECT embedding IS NULL FROM agents WHERE id = :id", {"id": agent}) == [(True,)]


def test_v002_rejects_link_from_agent_to_itself(make_database_at):
    url = make_database_at(1)
    agent = _agent(url, "Solo")
    upgrade(url, 2)

    with pytest.raises(sa.exc.IntegrityError):
        execute(
            url,
            "INSERT INTO agent_links (source_agent_id, target_agent_id, created_by) VALUES (:a, :a, 'owner')",
            {"a": agent},
        )


def test_v002_downgrade_keeps_agents(make_database_at):
    url = make_database_at(1)
    agent = _agent(url, "Research Assistant")
    upgrade(url, 2)
    execute(url, "UPDATE agents SET frontmatter = 'summary' WHERE id = :id", {"id": agent})

    downgrade(url, 1)

    assert execute(url, "SELECT display_name FROM agents WHERE id = :id", {"id": agent}) == [("Research Assistant",)]
