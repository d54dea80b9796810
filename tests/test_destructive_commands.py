"""Destructive commands do only what they say (drop, goto, down, force), on both databases."""

from __future__ import annotations

import functools
import itertools
import os
import re
import subprocess
import sys

import pytest

from goclaw_db.config import normalize_url
from goclaw_db.ownership import BOOKKEEPING_TABLES, GOCLAW_FUNCTIONS, RETIRED_TABLES, goclaw_tables
from goclaw_db.runner import chain_versions
from tests.support import HEAD, execute, postgres_reference, sqlite_file

AGENT = "00000000-0000-7000-8000-0000000000a1"
TENANT = "0193a5b0-7000-7000-8000-000000000001"  # GoClaw's master tenant


def goclaw_db(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    return subprocess.run(
        [sys.executable, "-m", "goclaw_db.cli", "--dsn", url, *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        input=stdin,
    )


def one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def database_at(backend, make_database_at):
    """Factory: a database of the test's backend at version N; returns its URL."""
    return functools.partial(make_database_at, backend=backend)


def tables_of(url: str) -> set[str]:
    if url.startswith("sqlite"):
        rows = execute(url, "SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = execute(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {name for (name,) in rows}


def version_of(url: str) -> int:
    return int(goclaw_db(url, "migrate", "version").stdout.split(",")[0].split(":")[1])


# --- drop ------------------------------------------------------------------------------------


def test_drop_removes_goclaws_objects_and_leaves_another_applications_tables(database_at):
    url = database_at(HEAD)
    execute(url, "CREATE TABLE customers (id integer PRIMARY KEY, name text)")
    execute(url, "INSERT INTO customers VALUES (1, 'Ada')")

    result = goclaw_db(url, "migrate", "drop", "--yes")

    assert result.returncode == 0, result.stderr
    assert "leaving 1 tables that are not GoClaw's: customers" in result.stdout
    dropped = next(line for line in result.stdout.splitlines() if line.startswith("dropped "))
    assert "table agents," in dropped and "customers" not in dropped
    assert tables_of(url) == {"customers"}
    assert execute(url, "SELECT name FROM customers") == [("Ada",)]
    if url.startswith("postgresql"):
        leftovers = execute(
            url,
            "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
            "UNION ALL SELECT extname FROM pg_extension WHERE extname IN ('vector', 'pgcrypto')",
        )
        assert leftovers == []


def test_drop_without_yes_and_without_a_terminal_drops_nothing(database_at):
    url = database_at(1)
    before = tables_of(url)
    result = goclaw_db(url, "migrate", "drop")
    one_line_error(result, "nothing was dropped", "--yes")
    assert "to drop from" in result.stdout  # the list comes first
    assert tables_of(url) == before


def test_everything_in_schema_is_golang_migrates_drop_and_must_be_asked_for_by_name(database_at):
    url = database_at(1)
    execute(url, "CREATE TABLE notes (body text)")
    result = goclaw_db(url, "migrate", "drop", "--yes", "--everything-in-schema")
    assert result.returncode == 0, result.stderr
    assert tables_of(url) == set()


def test_a_foreign_key_from_another_application_stops_the_drop_before_anything_goes(make_database_at):
    url = make_database_at(1)
    execute(url, "CREATE TABLE invoices (agent_id uuid REFERENCES agents(id))")
    before = tables_of(url)
    one_line_error(goclaw_db(url, "migrate", "drop", "--yes"), "nothing was dropped", "--everything-in-schema")
    assert tables_of(url) == before


HOSTILE = 'x" CASCADE; ALTER ROLE {role} SUPERUSER; --'


def test_hostile_table_names_reach_sql_only_quoted(make_database_at):
    # A role that may only create tables names one so that pasting it into
    # DROP TABLE "..." would make it superuser when an operator runs drop.
    url = make_database_at(1)
    role = f"{normalize_url(url).database}_app"
    execute(url, f'CREATE ROLE "{role}" NOSUPERUSER')
    hostile = HOSTILE.format(role=role)
    quoted = hostile.replace('"', '""')
    execute(url, f'CREATE TABLE "{quoted}" (id int)')
    execute(url, 'CREATE TABLE "a%sb:c %(x)s" (id int)')
    try:
        kept = goclaw_db(url, "migrate", "drop", "--yes")
        assert kept.returncode == 0, kept.stderr
        assert tables_of(url) == {hostile, "a%sb:c %(x)s"}

        everything = goclaw_db(url, "migrate", "drop", "--yes", "--everything-in-schema")
        assert everything.returncode == 0, everything.stderr
        assert tables_of(url) == set()
        assert execute(url, f"SELECT rolsuper FROM pg_roles WHERE rolname = '{role}'") == [(False,)]
    finally:
        execute(url, f'DROP ROLE "{role}"')


def test_hostile_table_names_in_a_sqlite_file_are_dropped_as_named(make_database_at):
    url = make_database_at(1, "sqlite")
    execute(url, 'CREATE TABLE "x""; DROP TABLE agents; --" (id int)')
    execute(url, 'CREATE TABLE "a%sb:c %(x)s" (id int)')
    result = goclaw_db(url, "migrate", "drop", "--yes", "--everything-in-schema")
    assert result.returncode == 0, result.stderr
    assert tables_of(url) == set()


GOCLAW_CATALOGS = {version: postgres_reference(version) for version in (0, *chain_versions())}


def test_ownership_names_every_table_goclaws_versions_ever_had():
    ever = set().union(*(catalog["tables"] for catalog in GOCLAW_CATALOGS.values()))
    assert ever - BOOKKEEPING_TABLES == goclaw_tables()


def test_each_retired_table_names_the_version_that_dropped_it():
    versions = list(GOCLAW_CATALOGS)
    dropped_at = {
        table: version
        for before, version in itertools.pairwise(versions)
        for table in GOCLAW_CATALOGS[before]["tables"].keys() - GOCLAW_CATALOGS[version]["tables"].keys()
    }
    assert {table: dropped_at[table] for table in RETIRED_TABLES} == RETIRED_TABLES


def test_ownership_names_every_function_goclaws_versions_ever_had():
    # The catalogs name arguments ("arr text[]"); a signature is their types only.
    ever = {
        re.sub(r"\w+ (?=[\w\[\]]+[,)])", "", function)
        for catalog in GOCLAW_CATALOGS.values()
        for function in catalog["functions"]
    }
    assert ever == set(GOCLAW_FUNCTIONS)


# --- goto, down, force ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("goto", "-5"), ("-5 is not a GoClaw schema version", f"0 to {HEAD}")),
        (("goto", str(HEAD + 1)), (f"{HEAD + 1} is not a GoClaw schema version",)),
        (("down", "0"), ("cannot go down 0 revisions", "1 or more")),
        (("down", "-2"), ("cannot go down -2 revisions",)),
        (("down", "4"), ("at version 3", "at most 3")),
        (("force", "-1"), ("-1 is not a GoClaw schema version",)),
    ],
)
def test_invalid_versions_and_counts_are_refused_in_one_plain_line(database_at, args, words):
    url = database_at(3)
    before = tables_of(url)
    one_line_error(goclaw_db(url, "migrate", *args), *words)
    assert tables_of(url) == before
    assert version_of(url) == 3


def test_force_checks_the_server_before_recording_anything(make_postgres_database):
    # A role that may not create pgvector is refused by the preflight; force
    # must not have written "version 7" first.
    url = make_postgres_database()
    plain = normalize_url(url)
    role = f"{plain.database}_app"
    execute(url, f'CREATE ROLE "{role}" LOGIN')
    execute(url, f'GRANT CREATE, USAGE ON SCHEMA public TO "{role}"')
    try:
        as_role = plain.set(username=role).render_as_string(hide_password=False)
        one_line_error(goclaw_db(as_role, "migrate", "force", "7"), role, "CREATE EXTENSION vector")
        assert tables_of(url) == set()
    finally:
        execute(url, f'DROP OWNED BY "{role}"')
        execute(url, f'DROP ROLE "{role}"')


def test_force_on_a_damaged_sqlite_file_changes_nothing(make_database_at):
    path = sqlite_file(make_database_at(3, "sqlite"))
    damage(path)
    before = path.read_bytes()
    one_line_error(goclaw_db(f"sqlite:///{path}", "migrate", "force", "7"), "damaged", "quick_check")
    assert path.read_bytes() == before


def damage(path) -> None:
    """Overwrite the cell pointers of the file's third page (a table's b-tree), as a torn write would."""
    with open(path, "r+b") as file:
        file.seek(2 * 4096 + 8)
        file.write(b"\xff" * 3000)


# --- downgrading 44 keeps the operator's context files -------------------------------------------


def test_down_from_44_removes_only_the_context_files_the_upgrade_wrote_unchanged(database_at):
    url = database_at(43)
    execute(
        url,
        "INSERT INTO agents (id, agent_key, owner_id, model, tenant_id) VALUES "
        f"('{AGENT}', 'scout', 'alice', 'gpt-4o', '{TENANT}')",
    )
    execute(
        url,
        "INSERT INTO agent_context_files (id, agent_id, tenant_id, file_name, content) VALUES "
        f"('00000000-0000-7000-8000-0000000000c1', '{AGENT}', '{TENANT}', "
        "'AGENTS_CORE.md', 'my own core rules')",
    )
    assert goclaw_db(url, "migrate", "goto", "44").returncode == 0
    execute(url, "UPDATE agent_context_files SET content = content || ' and mine' WHERE file_name = 'AGENTS_TASK.md'")

    assert goclaw_db(url, "migrate", "goto", "43").returncode == 0

    kept = execute(url, "SELECT file_name, content FROM agent_context_files ORDER BY file_name")
    assert [name for name, _ in kept] == ["AGENTS_CORE.md", "AGENTS_TASK.md"]
    assert kept[0][1] == "my own core rules"
    assert kept[1][1].endswith(" and mine")


def test_down_from_44_removes_the_untouched_seeded_files(database_at):
    url = database_at(43)
    execute(
        url,
        "INSERT INTO agents (id, agent_key, owner_id, model, tenant_id) VALUES "
        f"('{AGENT}', 'scout', 'alice', 'gpt-4o', '{TENANT}')",
    )
    assert goclaw_db(url, "migrate", "goto", "44").returncode == 0
    assert execute(url, "SELECT count(*) FROM agent_context_files") == [(2,)]
    result = goclaw_db(url, "migrate", "goto", "43")
    assert result.returncode == 0, result.stderr
    assert execute(url, "SELECT count(*) FROM agent_context_files") == [(0,)]
    assert "deleting 1 rows of agent_context_files" in result.stderr


# --- a line before rows change or go -------------------------------------------------------------


def test_a_step_that_deletes_rows_says_what_and_how_many_first(database_at):
    url = database_at(43)
    execute(
        url,
        "INSERT INTO agents (id, agent_key, owner_id, model, tenant_id) VALUES "
        f"('{AGENT}', 'scout', 'alice', 'gpt-4o', '{TENANT}')",
    )
    for n in (1, 2):
        execute(
            url,
            "INSERT INTO agent_context_files (id, agent_id, tenant_id, file_name, content) VALUES "
            f"('00000000-0000-7000-8000-00000000000{n}', '{AGENT}', "
            f"'{TENANT}', "
            f"'{'AGENTS_MINIMAL.md' if n == 1 else 'SOUL.md'}', 'x')",
        )
    result = goclaw_db(url, "migrate", "goto", "44")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    announced = lines.index("deleting 1 rows of agent_context_files")
    assert lines[announced - 1].startswith("Running upgrade 000043 -> 000044")


def test_a_downgrade_that_drops_a_column_says_how_many_rows_hold_a_value(make_database_at):
    # Version 41 adds episodic_summaries.promoted_at; going below it drops the values.
    url = make_database_at(41)
    execute(
        url,
        "INSERT INTO agents (id, agent_key, owner_id, model, tenant_id) VALUES "
        f"('{AGENT}', 'scout', 'alice', 'gpt-4o', '{TENANT}')",
    )
    execute(
        url,
        "INSERT INTO episodic_summaries (tenant_id, agent_id, session_key, summary, promoted_at) VALUES "
        f"('{TENANT}', '{AGENT}', 's', 'sum', now())",
    )
    result = goclaw_db(url, "migrate", "down", "1")
    assert result.returncode == 0, result.stderr
    assert "dropping column episodic_summaries.promoted_at: 1 rows hold a value that goes with it" in result.stderr


def test_a_downgrade_that_cannot_restore_rows_says_they_stay(make_database_at):
    # Version 39 empties agent_links; going below it cannot bring the links back.
    url = make_database_at(39)
    result = goclaw_db(url, "migrate", "down", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    kept = lines.index(
        "keeping the rows this revision changed: the removed agent links cannot be recreated; the schema did not change"
    )
    assert lines[kept - 1].startswith("Running downgrade 000039 -> 000038")


def test_dry_run_lists_the_steps_that_would_change_rows(make_database_at):
    url = make_database_at(43)
    result = goclaw_db(url, "upgrade", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "deleting rows of agent_context_files (counted when run)" in result.stderr
    assert version_of(url) == 43


def test_every_table_the_chain_makes_is_one_drop_owns(database_at):
    # The drop list and the refusal of foreign databases both rest on this.
    import sqlalchemy as sa

    from goclaw_db.ownership import take_inventory

    engine = sa.create_engine(normalize_url(database_at(HEAD)), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            assert take_inventory(connection).foreign_tables == []
    finally:
        engine.dispose()
