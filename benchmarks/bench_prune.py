"""Benchmark 8: ``goclaw-db prune --traces 90d`` over 1,000,000 spans while GoClaw keeps writing.

100,000 traces older than the cutoff, ten spans each, and a few young ones,
made set-based in SQL.  While the real command runs, a separate process
plays GoClaw: it inserts one span at a time, each in its own transaction,
every 10 ms, and records how long each insert took.  Rows per second count
traces and spans deleted over the command's whole run (start-up included).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from benchmarks.common import (
    PYTHON,
    Benchmark,
    Context,
    Figure,
    Postgres,
    Result,
    child_env,
    goclaw_db_command,
    percentile,
    run_timed,
)

SPANS_EACH = 10
TENANT = "0193a5b0-7000-7000-8000-000000000001"


def postgres_data(traces: int) -> str:
    return f"""
INSERT INTO traces (id, start_time, created_at, tenant_id)
SELECT gen_random_uuid(), t, t, '{TENANT}'
FROM (SELECT now() - interval '200 days' + g * interval '1 second' AS t FROM generate_series(1, {traces}) g) s;
INSERT INTO spans (id, trace_id, span_type, start_time, created_at, tenant_id)
SELECT gen_random_uuid(), tr.id, 'llm_call', tr.created_at, tr.created_at, tr.tenant_id
FROM traces tr CROSS JOIN generate_series(1, {SPANS_EACH});
INSERT INTO traces (id, tenant_id) SELECT gen_random_uuid(), '{TENANT}' FROM generate_series(1, 100);
VACUUM ANALYZE traces, spans;
"""


def sqlite_data(traces: int) -> str:
    return f"""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {traces})
INSERT INTO traces (id, start_time, created_at, tenant_id)
SELECT lower(hex(randomblob(16))), ts, ts, '{TENANT}'
FROM (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-200 days', '+' || i || ' seconds') AS ts FROM n);
WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < {SPANS_EACH})
INSERT INTO spans (id, trace_id, span_type, start_time, created_at, tenant_id)
SELECT lower(hex(randomblob(16))), tr.id, 'llm_call', tr.created_at, tr.created_at, tr.tenant_id FROM traces tr, k;
"""


# GoClaw's part: one span per transaction every 10 ms, each insert's wait written out when stopped.
_WRITER = r"""
import json, sys, time, uuid
kind, target, stop, out, tenant = sys.argv[1:6]
if kind == "sqlite":
    import sqlite3
    conn = sqlite3.connect(target, timeout=15, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA busy_timeout=15000")
    sql = "INSERT INTO spans (id, trace_id, span_type, tenant_id) VALUES (?, ?, 'llm_call', ?)"
else:
    import psycopg
    conn = psycopg.connect(target, autocommit=True)
    sql = "INSERT INTO spans (id, trace_id, span_type, tenant_id) VALUES (%s, %s, 'llm_call', %s)"
waits = []
import os
print("ready", flush=True)
while not os.path.exists(stop):
    start = time.perf_counter()
    conn.execute(sql, (str(uuid.uuid4()), str(uuid.uuid4()), tenant))
    waits.append(time.perf_counter() - start)
    time.sleep(0.01)
open(out, "w").write(json.dumps(waits))
"""


def _prune_while_writing(kind: str, target: str, cli_target: list[str], workdir: Path) -> tuple[float, list[float]]:
    stop, out = workdir / f"{kind}.stop", workdir / f"{kind}.waits.json"
    writer = subprocess.Popen(
        [PYTHON, "-c", _WRITER, kind, target, str(stop), str(out), TENANT],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert writer.stdout.readline() == "ready\n"
    time.sleep(0.5)
    run = run_timed([*goclaw_db_command(), *cli_target, "prune", "--traces", "90d"])
    stop.touch()
    writer.wait(timeout=60)
    return run.seconds, json.loads(out.read_text())


def prune_benchmark(pg: Postgres, workdir: Path, traces: int) -> Result:
    result = Result(
        8,
        "Prune 1,000,000 spans with their traces while GoClaw writes",
        "longest single-row INSERT into spans during the prune < 200 ms",
    )
    rows = traces * (SPANS_EACH + 1)
    worst = []
    for kind in ("postgresql", "sqlite"):
        if kind == "postgresql":
            database = pg.create("prune")
            url = pg.url_for(database)
            run_timed([*goclaw_db_command(), "--dsn", url, "migrate", "up"])
            with psycopg.connect(url, autocommit=True) as conn:
                for statement in filter(str.strip, postgres_data(traces).split(";")):
                    conn.execute(statement)
            target, cli_target = url, ["--dsn", url]
        else:
            path = workdir / "prune.db"
            run_timed([*goclaw_db_command(), "--sqlite", str(path), "migrate", "up"])
            with sqlite3.connect(path) as conn:
                conn.executescript(sqlite_data(traces))
            target, cli_target = str(path), ["--sqlite", str(path)]
        seconds, waits = _prune_while_writing(kind, target, cli_target, workdir)
        name = "PostgreSQL" if kind == "postgresql" else "SQLite"
        result.figures += [
            Figure(f"{name}: whole `prune --traces 90d` ({rows:,} rows)", [seconds]),
            Figure(f"{name}: rows deleted per second", [rows / seconds], "rows/s"),
            Figure(f"{name}: concurrent INSERT wait, longest", [max(waits) * 1000], "ms"),
            Figure(f"{name}: concurrent INSERT wait, p99", [percentile(waits, 0.99) * 1000], "ms"),
            Figure(f"{name}: concurrent INSERT wait, median", [percentile(waits, 0.5) * 1000], "ms"),
        ]
        result.notes.append(
            f"{name}: {len(waits)} concurrent inserts during the prune; "
            f"{rows / seconds:,.0f} rows/s; longest wait {max(waits) * 1000:.1f} ms"
        )
        worst.append(f"{name} {rows / seconds:,.0f} rows/s, longest INSERT wait {max(waits) * 1000:.0f} ms")
        if kind == "postgresql":
            pg.drop(database)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        result.met = (result.met is not False) and max(waits) * 1000 < 200
    result.headline = "; ".join(worst)
    result.notes.append(
        "Batches are sized to take about 50 ms each (no --batch given); each is one transaction "
        "deleting the traces and their spans together."
    )
    return result


PRUNE_WHILE_WRITING = Benchmark(
    8,
    "Prune 1,000,000 spans while GoClaw writes",
    lambda ctx, sizes: prune_benchmark(ctx.postgres, ctx.workdir, int(sizes["traces"])),
    sizes={"traces": 100_000},
    quick_sizes={"traces": 2_000},
)


if __name__ == "__main__":
    import tempfile

    server = Postgres()
    try:
        outcome = PRUNE_WHILE_WRITING.run(Context(server, Path(tempfile.mkdtemp())), quick=False)
        print(outcome.headline, file=sys.stderr)
        for figure in outcome.figures:
            print(figure.row())
    finally:
        server.close()
    os._exit(0)
