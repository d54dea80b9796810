"""GoClaw version 24: the team workspace and team messages go away; tasks and their comments stay."""

from __future__ import annotations

import uuid

from tests.support import downgrade, execute, upgrade

TASK_COMMENTS = "SELECT t.subject, c.content FROM team_tasks t JOIN team_task_comments c ON c.task_id = t.id"


def _team_with_task(url: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A lead agent, its team and one task on the team's board: (agent, team, task)."""
    agent, team, task = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    execute(
        url,
        "INSERT INTO agents (id, agent_key, model, owner_id) VALUES (:id, 'lead', 'some-model', 'owner')",
        {"id": agent},
    )
    execute(
        url,
        "INSERT INTO agent_teams (id, name, lead_agent_id, created_by) VALUES (:id, 'Team', :lead, 'owner')",
        {"id": team, "lead": agent},
    )
    execute(
        url,
        "INSERT INTO team_tasks (id, team_id, subject) VALUES (:id, :team, 'write report')",
        {"id": task, "team": team},
    )
    return agent, team, task


def _comment(url: str, task: uuid.UUID, agent: uuid.UUID, content: str) -> None:
    execute(
        url,
        "INSERT INTO team_task_comments (task_id, agent_id, content) VALUES (:task, :agent, :content)",
        {"task": task, "agent": agent, "content": content},
    )


def _workspace_file_attached_to(url: str, agent: uuid.UUID, team: uuid.UUID, task: uuid.UUID) -> None:
    file_id = uuid.uuid4()
    execute(
        url,
        "INSERT INTO team_workspace_files (id, team_id, file_name, file_path, uploaded_by, task_id) "
        "VALUES (:id, :team, 'report.md', '/ws/report.md', :agent, :task)",
        {"id": file_id, "team": team, "agent": agent, "task": task},
    )
    execute(
        url,
        "INSERT INTO team_task_attachments (task_id, file_id, added_by) VALUES (:task, :file, :agent)",
        {"task": task, "file": file_id, "agent": agent},
    )


def test_v024_keeps_tasks_and_their_comments(make_database_at):
    url = make_database_at(23)
    agent, _team, task = _team_with_task(url)
    _comment(url, task, agent, "on it")

    upgrade(url, 24)

    assert execute(url, TASK_COMMENTS) == [("write report", "on it")]


def test_v024_existing_tasks_start_with_zero_comment_and_attachment_counts(make_database_at):
    url = make_database_at(23)
    agent, team, task = _team_with_task(url)
    _comment(url, task, agent, "on it")
    _workspace_file_attached_to(url, agent, team, task)

    upgrade(url, 24)

    assert execute(url, "SELECT comment_count, attachment_count FROM team_tasks") == [(0, 0)]


def test_v024_drops_workspace_file_attachments(make_database_at):
    url = make_database_at(23)
    agent, team, task = _team_with_task(url)
    _workspace_file_attached_to(url, agent, team, task)

    upgrade(url, 24)

    assert execute(url, "SELECT count(*) FROM team_task_attachments") == [(0,)]


def test_v024_removes_workspace_and_message_tables(make_database_at):
    url = make_database_at(23)

    upgrade(url, 24)

    retired = ("team_workspace_files", "team_workspace_file_versions", "team_workspace_comments", "team_messages")
    assert execute(url, "SELECT " + ", ".join(f"to_regclass('{name}')" for name in retired)) == [
        (None, None, None, None),
    ]


def test_v024_downgrade_keeps_tasks_and_their_comments(make_database_at):
    url = make_database_at(23)
    agent, _team, task = _team_with_task(url)
    _comment(url, task, agent, "on it")
    upgrade(url, 24)

    downgrade(url, 23)

    assert execute(url, TASK_COMMENTS) == [("write report", "on it")]
