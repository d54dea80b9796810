"""PostgreSQL databases GoClaw's own migrations made, kept as plain ``pg_dump`` files, and how to restore one.

``build.py`` here makes the dumps from GoClaw's history; the tests restore
them with psycopg (no psql needed) into a fresh database.  GoClaw's first
migration creates pgcrypto, which the embedded test server does not ship:
where the server lacks it, a stand-in extension of the same name (our own,
two lines of SQL) is offered to the restoring session through PostgreSQL 18's
``extension_control_path``.  That needs a superuser, as the test server's is.
"""

from __future__ import annotations

import gzip
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import sqlalchemy as sa

DUMPS = Path(__file__).parent
# What GoClaw's uuid_generate_v7() needs of pgcrypto: gen_random_bytes(n), here from built-ins.
PGCRYPTO_STAND_IN = {
    "pgcrypto.control": "comment = 'test stand-in for pgcrypto: gen_random_bytes() only'\n"
    "default_version = '1.3'\nrelocatable = true\ntrusted = true\n",
    "pgcrypto--1.3.sql": "CREATE FUNCTION gen_random_bytes(integer) RETURNS bytea\n"
    "LANGUAGE sql VOLATILE STRICT PARALLEL SAFE\n"
    "AS $$SELECT decode(string_agg(lpad(to_hex(floor(random() * 256)::int), 2, '0'), ''), 'hex')"
    " FROM generate_series(1, $1)$$;\n",
}
# pg_dump 18 brackets a plain dump with psql meta-commands; they are psql's, not SQL.
_PSQL_META_COMMAND = re.compile(r"^\\(?:un)?restrict\b.*$", re.MULTILINE)
# A table's rows: the COPY statement, then its data lines up to a line holding only a backslash and a dot.
_COPY_BLOCK = re.compile(r"^(COPY [^\n]+ FROM stdin;)\n(.*?)^\\\.$", re.MULTILINE | re.DOTALL)


def dump_path(version: int) -> Path:
    return DUMPS / f"goclaw_pg_v{version:02d}.sql.gz"


def released_dumps() -> dict[int, Path]:
    found = (re.fullmatch(r"goclaw_pg_v(\d+)\.sql\.gz", path.name) for path in DUMPS.iterdir())
    return {int(match[1]): DUMPS / match[0] for match in found if match}


@contextmanager
def pgcrypto_offered(conn: psycopg.Connection) -> Iterator[None]:
    """The session can CREATE EXTENSION pgcrypto: the server's own, or the stand-in while this lasts."""
    if conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pgcrypto'").fetchone():
        yield
        return
    folder = Path(tempfile.mkdtemp(prefix="goclaw-pgcrypto-"))
    try:
        (folder / "extension").mkdir()
        for name, text in PGCRYPTO_STAND_IN.items():
            (folder / "extension" / name).write_text(text)
        for path in (folder, folder / "extension"):
            path.chmod(0o755)  # the server may run as another user than the tests
        conn.execute(f"SET extension_control_path = '$system:{folder}'")
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def restore(dump: Path, url: str) -> None:
    """Load a plain dump into the (empty) database at ``url``, in one transaction."""
    script = _PSQL_META_COMMAND.sub("", gzip.decompress(dump.read_bytes()).decode())
    libpq_url = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq_url, autocommit=True) as conn, pgcrypto_offered(conn), conn.transaction():
        done = 0
        for block in _COPY_BLOCK.finditer(script):
            _run_script(conn, script[done : block.start()])
            with conn.cursor().copy(block[1]) as copy:
                copy.write(block[2])
            done = block.end()
        _run_script(conn, script[done:])


def _run_script(conn: psycopg.Connection, sql: str) -> None:
    if sql.strip():
        conn.execute(sql.encode())  # no parameters: the simple protocol, which runs many statements
