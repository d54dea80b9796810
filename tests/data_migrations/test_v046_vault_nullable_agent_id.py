"""GoClaw version 46: vault documents without an agent (team and tenant-shared files), kept when their agent goes."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.support import MASTER_TENANT, downgrade, execute, insert_agent, upgrade


def _document(url: str, agent: str | None, *, scope: str = "shared", path: str = "notes/plan.md") -> str:
    doc_id = str(uuid.uuid4())
    execute(
        url,
        "INSERT INTO vault_documents (id, tenant_id, agent_id, scope, path) VALUES (:id, :t, :agent, :scope, :path)",
        {"id": doc_id, "t": MASTER_TENANT, "agent": agent, "scope": scope, "path": path},
    )
    return doc_id


def _link(url: str, source: str, target: str) -> None:
    execute(
        url,
        "INSERT INTO vault_links (id, from_doc_id, to_doc_id) VALUES (:id, :source, :target)",
        {"id": str(uuid.uuid4()), "source": source, "target": target},
    )


def test_v046_documents_keep_their_agent_and_rows(make_database_at, backend):
    url = make_database_at(45, backend)
    agent = insert_agent(url)
    doc = _document(url, agent, scope="personal")

    upgrade(url, 46)

    assert [(str(d), str(a), s) for d, a, s in execute(url, "SELECT id, agent_id, scope FROM vault_documents")] == [
        (doc, agent, "personal")
    ]


def test_v046_a_tenant_shared_document_needs_no_agent_and_its_path_is_unique_per_tenant(make_database_at, backend):
    url = make_database_at(46, backend)
    _document(url, None)

    with pytest.raises(sa.exc.IntegrityError):
        _document(url, None)


def test_v046_deleting_an_agent_leaves_its_personal_documents_shared(make_database_at):
    # PostgreSQL's trigger; GoClaw's desktop schema has none.
    url = make_database_at(46)
    agent = insert_agent(url)
    doc = _document(url, agent, scope="personal")

    execute(url, "DELETE FROM agents WHERE id = :id", {"id": agent})

    assert [(str(d), a, s) for d, a, s in execute(url, "SELECT id, agent_id, scope FROM vault_documents")] == [
        (doc, None, "shared")
    ]


def test_v046_downgrade_deletes_documents_without_an_agent_and_their_links(make_database_at, backend):
    # Version 45 cannot hold them; GoClaw's own downgrade deletes them too.
    url = make_database_at(46, backend)
    agent = insert_agent(url)
    owned = _document(url, agent, scope="personal", path="owned.md")
    shared = _document(url, None, path="shared.md")
    _link(url, owned, shared)
    _link(url, owned, owned)

    downgrade(url, 45)

    assert [str(d) for (d,) in execute(url, "SELECT id FROM vault_documents")] == [owned]
    assert [(str(s), str(t)) for s, t in execute(url, "SELECT from_doc_id, to_doc_id FROM vault_links")] == [
        (owned, owned)
    ]
