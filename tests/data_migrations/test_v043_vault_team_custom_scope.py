"""GoClaw version 43: vault documents may belong to a team; losing the team makes them personal."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.support import MASTER_TENANT, downgrade, execute, upgrade


def _agent(url: str) -> uuid.UUID:
    agent_id = uuid.uuid4()
    execute(
        url,
        "INSERT INTO agents (id, agent_key, model, owner_id, tenant_id) VALUES (:id, :key, 'some-model', 'owner', :t)",
        {"id": agent_id, "key": f"agent-{agent_id.hex[:8]}", "t": MASTER_TENANT},
    )
    return agent_id


def _team(url: str, lead: uuid.UUID) -> uuid.UUID:
    team_id = uuid.uuid4()
    execute(
        url,
        "INSERT INTO agent_teams (id, name, lead_agent_id, created_by, tenant_id) "
        "VALUES (:id, 'Research', :lead, 'owner', :t)",
        {"id": team_id, "lead": lead, "t": MASTER_TENANT},
    )
    return team_id


def _document(
    url: str, agent: uuid.UUID, *, scope: str = "personal", team: uuid.UUID | None = None, path: str = "notes/plan.md"
) -> uuid.UUID:
    doc_id = uuid.uuid4()
    columns, values = "id, tenant_id, agent_id, scope, path", ":id, :t, :agent, :scope, :path"
    if team is not None:
        columns, values = columns + ", team_id", values + ", :team"
    execute(
        url,
        f"INSERT INTO vault_documents ({columns}) VALUES ({values})",
        {"id": doc_id, "t": MASTER_TENANT, "agent": agent, "scope": scope, "path": path, "team": team},
    )
    return doc_id


def _scope_and_team(url: str, doc_id: uuid.UUID) -> tuple:
    return tuple(execute(url, "SELECT scope, team_id FROM vault_documents WHERE id = :id", {"id": doc_id})[0])


@pytest.fixture
def url_at_43(make_database_at):
    url = make_database_at(42)
    upgrade(url, 43)
    return url


def test_v043_existing_vault_documents_stay_personal(make_database_at):
    url = make_database_at(42)
    doc = _document(url, _agent(url))

    upgrade(url, 43)

    assert _scope_and_team(url, doc) == ("personal", None)


def test_v043_documents_of_different_teams_may_share_a_path(url_at_43):
    agent = _agent(url_at_43)
    first, second = _team(url_at_43, agent), _team(url_at_43, agent)
    _document(url_at_43, agent, scope="team", team=first)

    _document(url_at_43, agent, scope="team", team=second)

    assert execute(url_at_43, "SELECT count(*) FROM vault_documents WHERE agent_id = :a", {"a": agent}) == [(2,)]


def test_v043_rejects_a_second_document_at_the_same_team_path(url_at_43):
    agent = _agent(url_at_43)
    team = _team(url_at_43, agent)
    _document(url_at_43, agent, scope="team", team=team)

    with pytest.raises(sa.exc.IntegrityError):
        _document(url_at_43, agent, scope="team", team=team)


def test_v043_keeps_personal_document_paths_unique(url_at_43):
    agent = _agent(url_at_43)
    _document(url_at_43, agent)

    with pytest.raises(sa.exc.IntegrityError):
        _document(url_at_43, agent)


def test_v043_deleting_a_team_makes_its_documents_personal(url_at_43):
    agent = _agent(url_at_43)
    team = _team(url_at_43, agent)
    doc = _document(url_at_43, agent, scope="team", team=team)

    execute(url_at_43, "DELETE FROM agent_teams WHERE id = :id", {"id": team})

    assert _scope_and_team(url_at_43, doc) == ("personal", None)


def test_v043_clearing_a_document_team_makes_it_personal(url_at_43):
    agent = _agent(url_at_43)
    doc = _document(url_at_43, agent, scope="team", team=_team(url_at_43, agent))

    execute(url_at_43, "UPDATE vault_documents SET team_id = NULL WHERE id = :id", {"id": doc})

    assert _scope_and_team(url_at_43, doc) == ("personal", None)


def test_v043_moving_a_document_to_another_team_keeps_its_scope(url_at_43):
    agent = _agent(url_at_43)
    first, second = _team(url_at_43, agent), _team(url_at_43, agent)
    doc = _document(url_at_43, agent, scope="team", team=first)

    execute(url_at_43, "UPDATE vault_documents SET team_id = :team WHERE id = :id", {"team": second, "id": doc})

    assert _scope_and_team(url_at_43, doc) == ("team", second)


def test_v043_downgrade_keeps_personal_documents(url_at_43):
    doc = _document(url_at_43, _agent(url_at_43))

    downgrade(url_at_43, 42)

    assert execute(url_at_43, "SELECT path FROM vault_documents WHERE id = :id", {"id": doc}) == [("notes/plan.md",)]


def test_v043_downgrade_restores_agent_scope_path_uniqueness(url_at_43):
    agent = _agent(url_at_43)
    _document(url_at_43, agent)

    downgrade(url_at_43, 42)

    with pytest.raises(sa.exc.IntegrityError):
        _document(url_at_43, agent)
