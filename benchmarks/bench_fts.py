"""Benchmark 6: SQLite FTS5 MATCH against ``text LIKE '%word%'`` over memory chunks."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from benchmarks.common import Benchmark, Figure, Result, goclaw_db_command, percentile, run_timed
from goclaw_db.engine import SQLITE_CONNECTION_PRAGMAS
from goclaw_db.models import MASTER_TENANT_ID

CONSONANTS, VOWELS = "bdfgklmnprstvz", "aeiou"
SYLLABLES = "".join(c + v for c in CONSONANTS for v in VOWELS)  # 70 two-letter syllables
VOCABULARY = 8000


def word(i: int) -> str:
    """Six letters; words are space-separated, so LIKE '%word%' and MATCH find the same chunks."""
    s = [(i // 70**k) % 70 for k in range(3)]
    return "".join(SYLLABLES[2 * k : 2 * k + 2] for k in s)


def prepare(workdir: Path, chunks: int) -> tuple[sqlite3.Connection, str, str]:
    """The chain's desktop schema, its memory_chunks filled, and the FTS5 index it keeps over them."""
    path = workdir / "fts.db"
    for p in workdir.glob("fts.db*"):
        p.unlink()
    run_timed([*goclaw_db_command(), "--sqlite", str(path), "migrate", "up"])
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in SQLITE_CONNECTION_PRAGMAS:  # both sides run on a connection set up as GoClaw's
        conn.execute(pragma)
    conn.execute("PRAGMA foreign_keys = OFF")  # chunks of made-up agents
    conn.execute("BEGIN")
    conn.execute("CREATE TEMP TABLE vocab (i INTEGER PRIMARY KEY, w TEXT)")
    conn.executemany("INSERT INTO vocab VALUES (?, ?)", [(i, word(i)) for i in range(VOCABULARY)])
    # 80 words a chunk, skewed towards low ranks (product of two uniforms), set-based in SQL.
    conn.execute(f"""
        INSERT INTO memory_chunks (id, agent_id, tenant_id, path, hash, start_line, end_line, text)
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {chunks - 1}),
             k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 79),
             -- MATERIALIZED: one draw per word slot; inlined into the join, random()
             -- would be drawn again for every vocabulary row compared.
             ranks(i, r) AS MATERIALIZED (
                SELECT n.i, CAST({VOCABULARY} * ((abs(random()) % 1000000) / 1e6)
                                              * ((abs(random()) % 1000000) / 1e6) AS INTEGER)
                FROM n CROSS JOIN k),
             picks(i, w) AS (SELECT ranks.i, v.w FROM ranks JOIN vocab v ON v.i = ranks.r)
        SELECT printf('c%08d', i), printf('agent-%02d', i % 50), '{MASTER_TENANT_ID}', 'notes/' || (i % 500) || '.md',
               hex(randomblob(16)), 1, 20, group_concat(w, ' ')
        FROM picks GROUP BY i""")
    fts = "memory_chunks_fts"  # the chain's triggers indexed the rows as they went in
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    return conn, fts, f"memory_chunks and `{fts}` from `goclaw-db --sqlite FILE migrate up`"


# Ten query words from each frequency band, by vocabulary rank.
BANDS = {
    "common (ranks 1-37)": range(1, 40, 4),
    "middling (ranks 400-1840)": range(400, 2000, 160),
    "rare (ranks 5000-7610)": range(5000, 7900, 290),
}


def timed(conn, sql: str, params, reps: int = 3) -> tuple[float, int]:
    best, rows = None, 0
    for _ in range(reps):
        start = time.perf_counter()
        rows = len(conn.execute(sql, params).fetchall())
        t = (time.perf_counter() - start) * 1000
        best = t if best is None else min(best, t)
    return best, rows


def fts_search(workdir: Path, chunks: int) -> Result:
    res = Result(
        6, f"SQLite full-text search over {chunks:,} chunks", "FTS5 MATCH ≥ 50× faster than LIKE at the median"
    )
    start = time.perf_counter()
    conn, fts, where = prepare(workdir, chunks)
    words = [(band, word(rank)) for band, ranks in BANDS.items() for rank in ranks]
    res.notes.append(
        f"{where}. Data made in SQL in {time.perf_counter() - start:.1f} s: 80 words a chunk "
        f"from an {VOCABULARY:,}-word vocabulary of six-letter words, skewed to the common ones."
    )
    like_all = "SELECT id FROM memory_chunks WHERE text LIKE ?"
    fts_all = f"SELECT m.id FROM {fts} f JOIN memory_chunks m ON m.rowid = f.rowid WHERE {fts} MATCH ?"
    like_top = "SELECT id FROM memory_chunks WHERE agent_id = ? AND text LIKE ? LIMIT 10"
    fts_top = (
        f"SELECT m.id FROM {fts} f JOIN memory_chunks m ON m.rowid = f.rowid "
        f"WHERE {fts} MATCH ? AND m.agent_id = ? ORDER BY f.rank LIMIT 10"
    )
    t_like, t_fts, t_like10, t_fts10, mismatch = [], [], [], [], 0
    hits = []
    for _band, w in words:
        a, n_like = timed(conn, like_all, (f"%{w}%",))
        b, n_fts = timed(conn, fts_all, (w,))
        c, _ = timed(conn, like_top, ("agent-07", f"%{w}%"))
        d, _ = timed(conn, fts_top, (w, "agent-07"))
        mismatch += n_like != n_fts
        hits.append(n_fts)
        t_like.append(a), t_fts.append(b), t_like10.append(c), t_fts10.append(d)
    f_like = Figure("`text LIKE '%word%'`, all matching chunks", t_like, unit="ms")
    f_fts = Figure("FTS5 `MATCH 'word'`, all matching chunks", t_fts, unit="ms")
    f_like10 = Figure("LIKE, one agent, LIMIT 10", t_like10, unit="ms")
    f_fts10 = Figure("FTS5, one agent, ORDER BY rank LIMIT 10", t_fts10, unit="ms")
    speedups = [a / b for a, b in zip(t_like, t_fts)]
    res.figures = [f_like, f_fts, Figure("speed-up LIKE / FTS5 (per word)", speedups, unit="×"), f_like10, f_fts10]
    ratio = f_like.median / f_fts.median
    res.headline = (
        f"FTS5 {ratio:.0f}× faster at the median ({f_fts.median:.2f} ms vs LIKE "
        f"{f_like.median:.1f} ms); LIMIT-10 per agent: {f_like10.median / f_fts10.median:.1f}×"
    )
    res.met = ratio >= 50
    table = [
        "| words | matching chunks (median) | LIKE median | FTS5 median | speed-up at the median |",
        "|---|---|---|---|---|",
    ]
    for band in BANDS:
        picked = [i for i, (b, _w) in enumerate(words) if b == band]
        like_b = percentile([t_like[i] for i in picked], 0.5)
        fts_b = percentile([t_fts[i] for i in picked], 0.5)
        table.append(
            f"| {band} | {int(percentile([hits[i] for i in picked], 0.5)):,} | {like_b:.1f} ms | "
            f"{fts_b:.2f} ms | {like_b / fts_b:.0f}× |"
        )
    res.extra.append("All matching chunks, by how common the word is:\n\n" + "\n".join(table))
    res.notes.append(
        f"{len(words)} query words, {min(hits):,} to {max(hits):,} matching chunks each "
        f"(median {int(percentile(hits, 0.5)):,}); each query timed 3 times, best kept; "
        f"LIKE and MATCH returned different counts for {mismatch} words."
    )
    conn.close()
    return res


FULL_TEXT_SEARCH = Benchmark(
    6,
    "SQLite full-text search",
    lambda ctx, sizes: fts_search(ctx.workdir, int(sizes["chunks"])),
    sizes={"chunks": 100_000},
    quick_sizes={"chunks": 5_000},
    needs_postgres=False,
)
