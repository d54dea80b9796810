"""GoClaw version 10: every AGENTS.md, agent-level and per-user, gets the second edition of the guide."""

from __future__ import annotations

import uuid

from tests.support import downgrade, execute, upgrade

OLD_GUIDE = "# AGENTS.md - an operator's own first edition"


def _agent(url: str) -> uuid.UUID:
    agent_id = uuid.uuid4()
    execute(
        url,
        "INSERT INTO agents (id, agent_key, model, owner_id) VALUES (:id, :key, 'some-model', 'owner')",
        {"id": agent_id, "key": f"agent-{agent_id.hex[:8]}"},
    )
    return agent_id


def _agent_file(url: str, agent: uuid.UUID, file_name: str, content: str = OLD_GUIDE) -> None:
    execute(
        url,
        "INSERT INTO agent_context_files (agent_id, file_name, content, updated_at) "
        "VALUES (:a, :f, :c, now() - interval '30 days')",
        {"a": agent, "f": file_name, "c": content},
    )


def _user_file(url: str, agent: uuid.UUID, file_name: str, content: str = OLD_GUIDE) -> None:
    execute(
        url,
        "INSERT INTO user_context_files (agent_id, user_id, file_name, content, updated_at) "
        "VALUES (:a, 'user-1', :f, :c, now() - interval '30 days')",
        {"a": agent, "f": file_name, "c": content},
    )


def _agent_content(url: str, agent: uuid.UUID, file_name: str) -> str:
    rows = execute(
        url,
        "SELECT content FROM agent_context_files WHERE agent_id = :a AND file_name = :f",
        {"a": agent, "f": file_name},
    )
    return rows[0][0]


def _user_content(url: str, agent: uuid.UUID, file_name: str) -> str:
    rows = execute(
        url,
        "SELECT content FROM user_context_files WHERE agent_id = :a AND file_name = :f",
        {"a": agent, "f": file_name},
    )
    return rows[0][0]


def test_v010_rewrites_agent_level_agents_md(make_database_at):
    url = make_database_at(9)
    agent = _agent(url)
    _agent_file(url, agent, "AGENTS.md")

    upgrade(url, 10)

    assert _agent_content(url, agent, "AGENTS.md").startswith("# AGENTS.md - Operating guide")


def test_v010_rewrites_per_user_agents_md(make_database_at):
    url = make_database_at(9)
    agent = _agent(url)
    _user_file(url, agent, "AGENTS.md")

    upgrade(url, 10)

    assert _user_content(url, agent, "AGENTS.md").startswith("# AGENTS.md - Operating guide")


def test_v010_agent_and_user_files_get_the_same_guide(make_database_at):
    url = make_database_at(9)
    agent = _agent(url)
    _agent_file(url, agent, "AGENTS.md")
    _user_file(url, agent, "AGENTS.md")

    upgrade(url, 10)

    assert _agent_content(url, agent, "AGENTS.md") == _user_content(url, agent, "AGENTS.md")


def test_v010_guide_no_longer_asks_to_read_identity_files(make_database_at):
    url = make_database_at(9)
    agent = _agent(url)
    _agent_file(url, agent, "AGENTS.md")

    upgrade(url, 10)

    assert "already part of this prompt" in _agent_content(url, agent, "AGENTS.md")


def test_v010_marks_rewritten_files_as_updated(make_database_at):
    url = make_database_at(9)
    agent = _agent(url)
    _agent_file(url, agent, "AGENTS.md")
    _user_file(url, agent, "AGENTS.md")

    upgrade(url, 10)

    rows = execute(
        url,
        "SELECT bool_and(updated_at > now() - interval '1 hour') FROM ("
        "SELECT updated_at FROM agent_context_files WHERE agent_id = :a "
        "UNION ALL SELECT updated_at FROM user_context_files WHERE agent_id = :a) f",
        {"a": agent},
    )
    assert rows == [(True,)]


def test_v010_leaves_other_context_files_alone(make_database_at):
    url = make_database_at(9)
    agent = _agent(url)
    _agent_file(url, agent, "SOUL.md", "# Soul")
    _user_file(url, agent, "USER.md", "# User")

    upgrade(url, 10)

    assert (_agent_content(url, agent, "SOUL.md"), _user_content(url, agent, "USER.md")) == ("# Soul", "# User")


def test_v010_downgrade_keeps_the_rewritten_files(make_database_at):
    url = make_database_at(9)
    agent = _agent(url)
    _agent_file(url, agent, "AGENTS.md")
    upgrade(url, 10)
    rewritten = _agent_content(url, agent, "AGENTS.md")

    downgrade(url, 9)

    assert _agent_content(url, agent, "AGENTS.md") == rewritten
