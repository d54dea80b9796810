"""Bulk loading memory chunks with 1536-d embeddings: three writers side by side.

``python -m benchmarks.bench_bulk --dsn URL [--rows 100000] [--repeats 3] [--output FILE]``

On a fresh database built by the revision chain to head, each writer loads the
same rows into ``memory_chunks`` (truncated before every run), with the HNSW
index dropped and then with it in place:

* ``psycopg COPY``: the floor, psycopg's binary COPY written by hand;
* ``write_memory_chunks``: goclaw_db.bulk (binary COPY through a SQLAlchemy connection);
* ``ORM add_all``: ``MemoryChunk`` objects, ``session.add_all`` and ``commit``
  (vectors sent in binary by goclaw_db's engine).

The goals: the bulk writer within 1.3x of the floor, the ORM within 3x.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import psycopg
import sqlalchemy as sa
from pgvector.psycopg import register_vector
from sqlalchemy.orm import Session

from goclaw_db.bulk import ChunkRow, write_memory_chunks
from goclaw_db.config import normalize_url
from goclaw_db.engine import create_engine
from goclaw_db.ids import uuid7
from goclaw_db.models import MASTER_TENANT_ID, Agent, MemoryChunk
from tests.support import HEAD, admin_url_with_database, upgrade

HERE = Path(__file__).resolve().parent
HNSW = "idx_mem_vec"
HNSW_OPS = "(embedding vector_cosine_ops)"


def rows_for(agent_id: uuid.UUID, vectors: np.ndarray) -> list[ChunkRow]:
    return [
        ChunkRow(id=uuid7(), agent_id=agent_id, tenant_id=MASTER_TENANT_ID, path=f"docs/{i // 50}.md",
                 hash=f"{i:064x}"[-64:], text=f"chunk {i}: tides, pilots and the outer buoy", embedding=vectors[i])
        for i in range(len(vectors))
    ]  # fmt: skip


def psycopg_copy(url: str, rows: list[ChunkRow]) -> None:
    with psycopg.connect(url) as conn:
        register_vector(conn)
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY memory_chunks (id, agent_id, tenant_id, path, hash, text, embedding) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(["uuid", "uuid", "uuid", "varchar", "varchar", "text", "vector"])
            for r in rows:
                copy.write_row((r["id"], r["agent_id"], r["tenant_id"], r["path"], r["hash"], r["text"],
                                r["embedding"]))  # fmt: skip


def bulk_writer(engine: sa.Engine, rows: list[ChunkRow]) -> None:
    with engine.begin() as conn:
        write_memory_chunks(conn, rows)


def orm_add_all(engine: sa.Engine, rows: list[ChunkRow]) -> None:
    with Session(engine) as db:
        db.add_all([MemoryChunk(**r) for r in rows])
        db.commit()


def timed(prepare: Callable[[], None], run: Callable[[], None], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        prepare()
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_bulk", description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True, help="PostgreSQL server with pgvector (a database is created)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--hnsw-rows", type=int, default=None, help="rows for the runs with the HNSW index")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS-bulk.md")
    args = parser.parse_args(argv)

    name = f"bench_bulk_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url_with_database(args.dsn, name)
    plain = normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        upgrade(url, HEAD)
        engine = create_engine(url)
        with Session(engine) as db:
            agent = Agent(agent_key="indexer", owner_id="bench", model="m", tenant_id=MASTER_TENANT_ID)
            db.add(agent)
            db.commit()
            agent_id = agent.id
        rng = np.random.default_rng(7)
        lines = []
        for label, with_index, count in (("without HNSW index", False, args.rows),
                                          ("with HNSW index", True, args.hnsw_rows or args.rows)):  # fmt: skip
            vectors = rng.standard_normal((count, 1536), dtype=np.float32)
            rows = rows_for(agent_id, vectors)

            def prepare(with_index: bool = with_index) -> None:
                with engine.begin() as conn:
                    conn.execute(sa.text("TRUNCATE memory_chunks"))
                    conn.execute(sa.text(f"DROP INDEX IF EXISTS {HNSW}"))
                    if with_index:
                        conn.execute(sa.text(f"CREATE INDEX {HNSW} ON memory_chunks USING hnsw {HNSW_OPS}"))

            writers: dict[str, Callable[[list[ChunkRow]], None]] = {
                "psycopg binary COPY": lambda batch: psycopg_copy(plain, batch),
                "write_memory_chunks": lambda batch: bulk_writer(engine, batch),
                "ORM add_all + commit": lambda batch: orm_add_all(engine, batch),
            }
            figures = {name: timed(prepare, partial(write, rows), args.repeats) for name, write in writers.items()}
            floor = statistics.median(figures["psycopg binary COPY"])
            lines += [f"### {count:,} chunks × 1536-d, {label}", "",
                      "| writer | median s | rows/s | × COPY | samples (s) |", "|---|---|---|---|---|"]  # fmt: skip
            for writer, samples in figures.items():
                median = statistics.median(samples)
                lines.append(f"| {writer} | {median:.2f} | {count / median:,.0f} | {median / floor:.2f} | "
                             f"{', '.join(f'{s:.2f}' for s in samples)} |")  # fmt: skip
            lines.append("")
            print("\n".join(lines[-6:]), file=sys.stderr)
        engine.dispose()
    finally:
        with psycopg.connect(args.dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    hnsw_rows = f" --hnsw-rows {args.hnsw_rows}" if args.hnsw_rows else ""
    command = f"python -m benchmarks.bench_bulk --rows {args.rows}{hnsw_rows} --repeats {args.repeats}"
    header = ["# Bulk loading memory chunks", "", f"`{command}` on PostgreSQL 18 + pgvector 0.8, "
              "medians of the runs; each run starts from an empty table.", ""]  # fmt: skip
    args.output.write_text("\n".join(header + lines))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
