"""GoClaw version 36: agent-specific secure CLI binaries become per-agent grants on one binary per tenant."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from tests.support import MASTER_TENANT, downgrade, execute, upgrade

OLDER_ID = uuid.UUID("00000000-0000-7000-8000-000000000001")
NEWER_ID = uuid.UUID("00000000-0000-7000-8000-000000000002")


def _agent(url: str, key: str) -> uuid.UUID:
    agent_id = uuid.uuid4()
    execute(
        url,
        "INSERT INTO agents (id, agent_key, model, owner_id, tenant_id) VALUES (:id, :key, 'some-model', 'owner', :t)",
        {"id": agent_id, "key": key, "t": MASTER_TENANT},
    )
    return agent_id


def _binary(
    url: str,
    name: str,
    *,
    agent_id=None,
    binary_id=None,
    deny_args=(),
    timeout_seconds=30,
    tips="",
) -> uuid.UUID:
    binary_id = binary_id or uuid.uuid4()
    execute(
        url,
        sa.text(
            "INSERT INTO secure_cli_binaries "
            "(id, binary_name, encrypted_env, agent_id, deny_args, timeout_seconds, tips, tenant_id) "
            "VALUES (:id, :name, :env, :agent, :deny, :timeout, :tips, :t)"
        ).bindparams(sa.bindparam("deny", type_=JSONB)),
        {
            "id": binary_id,
            "name": name,
            "env": b"secret",
            "agent": agent_id,
            "deny": list(deny_args),
            "timeout": timeout_seconds,
            "tips": tips,
            "t": MASTER_TENANT,
        },
    )
    return binary_id


def _binaries(url: str) -> list[tuple]:
    rows = execute(url, "SELECT id, binary_name, is_global FROM secure_cli_binaries ORDER BY binary_name, id")
    return [tuple(row) for row in rows]


def _grants(url: str, *columns: str) -> set[tuple]:
    rows = execute(url, f"SELECT binary_id, agent_id, {', '.join(columns) or 'true'} FROM secure_cli_agent_grants")
    return {tuple(row) for row in rows}


def test_v036_shared_binaries_stay_global_without_grants(make_database_at):
    url = make_database_at(35)
    gh = _binary(url, "gh")

    upgrade(url, 36)

    assert (_binaries(url), _grants(url)) == ([(gh, "gh", True)], set())


def test_v036_agent_binary_becomes_restricted_binary_granted_to_its_agent(make_database_at):
    url = make_database_at(35)
    coder = _agent(url, "coder")
    gh = _binary(url, "gh", agent_id=coder)

    upgrade(url, 36)

    assert (_binaries(url), _grants(url)) == ([(gh, "gh", False)], {(gh, coder, True)})


def test_v036_grant_carries_the_agent_binary_settings(make_database_at):
    url = make_database_at(35)
    coder = _agent(url, "coder")
    gh = _binary(url, "gh", agent_id=coder, deny_args=["repo delete"], timeout_seconds=90, tips="use --json")

    upgrade(url, 36)

    assert _grants(url, "deny_args::text", "timeout_seconds", "tips", "enabled") == {
        (gh, coder, '["repo delete"]', 90, "use --json", True),
    }


def test_v036_agent_binary_with_a_shared_definition_becomes_a_grant_on_the_shared_one(make_database_at):
    url = make_database_at(35)
    coder = _agent(url, "coder")
    shared = _binary(url, "gh")
    _binary(url, "gh", agent_id=coder, timeout_seconds=90)

    upgrade(url, 36)

    assert (_binaries(url), _grants(url, "timeout_seconds")) == ([(shared, "gh", True)], {(shared, coder, 90)})


def test_v036_agent_copies_of_one_binary_fold_into_the_oldest(make_database_at):
    url = make_database_at(35)
    coder, writer = _agent(url, "coder"), _agent(url, "writer")
    _binary(url, "gh", agent_id=writer, binary_id=NEWER_ID, tips="writer tips")
    _binary(url, "gh", agent_id=coder, binary_id=OLDER_ID, tips="coder tips")

    upgrade(url, 36)

    assert (_binaries(url), _grants(url, "tips")) == (
        [(OLDER_ID, "gh", False)],
        {(OLDER_ID, coder, "coder tips"), (OLDER_ID, writer, "writer tips")},
    )


def test_v036_downgrade_gives_each_granted_agent_its_own_binary_again(make_database_at):
    url = make_database_at(35)
    coder, writer = _agent(url, "coder"), _agent(url, "writer")
    _binary(url, "gh", agent_id=writer, binary_id=NEWER_ID, tips="writer tips")
    _binary(url, "gh", agent_id=coder, binary_id=OLDER_ID, tips="coder tips")
    upgrade(url, 36)

    downgrade(url, 35)

    rows = execute(url, "SELECT binary_name, agent_id, tips, encrypted_env FROM secure_cli_binaries")
    assert {tuple(row) for row in rows} == {
        ("gh", coder, "coder tips", b"secret"),
        ("gh", writer, "writer tips", b"secret"),
    }


def test_v036_downgrade_keeps_the_restricted_binary_row_for_its_oldest_grant(make_database_at):
    url = make_database_at(35)
    coder = _agent(url, "coder")
    _binary(url, "gh", agent_id=coder, binary_id=OLDER_ID)
    upgrade(url, 36)

    downgrade(url, 35)

    assert [tuple(r) for r in execute(url, "SELECT id, agent_id FROM secure_cli_binaries")] == [(OLDER_ID, coder)]


def test_v036_downgrade_turns_grants_on_shared_binaries_into_agent_overrides(make_database_at):
    url = make_database_at(35)
    coder = _agent(url, "coder")
    shared = _binary(url, "gh", timeout_seconds=30)
    _binary(url, "gh", agent_id=coder, timeout_seconds=90)
    upgrade(url, 36)

    downgrade(url, 35)

    rows = execute(url, "SELECT id = :shared, agent_id, timeout_seconds FROM secure_cli_binaries", {"shared": shared})
    assert {tuple(row) for row in rows} == {(True, None, 30), (False, coder, 90)}
