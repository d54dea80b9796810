"""SQLite table rebuilds delete nothing and weaken nothing with foreign keys on in the caller's connection.

A revision that alters a table on SQLite copies it into a new one and drops the
old one.  With foreign keys on, that drop deletes every row referring to the
table (ON DELETE CASCADE); so the chain runs with foreign keys off, checks
them after every revision, and gives the caller's setting back.  The copy
keeps every clause the table was declared with, also when the table was
written the way GoClaw's desktop schema writes its tables (delete rules
inside the column definition, unnamed CHECKs).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError

from alembic import command
from goclaw_db import revision_ops  # noqa: F401  (registers op.alter_portable_table)
from goclaw_db.engine import create_engine
from goclaw_db.runner import alembic_config
from tests import schema_catalog
from tests.support import HEAD_DESKTOP_REFERENCE, reference_catalog, sqlite_file, upgrade

REPOSITORY = Path(__file__).resolve().parents[2]

LIVE_AGENT = str(uuid.UUID(int=1))
DELETED_AGENT = str(uuid.UUID(int=2))
MISSING_AGENT = str(uuid.UUID(int=99))


def _rows(path: Path, statement: str, params=()) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(statement, params).fetchall()


def _count(path: Path, table: str, where: str = "1", params=()) -> int:
    return _rows(path, f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0]


@pytest.fixture(scope="module")
def version_22_template(sqlite_templates, tmp_path_factory) -> Path:
    """A file at GoClaw version 22: an agent with a context file, a memory document and a searchable
    chunk, and a soft-deleted agent with a context file and a session."""
    path = tmp_path_factory.mktemp("v22") / "goclaw.db"
    shutil.copyfile(sqlite_file(sqlite_templates.template_url(22)), path)
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO agents (id, agent_key, owner_id, model, display_name, deleted_at) "
            "VALUES (?, ?, 'owner', 'm', ?, ?)",
            [
                (LIVE_AGENT, "navigator", "Navigator", None),
                (DELETED_AGENT, "stowaway", "Stowaway", "2025-01-01T00:00:00Z"),
            ],
        )
        conn.executemany(
            "INSERT INTO agent_context_files (id, agent_id, file_name) VALUES (?, ?, ?)",
            [(str(uuid.uuid4()), LIVE_AGENT, "AGENTS.md"), (str(uuid.uuid4()), DELETED_AGENT, "SOUL.md")],
        )
        document = str(uuid.uuid4())
        conn.execute(
            "INSERT INTO memory_documents (id, agent_id, path, hash) VALUES (?, ?, 'log.md', 'h')",
            (document, LIVE_AGENT),
        )
        conn.execute(
            "INSERT INTO memory_chunks (id, agent_id, document_id, path, hash, text) "
            "VALUES (?, ?, ?, 'log.md', 'h', 'compass bearings at dawn')",
            (str(uuid.uuid4()), LIVE_AGENT, document),
        )
        conn.execute(
            "INSERT INTO sessions (id, session_key, agent_id) VALUES (?, 'stowaway-chat', ?)",
            (str(uuid.uuid4()), DELETED_AGENT),
        )
    return path


@pytest.fixture
def version_22(version_22_template, tmp_path) -> Path:
    path = tmp_path / "goclaw.db"
    shutil.copyfile(version_22_template, path)
    return path


def _upgrade_through(connectable, path: Path, revision: str) -> None:
    config = alembic_config(f"sqlite:///{path}")
    config.attributes["connection"] = connectable
    command.upgrade(config, revision)


def _live_agent_rows(path: Path) -> dict[str, int]:
    return {
        table: _count(path, table, "agent_id = ?", (LIVE_AGENT,))
        for table in ("agent_context_files", "memory_documents", "memory_chunks")
    }


KEPT = {"agent_context_files": 1, "memory_documents": 1, "memory_chunks": 1}


# --- item 1: foreign keys off during the rebuilds, whatever runs the chain -----------------


def test_goclaw_engine_with_foreign_keys_on_keeps_the_rows_referring_to_rebuilt_agents(version_22):
    engine = create_engine(sqlite_path=version_22)  # turns foreign keys on for its connections
    try:
        _upgrade_through(engine, version_22, "000024")
    finally:
        engine.dispose()
    assert _live_agent_rows(version_22) == KEPT


@pytest.mark.parametrize(
    "command_line",
    [
        pytest.param(
            lambda path: [sys.executable, "-m", "alembic", "-x", f"url=sqlite:///{path}", "upgrade", "000024"],
            id="alembic",
        ),
        pytest.param(
            lambda path: [sys.executable, "-m", "goclaw_db.cli", "--sqlite", str(path), "migrate", "goto", "24"],
            id="goclaw-db",
        ),
    ],
)
def test_command_lines_keep_the_rows_referring_to_rebuilt_agents(version_22, command_line):
    result = subprocess.run(
        command_line(version_22), cwd=REPOSITORY, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr
    assert _live_agent_rows(version_22) == KEPT


def test_callers_connection_gets_its_foreign_keys_back_after_the_run(version_22):
    engine = create_engine(sqlite_path=version_22)
    try:
        with engine.connect() as connection:
            _upgrade_through(connection, version_22, "000023")
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_soft_deleted_agents_take_their_rows_with_them_while_foreign_keys_are_off(version_22):
    """Version 23 deletes soft-deleted agents relying on ON DELETE CASCADE, which SQLite skips with keys off."""
    upgrade(f"sqlite:///{version_22}", 23)
    assert _count(version_22, "agents", "id = ?", (DELETED_AGENT,)) == 0
    assert _count(version_22, "agent_context_files", "agent_id = ?", (DELETED_AGENT,)) == 0
    assert _count(version_22, "sessions", "session_key = 'stowaway-chat'") == 0
    assert _count(version_22, "agent_context_files", "agent_id = ?", (LIVE_AGENT,)) == 1


def test_upgrade_to_head_through_goclaw_engine_leaves_a_sound_desktop_file(version_22):
    engine = create_engine(sqlite_path=version_22)
    try:
        _upgrade_through(engine, version_22, "head")
    finally:
        engine.dispose()
    assert _rows(version_22, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(version_22, "PRAGMA foreign_key_check") == []
    assert _count(version_22, "agent_context_files", "agent_id = ? AND file_name = 'AGENTS.md'", (LIVE_AGENT,)) == 1
    assert _count(version_22, "memory_chunks", "agent_id = ?", (LIVE_AGENT,)) == 1
    # Every search index agrees with its table, and the copied agents are findable.
    for (fts,) in _rows(version_22, "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"):
        _rows(version_22, f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
    assert _count(version_22, "agents_fts", "agents_fts MATCH 'navigator'") == 1
    assert _count(version_22, "memory_chunks_fts", "memory_chunks_fts MATCH 'compass'") == 1
    # Delete rules as GoClaw declares them, and the whole desktop catalog.
    expected = schema_catalog.by_affinity(reference_catalog(HEAD_DESKTOP_REFERENCE))
    actual = schema_catalog.by_affinity(schema_catalog.dump(f"sqlite:///{version_22}"))
    assert [line for line in schema_catalog.diff(expected, actual)[0] if not line.startswith("+ extra")] == []


def test_revision_leaving_a_dangling_reference_fails_naming_the_table_and_keeps_the_file(version_22):
    with sqlite3.connect(version_22) as conn:  # foreign keys off, as any tool may have written it
        conn.execute(
            "INSERT INTO memory_documents (id, agent_id, path, hash) VALUES (?, ?, 'lost.md', 'h')",
            (str(uuid.uuid4()), MISSING_AGENT),
        )
    before = list(sqlite3.connect(version_22).iterdump())

    result = subprocess.run(
        [sys.executable, "-m", "goclaw_db.cli", "--sqlite", str(version_22), "migrate", "up"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("goclaw-db:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "memory_documents" in errors[0] and "version 23" in errors[0]
    assert list(sqlite3.connect(version_22).iterdump()) == before


# --- item 2: a rebuilt table keeps every clause it was declared with -------------------------
# Written the way GoClaw's desktop schema writes its tables: each key's delete
# rule inside its column definition, CHECKs without names.

CREWS = "CREATE TABLE crews (id TEXT NOT NULL PRIMARY KEY, title TEXT NOT NULL)"
SAILORS = """CREATE TABLE sailors (
    id           TEXT NOT NULL PRIMARY KEY,
    crew_id      TEXT NOT NULL REFERENCES crews(id) ON DELETE CASCADE,
    mentor_crew  TEXT REFERENCES crews(id) ON DELETE SET NULL,
    handle       VARCHAR(100) COLLATE NOCASE NOT NULL DEFAULT '',
    rank         INT DEFAULT 1 CHECK (rank BETWEEN 1 AND 9),
    badge        TEXT GENERATED ALWAYS AS (upper(handle) || '-' || rank) VIRTUAL,
    shore_leave  TEXT,   -- dropped by the rebuild below
    joined_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (mentor_crew IS NULL OR mentor_crew != crew_id)
)"""
# Newest first, as GoClaw's desktop schema orders its time indexes (traces, spans, run logs).
SAILOR_RANKS = "CREATE INDEX idx_sailors_rank ON sailors (crew_id, rank DESC) WHERE rank > 1"
LOGBOOK = "CREATE TABLE logbook (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL, shore_leave TEXT)"


def _rebuild_without_shore_leave(path: Path, table: str) -> None:
    """Drop a column through op.alter_portable_table in a real Alembic migration context (SQLite copies the table)."""
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    with (
        engine.begin() as connection,
        Operations.context(MigrationContext.configure(connection)) as operations,
        operations.alter_portable_table(table) as batch,
    ):
        batch.drop_column("shore_leave")


@pytest.fixture(scope="module")
def rebuilt_sailors(tmp_path_factory) -> tuple[Path, list[tuple]]:
    """The sailors file after the rebuild, and each column's (name, type, not null, default, hidden) before it."""
    path = tmp_path_factory.mktemp("sailors") / "sailors.db"
    with sqlite3.connect(path) as conn:
        for statement in (CREWS, SAILORS, SAILOR_RANKS, LOGBOOK):
            conn.execute(statement)
        conn.executemany("INSERT INTO crews VALUES (?, ?)", [("c1", "Deck"), ("c2", "Galley")])
        conn.executemany(
            "INSERT INTO sailors (id, crew_id, mentor_crew, handle, rank) VALUES (?, ?, ?, ?, ?)",
            [("s1", "c1", None, "anne", 3), ("s2", "c2", "c1", "bart", 5)],
        )
        conn.executemany("INSERT INTO logbook (entry) VALUES (?)", [("set sail",), ("storm",)])
        conn.execute("DELETE FROM logbook WHERE entry = 'storm'")
        columns_before = _columns(conn, "sailors")
    _rebuild_without_shore_leave(path, "sailors")
    _rebuild_without_shore_leave(path, "logbook")
    return path, columns_before


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple]:
    return [
        (name, declared, notnull, default, hidden)
        for _cid, name, declared, notnull, default, _pk, hidden in conn.execute(f"PRAGMA table_xinfo({table})")
    ]


def _with_keys_on(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def test_rebuild_keeps_inline_delete_rules(rebuilt_sailors):
    path, _before = rebuilt_sailors
    rules = {row[3]: (row[2], row[6]) for row in _rows(path, "PRAGMA foreign_key_list(sailors)")}
    assert rules == {"crew_id": ("crews", "CASCADE"), "mentor_crew": ("crews", "SET NULL")}


def test_deleting_a_parent_after_the_rebuild_cascades_and_sets_null(rebuilt_sailors, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copyfile(rebuilt_sailors[0], path)
    with _with_keys_on(path) as conn:
        conn.execute("DELETE FROM crews WHERE id = 'c1'")
        assert conn.execute("SELECT id, crew_id, mentor_crew FROM sailors").fetchall() == [("s2", "c2", None)]


def test_rebuild_keeps_unnamed_checks(rebuilt_sailors, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copyfile(rebuilt_sailors[0], path)
    with _with_keys_on(path) as conn:
        for values in (("s3", "c1", None, 12), ("s4", "c1", "c1", 2)):
            with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
                conn.execute("INSERT INTO sailors (id, crew_id, mentor_crew, rank) VALUES (?, ?, ?, ?)", values)


def test_rebuild_keeps_collation(rebuilt_sailors):
    assert _rows(rebuilt_sailors[0], "SELECT id FROM sailors WHERE handle = 'ANNE'") == [("s1",)]


def test_rebuild_keeps_defaults_generated_column_and_column_order(rebuilt_sailors):
    path, before = rebuilt_sailors
    with sqlite3.connect(path) as conn:
        after = _columns(conn, "sailors")

    def kept(column):
        """What a copy keeps: the type's affinity (SQLAlchemy writes INT as INTEGER) and the default's
        value (it writes a literal 1.0 as (1.0))."""
        name, declared, notnull, default, hidden = column
        if default and default.startswith("(") and default.endswith(")"):
            default = default[1:-1]
        return name, schema_catalog.sqlite_affinity(declared), notnull, default, hidden

    assert [kept(column) for column in after] == [kept(column) for column in before if column[0] != "shore_leave"]


def test_rebuild_keeps_a_descending_partial_index_as_written(rebuilt_sailors):
    # SQLAlchemy's SQLite reflection drops DESC from the index the copy re-creates.
    path = rebuilt_sailors[0]
    assert _rows(path, "SELECT sql FROM sqlite_master WHERE name = 'idx_sailors_rank'") == [(SAILOR_RANKS,)]
    assert [row[2:4] for row in _rows(path, "PRAGMA index_xinfo(idx_sailors_rank)") if row[5]] == [
        ("crew_id", 0),
        ("rank", 1),
    ]


def test_rebuild_keeps_rows_and_their_generated_values(rebuilt_sailors):
    assert _rows(
        rebuilt_sailors[0], "SELECT id, crew_id, mentor_crew, handle, rank, badge FROM sailors ORDER BY id"
    ) == [("s1", "c1", None, "anne", 3, "ANNE-3"), ("s2", "c2", "c1", "bart", 5, "BART-5")]


def test_rebuild_keeps_autoincrement(rebuilt_sailors, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copyfile(rebuilt_sailors[0], path)
    with sqlite3.connect(path) as conn:
        assert "AUTOINCREMENT" in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'logbook'").fetchone()[0]
        conn.execute("INSERT INTO logbook (entry) VALUES ('land ho')")
        # The deleted entry's id (2) is not handed out again.
        assert conn.execute("SELECT id FROM logbook WHERE entry = 'land ho'").fetchone() == (3,)


def test_rebuild_is_refused_while_foreign_keys_are_on(tmp_path):
    path = tmp_path / "sailors.db"
    with sqlite3.connect(path) as conn:
        for statement in (CREWS, SAILORS):
            conn.execute(statement)
        conn.execute("INSERT INTO crews VALUES ('c1', 'Deck')")
        conn.execute("INSERT INTO sailors (id, crew_id) VALUES ('s1', 'c1')")
        conn.execute("CREATE TABLE keepers (sailor_id TEXT REFERENCES sailors(id) ON DELETE CASCADE)")
        conn.execute("INSERT INTO keepers VALUES ('s1')")
    engine = create_engine(sqlite_path=path)  # foreign keys on
    try:
        with (
            engine.begin() as connection,
            Operations.context(MigrationContext.configure(connection)) as operations,
            pytest.raises(CommandError, match="foreign keys on"),
            operations.alter_portable_table("sailors") as batch,
        ):
            batch.drop_column("shore_leave")
    finally:
        engine.dispose()
    assert _rows(path, "SELECT sailor_id FROM keepers") == [("s1",)]
