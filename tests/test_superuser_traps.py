"""A role that owns its database cannot make an operator's superuser run its code (CVE-2018-1058's class).

GoClaw's application role commonly owns its database (``CREATE DATABASE
goclaw OWNER goclaw``) and so, since PostgreSQL 15, schema ``public``; the
operator runs goclaw-db as a superuser.  Each test makes such a role, plants
one trap as that role, runs one command as the test server's superuser, and
checks that the role is still an ordinary role and that no code of its ran as
anyone else: every trap first calls ``trap.spring()``, which, run by anyone
but the role, takes a number from the role's own sequence (which no rollback
returns) and makes the role superuser.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic.util import CommandError

from alembic import command
from goclaw_db.runner import alembic_config
from tests.support import HEAD, execute
from tests.test_destructive_commands import goclaw_db, one_line_error


@dataclass
class OwnedDatabase:
    superuser_url: str  # the test server's superuser, on this database: how the operator runs goclaw-db
    owner_url: str
    owner: str
    superuser: str

    def as_owner(self, *statements: str) -> None:
        with psycopg.connect(self.owner_url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def assert_trap_never_sprung(self) -> None:
        with psycopg.connect(self.superuser_url) as conn:
            superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [self.owner]).fetchone()
            sprung = conn.execute("SELECT is_called FROM trap.sprung").fetchone()
        assert superuser == (False,), f"{self.owner} became superuser"
        assert sprung == (False,), f"code of {self.owner} ran as another role"


@pytest.fixture
def owned_database(postgres_server_url, postgres_templates):
    """Factory: a database that an ordinary role owns, empty or a copy of GoClaw version N, with the trap's spring."""
    server = sa.make_url(postgres_server_url)
    made: list[tuple[str, str]] = []

    def make(version: int | None = None) -> OwnedDatabase:
        tag = uuid.uuid4().hex[:10]
        role, name = f"goclaw_{tag}", f"t_owned_{tag}"
        template = f' TEMPLATE "{sa.make_url(postgres_templates.template_url(version)).database}"' if version else ""
        with psycopg.connect(_plain(server), autocommit=True) as conn:
            conn.execute(f'CREATE ROLE "{role}" LOGIN')
            conn.execute(f'CREATE DATABASE "{name}" OWNER "{role}"{template}')
        made.append((name, role))
        database = OwnedDatabase(
            superuser_url=_plain(server.set(database=name)),
            owner_url=_plain(server.set(database=name, username=role, password=None)),
            owner=role,
            superuser=server.username or "postgres",
        )
        database.as_owner(
            "CREATE SCHEMA trap",
            "CREATE SEQUENCE trap.sprung",
            "CREATE FUNCTION trap.spring() RETURNS void LANGUAGE plpgsql AS $$ BEGIN"
            f" IF current_user <> '{role}' THEN PERFORM nextval('trap.sprung');"
            f" EXECUTE 'ALTER ROLE \"{role}\" SUPERUSER'; END IF; END $$",
        )
        return database

    yield make
    with psycopg.connect(_plain(server), autocommit=True) as conn:
        for name, role in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def _plain(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _shadow_schema(database: OwnedDatabase) -> str:
    """The schema named after the operator: first in the default search path ("$user", public)."""
    return f'"{database.superuser}"'


def _spring_on_write(schema: str) -> str:
    return (
        f"CREATE FUNCTION {schema}.on_write() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN PERFORM trap.spring(); RETURN NULL; END $$"
    )


def test_a_shadow_bookkeeping_table_in_the_operators_schema_does_not_run_during_upgrade(owned_database):
    # Trap 1: the owner's schema "postgres" holds a schema_migrations with a trigger;
    # upgrade, resolving "$user" first, would write GoClaw's version there.
    database = owned_database()
    shadow = _shadow_schema(database)
    database.as_owner(
        f"CREATE SCHEMA {shadow}",
        f"CREATE TABLE {shadow}.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)",
        _spring_on_write(shadow),
        f"CREATE TRIGGER spring AFTER INSERT OR DELETE ON {shadow}.schema_migrations"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {shadow}.on_write()",
    )
    result = goclaw_db(database.superuser_url, "upgrade")
    database.assert_trap_never_sprung()
    one_line_error(
        result,
        f"schema {database.superuser} of {database.owner}",
        f"function {database.superuser}.on_write()",
        "database owner",
    )
    assert execute(database.superuser_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_a_shadow_spans_table_does_not_run_its_delete_trigger_during_prune(owned_database):
    # Trap 2: the same schema holds the bookkeeping and an old span with a DELETE trigger.
    database = owned_database(HEAD)
    shadow = _shadow_schema(database)
    database.as_owner(
        f"CREATE SCHEMA {shadow}",
        f"CREATE TABLE {shadow}.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)",
        f"INSERT INTO {shadow}.schema_migrations VALUES ({HEAD}, false)",
        f"CREATE TABLE {shadow}.spans (id uuid PRIMARY KEY, created_at timestamptz NOT NULL)",
        f"INSERT INTO {shadow}.spans VALUES (gen_random_uuid(), now() - interval '90 days')",
        _spring_on_write(shadow),
        f"CREATE TRIGGER spring AFTER DELETE ON {shadow}.spans FOR EACH STATEMENT EXECUTE FUNCTION {shadow}.on_write()",
    )
    result = goclaw_db(database.superuser_url, "prune", "--spans", "30d")
    database.assert_trap_never_sprung()
    one_line_error(result, f"function {database.superuser}.on_write()")


def test_doctor_runs_no_operator_of_the_owner_and_reports_it_as_a_security_finding(owned_database, tmp_path):
    # Trap 2, doctor: its size check compares spans.created_at with a timestamptz; in the
    # shadow schema that column is text, and the owner's text > timestamptz runs a shell command.
    database = owned_database(HEAD)
    shadow = _shadow_schema(database)
    touched = Path("/tmp") / f"goclaw-trap-{uuid.uuid4().hex}"
    database.as_owner(
        f"CREATE SCHEMA {shadow}",
        f"CREATE TABLE {shadow}.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)",
        f"INSERT INTO {shadow}.schema_migrations VALUES (1, true)",
        f"CREATE TABLE {shadow}.spans (id uuid PRIMARY KEY, created_at text NOT NULL)",
        f"INSERT INTO {shadow}.spans VALUES (gen_random_uuid(), 'old')",
        f"CREATE FUNCTION {shadow}.later(text, timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN"
        f" PERFORM trap.spring(); COPY (SELECT 1) TO PROGRAM 'touch {touched}'; RETURN false;"
        " EXCEPTION WHEN insufficient_privilege THEN RETURN false; END $$",
        f"CREATE OPERATOR {shadow}.> (LEFTARG = text, RIGHTARG = timestamptz, FUNCTION = {shadow}.later)",
        f"CREATE FUNCTION {shadow}.age(timestamptz, text) RETURNS interval LANGUAGE sql"
        " AS $$ SELECT interval '1 day' $$",
        f"CREATE OPERATOR {shadow}.- (LEFTARG = timestamptz, RIGHTARG = text, FUNCTION = {shadow}.age)",
    )
    result = goclaw_db(database.superuser_url, "doctor")
    database.assert_trap_never_sprung()
    assert not touched.exists()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    security = [line for line in result.stdout.splitlines() if " security " in f" {line} "]
    assert security and security[0].startswith("fail"), result.stdout
    assert f"operator {database.superuser}.>(text, timestamp with time zone)" in result.stdout


def _plant_varchar_equality(database: OwnedDatabase) -> None:
    # public belongs to the owner; its = (varchar, varchar) is an exact match for every
    # varchar = 'literal' of a revision, so PostgreSQL prefers it to pg_catalog's = (text, text).
    # (Immutable, as it must be for the partial indexes whose predicates it ends up in.)
    database.as_owner(
        "CREATE FUNCTION public.varchar_eq(a varchar, b varchar) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS"
        " $$ BEGIN PERFORM trap.spring(); RETURN a::text = b::text; END $$",
        "CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = public.varchar_eq)",
    )


def test_an_equality_operator_in_public_does_not_capture_the_migrations_comparisons(owned_database):
    # Trap 3.
    database = owned_database()
    _plant_varchar_equality(database)
    result = goclaw_db(database.superuser_url, "upgrade")
    database.assert_trap_never_sprung()
    one_line_error(result, "operator public.=(character varying", "owner")


def test_a_database_search_path_ahead_of_pg_catalog_does_not_capture_the_first_query_at_connect(owned_database):
    # A trap of our own: the owner may set its database's search_path.  Put ahead of pg_catalog, its
    # current_schema() answers the first query SQLAlchemy sends on connecting, even for a read.
    database = owned_database()
    name = sa.make_url(database.superuser_url).database
    database.as_owner(
        "CREATE FUNCTION trap.current_schema() RETURNS name LANGUAGE plpgsql AS"
        " $$ BEGIN PERFORM trap.spring(); RETURN 'public'; END $$",
        f'ALTER DATABASE "{name}" SET search_path = trap, pg_catalog, public',
    )
    result = goclaw_db(database.superuser_url, "migrate", "version")
    database.assert_trap_never_sprung()
    one_line_error(result, "function trap.current_schema()")


def test_a_connection_a_program_hands_to_alembic_is_refused_as_ours_are(owned_database):
    # Trap 3 again, on the connection a program puts in config.attributes["connection"]:
    # it does not come through goclaw-db's connect, and is not ours to pin.
    database = owned_database()
    _plant_varchar_equality(database)
    engine = sa.create_engine(database.superuser_url.replace("postgresql://", "postgresql+psycopg://"))
    config = alembic_config("sqlite://")
    config.remove_main_option("sqlalchemy.url")
    refused = None
    try:
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except CommandError as exc:
        refused = str(exc)
    finally:
        engine.dispose()
    database.assert_trap_never_sprung()
    assert refused is not None and "operator public.=(character varying" in refused
