"""The desktop file's FTS5 search: six external-content indexes kept in step by triggers, ranked by bm25."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from tests.support import HEAD, downgrade, sqlite_file, upgrade

MASTER_TENANT_ID = "0193a5b0-7000-7000-8000-000000000001"

SEARCHED = {
    "memory_chunks": ("text",),
    "episodic_summaries": ("summary", "key_topics"),
    "kg_entities": ("name", "description"),
    "agents": ("display_name", "frontmatter"),
    "team_tasks": ("subject", "description"),
    "vault_documents": ("title", "path", "summary"),
}


def connect(path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def new_id() -> str:
    return str(uuid.uuid4())


def add_agent(conn, display_name: str, frontmatter: str = "") -> str:
    agent_id = new_id()
    conn.execute(
        "INSERT INTO agents (id, agent_key, display_name, frontmatter, owner_id, provider, model, tenant_id) "
        "VALUES (?, ?, ?, ?, 'owner', 'openai', 'gpt', ?)",
        (agent_id, f"key-{agent_id[:8]}", display_name, frontmatter, MASTER_TENANT_ID),
    )
    return agent_id


def search(conn, table: str, query: str) -> list[str]:
    """Ids of the live rows matching ``query``, best match first."""
    return [
        row[0]
        for row in conn.execute(
            f"SELECT t.id FROM {table}_fts f JOIN {table} t ON t.rowid = f.rowid "
            f"WHERE {table}_fts MATCH ? ORDER BY bm25({table}_fts)",
            (query,),
        )
    ]


def integrity_check(conn, table: str) -> None:
    conn.execute(f"INSERT INTO {table}_fts({table}_fts, rank) VALUES ('integrity-check', 1)")


def test_six_fts5_tables_index_the_searched_columns(desktop_database):
    with connect(desktop_database) as conn:
        modules = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'"))
    assert sorted(modules) == sorted(f"{table}_fts" for table in SEARCHED)
    for table, columns in SEARCHED.items():
        assert f"fts5({', '.join(columns)}, content='{table}'" in modules[f"{table}_fts"]


def test_inserted_updated_and_deleted_rows_are_found_exactly_while_they_live(desktop_database):
    conn = connect(desktop_database)
    kept = add_agent(conn, "Harbour pilot", "guides ships into the harbour")
    renamed = add_agent(conn, "Harbour clerk", "keeps the ledger")
    gone = add_agent(conn, "Lighthouse keeper", "watches the harbour lights")
    assert sorted(search(conn, "agents", "harbour")) == sorted([kept, renamed, gone])

    conn.execute("UPDATE agents SET display_name = 'Ledger clerk' WHERE id = ?", (renamed,))
    conn.execute("DELETE FROM agents WHERE id = ?", (gone,))

    assert search(conn, "agents", "harbour") == [kept]
    assert search(conn, "agents", "ledger") == [renamed]
    assert search(conn, "agents", "lighthouse") == []
    integrity_check(conn, "agents")


def test_best_match_comes_first(desktop_database):
    conn = connect(desktop_database)
    agent = add_agent(conn, "Archivist")
    chunks = {}
    for name, text in (
        ("passing", "the report mentions a tide table once among many other things about the port"),
        ("focused", "tide tide tide: the tide table lists every tide"),
        ("unrelated", "nothing about the sea here"),
    ):
        chunks[name] = new_id()
        conn.execute(
            "INSERT INTO memory_chunks (id, agent_id, document_id, path, hash, text, tenant_id) "
            "VALUES (?, ?, NULL, 'notes.md', ?, ?, ?)",
            (chunks[name], agent, name, text, MASTER_TENANT_ID),
        )
    assert search(conn, "memory_chunks", "tide") == [chunks["focused"], chunks["passing"]]
    integrity_check(conn, "memory_chunks")


@pytest.mark.parametrize("table", sorted(SEARCHED))
def test_each_fts5_index_passes_its_integrity_check_after_changes(desktop_database, table):
    conn = connect(desktop_database)
    agent = add_agent(conn, "Cartographer", "draws maps of coastlines")
    team = new_id()
    conn.execute(
        "INSERT INTO agent_teams (id, name, lead_agent_id, created_by, tenant_id) VALUES (?, 'Survey', ?, 'u', ?)",
        (team, agent, MASTER_TENANT_ID),
    )
    rows = {
        "memory_chunks": (
            "INSERT INTO memory_chunks (id, agent_id, path, hash, text, tenant_id) "
            "VALUES (?, ?, 'a.md', 'h', 'coastline survey notes', ?)",
            (agent,),
        ),
        "episodic_summaries": (
            "INSERT INTO episodic_summaries (id, agent_id, user_id, session_key, summary, "
            "key_topics, tenant_id) VALUES (?, ?, 'u', 's', 'surveyed the coastline', "
            '\'["maps", "coastline"]\', ?)',
            (agent,),
        ),
        "kg_entities": (
            "INSERT INTO kg_entities (id, agent_id, user_id, external_id, name, entity_type, "
            "description, tenant_id) VALUES (?, ?, 'u', 'e1', 'Coastline', 'place', 'a long coast', ?)",
            (agent,),
        ),
        "agents": None,
        "team_tasks": (
            "INSERT INTO team_tasks (id, team_id, subject, description, tenant_id) "
            "VALUES (?, ?, 'Map the coastline', 'every bay', ?)",
            (team,),
        ),
        "vault_documents": (
            "INSERT INTO vault_documents (id, agent_id, scope, path, title, doc_type, "
            "content_hash, summary, tenant_id) VALUES (?, ?, 'personal', 'maps/coast.md', "
            "'Coastline', 'note', 'h', 'the coastline survey', ?)",
            (agent,),
        ),
    }[table]
    row_id = agent
    if rows:
        row_id = new_id()
        sql, params = rows
        conn.execute(sql, (row_id, *params, MASTER_TENANT_ID))
    assert search(conn, table, "coastline OR coastlines") == [row_id]

    first_column = SEARCHED[table][0]
    conn.execute(f"UPDATE {table} SET {first_column} = 'renamed entry' WHERE id = ?", (row_id,))
    integrity_check(conn, table)
    conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
    assert search(conn, table, "renamed") == []
    integrity_check(conn, table)


def test_search_indexes_survive_later_table_rebuilds(make_database_at):
    """Revisions after 31 rebuild kg_entities on SQLite; its index and triggers must come through intact."""
    url = make_database_at(31, "sqlite")
    path = sqlite_file(url)
    conn = connect(path)
    agent = add_agent_at_31(conn)
    conn.execute(
        "INSERT INTO kg_entities (id, agent_id, user_id, external_id, name, entity_type, description, "
        "tenant_id) VALUES ('e-1', ?, 'u', 'x', 'Old harbour', 'place', '', ?)",
        (agent, MASTER_TENANT_ID),
    )
    conn.execute("DELETE FROM kg_entities WHERE id = 'e-1'")
    conn.execute(
        "INSERT INTO kg_entities (id, agent_id, user_id, external_id, name, entity_type, description, "
        "tenant_id) VALUES ('e-2', ?, 'u', 'y', 'New harbour', 'place', '', ?)",
        (agent, MASTER_TENANT_ID),
    )
    conn.close()

    upgrade(url, HEAD)
    conn = connect(path)
    assert search(conn, "kg_entities", "harbour") == ["e-2"]
    conn.execute("UPDATE kg_entities SET name = 'Quay' WHERE id = 'e-2'")
    assert search(conn, "kg_entities", "quay") == ["e-2"]
    for table in SEARCHED:
        integrity_check(conn, table)
    conn.close()

    downgrade(url, 30)
    conn = connect(path)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'kg_entities_fts%'").fetchall() == []


def add_agent_at_31(conn) -> str:
    return add_agent(conn, "Harbour master")
