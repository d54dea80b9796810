"""``goclaw-db prune``: delete old rows of the tables GoClaw only ever appends to.

Rows go in batches, each its own short transaction, so GoClaw keeps writing
while a prune runs and a prune killed part-way leaves only whole batches
deleted (a rerun finishes the job).  A pruned trace takes its spans with it in
the same batch: GoClaw's schema has no foreign key from spans to traces, so
nothing else would.  Batches walk the table in key order (the primary key on
PostgreSQL, the rowid on SQLite), so each one starts where the last stopped
instead of re-reading the rows already deleted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from dataclasses import dataclass
from typing import TextIO

import sqlalchemy as sa

from goclaw_db.config import display_url
from goclaw_db.operations.common import (
    existing_tables,
    open_engine,
    require_goclaw_database,
)
from goclaw_db.runner.connection import connect
from goclaw_db.runner.driver import driver_connection
from goclaw_db.runner.errors import refusal
from goclaw_db.runner.safe_path import builtin_operator, goclaw_schema
from goclaw_db.runner.sqlite_transactions import transactional_sqlite


@dataclass(frozen=True)
class Prunable:
    option: str  # the command-line option, without dashes
    table: str
    age_column: str  # the moment a row's age counts from
    what: str  # for --help


# Order matters: traces go before spans so that "--traces" takes its spans along first.
PRUNABLE = (
    Prunable("traces", "traces", "created_at", "traces (agent runs) and all their spans"),
    Prunable("spans", "spans", "created_at", "spans (steps of a run), whatever their trace's age"),
    Prunable("activity", "activity_logs", "created_at", "the audit log (activity_logs)"),
    Prunable("cron-runs", "cron_run_logs", "ran_at", "cron job run logs (cron_run_logs)"),
    Prunable("heartbeat-runs", "heartbeat_run_logs", "ran_at", "heartbeat run logs (heartbeat_run_logs)"),
    Prunable("usage-snapshots", "usage_snapshots", "bucket_hour", "hourly usage totals (usage_snapshots)"),
    Prunable(
        "evolution-metrics",
        "agent_evolution_metrics",
        "created_at",
        "agent evolution metrics (agent_evolution_metrics)",
    ),
)

# The first batch, before its time is known: small, so it cannot stall GoClaw.  On SQLite it
# reads cold pages of ten span indexes while GoClaw's insert waits for it: smaller still.
FIRST_BATCH = {"postgresql": 50, "sqlite": 5}
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


def parse_duration(option: str, text: str) -> dt.timedelta:
    match = _DURATION.match(text)
    if not match:
        raise refusal(
            f"--{option} {text!r} is not an age: write a whole number and a unit "
            "(s, m, h, d or w), e.g. --spans 30d or --traces 12w; nothing was changed."
        )
    return dt.timedelta(**{_UNITS[match[2]]: int(match[1])})


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "prune",
        help="delete old traces, spans and logs in short batches",
        description="Delete rows older than the given age, per table. No table is pruned unless its option is given.",
    )
    for prunable in PRUNABLE:
        parser.add_argument(
            f"--{prunable.option}", metavar="AGE", help=f"delete {prunable.what} older than AGE (30d, 12h, 2w, ...)"
        )
    parser.add_argument("--dry-run", action="store_true", help="print what would go, per table; change nothing")
    parser.add_argument(
        "--batch",
        type=int,
        default=None,
        metavar="N",
        help="rows per transaction (traces: N traces and their spans); default: sized so that each "
        f"batch takes about {BATCH_SECONDS['postgresql'] * 1000:.0f} ms on PostgreSQL, "
        f"{BATCH_SECONDS['sqlite'] * 1000:.0f} ms on SQLite, starting at "
        f"{FIRST_BATCH['postgresql']} and {FIRST_BATCH['sqlite']}",
    )
    parser.add_argument(
        "--vacuum",
        action="store_true",
        help="SQLite: VACUUM the file afterwards (locks it meanwhile). "
        "PostgreSQL always runs VACUUM ANALYZE on the pruned tables",
    )


@dataclass
class Plan:
    prunable: Prunable
    age: str
    cutoff: dt.datetime
    rows: int = 0  # rows of the table itself that are older than the cutoff
    spans: int = 0  # for traces: the spans that go with them


def _cutoff_param(connection: sa.Connection, cutoff: dt.datetime) -> str | dt.datetime:
    # GoClaw's desktop file keeps UTC text timestamps ('2026-01-31T12:00:00.000Z').
    if connection.dialect.name == "sqlite":
        return cutoff.strftime("%Y-%m-%dT%H:%M:%S.") + f"{cutoff.microsecond // 1000:03d}Z"
    return cutoff


def _older(connection: sa.Connection, column: str) -> str:
    """Rows older than :cutoff.

    On SQLite the text comparison picks the range (and can use an index); the
    julianday() test then drops rows written in another layout (a space instead
    of 'T') that the text comparison would wrongly count as older on the
    cutoff's own day.
    """
    if connection.dialect.name == "sqlite":
        return f"{column} < :cutoff AND julianday({column}) < julianday(:cutoff)"
    return f"{column} {builtin_operator(connection, '<')} :cutoff"


def _among(connection: sa.Connection) -> str:
    """``x IN (subquery)``, with pg_catalog's own equality on PostgreSQL."""
    return "IN" if connection.dialect.name == "sqlite" else f"{builtin_operator(connection, '=')} ANY"


def _key(connection: sa.Connection) -> str:
    return "rowid" if connection.dialect.name == "sqlite" else "id"


def count(connection: sa.Connection, plan: Plan) -> None:
    p = plan.prunable
    params = {"cutoff": _cutoff_param(connection, plan.cutoff)}
    old = _older(connection, p.age_column)
    plan.rows = connection.scalar(sa.text(f"SELECT count(*) FROM {p.table} WHERE {old}"), params)
    if p.table == "traces":
        plan.spans = connection.scalar(
            sa.text(
                f"SELECT count(*) FROM spans WHERE trace_id {_among(connection)} (SELECT id FROM traces WHERE {old})"
            ),
            params,
        )


def delete_batch(connection: sa.Connection, plan: Plan, after: object, size: int) -> tuple[int, int, object]:
    """Delete one batch in one transaction: (rows of the table, spans taken along, last key)."""
    p = plan.prunable
    key = _key(connection)
    params = {"cutoff": _cutoff_param(connection, plan.cutoff), "size": size, "after": after}
    after_clause = f" AND {key} {builtin_operator(connection, '>')} :after" if after is not None else ""
    pick = (
        f"SELECT {key} FROM {p.table} WHERE {_older(connection, p.age_column)}{after_clause} ORDER BY {key} LIMIT :size"
    )
    with connection.begin():
        keys = connection.scalars(sa.text(pick), params).all()
        if not keys:
            return 0, 0, after
        chosen: sa.BindParameter[list[object]] = sa.bindparam("keys", keys, expanding=True)
        spans = 0
        if p.table == "traces":
            spans = connection.execute(
                sa.text(
                    f"DELETE FROM spans WHERE trace_id {_among(connection)}"
                    f" (SELECT id FROM traces WHERE {key} IN :keys)"
                ).bindparams(chosen)
            ).rowcount
        deleted = connection.execute(sa.text(f"DELETE FROM {p.table} WHERE {key} IN :keys").bindparams(chosen)).rowcount
    return deleted, spans, keys[-1]


class Progress:
    """A bar on a terminal; otherwise plain lines, the first batch's at once, then at most one a second."""

    def __init__(self, label: str, total: int, stream: TextIO):
        self.label, self.total, self.stream = label, total, stream
        self.done = 0
        self.started = time.monotonic()
        self.last_line = 0.0
        self.bar = stream.isatty()

    def advance(self, rows: int) -> None:
        self.done += rows
        now = time.monotonic()
        rate = self.done / max(now - self.started, 1e-9)
        if self.bar:
            filled = int(30 * self.done / max(self.total, 1))
            self.stream.write(
                f"\r{self.label:<22} [{'#' * filled:<30}] {self.done:,}/{self.total:,} {rate:,.0f} rows/s"
            )
            self.stream.flush()
        elif self.last_line == 0.0 or now - self.last_line >= 1.0 or self.done >= self.total:
            self.last_line = now
            print(
                f"{self.label}: {self.done:,} of {self.total:,} deleted ({rate:,.0f} rows/s)",
                file=self.stream,
                flush=True,
            )

    def finish(self) -> None:
        if self.bar:
            self.stream.write("\n")
            self.stream.flush()


# Without --batch, each batch is sized to take about this long: GoClaw's own writes
# wait at most one batch.  SQLite's batches are shorter: there GoClaw's insert waits
# for the whole batch (one writer at a time), not just for the rows it touches.
BATCH_SECONDS = {"postgresql": 0.05, "sqlite": 0.02}

# SQLite has no queue of waiting writers.  A GoClaw insert that finds the file
# locked sleeps in SQLite's busy handler and tries again after 1, 2, 5, 10, 15,
# 20, 25 ... ms, the sleeps growing up to 100 ms.  A batch begun the moment the
# last one committed would take the lock again while that insert still sleeps,
# batch after batch; so after each batch the prune stands aside for at least as
# long as the batch took, and never less than this, which covers the sleeps an
# insert waiting one short batch is in.
SQLITE_STAND_ASIDE_SECONDS = 0.03


def next_batch_size(size: int, seconds: float, target: float) -> int:
    """Aim the next batch at ``target`` seconds, changing the size by at most a factor of two at a time."""
    wanted = size * target / max(seconds, 1e-6)
    return max(1, min(int(min(max(wanted, size / 2), size * 2)), 50_000))


def _stand_aside(connection: sa.Connection, batch_seconds: float) -> None:
    """SQLite, between two batches: copy the last one's pages into the file and let GoClaw's writers in."""
    started = time.monotonic()
    # A passive checkpoint never waits for (nor blocks) a writer.  Left to SQLite, the GoClaw
    # commit that crosses the WAL's size limit would checkpoint the whole grown WAL itself.
    # (On the driver itself: through SQLAlchemy it would open a write transaction.)
    driver_connection(connection).execute("PRAGMA wal_checkpoint(PASSIVE)")
    pause = max(batch_seconds, SQLITE_STAND_ASIDE_SECONDS) - (time.monotonic() - started)
    if pause > 0:
        time.sleep(pause)


def prune(connection: sa.Connection, plans: list[Plan], batch: int | None, stream: TextIO) -> None:
    """Delete each plan's rows batch by batch; ``plan.rows`` (counted before) becomes what went."""
    is_sqlite = connection.dialect.name == "sqlite"
    target = BATCH_SECONDS[connection.dialect.name]
    for plan in plans:
        progress = Progress(plan.prunable.table, plan.rows, stream)
        after, spans_deleted, size = None, 0, batch or FIRST_BATCH[connection.dialect.name]
        while True:
            started = time.monotonic()
            deleted, spans, after = delete_batch(connection, plan, after, size)
            if not deleted:
                break
            took = time.monotonic() - started
            if batch is None:
                size = next_batch_size(size, took, target)
            spans_deleted += spans
            progress.advance(deleted)
            if is_sqlite:
                _stand_aside(connection, took)
        progress.finish()
        plan.rows, plan.spans = progress.done, spans_deleted


def vacuum(engine: sa.Engine, tables: list[str], *, sqlite_vacuum: bool) -> str | None:
    """PostgreSQL: VACUUM ANALYZE the pruned tables.  SQLite: VACUUM when asked."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if connection.dialect.name == "postgresql":
            # Outside a transaction nothing is pinned: the tables are named in GoClaw's schema.
            schema = connection.dialect.identifier_preparer.quote_identifier(goclaw_schema(connection) or "public")
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(f'{schema}.{table}' for table in tables)}")
            return f"VACUUM ANALYZE {', '.join(tables)}"
        if sqlite_vacuum:
            connection.exec_driver_sql("VACUUM")
            return "VACUUM"
    return None


def run(args: argparse.Namespace, url: sa.URL) -> None:
    ages = {p.option: getattr(args, p.option.replace("-", "_")) for p in PRUNABLE}
    if not any(ages.values()):
        raise refusal(
            "nothing to prune: give an age for at least one table, e.g. "
            "goclaw-db prune --spans 30d --traces 90d (see goclaw-db prune --help)"
        )
    if args.batch is not None and args.batch < 1:
        raise refusal(f"--batch {args.batch}: give a number of rows of 1 or more")
    now = dt.datetime.now(dt.UTC)
    plans = [
        Plan(p, ages[p.option], now - parse_duration(p.option, ages[p.option])) for p in PRUNABLE if ages[p.option]
    ]
    engine = open_engine(url)
    try:
        with connect(engine) as connection:
            require_goclaw_database(connection)
            present = existing_tables(connection)
            for plan in [plan for plan in plans if plan.prunable.table not in present]:
                print(f"{plan.prunable.table}: not in this database (an older GoClaw version); skipped")
                plans.remove(plan)
            if args.dry_run:
                for plan in plans:
                    count(connection, plan)
                    print(_summary(plan, "would delete"))
                print(f"dry run: nothing was changed in {display_url(url)}")
                return
            for plan in plans:  # totals for the progress, read before any write lock is taken
                count(connection, plan)
            connection.rollback()
            transactional_sqlite(connection)
            prune(connection, plans, args.batch, sys.stderr)
        for plan in plans:
            print(_summary(plan, "deleted"))
        if plans:
            done = vacuum(
                engine,
                sorted(
                    {p.prunable.table for p in plans}
                    | ({"spans"} if any(p.prunable.table == "traces" for p in plans) else set())
                ),
                sqlite_vacuum=args.vacuum,
            )
            if done:
                print(f"ran {done}")
    finally:
        engine.dispose()


def _summary(plan: Plan, verb: str) -> str:
    along = f" and their {plan.spans:,} spans" if plan.prunable.table == "traces" else ""
    return (
        f"{plan.prunable.table}: {verb} {plan.rows:,} rows{along} older than {plan.age} "
        f"(before {plan.cutoff:%Y-%m-%d %H:%M} UTC)"
    )
