"""GoClaw version 23: group file writers become config permissions; soft-deleted agents are removed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from tests.support import downgrade, execute, upgrade

WRITTEN_AT = datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC)


def _agent(url: str, key: str | None = None, *, deleted: bool = False) -> uuid.UUID:
    agent_id = uuid.uuid4()
    execute(
        url,
        "INSERT INTO agents (id, agent_key, model, owner_id, deleted_at) "
        "VALUES (:id, :key, 'some-model', 'owner', :deleted_at)",
        {"id": agent_id, "key": key or f"agent-{agent_id.hex[:8]}", "deleted_at": WRITTEN_AT if deleted else None},
    )
    return agent_id


def _file_writer(url: str, agent_id: uuid.UUID, group_id: str, user_id: str, display_name=None, username=None):
    execute(
        url,
        "INSERT INTO group_file_writers (agent_id, group_id, user_id, display_name, username, created_at) "
        "VALUES (:agent, :group, :user, :display_name, :username, :created_at)",
        {
            "agent": agent_id,
            "group": group_id,
            "user": user_id,
            "display_name": display_name,
            "username": username,
            "created_at": WRITTEN_AT,
        },
    )


def _permission(
    url: str,
    agent_id: uuid.UUID,
    scope: str,
    config_type: str,
    user_id: str,
    permission: str,
    metadata: dict | None = None,
) -> None:
    execute(
        url,
        sa.text(
            "INSERT INTO agent_config_permissions (agent_id, scope, config_type, user_id, permission, metadata) "
            "VALUES (:agent, :scope, :type, :user, :permission, :metadata)"
        ).bindparams(sa.bindparam("metadata", type_=JSONB)),
        {
            "agent": agent_id,
            "scope": scope,
            "type": config_type,
            "user": user_id,
            "permission": permission,
            "metadata": metadata or {},
        },
    )


def _permissions(url: str, *columns: str) -> list[tuple]:
    return [
        tuple(row)
        for row in execute(
            url, f"SELECT {', '.join(columns)} FROM agent_config_permissions ORDER BY scope, user_id, config_type"
        )
    ]


def _count(url: str, table: str, where: str = "true", params=None) -> int:
    return execute(url, f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0]


def test_v023_merges_group_file_writers_into_config_permissions(make_database_at):
    url = make_database_at(22)
    agent = _agent(url)
    _file_writer(url, agent, "group-1", "alice", "Alice", "alice_tg")

    upgrade(url, 23)

    assert _permissions(url, "agent_id", "scope", "config_type", "user_id", "permission", "created_at") == [
        (agent, "group-1", "file_writer", "alice", "allow", WRITTEN_AT),
    ]


def test_v023_keeps_file_writer_names_in_permission_metadata(make_database_at):
    url = make_database_at(22)
    agent = _agent(url)
    _file_writer(url, agent, "group-1", "alice", "Alice", "alice_tg")

    upgrade(url, 23)

    assert _permissions(url, "metadata") == [({"displayName": "Alice", "username": "alice_tg"},)]


def test_v023_missing_file_writer_names_become_empty_strings(make_database_at):
    url = make_database_at(22)
    agent = _agent(url)
    _file_writer(url, agent, "group-1", "bob")

    upgrade(url, 23)

    assert _permissions(url, "metadata") == [({"displayName": "", "username": ""},)]


def test_v023_existing_file_writer_permission_wins_over_merged_writer(make_database_at):
    url = make_database_at(22)
    agent = _agent(url)
    _permission(url, agent, "group-1", "file_writer", "alice", "deny")
    _file_writer(url, agent, "group-1", "alice", "Alice")

    upgrade(url, 23)

    assert _permissions(url, "config_type", "user_id", "permission", "metadata") == [
        ("file_writer", "alice", "deny", {}),
    ]


def test_v023_merges_file_writers_of_groups_with_long_ids(make_database_at):
    url = make_database_at(22)
    agent = _agent(url)
    long_group = "g" * 200
    _file_writer(url, agent, long_group, "alice")

    upgrade(url, 23)

    assert _permissions(url, "scope") == [(long_group,)]


def test_v023_removes_group_file_writers_table(make_database_at):
    url = make_database_at(22)

    upgrade(url, 23)

    assert execute(url, "SELECT to_regclass('group_file_writers')") == [(None,)]


def test_v023_hard_deletes_soft_deleted_agents(make_database_at):
    url = make_database_at(22)
    active = _agent(url, "active")
    _agent(url, "retired", deleted=True)

    upgrade(url, 23)

    assert execute(url, "SELECT id FROM agents") == [(active,)]


def test_v023_soft_deleted_agents_take_their_sessions_with_them(make_database_at):
    url = make_database_at(22)
    active, retired = _agent(url), _agent(url, deleted=True)
    for key, agent in (("kept", active), ("gone", retired)):
        execute(url, "INSERT INTO sessions (session_key, agent_id) VALUES (:key, :agent)", {"key": key, "agent": agent})

    upgrade(url, 23)

    assert execute(url, "SELECT session_key FROM sessions") == [("kept",)]


def test_v023_tasks_owned_by_soft_deleted_agents_stay_without_owner(make_database_at):
    url = make_database_at(22)
    lead, retired = _agent(url), _agent(url, deleted=True)
    team = uuid.uuid4()
    execute(
        url,
        "INSERT INTO agent_teams (id, name, lead_agent_id, created_by) VALUES (:id, 'Team', :lead, 'owner')",
        {"id": team, "lead": lead},
    )
    execute(
        url,
        "INSERT INTO team_tasks (team_id, subject, owner_agent_id) VALUES (:team, 'orphaned', :owner)",
        {"team": team, "owner": retired},
    )

    upgrade(url, 23)

    assert execute(url, "SELECT subject, owner_agent_id FROM team_tasks") == [("orphaned", None)]


def test_v023_file_writers_of_soft_deleted_agents_are_removed_with_them(make_database_at):
    url = make_database_at(22)
    retired = _agent(url, deleted=True)
    _file_writer(url, retired, "group-1", "alice")

    upgrade(url, 23)

    assert _count(url, "agent_config_permissions") == 0


def test_v023_agent_key_of_a_deleted_agent_can_be_reused(make_database_at):
    url = make_database_at(22)
    _agent(url, "assistant")

    upgrade(url, 23)
    execute(url, "UPDATE agents SET deleted_at = now() WHERE agent_key = 'assistant'")
    _agent(url, "assistant")

    assert _count(url, "agents", "agent_key = 'assistant'") == 2


def test_v023_agent_key_stays_unique_among_active_agents(make_database_at):
    url = make_database_at(22)
    _agent(url, "assistant")

    upgrade(url, 23)

    with pytest.raises(sa.exc.IntegrityError):
        _agent(url, "assistant")


def test_v023_downgrade_moves_allowed_file_writers_back(make_database_at):
    url = make_database_at(22)
    agent = _agent(url)
    _file_writer(url, agent, "group-1", "alice", "Alice", "alice_tg")
    upgrade(url, 23)

    downgrade(url, 22)

    assert [tuple(row) for row in execute(url, "SELECT * FROM group_file_writers")] == [
        (agent, "group-1", "alice", "Alice", "alice_tg", WRITTEN_AT),
    ]


def test_v023_downgrade_drops_file_writer_permissions_and_keeps_the_others(make_database_at):
    url = make_database_at(22)
    agent = _agent(url)
    _file_writer(url, agent, "group-1", "alice")
    upgrade(url, 23)
    _permission(url, agent, "group-1", "file_writer", "mallory", "deny")
    _permission(url, agent, "group-1", "heartbeat", "alice", "allow")

    downgrade(url, 22)

    assert _permissions(url, "config_type", "user_id", "permission") == [("heartbeat", "alice", "allow")]
