"""GoClaw version 27: tenants arrive and everything that existed belongs to the master tenant."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support import MASTER_TENANT, downgrade, execute, upgrade

OTHER_TENANT = "0193a5b0-7000-7000-8000-0000000000aa"

# One row per table with a name that was unique gateway-wide before version 27.
NAMED_ROWS = {
    "agents": {"agent_key": "helper", "owner_id": "alice", "model": "gpt"},
    "sessions": {"session_key": "agent:helper:direct:1"},
    "skills": {"name": "Search", "slug": "search", "owner_id": "alice", "file_path": "/skills/search"},
    "llm_providers": {"name": "openai"},
    "mcp_servers": {"name": "files", "transport": "stdio", "created_by": "alice"},
    "paired_devices": {"sender_id": "1001", "channel": "telegram", "chat_id": "1001"},
    "config_secrets": {"key": "OPENAI_API_KEY", "value": b"secret"},
}


def _insert(url: str, table: str, **values) -> None:
    names = list(values)
    execute(
        url,
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
        values,
    )


def _agent(url: str, agent_key: str, owner_id: str, **values) -> None:
    _insert(url, "agents", agent_key=agent_key, owner_id=owner_id, model="gpt", **values)


def _add_other_tenant(url: str) -> None:
    _insert(url, "tenants", id=OTHER_TENANT, name="Other", slug="other")


def test_v027_creates_the_master_tenant(make_database_at):
    url = make_database_at(26)

    upgrade(url, 27)

    assert execute(url, "SELECT id::text, name, slug, status FROM tenants") == [
        (MASTER_TENANT, "Master", "master", "active")
    ]


@pytest.mark.parametrize("table", sorted(NAMED_ROWS))
def test_v027_existing_rows_belong_to_the_master_tenant(make_database_at, table):
    url = make_database_at(26)
    _insert(url, table, **NAMED_ROWS[table])

    upgrade(url, 27)

    assert execute(url, f"SELECT tenant_id::text FROM {table}") == [(MASTER_TENANT,)]


def test_v027_new_rows_must_name_their_tenant(make_database_at):
    url = make_database_at(26)
    upgrade(url, 27)

    with pytest.raises(sa.exc.IntegrityError, match="tenant_id"):
        _agent(url, "helper", "alice")


def test_v027_existing_api_keys_stay_system_wide(make_database_at):
    url = make_database_at(26)
    _insert(
        url,
        "api_keys",
        id="00000000-0000-7000-8000-000000000001",
        name="ci",
        prefix="gck_ci",
        key_hash="hash",
    )

    upgrade(url, 27)

    assert execute(url, "SELECT tenant_id FROM api_keys") == [(None,)]


def test_v027_makes_the_owner_of_the_earliest_agent_the_master_tenant_owner(make_database_at):
    url = make_database_at(26)
    _agent(url, "newer", "alice", created_at="2025-02-01T00:00:00Z")
    _agent(url, "older", "bob", created_at="2025-01-01T00:00:00Z")

    upgrade(url, 27)

    assert execute(url, "SELECT tenant_id::text, user_id, role FROM tenant_users") == [(MASTER_TENANT, "bob", "owner")]


def test_v027_seeds_no_tenant_owner_from_agents_without_an_owner(make_database_at):
    url = make_database_at(26)
    _agent(url, "orphan", "")

    upgrade(url, 27)

    assert execute(url, "SELECT count(*) FROM tenant_users") == [(0,)]


@pytest.mark.parametrize("table", sorted(NAMED_ROWS))
def test_v027_allows_the_same_name_in_another_tenant(make_database_at, table):
    url = make_database_at(26)
    _insert(url, table, **NAMED_ROWS[table])
    upgrade(url, 27)
    _add_other_tenant(url)

    _insert(url, table, tenant_id=OTHER_TENANT, **NAMED_ROWS[table])

    assert execute(url, f"SELECT count(DISTINCT tenant_id) FROM {table}") == [(2,)]


@pytest.mark.parametrize("table", sorted(NAMED_ROWS))
def test_v027_keeps_names_unique_within_a_tenant(make_database_at, table):
    url = make_database_at(26)
    _insert(url, table, **NAMED_ROWS[table])
    upgrade(url, 27)

    with pytest.raises(sa.exc.IntegrityError):
        _insert(url, table, tenant_id=MASTER_TENANT, **NAMED_ROWS[table])


def test_v027_strips_gateway_tokens_from_stored_session_messages(make_database_at):
    url = make_database_at(26)
    leaked = '[{"role": "assistant", "content": "![chart](/v1/media/chart.png?token=9f3ab07c)"}]'
    clean = '[{"role": "user", "content": "a token=abc is not a link"}]'
    _insert(url, "sessions", session_key="leaked", messages=leaked)
    _insert(url, "sessions", session_key="clean", messages=clean)

    upgrade(url, 27)

    assert execute(url, "SELECT session_key, messages->0->>'content' FROM sessions ORDER BY session_key") == [
        ("clean", "a token=abc is not a link"),
        ("leaked", "![chart](/v1/media/chart.png)"),
    ]


def test_v027_new_uuid_defaults_are_time_ordered(make_database_at):
    url = make_database_at(26)
    upgrade(url, 27)
    _insert(url, "channel_contacts", channel_type="telegram", sender_id="1001", tenant_id=MASTER_TENANT)

    assert execute(url, "SELECT substr(id::text, 15, 1) FROM channel_contacts") == [("7",)]


def test_v027_downgrade_keeps_rows_without_their_tenant(make_database_at):
    url = make_database_at(26)
    _agent(url, "helper", "alice")
    upgrade(url, 27)

    downgrade(url, 26)

    assert execute(url, "SELECT agent_key FROM agents") == [("helper",)]
    assert execute(url, "SELECT to_regclass('tenants')") == [(None,)]


def test_v027_downgrade_brings_back_an_empty_custom_tools_table(make_database_at):
    url = make_database_at(26)
    _insert(url, "custom_tools", name="deploy", command="make deploy")
    upgrade(url, 27)

    downgrade(url, 26)

    assert execute(url, "SELECT count(*) FROM custom_tools") == [(0,)]


def test_v027_downgrade_refuses_when_two_tenants_share_a_name(make_database_at):
    url = make_database_at(26)
    _insert(url, "llm_providers", name="openai")
    upgrade(url, 27)
    _add_other_tenant(url)
    _insert(url, "llm_providers", name="openai", tenant_id=OTHER_TENANT)

    with pytest.raises(sa.exc.IntegrityError):
        downgrade(url, 26)

    assert execute(url, "SELECT count(*) FROM tenants") == [(2,)]
