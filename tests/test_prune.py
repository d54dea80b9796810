"""goclaw-db prune: old traces (with their spans), spans and log tables go in short batches, on both databases."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from goclaw_db.engine import create_engine
from goclaw_db.ids import uuid7
from tests import operations_support as ops
from tests.operations_support import add_traces, days_ago, goclaw_db, scalar, timestamp
from tests.support import MASTER_TENANT

head_template, copy_database, goclaw_url = ops.head_template, ops.copy_database, ops.goclaw_url


@pytest.fixture
def engine(goclaw_url):
    engine = create_engine(goclaw_url, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


def spans_of(engine, trace_ids) -> int:
    with engine.connect() as conn:
        return conn.scalar(
            sa.text("SELECT count(*) FROM spans WHERE CAST(trace_id AS VARCHAR) IN :ids").bindparams(
                sa.bindparam("ids", trace_ids, expanding=True)
            )
        )


def test_old_traces_go_with_all_their_spans_and_young_ones_stay(capsys, goclaw_url, engine):
    # GoClaw's page expects spans of a pruned trace to go too, however young the span itself.
    old = add_traces(engine, 5, 3, age_days=100, span_age_days=1)
    young = add_traces(engine, 4, 2, age_days=10)
    status, out, err = goclaw_db(capsys, goclaw_url, "prune", "--traces", "90d", "--batch", "2")
    assert status == 0, err
    assert "traces: deleted 5 rows and their 15 spans older than 90d" in out
    assert spans_of(engine, old) == 0 and scalar(engine, "SELECT count(*) FROM traces") == 4
    assert spans_of(engine, young) == 8


def test_spans_option_takes_old_spans_and_leaves_their_traces(capsys, goclaw_url, engine):
    traces = add_traces(engine, 3, 2, age_days=5, span_age_days=40)
    add_traces(engine, 2, 2, age_days=5)
    status, out, err = goclaw_db(capsys, goclaw_url, "prune", "--spans", "30d", "--batch", "4")
    assert status == 0, err
    assert "spans: deleted 6 rows older than 30d" in out
    assert spans_of(engine, traces) == 0
    assert scalar(engine, "SELECT count(*) FROM traces") == 5 and scalar(engine, "SELECT count(*) FROM spans") == 4


def test_dry_run_prints_each_table_and_changes_nothing(capsys, goclaw_url, engine):
    add_traces(engine, 3, 2, age_days=100)
    status, out, err = goclaw_db(capsys, goclaw_url, "prune", "--traces", "90d", "--spans", "30d", "--dry-run")
    assert status == 0, err
    assert "traces: would delete 3 rows and their 6 spans" in out
    assert "spans: would delete 6 rows" in out and "nothing was changed" in out
    assert scalar(engine, "SELECT count(*) FROM spans") == 6


def add_log_rows(engine, table: str, age_days: float) -> None:
    moment = timestamp(engine, days_ago(age_days))
    rows = {
        "activity_logs": (
            "INSERT INTO activity_logs (id, actor_type, actor_id, action, created_at, tenant_id) "
            "VALUES (:id, 'user', 'u1', 'agent.update', :at, :tenant)"
        ),
        "usage_snapshots": (
            "INSERT INTO usage_snapshots (id, bucket_hour, model, created_at, tenant_id) "
            "VALUES (:id, :at, :model, :at, :tenant)"
        ),
    }
    with engine.begin() as conn:
        conn.execute(
            sa.text(rows[table]),
            [{"id": str(uuid7()), "at": moment, "tenant": MASTER_TENANT, "model": f"m{n}"} for n in range(3)],
        )


@pytest.mark.parametrize(
    ("option", "table"), [("--activity", "activity_logs"), ("--usage-snapshots", "usage_snapshots")]
)
def test_log_tables_are_pruned_by_their_own_option_only(capsys, goclaw_url, engine, option, table):
    add_log_rows(engine, table, age_days=400)
    add_log_rows(engine, table, age_days=1)
    add_traces(engine, 2, 1, age_days=400)
    status, _out, err = goclaw_db(capsys, goclaw_url, "prune", option, "1w")
    assert status == 0, err
    assert scalar(engine, f"SELECT count(*) FROM {table}") == 3
    assert scalar(engine, "SELECT count(*) FROM traces") == 2  # no option, no deletion


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "nothing to prune"),
        (("--spans", "30x"), "--spans '30x' is not an age"),
        (("--traces=5 days",), "--traces '5 days' is not an age"),
        (("--spans", "30d", "--batch", "0"), "--batch 0"),
    ],
)
def test_bad_input_is_one_line_and_nothing_goes(capsys, goclaw_url, engine, args, message):
    add_traces(engine, 2, 2, age_days=400)
    status, _out, err = goclaw_db(capsys, goclaw_url, "prune", *args)
    assert status == 1
    assert err.count("\n") == 1 and message in err
    assert scalar(engine, "SELECT count(*) FROM spans") == 4


def test_progress_is_plain_lines_off_a_terminal_and_vacuum_follows(capsys, goclaw_url, engine):
    add_traces(engine, 6, 1, age_days=100)
    status, out, err = goclaw_db(capsys, goclaw_url, "prune", "--traces", "90d", "--batch", "2", "--vacuum")
    assert status == 0, err
    assert "traces: 2 of 6 deleted" in err and "traces: 6 of 6 deleted" in err and "\r" not in err
    expected = "VACUUM ANALYZE spans, traces" if engine.dialect.name == "postgresql" else "ran VACUUM"
    assert expected in out


def test_a_prune_killed_part_way_leaves_whole_batches_and_a_rerun_finishes(goclaw_url, engine):
    old = add_traces(engine, 300, 3, age_days=100)
    young = add_traces(engine, 5, 3, age_days=1)
    target = (
        ["--sqlite", sa.make_url(goclaw_url).database] if engine.dialect.name == "sqlite" else ["--dsn", goclaw_url]
    )
    command = [sys.executable, "-m", "goclaw_db.cli", *target, "prune", "--traces", "90d", "--batch", "1"]
    run = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=os.environ)
    assert "traces: 1 of 300 deleted" in run.stderr.readline()
    run.kill()
    run.wait()
    remaining = [row[0] for row in engine.connect().execute(sa.text("SELECT id FROM traces"))]
    old_left = [trace for trace in old if trace in {str(r) for r in remaining}]
    assert 0 < len(old_left) < 300, "the kill must land part-way"
    # every trace still there has all of its spans: no batch was half done
    assert spans_of(engine, old_left) == 3 * len(old_left)
    assert scalar(engine, "SELECT count(*) FROM spans") == 3 * len(remaining)
    finished = subprocess.run(command, check=False, capture_output=True, text=True, env=os.environ)
    assert finished.returncode == 0, finished.stderr
    assert scalar(engine, "SELECT count(*) FROM traces") == 5 and spans_of(engine, young) == 15
