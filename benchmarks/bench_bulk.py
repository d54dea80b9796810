"""Bulk loading memory chunks with 1536-d embeddings: three writers side by side.

For the runner: ``BULK_LOAD`` (``python -m benchmarks --only 9``).  Alone:
``python -m benchmarks.bench_bulk [--dsn URL] [--rows N] [--hnsw-rows N] [--indexed-rows N] [--repeats N]
[--hnsw-repeats N] [--index both]`` prints the Markdown section (without ``--dsn`` it starts its own
embedded PostgreSQL).

On a database built by the revision chain to head, each writer loads the same
rows into ``memory_chunks`` (emptied before every run), first with the HNSW
index dropped, then with it in place; the writers take turns within each
repetition, so they share the machine's load alike.  With the index, each writer's
load starts from the same ``--indexed-rows`` rows already in the table and its index
(loaded and indexed before the clock starts).  Every row into an HNSW index of
1536-d vectors costs tens of milliseconds of graph work (measured here: 10-30 ms,
growing with the index), so 100,000 rows into it take about an hour per writer;
the last 10,000 of them, timed into an index of 90,000, give the same ratio at
the same index size:

* ``psycopg binary COPY``: the floor, psycopg's binary COPY written by hand;
* ``write_memory_chunks``: goclaw_db.bulk (binary COPY through a SQLAlchemy connection);
* ``ORM add_all + commit``: ``MemoryChunk`` objects through ``session_factory(engine)``.

The goals (issue 12): the bulk writer within 1.3× of the floor, the ORM within 3×.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial

import numpy as np
import psycopg
import sqlalchemy as sa

from benchmarks.common import Benchmark, Figure, Result, fmt
from goclaw_db.bulk import ChunkRow, write_memory_chunks
from goclaw_db.engine import create_engine, session_factory
from goclaw_db.ids import uuid7
from goclaw_db.models import MASTER_TENANT_ID, Agent, MemoryChunk
from tests.support import HEAD, admin_url_with_database, upgrade

NUMBER = 9
TITLE = "Bulk loading 1536-d memory chunks"
GOAL = "bulk writer ≤ 1.3× psycopg binary COPY, ORM add_all + commit ≤ 3×, with and without the HNSW index"
HNSW = "CREATE INDEX idx_mem_vec ON memory_chunks USING hnsw (embedding vector_cosine_ops)"
COPY, BULK, ORM = "psycopg binary COPY", "write_memory_chunks", "ORM add_all + commit"
LIMITS = {BULK: 1.3, ORM: 3.0}


def rows_for(agent_id: uuid.UUID, vectors: np.ndarray) -> list[ChunkRow]:
    return [
        ChunkRow(id=uuid7(), agent_id=agent_id, tenant_id=MASTER_TENANT_ID, path=f"docs/{i // 50}.md",
                 hash=f"{i:064x}"[-64:], text=f"chunk {i}: tides, pilots and the outer buoy", embedding=vectors[i])
        for i in range(len(vectors))
    ]  # fmt: skip


def psycopg_copy(url: str, rows: list[ChunkRow]) -> None:
    from pgvector.psycopg import register_vector

    with psycopg.connect(url) as conn:
        register_vector(conn)
        statement = (
            "COPY memory_chunks (id, agent_id, tenant_id, path, hash, text, embedding) FROM STDIN (FORMAT BINARY)"
        )
        with conn.cursor() as cur, cur.copy(statement) as copy:
            copy.set_types(["uuid", "uuid", "uuid", "varchar", "varchar", "text", "vector"])
            for r in rows:
                copy.write_row((r["id"], r["agent_id"], r["tenant_id"], r["path"], r["hash"], r["text"],
                                r["embedding"]))  # fmt: skip


def bulk_writer(engine: sa.Engine, rows: list[ChunkRow]) -> None:
    with engine.begin() as conn:
        write_memory_chunks(conn, rows)


def orm_add_all(engine: sa.Engine, rows: list[ChunkRow]) -> None:
    with session_factory(engine)() as db:
        db.add_all([MemoryChunk(**r) for r in rows])
        db.commit()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def bulk_load(
    server_url: str,
    rows: int = 100_000,
    hnsw_rows: int = 10_000,
    repeats: int = 1,
    index: str = "both",
    indexed_rows: int = 90_000,
    hnsw_repeats: int = 1,
) -> Result:
    """Measure the three writers on a fresh database of the server at ``server_url``."""
    res = Result(NUMBER, TITLE, GOAL)
    name = f"bench_bulk_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url_with_database(server_url, name)
    plain = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    sections = [(False, rows), (True, hnsw_rows)]
    sections = [s for s in sections if index == "both" or s[0] == (index == "with")]
    table = ["| index | rows | writer | median | rows/s | × COPY | goal |", "|---|---|---|---|---|---|---|"]
    ratios: dict[tuple[bool, str], float] = {}
    try:
        upgrade(url, HEAD)
        engine = create_engine(url)
        with session_factory(engine)() as db:
            agent = Agent(agent_key="indexer", owner_id="bench", model="m", tenant_id=MASTER_TENANT_ID)
            db.add(agent)
            db.commit()
        rng = np.random.default_rng(7)
        for with_index, count in sections:
            batch = rows_for(agent.id, rng.standard_normal((count, 1536), dtype=np.float32))
            preload = indexed_rows if with_index else 0
            already = rows_for(agent.id, rng.standard_normal((preload, 1536), dtype=np.float32))
            writers: dict[str, Callable[[], None]] = {
                COPY: partial(psycopg_copy, plain, batch),
                BULK: partial(bulk_writer, engine, batch),
                ORM: partial(orm_add_all, engine, batch),
            }
            samples: dict[str, list[float]] = {writer: [] for writer in writers}
            before = load()
            for _ in range(hnsw_repeats if with_index else repeats):
                for writer, write in writers.items():
                    with engine.begin() as conn:
                        conn.execute(sa.text("TRUNCATE memory_chunks"))
                        conn.execute(sa.text("DROP INDEX IF EXISTS idx_mem_vec"))
                    if already:
                        psycopg_copy(plain, already)
                    if with_index:
                        with engine.begin() as conn:
                            conn.execute(sa.text(HNSW))
                    start = time.perf_counter()
                    write()
                    samples[writer].append(time.perf_counter() - start)
            label = f"HNSW over {len(already):,} rows" if already else "HNSW" if with_index else "none"
            figures = {writer: Figure(f"{writer}, {count:,} rows, index: {label}", s) for writer, s in samples.items()}
            floor = figures[COPY].median
            for writer, figure in figures.items():
                ratio = figure.median / floor
                ratios[with_index, writer] = ratio
                goal = f"≤ {LIMITS[writer]}×" if writer in LIMITS else "floor"
                table.append(f"| {label} | {count:,} | {writer} | {fmt(figure.median)} | "
                             f"{count / figure.median:,.0f} | {ratio:.2f}× | {goal} |")  # fmt: skip
            res.figures += figures.values()
            res.notes.append(f"Index {label}: load average (1/5/15 min) {before} before, {load()} after.")
            print("\n".join(table[-3:]), file=sys.stderr, flush=True)
        engine.dispose()
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    res.extra.append("\n".join(table))
    res.headline = "; ".join(
        (f"HNSW index, {count:,} rows into {indexed_rows:,}" if with_index else f"no index, {count:,} rows")
        + f": bulk writer {ratios[with_index, BULK]:.2f}×, ORM {ratios[with_index, ORM]:.2f}× COPY"
        for with_index, count in sections
    )
    res.met = all(ratios[key] <= LIMITS[key[1]] for key in ratios if key[1] in LIMITS)
    return res


BULK_LOAD = Benchmark(
    NUMBER,
    TITLE,
    lambda ctx, sizes: bulk_load(
        ctx.postgres.url,
        int(sizes["rows"]),
        int(sizes["hnsw_rows"]),
        int(sizes["repeats"]),
        indexed_rows=int(sizes["indexed_rows"]),
        hnsw_repeats=int(sizes["hnsw_repeats"]),
    ),
    # Without the index a load takes seconds and its time varies by a third (checkpoints):
    # medians of three.  With it, one load of 10,000 rows takes minutes of steady graph work.
    sizes={"rows": 100_000, "hnsw_rows": 10_000, "indexed_rows": 90_000, "repeats": 3, "hnsw_repeats": 1},
    quick_sizes={"rows": 500, "hnsw_rows": 50, "indexed_rows": 100, "repeats": 1, "hnsw_repeats": 1},
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_bulk", description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", help="a PostgreSQL server with pgvector (a database is made and dropped)")
    parser.add_argument("--rows", type=int, default=100_000, help="rows loaded without the HNSW index")
    parser.add_argument("--hnsw-rows", type=int, default=10_000, help="rows loaded (timed) into the HNSW index")
    parser.add_argument(
        "--indexed-rows", type=int, default=90_000, help="rows already in the table and its HNSW index before that load"
    )
    parser.add_argument("--repeats", type=int, default=3, help="loads per writer without the index")
    parser.add_argument("--hnsw-repeats", type=int, default=1, help="loads per writer into the index")
    parser.add_argument("--index", choices=["both", "without", "with"], default="both")
    args = parser.parse_args(argv)
    pg = None
    if args.dsn is None:
        from benchmarks.common import Postgres

        pg = Postgres()
    try:
        url = args.dsn or pg.url
        res = bulk_load(url, args.rows, args.hnsw_rows, args.repeats, args.index, args.indexed_rows, args.hnsw_repeats)
    finally:
        if pg:
            pg.close()
    print(f"## {res.number}. {res.title}\n\nGoal: {res.goal}. Result: **{res.headline}**.\n")
    print("| figure | median | spread |\n|---|---|---|\n" + "\n".join(f.row() for f in res.figures) + "\n")
    print("\n".join(f"- {n}" for n in res.notes) + "\n\n" + "\n\n".join(res.extra))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
