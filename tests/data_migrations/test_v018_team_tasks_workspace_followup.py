"""GoClaw version 18: existing team tasks are numbered, labelled and given an empty blocker list."""

from __future__ import annotations

import uuid

from tests.support import downgrade, execute, upgrade


def _team(url: str, name: str) -> uuid.UUID:
    """A team (and the lead agent every team needs); returns the team's id."""
    agent_id = uuid.uuid4()
    execute(
        url,
        "INSERT INTO agents (id, agent_key, model, owner_id) VALUES (:id, :key, 'some-model', 'owner')",
        {"id": agent_id, "key": f"lead-{agent_id.hex[:8]}"},
    )
    team_id = uuid.uuid4()
    execute(
        url,
        "INSERT INTO agent_teams (id, name, lead_agent_id, created_by) VALUES (:id, :name, :lead, 'owner')",
        {"id": team_id, "name": name, "lead": agent_id},
    )
    return team_id


def _task(url: str, team_id: uuid.UUID, subject: str, created_at: str = "2025-01-01T00:00:00Z", **columns) -> None:
    names = ["team_id", "subject", "created_at", *columns]
    execute(
        url,
        f"INSERT INTO team_tasks ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
        {"team_id": team_id, "subject": subject, "created_at": created_at, **columns},
    )


def _tasks(url: str, *columns: str) -> dict:
    rows = execute(url, f"SELECT subject, {', '.join(columns)} FROM team_tasks")
    return {row[0]: tuple(row[1:]) if len(columns) > 1 else row[1] for row in rows}


def test_v018_numbers_existing_tasks_per_team_in_creation_order(make_database_at):
    url = make_database_at(17)
    first, second = _team(url, "Research"), _team(url, "Support")
    _task(url, first, "research later", "2025-03-02T00:00:00Z")
    _task(url, first, "research earlier", "2025-03-01T00:00:00Z")
    _task(url, second, "support only", "2025-01-01T00:00:00Z")

    upgrade(url, 18)

    assert _tasks(url, "task_number") == {"research earlier": 1, "research later": 2, "support only": 1}


def test_v018_labels_existing_tasks_with_team_name_prefix_and_number(make_database_at):
    url = make_database_at(17)
    long_name, short_name = _team(url, "alpha squad"), _team(url, "qa")
    _task(url, long_name, "first", "2025-03-01T00:00:00Z")
    _task(url, long_name, "second", "2025-03-02T00:00:00Z")
    _task(url, short_name, "short", "2025-03-01T00:00:00Z")

    upgrade(url, 18)

    assert _tasks(url, "identifier") == {"first": "ALP-1", "second": "ALP-2", "short": "QA-1"}


def test_v018_replaces_missing_blocked_by_with_empty_list(make_database_at):
    url = make_database_at(17)
    team = _team(url, "Builders")
    blocker = uuid.uuid4()
    _task(url, team, "unblocked")
    _task(url, team, "blocked", blocked_by=[blocker])

    upgrade(url, 18)

    assert _tasks(url, "blocked_by") == {"unblocked": [], "blocked": [blocker]}


def test_v018_tasks_created_afterwards_start_with_empty_blocked_by(make_database_at):
    url = make_database_at(17)
    team = _team(url, "Builders")

    upgrade(url, 18)
    _task(url, team, "new")

    assert _tasks(url, "blocked_by") == {"new": []}


def test_v018_downgrade_keeps_tasks_and_their_blockers(make_database_at):
    url = make_database_at(17)
    team = _team(url, "Builders")
    blocker = uuid.uuid4()
    _task(url, team, "unblocked")
    _task(url, team, "blocked", blocked_by=[blocker])
    upgrade(url, 18)

    downgrade(url, 17)

    assert _tasks(url, "blocked_by") == {"unblocked": [], "blocked": [blocker]}
