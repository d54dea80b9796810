"""Benchmark 5: HNSW build and agent-filtered top-10 cosine search on memory_chunks."""

from __future__ import annotations

import time

import psycopg

from benchmarks.common import Benchmark, Figure, Postgres, Result, fmt, goclaw_db_command, percentile, run_timed
from goclaw_db.models import MASTER_TENANT_ID


def generate(pg: Postgres, db: str, chunks: int, agents: int, queries: int) -> tuple[float, str]:
    """Clustered 1536-d vectors made in SQL: each agent has 10 topics; chunk = topic + 2 noise vectors."""
    with psycopg.connect(pg.url_for(db), autocommit=True) as conn:
        indexdef = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_mem_vec'").fetchone()[0]
        conn.execute("DROP INDEX idx_mem_vec")
        conn.execute(f"""
            INSERT INTO agents (agent_key, owner_id, model, tenant_id)
            SELECT 'vec-' || i, 'owner', 'gpt-4o', '{MASTER_TENANT_ID}' FROM generate_series(1, {agents}) i""")
        conn.execute(
            """
            CREATE TABLE bench_topic AS SELECT t, (SELECT array_agg(random() * 2 - 1)::vector(1536)
                FROM generate_series(1, 1536) k WHERE t >= 0) AS v
            FROM generate_series(0, %d) t"""
            % (agents * 10 - 1)
        )
        conn.execute("""
            CREATE TABLE bench_noise AS SELECT n, (SELECT array_agg((random() * 2 - 1) * 0.35)::vector(1536)
                FROM generate_series(1, 1536) k WHERE n > -1) AS v
            FROM generate_series(0, 1999) n""")
        conn.execute("CREATE UNIQUE INDEX ON bench_topic (t); CREATE UNIQUE INDEX ON bench_noise (n)")
        conn.execute(
            "CREATE TABLE bench_agent AS SELECT row_number() OVER (ORDER BY agent_key) - 1 AS k, id "
            "FROM agents WHERE agent_key LIKE 'vec-%'"
        )
        conn.execute(f"""
            INSERT INTO memory_chunks (agent_id, tenant_id, path, hash, text, embedding)
            SELECT a.id, '{MASTER_TENANT_ID}', 'notes/' || (i % 500) || '.md', md5(i::text), 'chunk ' || i,
                   t.v + n1.v + n2.v
            FROM generate_series(0, {chunks - 1}) i
            JOIN bench_agent a ON a.k = i % {agents}
            JOIN bench_topic t ON t.t = (i % {agents}) * 10 + (i / {agents}) % 10
            JOIN bench_noise n1 ON n1.n = i % 2000
            JOIN bench_noise n2 ON n2.n = (i * 7 + i / 2000) % 2000""")
        make_queries(conn, chunks, queries)
        conn.execute("VACUUM ANALYZE memory_chunks")
        start = time.perf_counter()
        conn.execute(indexdef)
        build = time.perf_counter() - start
        conn.execute("ANALYZE memory_chunks")
    return build, indexdef


def make_queries(conn: psycopg.Connection, chunks: int, queries: int) -> None:
    """``bench_query``: a stored chunk's vector moved by a third noise vector, asked within its agent."""
    conn.execute("DROP TABLE IF EXISTS bench_query")
    conn.execute(f"""
        CREATE TABLE bench_query AS
        SELECT q, c.agent_id, c.embedding + n.v AS v
        FROM generate_series(1, {queries}) q
        JOIN LATERAL (SELECT agent_id, embedding FROM memory_chunks ORDER BY id
                      OFFSET (q * 7919) % {chunks} LIMIT 1) c ON true
        JOIN bench_noise n ON n.n = (q * 31) % 2000""")


# Without a sort step the only way to the ORDER BY is the HNSW index.
FORCE_HNSW = {
    "enable_sort": "off",
    "enable_incremental_sort": "off",
    "enable_bitmapscan": "off",
    "enable_seqscan": "off",
}

# With index scans off the HNSW index cannot serve the ORDER BY: an exact search.
EXACT = {"enable_indexscan": "off"}

SEARCH = "SELECT id FROM memory_chunks WHERE agent_id = %s ORDER BY embedding <=> %s::vector LIMIT 10"


def run_queries(conn, qs, settings: dict[str, str]) -> tuple[list[float], list[list], str]:
    for k, v in settings.items():
        conn.execute(f"SET {k} = {v}")
    plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + SEARCH, qs[0]).fetchall())
    scans = [line.strip().removeprefix("->").strip().split("  ")[0] for line in plan.splitlines() if "Scan" in line]
    node = " / ".join(s.split(" (")[0] for s in scans) or "?"
    # Never prepared: a prepared statement may switch to a generic plan, and
    # the plan column must be the one that ran.
    for q in qs[: min(20, len(qs))]:  # warm-up
        conn.execute(SEARCH, q, prepare=False).fetchall()
    times, rows = [], []
    for q in qs:
        start = time.perf_counter()
        got = conn.execute(SEARCH, q, prepare=False).fetchall()
        times.append((time.perf_counter() - start) * 1000)
        rows.append([r[0] for r in got])
    conn.execute("RESET ALL")
    return times, rows, node


# (label, settings, a setting a user would run with): the forced plans are
# there to show what the HNSW path costs when the planner does not take it.
MODES = [
    ("pgvector defaults (iterative scan off, ef_search 40)", {}, True),
    ("iterative scan relaxed_order", {"hnsw.iterative_scan": "relaxed_order"}, True),
    ("iterative scan strict_order", {"hnsw.iterative_scan": "strict_order"}, True),
    (
        "iterative scan relaxed_order, ef_search 100",
        {"hnsw.iterative_scan": "relaxed_order", "hnsw.ef_search": "100"},
        True,
    ),
    (
        "iterative scan relaxed_order, ef_search 200",
        {"hnsw.iterative_scan": "relaxed_order", "hnsw.ef_search": "200"},
        True,
    ),
    ("HNSW forced (sorts disabled), iterative off", FORCE_HNSW, False),
    ("HNSW forced, iterative relaxed_order", {**FORCE_HNSW, "hnsw.iterative_scan": "relaxed_order"}, False),
    ("exact: HNSW not used (index scans disabled)", EXACT, False),
]
# GoClaw's column keeps PostgreSQL's default EXTENDED storage: a 6 KB vector
# goes out of line to TOAST.  MAIN keeps it in the heap page.
LAYOUTS = [
    ("GoClaw's storage (EXTENDED: vectors in TOAST)", None),
    (
        "embedding SET STORAGE MAIN (vectors in the heap page)",
        [
            "ALTER TABLE memory_chunks ALTER COLUMN embedding SET STORAGE MAIN",
            "VACUUM FULL memory_chunks",
            "ANALYZE memory_chunks",
        ],
    ),
]


def measure_layout(conn, qs, exact, layout: str, res: Result) -> tuple[list[str], dict]:
    rows_out, summary = [], {}
    for label, settings, usable in MODES:
        times, rows, node = run_queries(conn, qs, settings)
        recall = sum(len(set(r) & set(e)) / max(1, len(e)) for r, e in zip(rows, exact)) / len(qs)
        full = sum(len(r) == 10 for r in rows) / len(qs)
        mean_rows = sum(map(len, rows)) / len(qs)
        med, p95 = percentile(times, 0.5), percentile(times, 0.95)
        rows_out.append(
            f"| {layout} | {label} | {node} | {med:.2f} ms | {p95:.2f} ms | {recall:.3f} | "
            f"{full:.0%} | {mean_rows:.1f} |"
        )
        res.figures.append(Figure(f"latency, {layout}, {label}", times, unit="ms"))
        if usable:
            summary[label] = (med, p95, recall, full)
    return rows_out, summary


def fastest_meeting_recall(summary: dict) -> tuple | None:
    meeting = [
        (med, label, med, p95, recall, full)
        for label, (med, p95, recall, full) in summary.items()
        if recall >= 0.95 and full == 1.0
    ]
    return min(meeting)[1:] if meeting else None


def relation_sizes(conn) -> str:
    heap, toast = conn.execute(
        "SELECT pg_relation_size('memory_chunks'), pg_relation_size(reltoastrelid) FROM pg_class "
        "WHERE relname = 'memory_chunks'"
    ).fetchone()
    return f"heap {heap / 2**20:.0f} MiB, TOAST {toast / 2**20:.0f} MiB"


def vector_search(pg: Postgres, chunks: int, agents: int, queries: int) -> Result:
    res = Result(
        5,
        f"Vector search: {chunks:,} memory chunks × 1536-d across {agents} agents",
        "median ≤ 10 ms, recall@10 ≥ 0.95, filtered searches return 10 rows",
    )
    db = pg.create("vec")
    run_timed([*goclaw_db_command(), "--dsn", pg.url_for(db), "migrate", "up"])
    start = time.perf_counter()
    build, indexdef = generate(pg, db, chunks, agents, queries)
    res.figures.append(Figure("HNSW build (CREATE INDEX)", [build]))
    res.notes.append(
        f"Data made in SQL in {fmt(time.perf_counter() - start - build)}: each agent has 10 "
        "random topic vectors, a chunk is its topic plus two of 2,000 noise vectors; a query is "
        "a stored chunk's vector plus a third noise vector, searched within that chunk's agent."
    )
    res.notes.append(
        f"Index: `{indexdef}` (the schema's own definition, pgvector defaults m=16, "
        "ef_construction=64), built with maintenance_work_mem=2GB and 1 parallel worker."
    )
    table = [
        "| storage | mode | plan | median | p95 | recall@10 | searches with 10 rows | mean rows |",
        "|---|---|---|---|---|---|---|---|",
    ]
    summaries = {}
    with psycopg.connect(pg.url_for(db), autocommit=True) as conn:
        qs = [(a, v) for a, v in conn.execute("SELECT agent_id, v::text FROM bench_query ORDER BY q")]
        _times, exact, _plan = run_queries(conn, qs, EXACT)
        for layout, change in LAYOUTS:
            if change:
                start = time.perf_counter()
                for statement in change:
                    conn.execute(statement)
                res.figures.append(
                    Figure(
                        "SET STORAGE MAIN + VACUUM FULL (rewrites the table and rebuilds its indexes, HNSW included)",
                        [time.perf_counter() - start],
                    )
                )
            res.notes.append(f"{layout}: {relation_sizes(conn)}.")
            rows_out, summaries[layout] = measure_layout(conn, qs, exact, layout, res)
            table += rows_out
    res.extra.append(
        f"{len(qs)} queries per mode, each sent unprepared and timed at the client "
        "(Unix socket, psycopg), after a warm-up; exact answers from the same query with "
        "index scans disabled.\n\n" + "\n".join(table)
    )
    best = {layout: fastest_meeting_recall(summary) for layout, summary in summaries.items()}
    res.headline = f"HNSW build {fmt(build)}; " + "; ".join(
        f"{layout.split(' (')[0]}: "
        + (
            f"median {m[1]:.2f} ms, p95 {m[2]:.2f} ms, recall@10 {m[3]:.3f}, {m[4]:.0%} return 10 rows with {m[0]}"
            if m
            else "no setting reaches recall@10 0.95 with 10 rows"
        )
        for layout, m in best.items()
    )
    res.met = any(m and m[1] <= 10 for m in best.values())
    res.notes.append(
        "Headline: per storage layout, the fastest setting (forced plans left out) whose "
        "searches reach recall@10 ≥ 0.95 and all return 10 rows."
    )
    pg.drop(db)
    return res


VECTOR_SEARCH = Benchmark(
    5,
    "Vector search",
    lambda ctx, sizes: vector_search(ctx.postgres, int(sizes["chunks"]), int(sizes["agents"]), int(sizes["queries"])),
    sizes={"chunks": 100_000, "agents": 50, "queries": 200},
    quick_sizes={"chunks": 2_000, "agents": 10, "queries": 20},
)
