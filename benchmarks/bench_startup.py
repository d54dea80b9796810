"""Start-up of ``goclaw-db``: what a command costs around its own SQL.

``migrate version`` and ``migrate status`` only read a version, so their time
should be the interpreter, SQLAlchemy, the driver and one connection; ``migrate
up`` pays for Alembic and the revisions as well.  Beside them, what a program using
the models pays: ``import goclaw_db.models``, then its first use, over the floor any
model package for PostgreSQL pays.  ``measure_startup`` times each
command in fresh processes (bytecode cached, as an installed wheel has it) and
records, once per command, what the process imported.

    python -m benchmarks.bench_startup [--dsn POSTGRES_SERVER_URL] [--reps N] [--compare-with OLD_TREE]

``python -m benchmarks --only 10`` runs it as benchmark 10 on the runner's server.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import sqlalchemy as sa

from benchmarks.common import Benchmark, Context, Figure, Result, Sizes, fmt

REPO = Path(__file__).resolve().parent.parent

# Run in the measured process after the command: what it loaded, as one JSON line in a file.
_IMPORT_PROBE = """
import json, os, sys
from goclaw_db.cli import main
code = main(sys.argv[1:])
loaded = set(sys.modules)
with open(os.environ["GOCLAW_STARTUP_PROBE"], "w") as out:
    json.dump({
        "exit": code,
        "modules": len(loaded),
        "alembic": sorted(m for m in loaded if m == "alembic" or m.startswith("alembic.")),
        "mako": any(m == "mako" or m.startswith("mako.") for m in loaded),
        "pygments": any(m == "pygments" or m.startswith("pygments.") for m in loaded),
    }, out)
"""


# What a program using the models pays (issue 25), beside what any model package for
# PostgreSQL pays before it defines a table; the mappers are configured at first use.
_FLOOR_CODE = "import sqlalchemy.orm, sqlalchemy.dialects.postgresql"
_FLOOR = f"`{_FLOOR_CODE}` (the floor)"
_IMPORTS = {
    "`import goclaw_db.models`": "import goclaw_db.models",
    "`import goclaw_db.models` and first use (`configure_mappers()`)": (
        "import goclaw_db.models, sqlalchemy.orm; sqlalchemy.orm.configure_mappers()"
    ),
}


@dataclass
class Timing:
    """One command's wall time over fresh processes, in seconds."""

    label: str
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def row(self) -> str:
        low, high = (f"{value * 1000:.0f}" for value in (min(self.samples), max(self.samples)))
        return f"| {self.label} | {self.median * 1000:.0f} ms | {low}-{high} ms, n={len(self.samples)} |"


@dataclass
class Imports:
    """What one run of a command imported."""

    label: str
    modules: int
    alembic_modules: int
    mako: bool
    pygments: bool
    import_seconds: float  # ``python -X importtime``: the cumulative times of the top-level imports, summed

    def row(self) -> str:
        return (
            f"| {self.label} | {self.modules} | {self.alembic_modules} | {'yes' if self.mako else 'no'} | "
            f"{self.import_seconds * 1000:.0f} ms |"
        )


@dataclass
class StartupReport:
    timings: list[Timing]
    imports: list[Imports]

    def markdown(self) -> str:
        timings = ["| command | median | spread |", "|---|---|---|", *(t.row() for t in self.timings)]
        return "\n".join(timings) + "\n\n" + self.imports_table()

    def imports_table(self) -> str:
        return "\n".join(
            [
                "| command | modules imported | of them Alembic's | Mako | import time (`-X importtime`) |",
                "|---|---|---|---|---|",
                *(i.row() for i in self.imports),
            ]
        )


def measure_startup(
    postgres_server_url: str | None,
    reps: int = 9,
    workdir: Path | None = None,
    checkouts: Mapping[str, Path] | None = None,
    whole_chain: bool = True,
) -> StartupReport:
    """Time ``migrate version`` and ``migrate up`` on SQLite (and PostgreSQL, given a server URL).

    Each repetition runs every command once, in a fresh process: ``version``
    on a database at head, ``up`` on an empty database (the whole chain) and
    ``up`` on a database at head (start-up and the version check only).
    ``postgres_server_url`` names a server where this may create and drop databases.
    ``checkouts`` (name: source tree) compares trees, e.g. before and after a
    change, run alternately so that they share the machine's load; by default
    the tree this file is in.  ``whole_chain=False`` leaves out the runs on
    empty databases, whose time is the revisions' own.
    """
    checkouts = {"": REPO} if checkouts is None else checkouts
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="goclaw-db-startup-") as temporary:
            return measure_startup(postgres_server_url, reps, Path(temporary), checkouts, whole_chain)
    for tree in checkouts.values():
        _compile_bytecode(tree)
    first = next(iter(checkouts.values()))
    at_head = workdir / "head.db"
    _goclaw_db(first, "--sqlite", str(at_head), "migrate", "up")
    empty_files = (workdir / f"empty{n}.db" for n in itertools.count())
    commands: dict[str, Callable[[], list[str]]] = {
        "`migrate version` (SQLite at head)": lambda: ["--sqlite", str(at_head), "migrate", "version"],
        "`migrate up` (SQLite at head, nothing to do)": lambda: ["--sqlite", str(at_head), "migrate", "up"],
    }
    if whole_chain:
        commands["`migrate up` (empty SQLite file)"] = lambda: ["--sqlite", str(next(empty_files)), "migrate", "up"]
    with _postgres_databases(postgres_server_url) as create_database:
        if create_database is not None:
            pg_head = create_database()
            _goclaw_db(first, "--dsn", pg_head, "migrate", "up")
            commands.update(
                {
                    "`migrate version` (PostgreSQL at head)": lambda: ["--dsn", pg_head, "migrate", "version"],
                    "`migrate up` (PostgreSQL at head, nothing to do)": lambda: ["--dsn", pg_head, "migrate", "up"],
                }
            )
            if whole_chain:
                commands["`migrate up` (empty PostgreSQL database)"] = lambda: [
                    "--dsn",
                    create_database(),
                    "migrate",
                    "up",
                ]
        interpreter = "`python -c pass` (interpreter alone)"
        timings = {
            (label, name): Timing(f"{label} {name}".strip()) for label in [*commands, *_IMPORTS] for name in checkouts
        }
        timings[(_FLOOR, "")] = Timing(_FLOOR)
        timings[(interpreter, "")] = Timing(interpreter)
        for _rep in range(reps):
            for label, arguments in commands.items():
                for name, tree in checkouts.items():
                    timings[(label, name)].samples.append(_goclaw_db(tree, *arguments()))
            for label, code in _IMPORTS.items():
                for name, tree in checkouts.items():
                    timings[(label, name)].samples.append(_python(tree, "-c", code))
            timings[(_FLOOR, "")].samples.append(_python(first, "-c", _FLOOR_CODE))
            timings[(interpreter, "")].samples.append(_python(first, "-c", "pass"))
        probes = {
            "`migrate version` (SQLite)": ["--sqlite", str(at_head), "migrate", "version"],
            "`migrate status` (SQLite)": ["--sqlite", str(at_head), "migrate", "status"],
            "`migrate up` (SQLite at head)": ["--sqlite", str(at_head), "migrate", "up"],
        }
        imports = [
            _imports_of(f"{label} {name}".strip(), tree, arguments, workdir)
            for label, arguments in probes.items()
            for name, tree in checkouts.items()
        ]
    return StartupReport(list(timings.values()), imports)


def _environment(tree: Path) -> dict[str, str]:
    """``tree``'s goclaw_db first on the path, the bytecode cache on (an installed wheel comes compiled),
    and GoClaw's own settings out of the way."""
    environment = {
        k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("GOCLAW_")
    }
    return {**environment, "PYTHONPATH": str(tree)}


def _compile_bytecode(tree: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(tree / "goclaw_db"), str(tree / "alembic")],
        env=_environment(tree),
        check=True,
    )


def _goclaw_db(tree: Path, *arguments: str) -> float:
    # The module rather than the console script: the script of an editable
    # install elsewhere could import another checkout's goclaw_db.
    return _python(tree, "-m", "goclaw_db.cli", *arguments)


def _python(tree: Path, *arguments: str) -> float:
    """Seconds a fresh interpreter takes to run ``arguments`` with ``tree``'s goclaw_db."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *arguments],
        env=_environment(tree),
        cwd=tree,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def _imports_of(label: str, tree: Path, arguments: list[str], workdir: Path) -> Imports:
    probe = workdir / "probe.json"
    env = {**_environment(tree), "GOCLAW_STARTUP_PROBE": str(probe)}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", _IMPORT_PROBE, *arguments],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(probe.read_text())
    top_level = [
        int(line.split("|")[1])
        for line in run.stderr.splitlines()
        if line.startswith("import time:")
        and line.count("|") == 2
        and not line.split("|")[2].startswith("  ")
        and line.split("|")[1].strip().isdigit()
    ]
    return Imports(
        label,
        loaded["modules"],
        len(loaded["alembic"]),
        loaded["mako"],
        loaded["pygments"],
        sum(top_level) / 1_000_000,
    )


@contextmanager
def _postgres_databases(server_url: str | None) -> Iterator[Callable[[], str] | None]:
    """A function that creates an empty database and returns its URL; all are dropped afterwards."""
    if server_url is None:
        yield None
        return
    admin = sa.make_url(server_url)
    created: list[str] = []

    def create() -> str:
        name = f"startup_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return admin.set(database=name).render_as_string(hide_password=False)

    try:
        yield create
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            for name in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def startup_benchmark(context: Context, sizes: Sizes) -> Result:
    """Benchmark 10: the read-only commands load no Alembic; every command's time beside the interpreter's."""
    result = Result(
        10,
        "Start-up of `goclaw-db`",
        "`migrate version` and `migrate status` import no Alembic and no Mako",
    )
    report = measure_startup(context.postgres.url, int(sizes["reps"]), context.workdir / "startup")
    result.figures = [Figure(t.label, t.samples) for t in report.timings]
    read_only = [i for i in report.imports if "`migrate up`" not in i.label]
    result.met = all(i.alembic_modules == 0 and not i.mako for i in read_only)
    version = next(t for t in report.timings if t.label.startswith("`migrate version` (SQLite"))
    result.headline = f"`migrate version` on SQLite {fmt(version.median)}; " + ", ".join(
        f"{i.label}: {i.modules} modules, {i.alembic_modules} of Alembic's" for i in read_only
    )
    result.extra.append(report.imports_table())
    return result


STARTUP = Benchmark(10, "Start-up of goclaw-db", startup_benchmark, sizes={"reps": 9}, quick_sizes={"reps": 1})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_startup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", help="a PostgreSQL server where databases may be created (default: SQLite only)")
    parser.add_argument("--reps", type=int, default=9)
    parser.add_argument(
        "--compare-with", metavar="TREE", type=Path, help="another source tree (e.g. before a change) to time alongside"
    )
    parser.add_argument(
        "--no-whole-chain", action="store_true", help="leave out `migrate up` on empty databases (the revisions' time)"
    )
    args = parser.parse_args(argv)
    checkouts = {"(before)": args.compare_with.resolve(), "(after)": REPO} if args.compare_with else None
    report = measure_startup(args.dsn, args.reps, checkouts=checkouts, whole_chain=not args.no_whole_chain)
    print(report.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
