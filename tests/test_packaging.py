"""The built wheel carries the revision chain: an installed package migrates without a checkout."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.support import HEAD, HEAD_DESKTOP

REPO = Path(__file__).resolve().parent.parent


def run_in(cwd: Path, env: dict[str, str], *command: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """``command`` run in ``cwd`` with ``env``, its output captured as text."""
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)


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
    assert len(list((site / "goclaw_db" / "_alembic" / "versions").glob("0000*.py"))) == HEAD

    imported = run_in(tmp_path, env, sys.executable, "-c", "import goclaw_db.runner as r; print(r.script_location())")
    assert imported.stdout.strip() == str(site / "goclaw_db" / "_alembic"), imported.stderr
    database = tmp_path / "goclaw.db"
    run = run_in(
        tmp_path, env, sys.executable, "-m", "goclaw_db.cli", "--sqlite", str(database), "upgrade", timeout=600
    )
    assert run.returncode == 0, run.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(HEAD_DESKTOP,)]


def test_installed_wheel_writes_the_schema_docs_without_links_into_site_packages(installed, tmp_path):
    # The page templates ship in the wheel. The revisions it carries sit in site-packages, which moves
    # with every environment: the pages name them instead of linking there.
    site, env = installed
    out = tmp_path / "schema"
    run = run_in(tmp_path, env, sys.executable, "-m", "goclaw_db.cli", "docs", "--output", str(out))
    assert run.returncode == 0, run.stderr
    into_site = [
        (page.name, target)
        for page in sorted(out.glob("*.md"))
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text(encoding="utf-8"))
        if not target.startswith("http") and (out / target).resolve().is_relative_to(site)
    ]
    assert into_site == []
    assert "Created in 000001 (Initial multi-tenant schema)." in (out / "agents.md").read_text(encoding="utf-8")


def test_editable_install_is_found_by_a_downstream_projects_type_checker(tmp_path):
    """An application developing against a checkout (``pip install -e``) type-checks its use of goclaw_db."""
    checkout = tmp_path / "goclaw-db"
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, checkout / name)
    for folder in ("goclaw_db", "alembic"):
        shutil.copytree(REPO / folder, checkout / folder, ignore=shutil.ignore_patterns("__pycache__"))
    # Only the install may lead to the package: not this checkout on PYTHONPATH.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    installed = run_in(tmp_path, env, str(python), "-m", "pip", "install", "-q", "--no-deps", "-e", str(checkout))
    assert installed.returncode == 0, installed.stderr
    application = tmp_path / "app.py"
    application.write_text("from goclaw_db.models import ChatSession\n\nchat: ChatSession | None = None\n")
    checked = run_in(
        tmp_path,
        env,
        sys.executable,
        "-m",
        "mypy",
        "--python-executable",
        str(python),
        "--no-incremental",
        str(application),
    )
    assert checked.returncode == 0, checked.stdout


# Where the project tells its users what to install: the docs, the Dockerfile, the messages in the code.
INSTRUCTIONS = ["README.md", "DEVELOPERS.md", "benchmarks/README.md", "docker/Dockerfile", "goclaw_db/**/*.py"]


# ``pip install [options] TARGET``: the first thing it installs, quoted or not.
PIP_INSTALL = re.compile(r"pip install (?:-\S+ )*['\"]?([^\s'\"`]+)")


def pip_install_targets() -> list[tuple[str, str]]:
    """(file, first target) of every ``pip install`` the project tells its users to run."""
    return [
        (str(path.relative_to(REPO)), target)
        for pattern in INSTRUCTIONS
        for path in sorted(REPO.glob(pattern))
        for target in PIP_INSTALL.findall(path.read_text(encoding="utf-8"))
    ]


def test_every_pip_install_the_docs_give_installs_from_the_checkout_or_a_published_package():
    # goclaw-db is on no package index: 'goclaw-db[vectors]' finds nothing; '.[vectors]' in the checkout works.
    extras = set(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"])
    targets = pip_install_targets()
    for source, target in targets:
        name, _, wanted = target.partition("[")
        assert re.sub(r"[-_.]+", "-", name.lower()) != "goclaw-db", f"{source}: pip install {target}"
        if name == ".":
            assert set(wanted.rstrip("]").split(",")) - {""} <= extras, f"{source}: pip install {target}"
    assert ("README.md", ".[vectors]") in targets  # the scan sees the README's install lines
