"""What is not a GoClaw database, or not a usable setting, is refused in one line and left as it was."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import HEAD, HEAD_DESKTOP, execute, upgrade
from tests.test_destructive_commands import damage, one_line_error, tables_of

REPO = Path(__file__).resolve().parent.parent
SECRET = "Sup3rSecret"


def run(*args: str, env: dict[str, str] | None = None, home: Path | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    environment.update(env or {})
    if home is not None:
        environment["HOME"] = str(home)
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=600, env=environment, cwd=REPO
    )


def goclaw_db(*args: str, **kw) -> subprocess.CompletedProcess:
    return run("-m", "goclaw_db.cli", *args, **kw)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- passwords never printed -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://goclaw:{SECRET}@db.example:notaport/goclaw",
        f"postgres://goclaw:{SECRET}@127.0.0.1:1/goclaw",
        f"postgresql://goclaw:p@ss{SECRET}@127.0.0.1:1/goclaw",
    ],
)
def test_no_message_shows_the_password(url):
    for result in (
        goclaw_db("--dsn", url, "migrate", "up"),
        goclaw_db("migrate", "version", env={"GOCLAW_POSTGRES_DSN": url}),
        run("-m", "alembic", "-c", str(REPO / "alembic.ini"), "-x", f"url={url}", "upgrade", "head"),
    ):
        assert result.returncode != 0
        assert SECRET not in result.stdout + result.stderr, result.stderr
        assert "Traceback" not in result.stderr


# --- empty settings ------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--dsn", "--sqlite"])
def test_an_empty_database_option_is_an_error_not_the_default_file(tmp_path, option):
    result = goclaw_db(option, "", "migrate", "up", home=tmp_path)
    one_line_error(result, "empty")
    assert not (tmp_path / ".goclaw").exists()


# --- not a GoClaw database -----------------------------------------------------------------------


def test_a_postgres_database_whose_tables_take_goclaws_names_is_refused_untouched(postgres_url):
    execute(postgres_url, "CREATE TABLE sessions (token text PRIMARY KEY)")
    execute(postgres_url, "CREATE TABLE customers (id int)")
    result = goclaw_db("--dsn", postgres_url, "migrate", "up")
    one_line_error(result, "not a GoClaw database", "sessions")
    assert "customers" not in result.stderr.split("(")[1]  # only the colliding names are listed
    assert tables_of(postgres_url) == {"sessions", "customers"}


def test_a_sqlite_file_of_another_application_gets_goclaw_beside_its_own_tables(tmp_path):
    path = tmp_path / "app.db"
    url = f"sqlite:///{path}"
    execute(url, "CREATE TABLE users (id integer PRIMARY KEY, name text)")
    execute(url, "CREATE TABLE notes (body text)")
    execute(url, "INSERT INTO users VALUES (1, 'Ada')")
    result = goclaw_db("--sqlite", str(path), "migrate", "up")
    assert result.returncode == 0, result.stderr
    assert "leaving 2 tables that are not GoClaw's: notes, users" in result.stderr
    assert execute(url, "SELECT name FROM users") == [("Ada",)]
    assert execute(url, "SELECT version FROM schema_version") == [(HEAD_DESKTOP,)]


def test_a_sqlite_file_whose_tables_take_goclaws_names_is_refused_byte_for_byte(tmp_path):
    path = tmp_path / "app.db"
    execute(f"sqlite:///{path}", "CREATE TABLE agents (name text)")
    before = digest(path)
    one_line_error(goclaw_db("--sqlite", str(path), "migrate", "up"), "not a GoClaw database", "agents")
    assert digest(path) == before


# --- a database a newer GoClaw migrated ---------------------------------------------------------

# What a current GoClaw records (PostgreSQL 99002, desktop schema_version 49), both past this package's head.
NEWER_RECORD = {"postgresql": ("schema_migrations", 99002, "GoClaw schema version 99002"),
                "sqlite": ("schema_version", 49, "schema_version 49")}  # fmt: skip


def test_a_database_newer_than_the_package_is_named_newer_by_every_command(make_database_at, backend):
    url = make_database_at(HEAD, backend)
    table, version, named = NEWER_RECORD[backend]
    execute(url, "DROP TABLE alembic_version")
    execute(url, f"UPDATE {table} SET version = {version}")
    database = ("--dsn", url) if backend == "postgresql" else ("--sqlite", url.removeprefix("sqlite:///"))
    commands = [("migrate", "status"), ("migrate", "version"), ("upgrade", "--status"), ("upgrade",),
                ("migrate", "force", str(HEAD))]  # fmt: skip
    if backend == "postgresql":
        commands += [("upgrade", "--dry-run"), ("migrate", "up", "--sql")]
    for command in commands:
        one_line_error(goclaw_db(*database, *command), named, "newer than this goclaw-db knows")
    assert execute(url, f"SELECT version FROM {table}") == [(version,)]
    assert goclaw_db(*database, "migrate", "force", str(HEAD), "--overwrite-newer-version").returncode == 0
    assert goclaw_db(*database, "migrate", "version").stdout == f"version: {HEAD}, dirty: false\n"


# --- files that are not sound SQLite databases -----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"name,agent\nscout,alice\n" * 40, "a text file"),
        (bytes(range(256)) * 8, "a binary file of another kind"),
    ],
)
def test_a_file_that_is_not_sqlite_is_named_for_what_it_is(tmp_path, content, kind):
    path = tmp_path / "goclaw.db"
    path.write_bytes(content)
    for command in (("migrate", "up"), ("migrate", "version"), ("migrate", "down", "1")):
        one_line_error(goclaw_db("--sqlite", str(path), *command), "is not a SQLite database", kind)
    assert path.read_bytes() == content


def test_a_damaged_sqlite_file_is_neither_migrated_nor_downgraded(tmp_path):
    path = tmp_path / "goclaw.db"
    upgrade(f"sqlite:///{path}", 5)
    damage(path)
    before = digest(path)
    for command in (("migrate", "up"), ("migrate", "down", "1")):
        one_line_error(goclaw_db("--sqlite", str(path), *command), "damaged", "backup")
    assert digest(path) == before


def test_a_damaged_file_whose_version_reads_as_none_is_refused_as_damaged(tmp_path):
    # A torn page can read as an empty table instead of failing: the version
    # would then read 0, and `down` would refuse for the wrong reason.
    path = tmp_path / "goclaw.db"
    upgrade(f"sqlite:///{path}", 5)
    pages = dict(execute(f"sqlite:///{path}", "SELECT name, rootpage FROM sqlite_master WHERE type = 'table'"))
    page_size = execute(f"sqlite:///{path}", "PRAGMA page_size")[0][0]
    with open(path, "r+b") as file:
        file.seek((pages["alembic_version"] - 1) * page_size + 3)
        file.write(b"\x00\x00")  # no cells: the recorded revision is gone
        file.seek((pages["agents"] - 1) * page_size)
        file.write(b"\x00")  # not a b-tree page type: quick_check reports it
    before = digest(path)
    for command in (("migrate", "down", "1"), ("migrate", "goto", "3")):
        one_line_error(goclaw_db("--sqlite", str(path), *command), "damaged", "backup")
    assert digest(path) == before


def test_a_lock_file_that_cannot_be_opened_is_one_line(tmp_path):
    # An earlier run under sudo can leave the lock file root-owned; a folder in
    # its place fails the open the same way, even for root.
    path = tmp_path / "goclaw.db"
    (tmp_path / "goclaw.db.migrate-lock").mkdir()
    one_line_error(goclaw_db("--sqlite", str(path), "migrate", "up"), "cannot open the lock file", "remove it")


def test_goclaw_versions_are_the_only_ones_recorded_after_a_refusal(postgres_url):
    # The refusal happens before the bookkeeping tables exist, so a later
    # `migrate up` on a cleaned database starts from scratch.
    execute(postgres_url, "CREATE TABLE agents (name text)")
    goclaw_db("--dsn", postgres_url, "migrate", "up")
    execute(postgres_url, "DROP TABLE agents")
    assert goclaw_db("--dsn", postgres_url, "migrate", "up").returncode == 0
    assert execute(postgres_url, "SELECT version, dirty FROM schema_migrations") == [(HEAD, False)]
