"""The built wheel carries the revision chain: an installed package migrates without a checkout."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import HEAD_DESKTOP

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The package as a built wheel installs it (unpacked), and an environment that imports it from there."""
    tmp_path = tmp_path_factory.mktemp("wheel")
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
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    env["PYTHONPATH"] = str(site)
    return site, env


def test_installed_wheel_upgrades_a_database_without_the_checkout(installed, tmp_path):
    site, env = installed
    assert len(list((site / "goclaw_db" / "_alembic" / "versions").glob("0000*.py"))) == 44

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
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(HEAD_DESKTOP,)]


def test_installed_wheel_writes_the_schema_docs(installed, tmp_path):
    # The page templates ship in the wheel, and the pages link to the revisions it carries.
    site, env = installed
    out = tmp_path / "schema"
    run = subprocess.run(
        [sys.executable, "-m", "goclaw_db.cli", "docs", "--output", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    links = re.findall(r"\]\(([^)#]+\.py)\)", (out / "agents.md").read_text(encoding="utf-8"))
    (link,) = {target for target in links if "000001" in target}
    assert (out / link).resolve() == site / "goclaw_db" / "_alembic" / "versions" / "000001_init_schema.py"
