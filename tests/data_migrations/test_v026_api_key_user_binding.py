"""GoClaw version 26: API keys gain an owner; handoff routes and delegation history are dropped."""

from __future__ import annotations

import uuid

from tests.support import downgrade, execute, upgrade


def _api_key(url: str, name: str) -> None:
    execute(
        url,
        "INSERT INTO api_keys (id, name, prefix, key_hash) VALUES (:id, :name, 'gk_', :hash)",
        {"id": uuid.uuid4(), "name": name, "hash": uuid.uuid4().hex},
    )


def _handoff_and_delegation(url: str) -> None:
    source, target = uuid.uuid4(), uuid.uuid4()
    for agent, key in ((source, "source"), (target, "target")):
        execute(
            url,
            "INSERT INTO agents (id, agent_key, model, owner_id) VALUES (:id, :key, 'some-model', 'owner')",
            {"id": agent, "key": key},
        )
    execute(
        url,
        "INSERT INTO handoff_routes (channel, chat_id, from_agent_key, to_agent_key) "
        "VALUES ('telegram', '42', 'source', 'target')",
    )
    execute(
        url,
        "INSERT INTO delegation_history (source_agent_id, target_agent_id, task) VALUES (:source, :target, 'help')",
        {"source": source, "target": target},
    )


def test_v026_existing_api_keys_have_no_owner(make_database_at):
    url = make_database_at(25)
    _api_key(url, "ci")

    upgrade(url, 26)

    assert execute(url, "SELECT name, owner_id FROM api_keys") == [("ci", None)]


def test_v026_drops_handoff_routes_and_delegation_history(make_database_at):
    url = make_database_at(25)
    _handoff_and_delegation(url)

    upgrade(url, 26)

    assert execute(url, "SELECT to_regclass('handoff_routes'), to_regclass('delegation_history')") == [(None, None)]


def test_v026_downgrade_recreates_handoff_routes_and_delegation_history_empty(make_database_at):
    url = make_database_at(25)
    _handoff_and_delegation(url)
    upgrade(url, 26)

    downgrade(url, 25)

    assert execute(url, "SELECT (SELECT count(*) FROM handoff_routes), (SELECT count(*) FROM delegation_history)") == [
        (0, 0),
    ]
