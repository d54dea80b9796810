"""Benchmark 3: the import cost of ``goclaw_db.models`` over SQLAlchemy alone."""

from __future__ import annotations

import re

from benchmarks.common import PYTHON, Benchmark, Figure, Result, fmt, run_timed


def import_cost(reps: int) -> Result:
    res = Result(3, "Import cost", "`import goclaw_db.models` − `import sqlalchemy` ≤ 150 ms")
    codes = {
        "sa": "import sqlalchemy",
        "models": "import goclaw_db.models",
        "floor": "import sqlalchemy.orm, sqlalchemy.dialects.postgresql, pgvector.sqlalchemy",
        "empty": "pass",
    }
    samples: dict[str, list[float]] = {who: [] for who in codes}
    for i in range(reps):
        order = list(codes) if i % 2 == 0 else list(reversed(codes))
        for who in order:
            samples[who].append(run_timed([PYTHON, "-c", codes[who]]).seconds)
    f_bare = Figure("`python -c 'import sqlalchemy'`", samples["sa"])
    f_ours = Figure("`python -c 'import goclaw_db.models'`", samples["models"])
    f_floor = Figure(
        "`python -c 'import sqlalchemy.orm, sqlalchemy.dialects.postgresql, pgvector.sqlalchemy'` "
        "(what any declarative model package for PostgreSQL and pgvector imports)",
        samples["floor"],
    )
    f_empty = Figure("`python -c pass` (interpreter start-up)", samples["empty"])
    f_diff = Figure("difference (per pair)", [o - b for o, b in zip(samples["models"], samples["sa"])])
    res.figures = [f_ours, f_bare, f_diff, f_floor, f_empty]
    diff = f_ours.median - f_bare.median
    res.headline = f"+{fmt(diff)} over SQLAlchemy alone ({fmt(f_ours.median)} vs {fmt(f_bare.median)})"
    res.notes.append(
        f"Of the difference, {fmt(f_floor.median - f_bare.median)} is SQLAlchemy's ORM, its "
        f"PostgreSQL dialect and pgvector's types; {fmt(f_ours.median - f_floor.median)} is goclaw_db "
        "itself (62 mapped classes, ~800 columns, their indexes and constraints)."
    )
    res.met = diff <= 0.150
    # Where the extra time goes: -X importtime, modules not imported by sqlalchemy itself.
    trace = run_timed([PYTHON, "-X", "importtime", "-c", "import sqlalchemy; import goclaw_db.models"]).stderr
    rows = []
    for line in trace.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), int(m.group(1)), len(m.group(3)), m.group(4)))
    seen_sa = False
    after = []
    for cumulative, own, depth, name in rows:
        if name == "sqlalchemy" and depth <= 1:
            seen_sa = True
            continue
        if seen_sa:
            after.append((cumulative, own, depth, name))
    after.sort(key=lambda r: r[1], reverse=True)
    table = ["| module (imported after sqlalchemy), by own time | own | cumulative |", "|---|---|---|"]
    table += [f"| `{name}` | {o / 1000:.1f} ms | {c / 1000:.1f} ms |" for c, o, _d, name in after[:15]]
    total = sum(o for _c, o, _d, _n in after)
    ours_own = sum(o for _c, o, _d, n in after if n.startswith("goclaw_db"))
    table.append(f"| all goclaw_db modules (own time) | {ours_own / 1000:.1f} ms | |")
    table.append(f"| everything after sqlalchemy (own time) | {total / 1000:.1f} ms | |")
    res.extra.append(
        "`python -X importtime -c 'import sqlalchemy; import goclaw_db.models'`, the "
        "largest imports that follow SQLAlchemy (one run):\n\n" + "\n".join(table)
    )
    return res


IMPORT_COST = Benchmark(
    3,
    "Import cost",
    lambda ctx, sizes: import_cost(int(sizes["reps"])),
    sizes={"reps": 15},
    quick_sizes={"reps": 2},
    needs_postgres=False,
)
