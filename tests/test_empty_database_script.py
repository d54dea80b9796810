"""A new GoClaw deployment's empty PostgreSQL database, upgraded from the chain's own offline script.

``goclaw_db.runner.empty_database`` applies the script ``migrate up --sql`` prints instead of walking
the revisions one statement at a time; it must build exactly what the walk builds, at every version.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from alembic import command
from goclaw_db.runner import alembic_config, chain_versions, revision_id, script_location
from goclaw_db.runner.empty_database import SCRIPT, offline_script
from tests.support import HEAD, catalog_differences, catalog_of, execute, postgres_reference, upgrade
from tests.templates import drop_postgres_database


def row_counts(url: str) -> dict[str, int]:
    """Rows per table: the seeds a revision writes (their ids and times differ from run to run)."""
    tables = execute(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {name: execute(url, f'SELECT count(*) FROM "{name}"')[0][0] for (name,) in tables}


def walk(url: str, version: int) -> None:
    """The revisions one by one, as on a database that is not empty."""
    config = alembic_config(url)
    config.attributes["walk_empty_database"] = True
    command.upgrade(config, revision_id(version))


def recorded(url: str) -> tuple[list, list]:
    return (
        execute(url, "SELECT version, dirty FROM schema_migrations"),
        execute(url, "SELECT version_num FROM alembic_version"),
    )


def test_the_kept_script_is_what_the_chain_prints_for_an_empty_database():
    assert SCRIPT.read_text(encoding="utf-8") == offline_script(), (
        "the chain changed since the script was written: run python -m goclaw_db.runner.empty_database"
    )


def test_migrate_up_on_an_empty_database_loads_no_revision_module(postgres_url):
    # Loading and compiling the 44 revisions was most of goclaw-db's own time in a new deployment's first run.
    probe = (
        "import sys; from goclaw_db.cli import main; main(['--dsn', sys.argv[1], 'migrate', 'up']); "
        "print('revisions loaded:', sum(sys.argv[2] in (getattr(m, '__file__', None) or '') "
        "for m in list(sys.modules.values())))"
    )
    versions = str(script_location() / "versions")
    result = subprocess.run(
        [sys.executable, "-c", probe, postgres_url, versions], capture_output=True, text=True, timeout=600
    )
    assert result.stdout.splitlines() == [f"version: {HEAD}", "revisions loaded: 0"], result.stderr
    assert catalog_differences(postgres_reference(HEAD), catalog_of(postgres_url)) == []
    assert recorded(postgres_url) == ([(HEAD, False)], [(revision_id(HEAD),)])


@pytest.mark.slow
def test_the_script_builds_what_the_walk_builds_at_every_version(make_postgres_database, postgres_server_url):
    walked = make_postgres_database()
    for version in chain_versions():
        walk(walked, version)
        scripted = make_postgres_database()
        upgrade(scripted, version)
        assert catalog_differences(catalog_of(walked), catalog_of(scripted)) == [], f"version {version}"
        assert row_counts(scripted) == row_counts(walked), f"rows at version {version}"
        assert recorded(scripted) == recorded(walked), f"version {version}"
        drop_postgres_database(postgres_server_url, scripted)
