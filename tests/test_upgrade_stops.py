"""``upgrade --to`` and ``--goclaw``: stopping where the operator's GoClaw binary stops.

GoClaw's binaries run on a database at exactly the version they require and
refuse a newer one ("Database schema (vN) is newer than this binary"), so an
operator whose binary is older than this package must be able to stop there.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from tests.support import HEAD, HEAD_DESKTOP, execute

pytestmark = pytest.mark.parametrize("backend", ["postgresql", "sqlite"])


def goclaw_db(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    return subprocess.run(
        [sys.executable, "-m", "goclaw_db.cli", *args, "--dsn", url],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def recorded(url: str) -> int:
    """The version GoClaw's binary reads: golang-migrate's row, or the desktop chain's GoClaw version."""
    status = goclaw_db(url, "migrate", "status", "--json")
    assert status.returncode == 0, status.stderr
    return int(json.loads(status.stdout)["version"])


def one_line_refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_goclaw_v3_1_1_stops_the_upgrade_at_the_version_its_binary_requires(backend, make_database_at):
    url = make_database_at(30, backend)
    result = goclaw_db(url, "upgrade", "--goclaw", "v3.1.1")
    assert result.returncode == 0, result.stderr
    assert recorded(url) == 44
    assert "run by lite-v3.0.0 … v3.1.1 (4 tags)" in result.stdout
    if backend == "postgresql":
        assert execute(url, "SELECT version, dirty FROM schema_migrations") == [(44, False)]
    else:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("SELECT version FROM schema_version").fetchall() == [(12,)]


def test_upgrade_to_a_version_stops_there_and_status_names_the_releases_that_run_on_it(backend, make_database_at):
    url = make_database_at(20, backend)
    assert goclaw_db(url, "upgrade", "--to", "27").returncode == 0
    assert recorded(url) == 27
    status = json.loads(goclaw_db(url, "migrate", "status", "--json").stdout)
    # GoClaw's v2 binaries of late March required 27; the desktop build had no file at 27.
    expected = {"v1.76.0", "v2.0.0"} if backend == "postgresql" else set()
    assert expected <= set(status["goclaw_releases"]) and bool(status["goclaw_releases"]) == bool(expected)
    text = goclaw_db(url, "migrate", "status").stdout
    assert "run by" in text and ("tags)" in text if expected else "no GoClaw release" in text)


def test_a_release_newer_than_the_package_is_refused_naming_both_versions(backend, make_database_at):
    url = make_database_at(30, backend)
    line = one_line_refusal(goclaw_db(url, "upgrade", "--goclaw", "v3.15.0-beta.164"))
    needed, reached = ("version 99002", HEAD) if backend == "postgresql" else ("schema_version 49", HEAD_DESKTOP)
    assert "GoClaw v3.15.0-beta.164 requires" in line and needed in line and f"reaches {reached}" in line
    assert recorded(url) == 30


def test_an_upgrade_never_goes_down_to_its_target(backend, make_database_at):
    url = make_database_at(HEAD, backend)
    line = one_line_refusal(goclaw_db(url, "upgrade", "--to", "40"))
    assert f"at version {HEAD}, past 40" in line and "migrate goto 40" in line
    assert recorded(url) == HEAD


def test_an_unknown_release_or_version_is_one_line_and_changes_nothing(backend, make_database_at):
    url = make_database_at(30, backend)
    line = one_line_refusal(goclaw_db(url, "upgrade", "--goclaw", "3.1.2"))
    assert "'3.1.2' is not a GoClaw release; did you mean" in line and "v3.1.1" in line
    assert "not a GoClaw schema version" in one_line_refusal(goclaw_db(url, "upgrade", "--to", "99"))
    assert recorded(url) == 30
