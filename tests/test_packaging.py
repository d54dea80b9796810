"""The built wheel carries the revision chain: an installed package migrates without a checkout."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_installed_wheel_upgrades_a_database_without_the_checkout(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("goclaw_db-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    assert len(list((site / "goclaw_db" / "_alembic" / "versions").glob("0000*.py"))) == 44

    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    env["PYTHONPATH"] = str(site)
    imported = subprocess.run(
        [sys.executable, "-c", "import goclaw_db.runner as r; print(r.script_location())"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert imported.stdout.strip() == str(site / "goclaw_db" / "_alembic"), imported.stderr
    database = tmp_path / "goclaw.db"
    run = subprocess.run(
        [sys.executable, "-m", "goclaw_db.cli", "--sqlite", str(database), "upgrade"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(12,)]
