"""A password in GoClaw's DSN, in any of its forms, reaches no command line and no output.

Every local user can read a process's arguments (``ps``, ``/proc/PID/cmdline``);
only its owner can read its environment.  So ``backup`` and ``restore`` hand
pg_dump and pg_restore the password in ``PGPASSWORD``, and every line the
command line prints shows it as ``***``.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from goclaw_db.operations.backup import find_client
from tests.support import HEAD

SECRET = "Pr1vateWord"
# The embedded server trusts local connections, so any password connects: what
# matters here is where the password travels, which the wrappers record.
RECORDING_CLIENT = """#!/bin/sh
tr '\\0' '\\n' < /proc/$$/cmdline > "{record}/$$.cmdline"
tr '\\0' '\\n' < /proc/$$/environ > "{record}/$$.environ"
exec "{real}" "$@"
"""


def with_password(url: str, form: str) -> str:
    """``url`` carrying SECRET the way an operator may write it in GOCLAW_POSTGRES_DSN."""
    parsed = sa.make_url(url)
    if form == "userinfo":
        return parsed.set(password=SECRET).render_as_string(hide_password=False)
    if form == "query":
        return parsed.update_query_dict({"password": SECRET, "sslmode": "disable"}).render_as_string(
            hide_password=False
        )
    given = {"host": parsed.host, "port": parsed.port, "user": parsed.username, "dbname": parsed.database}
    given.update(parsed.query)  # the test server's socket folder: ?host=/tmp/...
    return " ".join(f"{key}={value}" for key, value in given.items() if value) + f" password={SECRET} sslmode=disable"


def goclaw_db(dsn: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    env["GOCLAW_POSTGRES_DSN"] = dsn
    return subprocess.run(
        [sys.executable, "-m", "goclaw_db.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture
def recording_clients(tmp_path) -> tuple[Path, Path]:
    """(folder of pg_dump/pg_restore wrappers, folder where each run leaves its argv and environment)."""
    folder, record = tmp_path / "bin", tmp_path / "record"
    folder.mkdir()
    record.mkdir()
    for name in ("pg_dump", "pg_restore"):
        wrapper = folder / name
        wrapper.write_text(RECORDING_CLIENT.format(record=record, real=find_client(name, 18, None)))
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return folder, record


def recorded_runs(record: Path) -> list[tuple[list[str], list[str]]]:
    """(argv, environment) of each client run that did work (not the ``--version`` checks)."""
    runs = []
    for cmdline in sorted(record.glob("*.cmdline")):
        argv = cmdline.read_text().splitlines()
        if "--version" not in argv:
            runs.append((argv, cmdline.with_suffix(".environ").read_text().splitlines()))
    return runs


@pytest.mark.parametrize("form", ["userinfo", "query", "keywords"])
def test_backup_and_restore_pass_the_password_only_in_the_clients_environment(
    make_database_at, make_postgres_database, recording_clients, tmp_path, form
):
    pg_bin, record = recording_clients
    source, target = with_password(make_database_at(HEAD), form), with_password(make_postgres_database(), form)
    archive = tmp_path / "goclaw.backup"
    results = [
        goclaw_db(source, "backup", str(archive), "--pg-bin", str(pg_bin)),
        goclaw_db(target, "restore", str(archive), "--pg-bin", str(pg_bin)),
        goclaw_db(target, "migrate", "status"),
        goclaw_db(target, "restore", str(archive), "--pg-bin", str(pg_bin)),  # refused: it holds GoClaw's tables
    ]
    assert [r.returncode for r in results] == [0, 0, 0, 1], [r.stderr for r in results]
    for result in results:
        assert SECRET not in result.stdout + result.stderr
        assert "***" in result.stdout + result.stderr  # the database is named, its password hidden
    runs = recorded_runs(record)
    assert [Path(argv[1]).name for argv, _env in runs] == ["pg_dump", "pg_restore"]  # /bin/sh WRAPPER args...
    for argv, environment in runs:
        assert not [arg for arg in argv if SECRET in arg]
        assert f"PGPASSWORD={SECRET}" in environment


@pytest.mark.parametrize(
    "dsn",
    [
        f"postgres://goclaw@127.0.0.1:1/goclaw?password={SECRET}&sslmode=disable",
        f"postgres://goclaw:{SECRET}/x@127.0.0.1:notaport/goclaw",
        f"postgres://goclaw@127.0.0.1:1/goclaw?sslmode=require&sslpassword={SECRET}",
        f"host=127.0.0.1 port=1 user=goclaw passwd={SECRET} dbname=goclaw",
    ],
    ids=["query", "slash in the password", "key passphrase", "misspelt keyword"],
)
def test_no_error_shows_a_password_written_in_the_query_or_as_a_keyword(dsn):
    for args in (("migrate", "status"), ("backup", "/tmp/never-written.backup"), ("doctor",)):
        result = goclaw_db(dsn, *args)
        assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
        assert SECRET not in result.stdout + result.stderr, result.stderr
