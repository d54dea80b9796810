"""goclaw-db on GoClaw's embedded default: a SQLite file under ~/.goclaw/data."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support import HEAD, HEAD_DESKTOP


def goclaw_db_at_home(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    env["HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "goclaw_db.cli", *args], capture_output=True, text=True, env=env, timeout=600
    )


def test_upgrade_with_no_settings_creates_the_embedded_default_and_says_where(tmp_path):
    result = goclaw_db_at_home(tmp_path, "upgrade")
    database = tmp_path / ".goclaw" / "data" / "goclaw.db"
    assert result.returncode == 0, result.stderr
    assert str(database) in result.stdout
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(HEAD_DESKTOP,)]
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(f"{HEAD:06d}",)]


def test_sqlite_file_newer_than_the_package_is_refused(tmp_path):
    database = tmp_path / "goclaw.db"
    assert goclaw_db_at_home(tmp_path, "--sqlite", str(database), "migrate", "up").returncode == 0
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (HEAD_DESKTOP + 1,))
    result = goclaw_db_at_home(tmp_path, "--sqlite", str(database), "migrate", "up")
    assert result.returncode != 0
    assert "newer" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_desktop_file_made_by_goclaw_is_adopted_at_head(tmp_path):
    database = tmp_path / "goclaw.db"
    assert goclaw_db_at_home(tmp_path, "--sqlite", str(database), "migrate", "up").returncode == 0
    with sqlite3.connect(database) as conn:
        conn.execute("DROP TABLE alembic_version")  # as GoClaw's desktop build leaves it
    result = goclaw_db_at_home(tmp_path, "--sqlite", str(database), "migrate", "up")
    assert result.returncode == 0, result.stderr
    assert "Running upgrade" not in result.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(f"{HEAD:06d}",)]


def test_sql_mode_on_sqlite_is_refused_in_one_line_and_creates_nothing(tmp_path):
    database = tmp_path / "goclaw.db"
    result = goclaw_db_at_home(tmp_path, "--sqlite", str(database), "migrate", "up", "--sql")
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "--sql prints PostgreSQL scripts only" in result.stderr
    assert not database.exists() or sqlite3.connect(database).execute(
        "SELECT count(*) FROM sqlite_master"
    ).fetchone() == (0,)


def test_a_run_leaves_no_lock_file_beside_the_database(tmp_path):
    # GoClaw's data folder keeps only the database; a lock file a killed run left goes with the next run.
    database = tmp_path / "goclaw.db"
    lock_file = tmp_path / "goclaw.db.migrate-lock"
    assert goclaw_db_at_home(tmp_path, "--sqlite", str(database), "migrate", "up").returncode == 0
    assert not lock_file.exists()
    lock_file.write_text("4242\n")
    assert goclaw_db_at_home(tmp_path, "--sqlite", str(database), "migrate", "down", "1").returncode == 0
    assert not lock_file.exists()
