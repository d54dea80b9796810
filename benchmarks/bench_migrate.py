"""Benchmarks 1, 2 and 4: ``goclaw-db migrate up`` against the SQL it prints, applied by the bare client."""

from __future__ import annotations

import io
import pstats
from pathlib import Path

from benchmarks.common import (
    PYTHON,
    REPO,
    Benchmark,
    Figure,
    Postgres,
    Result,
    before_env,
    fmt,
    goclaw_db_command,
    run_timed,
)

ALEMBIC = [PYTHON, "-m", "alembic", "-c", str(REPO / "alembic.ini")]


def cprofile_cli(argv: list[str], workdir: Path, top: int = 22) -> tuple[str, str]:
    """Profile one goclaw-db run in a fresh interpreter; (by cumulative, by own time)."""
    out = workdir / "cli.prof"
    run_timed([PYTHON, "-m", "cProfile", "-o", str(out), "-m", "goclaw_db.cli", *argv])
    texts = []
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(str(out), stream=buf).strip_dirs().sort_stats(key).print_stats(top)
        lines = buf.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        head = next((line.strip() for line in lines if "function calls" in line), "")
        texts.append(head + "\n" + "\n".join(lines[start:]).rstrip())
    return texts[0], texts[1]


# ------------------------------------------------------------------ 1


def empty_postgres(pg: Postgres, reps: int, workdir: Path) -> Result:
    res = Result(
        1,
        "Upgrade an empty PostgreSQL database (0 → 44)",
        "`goclaw-db migrate up` / `psql -f` of `migrate up --sql` ≤ 1.5",
    )
    cli = goclaw_db_command()
    probe = pg.create("sqlgen")
    sql_run = run_timed([*cli, "--dsn", pg.url_for(probe), "migrate", "up", "--sql"])
    pg.drop(probe)
    sql_file = workdir / "up_0_44.sql"
    sql_file.write_text(sql_run.stdout)
    ours, theirs, floor, before = [], [], [], []
    old_env = before_env()
    for i in range(reps):
        a, b = pg.create("cli"), pg.create("psql")
        sides = ["cli", "psql", *(["before"] if old_env else [])]
        for who in sides if i % 2 == 0 else reversed(sides):
            if who == "cli":
                ours.append(run_timed([*cli, "--dsn", pg.url_for(a), "migrate", "up"]).seconds)
            elif who == "psql":
                theirs.append(pg.psql_file(b, sql_file).seconds)
            else:
                c = pg.create("before")
                before.append(run_timed([*cli, "--dsn", pg.url_for(c), "migrate", "up"], env=old_env).seconds)
        if old_env:
            check_same_version(pg, a, c)
            pg.drop(c)
        floor.append(run_timed([*cli, "--dsn", pg.url_for(a), "migrate", "version"]).seconds)
        check_same_version(pg, a, b)
        pg.drop(a)
        pg.drop(b)
    f_ours = Figure("`goclaw-db migrate up` (whole command)", ours)
    f_theirs = Figure("`psql -f` of the printed SQL", theirs)
    f_floor = Figure("`goclaw-db migrate version` (start-up + connect, no DDL)", floor)
    ratios = [o / t for o, t in zip(ours, theirs)]
    f_ratio = Figure("ratio goclaw-db / psql (per pair)", ratios, unit="")
    res.figures = [f_ours, f_theirs, f_ratio, f_floor, *before_figures(before, theirs)]
    ratio = f_ours.median / f_theirs.median
    res.headline = f"ratio {ratio:.2f} (goclaw-db {fmt(f_ours.median)} vs psql {fmt(f_theirs.median)})" + (
        f"; before: {Figure('', before).median / f_theirs.median:.2f}" if before else ""
    )
    res.met = ratio <= 1.5
    a = pg.create("prof")
    by_cum, by_own = cprofile_cli(["--dsn", pg.url_for(a), "migrate", "up"], workdir)
    pg.drop(a)
    res.extra.append(
        "cProfile of one `goclaw-db migrate up` on an empty database, by cumulative time:\n\n```\n" + by_cum + "\n```"
    )
    res.extra.append("Same profile, by own time:\n\n```\n" + by_own + "\n```")
    res.notes.append(
        f"`migrate up --sql` printed {len(sql_run.stdout.splitlines())} lines, golang-migrate's bookkeeping "
        "tables first; `psql` applies them with `ON_ERROR_STOP`, and both databases end at the same version."
    )
    res.notes.append(
        f"Bound: with no Python work beyond start-up, the ratio would be (start-up + psql) / psql = "
        f"{(f_floor.median + f_theirs.median) / f_theirs.median:.2f}."
    )
    return res


def before_figures(before: list[float], baseline: list[float]) -> list[Figure]:
    """The older checkout's whole command and its ratio to the same baseline, where one was timed."""
    if not before:
        return []
    return [
        Figure("before: the same command from `$GOCLAW_BENCH_BEFORE` (same run, alternating)", before),
        Figure("before: ratio (per triple)", [o / t for o, t in zip(before, baseline)], unit=""),
    ]


def check_same_version(pg: Postgres, a: str, b: str) -> None:
    import psycopg

    got = []
    for db in (a, b):
        with psycopg.connect(pg.url_for(db)) as conn:
            got.append(conn.execute("SELECT version, dirty FROM schema_migrations").fetchall())
    if got[0] != got[1]:
        raise RuntimeError(f"goclaw-db and psql ended at different versions: {got}")


# ------------------------------------------------------------------ 2


def empty_sqlite(reps: int, workdir: Path) -> Result:
    res = Result(
        2,
        "Upgrade an empty SQLite file (0 → head)",
        "`goclaw-db migrate up` / the same statements applied by `sqlite3` alone ≤ 1.5",
    )
    cli = goclaw_db_command()
    sql_file = workdir / "up_sqlite.sql"
    run_timed([PYTHON, "-m", "benchmarks.sqlite_trace", str(workdir / "traced.db"), str(sql_file)], cwd=REPO)
    statements = sql_file.read_text().count(";\n")
    ours, theirs, floor, before = [], [], [], []
    old_env = before_env()
    for i in range(reps):
        a, b, c = workdir / f"cli{i}.db", workdir / f"sql{i}.db", workdir / f"before{i}.db"
        sides = ["cli", "sql", *(["before"] if old_env else [])]
        for who in sides if i % 2 == 0 else reversed(sides):
            if who == "cli":
                ours.append(run_timed([*cli, "--sqlite", str(a), "migrate", "up"]).seconds)
            elif who == "sql":
                theirs.append(
                    run_timed([PYTHON, "-m", "benchmarks.sqlite_replay", str(b), str(sql_file)], cwd=REPO).seconds
                )
            else:
                before.append(run_timed([*cli, "--sqlite", str(c), "migrate", "up"], env=old_env).seconds)
        if old_env:
            check_same_sqlite_schema(a, c)
            c.unlink()
        floor.append(run_timed([*cli, "--sqlite", str(a), "migrate", "version"]).seconds)
        check_same_sqlite_schema(a, b)
        a.unlink()
        b.unlink()
    f_ours = Figure("`goclaw-db --sqlite FILE migrate up` (whole command)", ours)
    f_theirs = Figure("the traced statements applied by the `sqlite3` module (whole process)", theirs)
    f_floor = Figure("`goclaw-db --sqlite FILE migrate version` (start-up + open, no DDL)", floor)
    f_ratio = Figure("ratio (per pair)", [o / t for o, t in zip(ours, theirs)], unit="")
    res.figures = [f_ours, f_theirs, f_ratio, f_floor, *before_figures(before, theirs)]
    ratio = f_ours.median / f_theirs.median
    res.headline = (
        f"ratio {ratio:.2f} (goclaw-db {fmt(f_ours.median)} vs sqlite3 {fmt(f_theirs.median)}); "
        f"start-up alone {fmt(f_floor.median)}"
    ) + (f"; before: {Figure('', before).median / f_theirs.median:.2f}" if before else "")
    res.met = ratio <= 1.5
    res.notes.append(
        f"The baseline script is the {statements:,} statements SQLite executed during one walk of the chain "
        "(captured with SQLite's trace hook by `benchmarks/sqlite_trace.py`: `--sql` cannot print a SQLite "
        "migration, whose table rebuilds read the live file). It includes the reads the run made "
        "(`PRAGMA table_info`, `sqlite_master`); they are the same statements, so both sides pay them."
    )
    res.notes.append(
        "`benchmarks/sqlite_replay.py` applies it with Python's `sqlite3` module (the same SQLite library as "
        "the `sqlite3` command line) and no other import: the command line cannot, as revision 27 calls "
        "`regexp_replace`, a function goclaw-db registers on its connections."
    )
    res.notes.append("After every pair, both files hold the same catalog (`tests/schema_catalog.py`).")
    res.notes.append(
        f"Bound: with no Python work beyond start-up, the ratio would be (start-up + sqlite3) / sqlite3 = "
        f"{(f_floor.median + f_theirs.median) / f_theirs.median:.2f}."
    )
    by_cum, by_own = cprofile_cli(["--sqlite", str(workdir / "prof.db"), "migrate", "up"], workdir)
    res.extra.append(
        "cProfile of one `goclaw-db --sqlite FILE migrate up`, by cumulative time:\n\n```\n" + by_cum + "\n```"
    )
    res.extra.append("Same profile, by own time:\n\n```\n" + by_own + "\n```")
    return res


def check_same_sqlite_schema(a: Path, b: Path) -> None:
    from tests.schema_catalog import diff, dump

    differences, _matched, _total = diff(dump(f"sqlite:///{a}"), dump(f"sqlite:///{b}"))
    if differences:
        raise RuntimeError(f"goclaw-db and the replay built different SQLite schemas: {differences[:3]}")


# ------------------------------------------------------------------ 4

SIZES = {
    "agents": 20_000,
    "sessions": 200_000,
    "messages_per_session": 8,
    "memory_chunks": 500_000,
    "contacts": 100_000,
    "cron_jobs": 100_000,
}


def load_v26_sql(scale: float) -> str:
    n = {k: max(10, int(v * scale)) if k != "messages_per_session" else v for k, v in SIZES.items()}
    return f"""
-- {n}
INSERT INTO agents (id, agent_key, owner_id, model, display_name, other_config)
SELECT gen_random_uuid(), 'agent-' || i, 'user-' || (i % 2000), 'gpt-4o', 'Agent ' || i,
       jsonb_build_object('emoji', '*', 'description', 'agent number ' || i,
                          'thinking_level', 'medium', 'max_tokens', 4096, 'keep', true)
FROM generate_series(1, {n["agents"]}) AS i;

CREATE TEMP TABLE agent_ids AS SELECT row_number() OVER (ORDER BY id) AS k, id FROM agents;
CREATE INDEX ON agent_ids (k);
ANALYZE agent_ids;

INSERT INTO sessions (id, agent_id, session_key, user_id, channel, messages)
SELECT gen_random_uuid(), a.id, 'agent:' || a.k || ':s' || i, 'user-' || (i % 2000), 'telegram',
       (SELECT jsonb_agg(jsonb_build_object(
                 'role', CASE WHEN m % 2 = 0 THEN 'assistant' ELSE 'user' END,
                 'content', 'message ' || m || ' of session ' || i ||
                            CASE WHEN i % 100 = 0 AND m = 1 THEN ' see https://x.test/f.png?token=ab12cd' ELSE '' END))
        FROM generate_series(1, {n["messages_per_session"]}) AS m)
FROM generate_series(1, {n["sessions"]}) AS i
JOIN agent_ids a ON a.k = 1 + i % {n["agents"]};

INSERT INTO memory_chunks (id, agent_id, path, hash, text, start_line, end_line)
SELECT gen_random_uuid(), a.id, 'notes/' || (i % 1000) || '.md', md5(i::text),
       'chunk ' || i || ' about harbour tides, pilots and buoys, written for the benchmark', 1, 20
FROM generate_series(1, {n["memory_chunks"]}) AS i
JOIN agent_ids a ON a.k = 1 + i % {n["agents"]};

INSERT INTO channel_contacts (channel_type, sender_id, display_name, username, user_id)
SELECT 'telegram',
       CASE WHEN i % 200 = 0 THEN (i - 1) || '|someone' WHEN i % 200 = 1 THEN i || '|someone' ELSE i::text END,
       'Contact ' || i, 'contact' || i, 'user-' || (i % 2000)
FROM generate_series(1, {n["contacts"]}) AS i;

INSERT INTO cron_jobs (id, agent_id, name, schedule_kind, cron_expression, payload, user_id)
SELECT gen_random_uuid(), a.id, 'job ' || i, 'cron', '0 * * * *',
       jsonb_build_object('message', 'check the tide', 'deliver', (i % 2 = 0), 'channel', 'telegram',
                          'to', 'chat-' || i, 'wake_heartbeat', false),
       'user-' || (i % 2000)
FROM generate_series(1, {n["cron_jobs"]}) AS i
JOIN agent_ids a ON a.k = 1 + i % {n["agents"]};
"""


def data_at_scale(pg: Postgres, scale: float, reps: int, workdir: Path, small_scale: float) -> Result:
    res = Result(
        4,
        "Data migrations at scale (version 26 → 44)",
        "`goclaw-db migrate up` / `psql -f` of the same statements ≤ 1.2; Python memory flat",
    )
    cli = goclaw_db_command()
    counts = {k: (v if k == "messages_per_session" else max(10, int(v * scale))) for k, v in SIZES.items()}
    res.notes.append(
        "Data: "
        + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items())
        + "; memory chunks carry text but no embeddings here (vectors are benchmark 5). "
        "1% of sessions hold a `?token=` URL, 1% of contacts a `|`-suffixed sender id "
        "(half of them duplicates), every cron payload the delivery keys v33 lifts out."
    )

    def base(s: float) -> tuple[str, float]:
        name = pg.create(f"v26_{str(s).replace('.', '_')}")
        run_timed([*cli, "--dsn", pg.url_for(name), "migrate", "goto", "26"])
        path = workdir / f"load_{name}.sql"
        path.write_text(load_v26_sql(s))
        seconds = pg.psql_file(name, path).seconds
        pg.execute(name, "VACUUM ANALYZE")
        return name, seconds

    big, load_seconds = base(scale)
    res.notes.append(
        f"Loading the version-26 database took {fmt(load_seconds)} (set-based SQL, not timed against anything)."
    )
    sql_file = workdir / "up_26_44.sql"
    gen = run_timed([*ALEMBIC, "-x", f"url={pg.url_for(big)}", "upgrade", "000026:head", "--sql"], cwd=REPO)
    sql_file.write_text(gen.stdout)
    res.notes.append(
        "`goclaw-db migrate up --sql` always prints from version 0 (the CLI has no start "
        "version), so the 26 → 44 statements come from plain Alembic in offline mode: "
        "`alembic -x url=… upgrade 000026:head --sql` (the same env.py and revisions)."
    )
    ours, theirs, rss_big = [], [], []
    for i in range(reps):
        a, b = pg.create("cli", template=big), pg.create("psql", template=big)
        order = ("cli", "psql") if i % 2 == 0 else ("psql", "cli")
        for who in order:
            if who == "cli":
                run = run_timed([*cli, "--dsn", pg.url_for(a), "migrate", "up"])
                ours.append(run.seconds)
                rss_big.append(run.max_rss_mib)
            else:
                theirs.append(pg.psql_file(b, sql_file).seconds)
        check_same_version(pg, a, b)
        check_same_data(pg, a, b)
        pg.drop(a)
        pg.drop(b)
    small, _ = base(small_scale)
    rss_small = []
    for _ in range(2):
        a = pg.create("cli_small", template=small)
        rss_small.append(run_timed([*cli, "--dsn", pg.url_for(a), "migrate", "up"]).max_rss_mib)
        pg.drop(a)
    pg.drop(small)
    pg.drop(big)
    f_ours = Figure("`goclaw-db migrate up`", ours)
    f_theirs = Figure("`psql -f` of the 26 → 44 SQL", theirs)
    f_ratio = Figure("ratio (per pair)", [o / t for o, t in zip(ours, theirs)], unit="")
    f_rss = Figure(f"goclaw-db peak RSS at scale {scale:g}", rss_big, unit="MiB")
    f_rss_small = Figure(f"goclaw-db peak RSS at scale {small_scale:g}", rss_small, unit="MiB")
    res.figures = [f_ours, f_theirs, f_ratio, f_rss, f_rss_small]
    ratio = f_ours.median / f_theirs.median
    rss_growth = f_rss.median - f_rss_small.median
    flat = abs(rss_growth) <= max(10.0, 0.1 * f_rss_small.median)
    res.headline = (
        f"ratio {ratio:.2f} (goclaw-db {fmt(f_ours.median)} vs psql {fmt(f_theirs.median)}); "
        f"peak RSS {f_rss_small.median:.0f} → {f_rss.median:.0f} MiB for "
        f"{scale / small_scale:g}× the rows ({'flat' if flat else 'NOT flat'})"
    )
    res.met = ratio <= 1.2 and flat
    return res


def check_same_data(pg: Postgres, a: str, b: str) -> None:
    import psycopg

    probe = (
        "SELECT (SELECT count(*) FROM agents), (SELECT count(*) FROM agent_context_files), "
        "(SELECT count(*) FROM channel_contacts), (SELECT count(*) FROM sessions "
        "WHERE messages::text LIKE '%?token=%'), (SELECT count(*) FROM cron_jobs WHERE deliver)"
    )
    got = []
    for db in (a, b):
        with psycopg.connect(pg.url_for(db)) as conn:
            got.append(conn.execute(probe).fetchone())
    if got[0] != got[1]:
        raise RuntimeError(f"goclaw-db and psql left different data: {got}")


EMPTY_POSTGRES = Benchmark(
    1,
    "Upgrade an empty PostgreSQL database",
    lambda ctx, sizes: empty_postgres(ctx.postgres, int(sizes["reps"]), ctx.workdir),
    sizes={"reps": 7},
    quick_sizes={"reps": 1},
)
EMPTY_SQLITE = Benchmark(
    2,
    "Upgrade an empty SQLite file",
    lambda ctx, sizes: empty_sqlite(int(sizes["reps"]), ctx.workdir),
    sizes={"reps": 7},
    quick_sizes={"reps": 1},
    needs_postgres=False,
)
DATA_AT_SCALE = Benchmark(
    4,
    "Data migrations at scale",
    lambda ctx, sizes: data_at_scale(
        ctx.postgres, sizes["scale"], int(sizes["reps"]), ctx.workdir, sizes["small_scale"]
    ),
    sizes={"scale": 1.0, "small_scale": 0.1, "reps": 2},
    quick_sizes={"scale": 0.01, "small_scale": 0.002, "reps": 1},
)
