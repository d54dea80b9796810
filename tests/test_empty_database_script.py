"""A new GoClaw deployment's empty database (or new desktop file), upgraded from the chain's own script.

``goclaw_db.runner.empty_database`` applies a kept script instead of walking the revisions one
statement at a time: on PostgreSQL the one ``migrate up --sql`` prints, on SQLite the head file
the walk makes.  It must be what the chain makes now, and build exactly what the walk builds.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from alembic import command
from goclaw_db.runner import alembic_config, chain_versions, revision_id
from goclaw_db.runner.empty_database import (
    POSTGRESQL_SCRIPT,
    offline_script,
    script_parts,
    sqlite_script,
    walked_sqlite_head_file,
)
from tests import schema_catalog
from tests.support import catalog_differences, catalog_of, execute, head_schema_differences, upgrade
from tests.templates import drop_postgres_database

REGENERATE = "the chain changed since the kept script was written: run python -m goclaw_db.runner.empty_database"


def catalog(url: str) -> dict:
    return schema_catalog.dump(url) if url.startswith("sqlite") else catalog_of(url)


def row_counts(url: str) -> dict[str, int]:
    """Rows per table: the seeds a revision writes (their ids and times differ from run to run)."""
    if url.startswith("sqlite"):
        tables = execute(url, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")
    else:
        tables = execute(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {name: execute(url, f'SELECT count(*) FROM "{name}"')[0][0] for (name,) in tables}


def recorded(url: str) -> tuple[list, list]:
    goclaw = (
        "SELECT version FROM schema_version"
        if url.startswith("sqlite")
        else "SELECT version, dirty FROM schema_migrations"
    )
    return execute(url, goclaw), execute(url, "SELECT version_num FROM alembic_version")


def walk(url: str, version: int) -> None:
    """The revisions one by one, as on a database that is not empty."""
    config = alembic_config(url)
    config.attributes["walk_empty_database"] = True
    command.upgrade(config, revision_id(version))


def test_the_kept_postgresql_script_is_what_the_chain_prints_for_an_empty_database():
    assert POSTGRESQL_SCRIPT.read_text(encoding="utf-8") == offline_script(), REGENERATE


def test_an_empty_database_gets_the_kept_script_each_revision_in_one_round_trip(backend, request, tmp_path):
    # The walk compiled about 800 statements and sent them one by one: a new deployment's first run
    # waited on each, and on Alembic building every revision's tables to compile them.
    url = f"sqlite:///{tmp_path / 'goclaw.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    executed: list[str] = []

    def record(_connection, _cursor, statement, *_args) -> None:
        executed.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        upgrade(url)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    kept = sqlite_script() if backend == "sqlite" else tuple(part.sql for part in script_parts())
    assert set(kept) <= set(executed)
    assert head_schema_differences(url) == []


def test_a_new_sqlite_file_from_the_script_is_the_file_the_walk_makes(tmp_path):
    # The walk writes a rebuilt table's constraints in no fixed order, so the kept script is held
    # to the walk's file by catalog, not by its text.
    walked, scripted = tmp_path / "walked.db", f"sqlite:///{tmp_path / 'scripted.db'}"
    walked_sqlite_head_file(walked)
    upgrade(scripted)
    walked_url = f"sqlite:///{walked}"
    assert catalog_differences(catalog(walked_url), catalog(scripted)) == [], REGENERATE
    assert row_counts(scripted) == row_counts(walked_url), REGENERATE
    assert recorded(scripted) == recorded(walked_url)


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
