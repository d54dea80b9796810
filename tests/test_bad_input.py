"""A database that cannot hold GoClaw's schema is refused in one line, untouched."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from goclaw_db.config import normalize_url

REPO = Path(__file__).resolve().parent.parent


def run_alembic(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini"), "-x", f"url={url}", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    output = result.stdout + result.stderr  # alembic prints its FAILED line on stdout
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    for word in words:
        assert word in lines[0]


def test_unreachable_server_is_one_line_naming_the_url():
    result = run_alembic("postgresql://goclaw@127.0.0.1:1/goclaw", "upgrade", "head")
    assert_one_clear_line(result, "cannot connect", "127.0.0.1:1", "GOCLAW_POSTGRES_DSN")


def test_server_without_pgvector_is_refused_before_anything_changes(postgres_url):
    # PostgreSQL 18 looks for extensions along extension_control_path: an empty
    # folder (readable by the server's own user) makes it offer no pgvector at all.
    plain = normalize_url(postgres_url).set(drivername="postgresql")
    with tempfile.TemporaryDirectory(prefix="no-extensions-") as empty:
        os.chmod(empty, 0o755)
        with psycopg.connect(
            plain.set(database="postgres").render_as_string(hide_password=False), autocommit=True
        ) as conn:
            conn.execute(f"ALTER DATABASE \"{plain.database}\" SET extension_control_path = '{empty}'")
        result = run_alembic(postgres_url, "upgrade", "head")

    assert_one_clear_line(result, "pgvector", "install")
    with psycopg.connect(plain.render_as_string(hide_password=False)) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert tables == 0


@pytest.mark.parametrize("url", ["mysql://root@localhost/goclaw", "not a url"])
def test_url_of_another_kind_is_one_line(url):
    result = run_alembic(url, "upgrade", "head")
    assert_one_clear_line(result)


def test_role_that_may_not_create_pgvector_is_refused_before_anything_changes(postgres_url):
    plain = normalize_url(postgres_url).set(drivername="postgresql")
    role = f"{plain.database}_app"
    with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'GRANT CREATE, USAGE ON SCHEMA public TO "{role}"')
    try:
        result = run_alembic(plain.set(username=role).render_as_string(hide_password=False), "upgrade", "head")
        assert_one_clear_line(result, role, "CREATE EXTENSION vector")
        with psycopg.connect(plain.render_as_string(hide_password=False)) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        assert tables == 0
    finally:
        with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
        with psycopg.connect(
            plain.set(database="postgres").render_as_string(hide_password=False), autocommit=True
        ) as conn:
            conn.execute(f'DROP ROLE "{role}"')
