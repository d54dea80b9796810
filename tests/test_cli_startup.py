"""What ``goclaw-db`` loads before it touches a database, and the version it says it is.

GoClaw's entrypoint runs ``goclaw-db migrate version`` (or ``upgrade``) on
every container start; the read-only commands must not pay for Alembic, its
template engine, or executing every revision module to learn the head.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

import goclaw_db
from goclaw_db.runner import head_version, version_number
from goclaw_db.runner.chain import script_directory

REPO = Path(__file__).resolve().parent.parent

# Runs one command, then reports which modules the process loaded.
_LOADED_AFTER = """
import json, sys
from goclaw_db.cli import main
code = main(sys.argv[1:])
print(json.dumps({"exit": code, "modules": sorted(sys.modules)}))
"""


def loaded_by(*arguments: str) -> tuple[int, set[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    run = subprocess.run(
        [sys.executable, "-c", _LOADED_AFTER, *arguments], capture_output=True, text=True, env=env, timeout=300
    )
    report = json.loads(run.stdout.splitlines()[-1])
    return report["exit"], set(report["modules"])


@pytest.fixture(scope="module")
def sqlite_at_head(tmp_path_factory):
    path = tmp_path_factory.mktemp("startup") / "goclaw.db"
    code, _modules = loaded_by("--sqlite", str(path), "migrate", "up")
    assert code == 0
    return path


@pytest.mark.parametrize("command", [["migrate", "version"], ["migrate", "status"], ["upgrade", "--status"]])
def test_reading_the_version_loads_neither_alembic_nor_the_revisions(sqlite_at_head, command):
    code, modules = loaded_by("--sqlite", str(sqlite_at_head), *command)
    assert code == 0
    assert not {m for m in modules if m.split(".")[0] in ("alembic", "mako")}


def test_migrate_up_still_loads_alembic_to_run_the_revisions(sqlite_at_head):
    code, modules = loaded_by("--sqlite", str(sqlite_at_head), "migrate", "up")
    assert code == 0 and "alembic.command" in modules


def test_the_head_read_from_the_file_names_is_alembics_head():
    assert head_version() == version_number(script_directory().get_current_head())


def test_goclaw_db_version_prints_the_installed_version():
    run = subprocess.run(
        [sys.executable, "-m", "goclaw_db.cli", "--version"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"goclaw-db {version('goclaw-db')}\n"


def test_package_version_is_the_installed_distributions():
    assert goclaw_db.__version__ == version("goclaw-db")


def test_package_version_of_a_copy_pip_never_installed_says_it_is_unknown(tmp_path):
    # A bare copy of the package (a checkout may hold pip's egg-info), and -S
    # leaves site-packages, with the installed distribution's metadata, off the path.
    shutil.copytree(REPO / "goclaw_db", tmp_path / "goclaw_db", ignore=shutil.ignore_patterns("__pycache__"))
    run = subprocess.run(
        [sys.executable, "-S", "-c", "import goclaw_db; print(goclaw_db.__version__)"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        cwd=tmp_path,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "0+unknown"
