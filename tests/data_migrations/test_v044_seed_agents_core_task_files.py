"""GoClaw version 44: every live agent gets AGENTS_CORE.md and AGENTS_TASK.md; AGENTS_MINIMAL.md goes away."""

from __future__ import annotations

import uuid

import pytest

from tests.support import MASTER_TENANT, downgrade, execute, upgrade


def _agent(url: str, *, deleted: bool = False) -> uuid.UUID:
    agent_id = uuid.uuid4()
    execute(
        url,
        "INSERT INTO agents (id, agent_key, model, owner_id, tenant_id, deleted_at) "
        "VALUES (:id, :key, 'some-model', 'owner', :t, CASE WHEN :deleted THEN now() END)",
        {"id": agent_id, "key": f"agent-{agent_id.hex[:8]}", "t": MASTER_TENANT, "deleted": deleted},
    )
    return agent_id


def _context_file(url: str, agent: uuid.UUID, file_name: str, content: str) -> None:
    execute(
        url,
        "INSERT INTO agent_context_files (agent_id, file_name, content, tenant_id) VALUES (:a, :f, :c, :t)",
        {"a": agent, "f": file_name, "c": content, "t": MASTER_TENANT},
    )


def _files(url: str, agent: uuid.UUID) -> dict[str, str]:
    rows = execute(url, "SELECT file_name, content FROM agent_context_files WHERE agent_id = :a", {"a": agent})
    return dict(rows)


@pytest.mark.parametrize("file_name", ["AGENTS_CORE.md", "AGENTS_TASK.md"])
def test_v044_seeds_operating_rules_file_for_live_agents(make_database_at, file_name):
    url = make_database_at(43)
    agent = _agent(url)

    upgrade(url, 44)

    assert _files(url, agent)[file_name].startswith("# Operating rules")


def test_v044_seeded_files_belong_to_the_agent_tenant(make_database_at):
    url = make_database_at(43)
    agent = _agent(url)

    upgrade(url, 44)

    rows = execute(url, "SELECT DISTINCT tenant_id::text FROM agent_context_files WHERE agent_id = :a", {"a": agent})
    assert rows == [(MASTER_TENANT,)]


def test_v044_only_task_rules_cover_memory(make_database_at):
    url = make_database_at(43)
    agent = _agent(url)

    upgrade(url, 44)

    files = _files(url, agent)
    assert {name: "## Memory" in files[name] for name in ("AGENTS_CORE.md", "AGENTS_TASK.md")} == {
        "AGENTS_CORE.md": False,
        "AGENTS_TASK.md": True,
    }


def test_v044_does_not_seed_deleted_agents(make_database_at):
    url = make_database_at(43)
    agent = _agent(url, deleted=True)

    upgrade(url, 44)

    assert _files(url, agent) == {}


def test_v044_keeps_operating_rules_an_agent_already_has(make_database_at):
    url = make_database_at(43)
    agent = _agent(url)
    _context_file(url, agent, "AGENTS_CORE.md", "own rules")

    upgrade(url, 44)

    assert _files(url, agent)["AGENTS_CORE.md"] == "own rules"


def test_v044_removes_deprecated_minimal_rules(make_database_at):
    url = make_database_at(43)
    agent = _agent(url)
    _context_file(url, agent, "AGENTS_MINIMAL.md", "old rules")

    upgrade(url, 44)

    assert "AGENTS_MINIMAL.md" not in _files(url, agent)


def test_v044_downgrade_removes_core_and_task_rules_and_keeps_other_files(make_database_at):
    url = make_database_at(43)
    agent = _agent(url)
    _context_file(url, agent, "SOUL.md", "persona")
    upgrade(url, 44)

    downgrade(url, 43)

    assert _files(url, agent) == {"SOUL.md": "persona"}
