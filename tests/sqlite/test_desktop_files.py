"""Files made by GoClaw's desktop build, at every released schema_version, upgraded as a user would.

The files (``tests/desktop_files``) hold GoClaw's desktop schema at 1, 2, 3, 4,
5, 6, 12 and 15 with rows in every table.  ``goclaw-db --sqlite FILE upgrade``
must leave each one as the chain's own head file, with the rows GoClaw's
desktop ladder would leave and the FTS5 search indexes filled.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from goclaw_db.models import MASTER_TENANT_ID
from goclaw_db.search import SearchIndexMissing, search_memory
from tests import schema_catalog
from tests.support import HEAD, HEAD_DESKTOP, HEAD_DESKTOP_REFERENCE, declared_column_order, reference_catalog

FIXTURES = Path(__file__).parent.parent / "desktop_files"
RELEASED = (1, 2, 3, 4, 5, 6, 12, 15)
LADDERED = tuple(v for v in RELEASED if v < 12)

# A word from a fixture row that each search index must find, and the columns it indexes.
SEARCHES = {
    "memory_chunks": ("zebra", ("text",)),
    "episodic_summaries": ("heron", ("summary", "key_topics")),
    "kg_entities": ("owl", ("name", "description")),
    "agents": ("owl", ("display_name", "frontmatter")),
    "team_tasks": ("kestrel", ("subject", "description")),
    "vault_documents": ("falcon", ("title", "path", "summary")),
}
# Columns the ladder rewrites on purpose; every other value of every row is kept.
REWRITTEN = {"agents": {"other_config"}, "agent_context_files": None}


def unpack(version: int, directory: Path) -> Path:
    path = directory / f"goclaw_desktop_v{version}.db"
    with gzip.open(FIXTURES / f"goclaw_desktop_v{version}.db.gz") as packed, open(path, "wb") as plain:
        shutil.copyfileobj(packed, plain)
    return path


def goclaw_db(path: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "goclaw_db.cli", "--sqlite", str(path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(run: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = run.communicate(timeout=600)
    return subprocess.CompletedProcess(run.args, run.returncode, out, err)


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory) -> dict[int, tuple[Path, Path, subprocess.CompletedProcess]]:
    """Each released file upgraded once: version -> (original copy, upgraded file, the run)."""
    originals, work = tmp_path_factory.mktemp("original"), tmp_path_factory.mktemp("upgraded")
    runs = {}
    for version in RELEASED:
        unpack(version, originals)
        runs[version] = goclaw_db(unpack(version, work), "upgrade")
    return {
        version: (originals / f"goclaw_desktop_v{version}.db", work / f"goclaw_desktop_v{version}.db", finish(run))
        for version, run in runs.items()
    }


def query(path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def tables(path: Path) -> list[str]:
    return [
        name
        for (name,) in query(
            path,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT LIKE '%_fts_%'",
        )
    ]


@pytest.fixture(params=RELEASED, ids=lambda v: f"desktop_v{v}")
def version(request, upgraded) -> int:
    result = upgraded[request.param][2]
    assert result.returncode == 0, result.stderr
    return request.param


@pytest.fixture
def original(upgraded, version) -> Path:
    return upgraded[version][0]


@pytest.fixture
def path(upgraded, version) -> Path:
    return upgraded[version][1]


def test_upgrade_records_the_heads_desktop_and_goclaw_versions(path):
    assert query(path, "SELECT version FROM schema_version") == [(HEAD_DESKTOP,)]
    assert query(path, "SELECT version_num FROM alembic_version") == [(f"{HEAD:06d}",)]


def test_file_passes_integrity_and_foreign_key_checks(path):
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert query(path, "PRAGMA foreign_key_check") == []


def test_catalog_equals_the_chain_built_head_file(path, sqlite_templates):
    # Every path to head gives the same file: columns in the same order, same
    # constraints, indexes, triggers, search tables (and vault_versions).
    assert schema_catalog.dump(f"sqlite:///{path}") == schema_catalog.dump(sqlite_templates.template_url(HEAD))


def test_catalog_matches_goclaw_desktop_schema_at_head(path):
    expected = schema_catalog.by_affinity(reference_catalog(HEAD_DESKTOP_REFERENCE))
    lines, matched, total = schema_catalog.diff(
        expected, schema_catalog.by_affinity(schema_catalog.dump(f"sqlite:///{path}"))
    )
    assert [line for line in lines if not line.startswith("+ extra")] == []
    assert matched == total


def test_columns_stand_where_goclaw_desktop_schema_at_head_declares_them(path):
    # GoClaw's later ladder steps copy tables with a positional SELECT *.
    reference = reference_catalog(HEAD_DESKTOP_REFERENCE)["tables"]
    actual = {t: [row[1] for row in query(path, f'PRAGMA table_info("{t}")')] for t in reference}
    assert actual == {table: declared_column_order(spec) for table, spec in reference.items()}


def test_foreign_key_actions_are_the_ones_goclaw_declares(path):
    reference = reference_catalog(HEAD_DESKTOP_REFERENCE)["tables"]
    actual = schema_catalog.dump(f"sqlite:///{path}")["tables"]
    assert {t: actual[t]["foreign_keys"] for t in reference} == {t: s["foreign_keys"] for t, s in reference.items()}


@pytest.mark.parametrize("table", SEARCHES)
def test_search_index_is_filled_with_the_files_rows(path, original, table):
    word, columns = SEARCHES[table]
    containing = " OR ".join(f"{c} LIKE '%{word}%'" for c in columns)
    expected = query(path, f"SELECT id FROM {table} WHERE {containing} ORDER BY id")
    found = query(
        path,
        f"SELECT t.id FROM {table}_fts JOIN {table} t ON t.rowid = {table}_fts.rowid "
        f"WHERE {table}_fts MATCH ? ORDER BY t.id",
        (word,),
    )
    assert found == expected
    if table in tables(original):
        assert found, f"{table} had a row with {word!r} before the upgrade"
    conn = sqlite3.connect(path)
    conn.execute(f"INSERT INTO {table}_fts({table}_fts, rank) VALUES ('integrity-check', 1)")
    conn.close()


def test_every_row_and_value_is_kept(path, original):
    for table in tables(original):
        if table == "schema_version" or REWRITTEN.get(table, set()) is None:
            continue
        before = {r[1] for r in query(original, f"PRAGMA table_info({table})")}
        after = {r[1] for r in query(path, f"PRAGMA table_info({table})")}
        kept = sorted((before & after) - REWRITTEN.get(table, set()))
        select = f"SELECT rowid, {', '.join(kept)} FROM {table} ORDER BY rowid"
        assert query(path, select) == query(original, select), table


def test_agent_links_are_kept(path, original):
    # The desktop never deletes agent links (GoClaw's PostgreSQL migrations do).
    links = "SELECT id, source_agent_id, target_agent_id FROM agent_links"
    assert query(path, links) == query(original, links) != []


def test_contacts_are_user_contacts(path):
    assert query(path, "SELECT DISTINCT contact_type FROM channel_contacts") == [("user",)]


@pytest.mark.parametrize("version", [v for v in LADDERED if v <= 2], ids=lambda v: f"desktop_v{v}", indirect=True)
def test_cron_delivery_settings_move_from_payload_into_columns(path, original):
    columns = "name, deliver, deliver_channel, deliver_to, wake_heartbeat, stateless"
    assert query(path, f"SELECT {columns} FROM cron_jobs ORDER BY name") == [
        ("morning digest", 1, "telegram", "chat-42", 1, 0),
        ("tidy up", 0, "", "", 0, 0),
    ]
    assert query(path, "SELECT payload FROM cron_jobs ORDER BY name") == query(
        original, "SELECT payload FROM cron_jobs ORDER BY name"
    )


@pytest.mark.parametrize("version", [v for v in LADDERED if v <= 5], ids=lambda v: f"desktop_v{v}", indirect=True)
def test_binary_bound_to_one_agent_stays_that_agents_through_a_grant(path, original):
    bound = query(original, "SELECT id, agent_id FROM secure_cli_binaries WHERE agent_id IS NOT NULL")
    assert len(bound) == 1
    assert query(path, "SELECT binary_name, is_global FROM secure_cli_binaries ORDER BY binary_name") == [
        ("aws", 0),
        ("gh", 1),
    ]
    assert query(path, "SELECT binary_id, agent_id, enabled FROM secure_cli_agent_grants") == [(*bound[0], 1)]


@pytest.mark.parametrize("version", LADDERED, ids=lambda v: f"desktop_v{v}", indirect=True)
def test_agent_settings_move_from_other_config_into_columns(path):
    columns = (
        "agent_key, emoji, agent_description, thinking_level, max_tokens, self_evolve, skill_evolve, "
        "skill_nudge_interval, reasoning_config, workspace_sharing, chatgpt_oauth_routing, "
        "shell_deny_groups, kg_dedup_config, other_config"
    )
    assert query(path, f"SELECT {columns} FROM agents ORDER BY agent_key") == [
        (
            "researcher",
            "🦉",
            "Finds and summarises papers",
            "high",
            4096,
            1,
            0,
            5,
            '{"effort":"medium"}',
            '{"mode":"team"}',
            '{"enabled":true}',
            '{"network":true}',
            '{"threshold":0.9}',
            '{"voice":"calm"}',
        ),
        ("retired", "x", "", "", 0, 0, 0, 0, "{}", "{}", "{}", "{}", "{}", "{}"),
        ("writer", "", "", "", 0, 0, 0, 0, "{}", "{}", "{}", "{}", "{}", "{}"),
    ]


@pytest.mark.parametrize("version", LADDERED, ids=lambda v: f"desktop_v{v}", indirect=True)
def test_knowledge_graph_rows_become_valid_from_the_upgrade(path):
    # GoClaw's own step from 6 to 7 fails on these rows; here they are kept and current.
    for table, count in (("kg_entities", 2), ("kg_relations", 1)):
        rows = query(path, f"SELECT valid_from, valid_until FROM {table}")
        assert len(rows) == count
        assert all(valid_from.startswith("20") and valid_until is None for valid_from, valid_until in rows)


@pytest.mark.parametrize("version", LADDERED, ids=lambda v: f"desktop_v{v}", indirect=True)
def test_live_agents_get_core_and_task_files_and_minimal_files_go(path):
    files = query(
        path,
        "SELECT a.agent_key, f.file_name, f.content FROM agent_context_files f "
        "JOIN agents a ON a.id = f.agent_id ORDER BY a.agent_key, f.file_name",
    )
    assert [(agent, name) for agent, name, _content in files] == [
        ("researcher", "AGENTS_CORE.md"),
        ("researcher", "AGENTS_TASK.md"),
        ("writer", "AGENTS_CORE.md"),
        ("writer", "AGENTS_TASK.md"),
        ("writer", "SOUL.md"),
    ]
    assert files[0][2] == "the operator's own core rules"


@pytest.mark.parametrize("desktop", [12, 15])
def test_a_file_goclaw_made_at_12_or_later_keeps_its_context_files(upgraded, desktop):
    original, path, result = upgraded[desktop]
    assert result.returncode == 0, result.stderr
    files = "SELECT id, file_name, content FROM agent_context_files ORDER BY id"
    assert query(path, files) == query(original, files)


def test_a_file_goclaw_made_at_12_keeps_the_first_of_its_same_named_cron_jobs_as_goclaws_step_to_15(tmp_path):
    # GoClaw's desktop step from 14 to 15 keeps the smallest id of each agent, tenant and name (and
    # deletes the others' run logs with them) before its unique index; PostgreSQL's 47 keeps the newest.
    path = unpack(12, tmp_path)
    (kept,), (later,) = query(path, "SELECT id FROM cron_jobs ORDER BY id")
    change(path, "UPDATE cron_jobs SET name = 'digest', updated_at = ? WHERE id = ?", ("2026-03-30T00:00:00Z", later))
    change(path, "UPDATE cron_jobs SET name = 'digest' WHERE id = ?", (kept,))
    change(path, "UPDATE cron_run_logs SET job_id = ?", (later,))

    result = finish(goclaw_db(path, "upgrade"))

    assert result.returncode == 0, result.stderr
    assert query(path, "SELECT id, name FROM cron_jobs") == [(kept, "digest")]
    assert query(path, "SELECT count(*) FROM cron_run_logs") == [(0,)]


def test_a_file_goclaw_made_at_12_keeps_its_vault_links_where_goclaws_step_to_14_drops_them(upgraded):
    # GoClaw's step from 13 to 14 rebuilds vault_documents with DROP TABLE while foreign keys are on.
    original, path, result = upgraded[12]
    assert result.returncode == 0, result.stderr
    links = "SELECT id, from_doc_id, to_doc_id, link_type FROM vault_links ORDER BY id"
    assert query(path, links) == query(original, links) != []


def change(path: Path, sql: str, params=()) -> None:
    """One change, committed and checkpointed: the fixtures are WAL files, as GoClaw's are."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()  # the last connection to close moves the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(path: Path) -> subprocess.CompletedProcess:
    before = sha256(path)
    result = finish(goclaw_db(path, "upgrade"))
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert sha256(path) == before
    return result


@pytest.mark.parametrize("unreleased", [0, 9])
def test_a_desktop_version_no_release_wrote_is_refused_and_left_alone(tmp_path, unreleased):
    path = unpack(6, tmp_path)
    change(path, "UPDATE schema_version SET version = ?", (unreleased,))
    assert f"schema_version {unreleased}, which no GoClaw release wrote" in refused(path).stderr


def test_rows_the_head_schema_refuses_roll_everything_back(tmp_path):
    # Version 5 let one binary name be defined per agent; from 6 it is one per tenant.
    path = unpack(5, tmp_path)
    change(path, "UPDATE secure_cli_binaries SET binary_name = 'aws'")
    assert f"cannot be brought to {HEAD_DESKTOP}" in refused(path).stderr


def test_rows_whose_foreign_keys_point_at_nothing_are_refused_and_left_alone(tmp_path):
    # GoClaw keeps foreign keys on; a file that broke them anyway is not taken over half-checked.
    path = unpack(6, tmp_path)
    change(path, "UPDATE kg_entities SET agent_id = 'no-such-agent'")
    assert "foreign key points at nothing (first: kg_entities -> agents)" in refused(path).stderr


def test_status_of_a_file_not_yet_adopted_says_what_the_next_upgrade_does(tmp_path):
    path = unpack(5, tmp_path)
    before = path.read_bytes()
    status = finish(goclaw_db(path, "migrate", "status", "--json"))
    assert status.returncode == 0, status.stderr
    assert "schema_version 5: the next upgrade rebuilds it" in json.loads(status.stdout)["pending_adoption"]
    assert path.read_bytes() == before


@pytest.mark.parametrize("desktop", [1, 12])
def test_doctor_on_a_file_not_yet_adopted_lists_each_difference_and_points_at_upgrade(tmp_path, desktop):
    # It was one line of 50,356 characters that told the operator to undo hand-made changes.
    path = unpack(desktop, tmp_path)
    run = finish(goclaw_db(path, "doctor", "--json"))
    assert run.returncode == 0, run.stderr
    drift = {check["name"]: check for check in json.loads(run.stdout)["checks"]}["schema drift"]
    assert drift["status"] == "warn"
    assert drift["detail"].startswith(f"GoClaw's desktop file (schema_version {desktop}), not adopted yet: ")
    assert drift["fix"].startswith("goclaw-db upgrade")
    assert "missing table memory_chunks_fts" in drift["items"]
    assert all("\n" not in item and len(item) < 1000 for item in drift["items"])


def test_search_on_a_file_not_yet_adopted_says_to_run_upgrade_first(tmp_path):
    path = unpack(12, tmp_path)
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    try:
        with pytest.raises(SearchIndexMissing) as raised:
            search_memory(
                engine, "zebra", agent_id=query(path, "SELECT id FROM agents")[0][0], tenant_id=MASTER_TENANT_ID
            )
    finally:
        engine.dispose()
    message = str(raised.value)
    assert message.startswith("memory_chunks_fts does not exist: ") and "run goclaw-db upgrade first" in message
    assert "\n" not in message and raised.value.__cause__ is None and raised.value.__suppress_context__
