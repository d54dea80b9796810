"""GoClaw version 37: well-known agent settings move out of ``other_config``; KG facts get validity windows."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from tests.support import MASTER_TENANT, downgrade, execute, upgrade

SETTINGS = {
    "emoji": "🦉",
    "description": "Answers questions about the archive",
    "thinking_level": "high",
    "max_tokens": 8192,
    "self_evolve": True,
    "skill_evolve": True,
    "skill_nudge_interval": 5,
    "reasoning": {"effort": "medium"},
    "workspace_sharing": {"shared_dm": True},
    "chatgpt_oauth_routing": {"strategy": "round_robin"},
    "shell_deny_groups": {"network": False},
    "kg_dedup_config": {"threshold": 0.9},
}


def _agent(url: str, other_config: dict) -> uuid.UUID:
    agent_id = uuid.uuid4()
    execute(
        url,
        sa.text(
            "INSERT INTO agents (id, agent_key, model, owner_id, tenant_id, other_config) "
            "VALUES (:id, :key, 'some-model', 'owner', :t, :config)"
        ).bindparams(sa.bindparam("config", type_=JSONB)),
        {"id": agent_id, "key": f"agent-{agent_id.hex[:8]}", "t": MASTER_TENANT, "config": other_config},
    )
    return agent_id


def _agent_row(url: str, agent_id: uuid.UUID, *columns: str) -> tuple:
    return tuple(execute(url, f"SELECT {', '.join(columns)} FROM agents WHERE id = :id", {"id": agent_id})[0])


def test_v037_moves_scalar_settings_from_other_config_into_columns(make_database_at):
    url = make_database_at(36)
    agent = _agent(url, SETTINGS)

    upgrade(url, 37)

    assert _agent_row(
        url,
        agent,
        "emoji",
        "agent_description",
        "thinking_level",
        "max_tokens",
        "self_evolve",
        "skill_evolve",
        "skill_nudge_interval",
    ) == ("🦉", "Answers questions about the archive", "high", 8192, True, True, 5)


def test_v037_moves_nested_settings_blocks_into_json_columns(make_database_at):
    url = make_database_at(36)
    agent = _agent(url, SETTINGS)

    upgrade(url, 37)

    assert _agent_row(
        url,
        agent,
        "reasoning_config",
        "workspace_sharing",
        "chatgpt_oauth_routing",
        "shell_deny_groups",
        "kg_dedup_config",
    ) == (
        {"effort": "medium"},
        {"shared_dm": True},
        {"strategy": "round_robin"},
        {"network": False},
        {"threshold": 0.9},
    )


def test_v037_removes_promoted_keys_from_other_config_and_keeps_the_rest(make_database_at):
    url = make_database_at(36)
    agent = _agent(url, {**SETTINGS, "custom_flag": "kept"})

    upgrade(url, 37)

    assert _agent_row(url, agent, "other_config") == ({"custom_flag": "kept"},)


def test_v037_agents_without_those_settings_get_empty_values(make_database_at):
    url = make_database_at(36)
    bare, other = _agent(url, {}), _agent(url, {"custom_flag": "kept"})

    upgrade(url, 37)

    columns = ("emoji", "agent_description", "thinking_level", "max_tokens", "self_evolve", "reasoning_config")
    assert [_agent_row(url, a, *columns) for a in (bare, other)] == [("", "", "", 0, False, {})] * 2


def test_v037_existing_kg_facts_are_current(make_database_at):
    url = make_database_at(36)
    agent = _agent(url, {})
    execute(
        url,
        "INSERT INTO kg_entities (agent_id, external_id, name, entity_type, tenant_id) "
        "VALUES (:agent, 'e1', 'Alice', 'person', :t)",
        {"agent": agent, "t": MASTER_TENANT},
    )

    upgrade(url, 37)

    assert execute(url, "SELECT valid_from IS NOT NULL, valid_until FROM kg_entities") == [(True, None)]


def test_v037_downgrade_puts_settings_back_into_other_config(make_database_at):
    url = make_database_at(36)
    agent = _agent(url, {**SETTINGS, "custom_flag": "kept"})
    upgrade(url, 37)

    downgrade(url, 36)

    assert _agent_row(url, agent, "other_config") == ({**SETTINGS, "custom_flag": "kept"},)
