"""``goclaw-db doctor [--json]``: check a GoClaw database and say how to fix what is wrong.

Each check ends ok, warn or fail with a one-line fix.  The exit status is 1
when any check fails, so the command can gate a deployment.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa

from goclaw_db import hooks
from goclaw_db.bookkeeping import desktop_version
from goclaw_db.config import display_url
from goclaw_db.desktop_columns import (
    DesktopRepairs,
    desktop_schemas,
    indexes_as_goclaw_defines,
    pending_desktop_repairs,
)
from goclaw_db.engine import GOCLAW_POOL_OPEN
from goclaw_db.operations import catalog
from goclaw_db.operations.common import existing_tables, open_engine
from goclaw_db.runner import chain_versions, head_version, version_number
from goclaw_db.runner.connection import connect
from goclaw_db.runner.errors import refusal
from goclaw_db.runner.preflight import (
    MINIMUM_POSTGRES,
    MINIMUM_POSTGRES_VERSION_NUM,
    preflight,
    require_fts5,
    require_sound_sqlite_file,
    sqlite_version,
)
from goclaw_db.runner.safe_path import ADVICE, CapturesFound, captures_in
from goclaw_db.runner.version_table import alembic_revision, goclaw_version
from goclaw_db.types import EMBEDDING_DIMENSIONS

# Spans older than this are what GoClaw's page suggests pruning.
SPAN_RETENTION_DAYS = 30


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""
    items: list[str] = field(default_factory=list)  # what the detail counts, one finding each


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("doctor", help="check the database: server, extensions, bookkeeping, schema drift")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        metavar="N",
        help=f"GoClaw processes sharing the server (each opens up to {GOCLAW_POOL_OPEN} connections)",
    )


# ------------------------------------------------------------------ security


def security_finding(found: CapturesFound) -> Check:
    """Objects of less privileged roles that would run as doctor's role: reported, never run."""
    return Check("security", "fail", f"{found.what}; the other checks were not run, so none of it ran", ADVICE)


def check_captures(connection: sa.Connection) -> Check:
    looked = captures_in(connection)
    connection.rollback()
    try:
        looked.raise_if_captured()
    except CapturesFound as found:
        return security_finding(found)
    return Check("security", "ok", f"no code of a less privileged role can run as {looked.role}")


# ------------------------------------------------------------------ the server


def check_postgres_server(connection: sa.Connection) -> list[Check]:
    from alembic.util import CommandError  # what a refusal raised below is

    version = connection.scalar(sa.text("SHOW server_version"))
    number = int(connection.scalar(sa.text("SHOW server_version_num")))
    supported = number >= MINIMUM_POSTGRES_VERSION_NUM
    checks = [
        Check(
            "server",
            "ok" if supported else "fail",
            f"PostgreSQL {version}",
            "" if supported else f"GoClaw needs {MINIMUM_POSTGRES} or newer: upgrade the server",
        )
    ]
    installed = connection.scalar(sa.text("SELECT extversion FROM pg_extension WHERE extname = 'vector'"))
    if installed:
        checks.append(Check("pgvector", "ok", f"pgvector {installed} installed"))
    else:
        try:
            preflight(connection)
        except CommandError as exc:
            checks.append(Check("pgvector", "fail", "pgvector is not installed and cannot be", str(exc)))
        else:
            checks.append(Check("pgvector", "ok", "pgvector not installed yet; this role may create it"))
        connection.rollback()
    checks.append(_check_pgcrypto(connection))
    return checks


def _check_pgcrypto(connection: sa.Connection) -> Check:
    """Only a uuid_generate_v7() made by GoClaw's own SQL needs pgcrypto (ours uses built-ins)."""
    if connection.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pgcrypto'")):
        return Check("pgcrypto", "ok", "pgcrypto installed")
    definition = (
        connection.scalar(
            sa.text(
                "SELECT pg_get_functiondef(to_regprocedure('uuid_generate_v7()'))"
                " WHERE to_regprocedure('uuid_generate_v7()') IS NOT NULL"
            )
        )
        or ""
    )
    if "gen_random_bytes" in definition:
        return Check(
            "pgcrypto",
            "fail",
            "uuid_generate_v7() calls gen_random_bytes() but pgcrypto is missing",
            "CREATE EXTENSION pgcrypto (as a superuser; the server needs PostgreSQL's contrib modules)",
        )
    return Check("pgcrypto", "ok", "not needed: uuid_generate_v7() uses built-in functions")


def check_connections(connection: sa.Connection, instances: int) -> Check:
    limit = int(connection.scalar(sa.text("SHOW max_connections")))
    reserved = int(connection.scalar(sa.text("SHOW superuser_reserved_connections")))
    reserved += int(
        connection.scalar(
            sa.text("SELECT COALESCE((SELECT setting FROM pg_settings WHERE name = 'reserved_connections'), '0')")
        )
    )
    usable, needed = limit - reserved, GOCLAW_POOL_OPEN * instances
    detail = (
        f"max_connections {limit} ({usable} usable) for {instances} GoClaw process(es) × {GOCLAW_POOL_OPEN} = {needed}"
    )
    fix = (
        f"raise max_connections to at least {needed + reserved + 10} (ALTER SYSTEM SET max_connections = "
        f"{needed + reserved + 10}; then restart PostgreSQL), or put PgBouncer in front"
    )
    if needed > usable:
        return Check("max_connections", "fail", detail, fix)
    if needed > 0.8 * usable:
        return Check("max_connections", "warn", detail + ": little room for anything else", fix)
    return Check("max_connections", "ok", detail)


def check_sqlite_file(connection: sa.Connection) -> list[Check]:
    from alembic.util import CommandError  # what a refusal raised below is

    driver = connection.connection.driver_connection
    mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    checks = [
        Check(
            "sqlite",
            "ok",
            f"{sqlite_version(driver)}, journal mode {mode}"
            + (
                ""
                if mode == "wal"
                else " (GoClaw switches the file to WAL when it opens it; doctor leaves it as it is)"
            ),
        )
    ]
    try:
        require_fts5(driver)
    except CommandError as exc:
        checks.append(Check("fts5", "fail", "no FTS5 in this SQLite", str(exc)))
    try:
        require_sound_sqlite_file(connection)
        checks.append(Check("integrity", "ok", "quick_check ok"))
    except CommandError as exc:
        checks.append(Check("integrity", "fail", "the file is damaged", str(exc)))
    return checks


def check_desktop_schema(repairs: DesktopRepairs) -> list[Check]:
    """Columns and indexes as GoClaw's desktop schema of the file's version has them (where that is known)."""
    if repairs.version not in desktop_schemas():
        return []
    if not repairs:
        return [Check("desktop schema", "ok", f"columns and indexes as in GoClaw's desktop schema {repairs.version}")]
    return [
        Check(
            "desktop schema",
            "warn",
            f"{repairs.summary()}, listed below",
            "goclaw-db upgrade: it rebuilds those tables in GoClaw's order and makes those indexes anew",
            repairs.findings(),
        )
    ]


# ------------------------------------------------------------------ the schema


def check_bookkeeping(connection: sa.Connection, head: int) -> tuple[Check, int | None]:
    """The recorded version, and that version when the schema can be compared against the chain's."""
    recorded = goclaw_version(connection)
    alembic = version_number(alembic_revision(connection))
    if recorded is None and alembic:  # the desktop file numbers only its head; below it, Alembic's record
        recorded = (alembic, False)
    if recorded is None:
        return Check(
            "version",
            "fail",
            "no GoClaw schema version recorded",
            "goclaw-db upgrade (an empty database), or goclaw-db migrate force V if GoClaw's tables "
            "are there at version V",
        ), None
    version, dirty = recorded
    if dirty:
        return Check(
            "version",
            "fail",
            f"dirty at version {version}: a migration stopped part-way",
            f"repair what it left, then goclaw-db migrate force {version - 1}",
        ), None
    pending_hooks = [hook.name for hook in hooks.pending(connection, version)]
    if version < head or pending_hooks:
        todo = ", ".join(
            filter(
                None,
                [
                    f"{sum(n > version for n in chain_versions())} revision(s) to {head}" if version < head else "",
                    f"data hooks {', '.join(pending_hooks)}" if pending_hooks else "",
                ],
            )
        )
        return Check("version", "warn", f"version {version}; pending: {todo}", "goclaw-db upgrade"), version
    if alembic and alembic != version:
        return Check(
            "version", "warn", f"version {version} but Alembic records {alembic}", f"goclaw-db migrate force {version}"
        ), version
    return Check("version", "ok", f"version {version} (head), nothing pending"), version


def check_drift(
    connection: sa.Connection, version: int, references: catalog.References, repairs: DesktopRepairs | None
) -> Check:
    """The schema against what the chain builds at ``version``, but for the indexes GoClaw's desktop defines.

    On SQLite those are the desktop check's: one standing as GoClaw defines it
    is not drift, nor is one upgrade makes anew.
    """
    try:
        expected = references.catalog_at(version)
    except catalog.ScratchDatabaseRefused as reason:
        return Check(
            "schema drift",
            "warn",
            f"not checked: cannot create a scratch database ({reason})",
            "run doctor as a role with CREATEDB; it builds the reference schema there and drops it",
        )
    actual = catalog.read(connection)
    if repairs is not None:
        desktops = {**indexes_as_goclaw_defines(connection), **{name: i.table for name, i in repairs.indexes.items()}}
        left_out = {f"{table}.{name}" for name, table in desktops.items()}
        expected, actual = (
            {**c, "index": {key: sql for key, sql in c["index"].items() if key not in left_out}}
            for c in (expected, actual)
        )
    found = catalog.differences(expected, actual, version)
    if not found:
        return Check("schema drift", "ok", f"the schema is exactly what version {version} builds")
    if connection.dialect.name == "sqlite" and alembic_revision(connection) is None:
        desktop = desktop_version(connection)
        return Check(
            "schema drift",
            "warn",
            f"GoClaw's desktop file (schema_version {desktop}), not adopted yet: {len(found)} difference(s) "
            f"from the file goclaw-db makes at version {version}, listed below",
            "goclaw-db upgrade: it adopts the file, rebuilding it into that schema with its search indexes",
            found,
        )
    return Check(
        "schema drift",
        "fail",
        f"{len(found)} difference(s) from version {version}, listed below",
        "undo the hand-made changes (or, for a missing object, goclaw-db migrate goto the version "
        "before and back); the list names each object",
        found,
    )


def check_invalid_indexes(connection: sa.Connection) -> Check:
    invalid = connection.scalars(
        sa.text(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE NOT x.indisvalid AND i.relnamespace = current_schema()::regnamespace ORDER BY 1"
        )
    ).all()
    if not invalid:
        return Check("indexes", "ok", "no INVALID indexes")
    return Check(
        "indexes",
        "fail",
        f"INVALID (an interrupted CREATE INDEX CONCURRENTLY, e.g. version 9's idx_traces_quota): {', '.join(invalid)}",
        "; ".join(f"REINDEX INDEX CONCURRENTLY {name}" for name in invalid),
    )


# ------------------------------------------------------------------ the data


def check_memory(connection: sa.Connection, tables: set[str]) -> list[Check]:
    checks = []
    columns = (
        {c["name"] for c in sa.inspect(connection).get_columns("memory_chunks")} if "memory_chunks" in tables else set()
    )
    if "embedding" in columns:
        missing, total = connection.execute(
            sa.text("SELECT count(*) FILTER (WHERE embedding IS NULL), count(*) FROM memory_chunks")
        ).one()
        checks.append(
            Check(
                "memory embeddings",
                "warn" if missing else "ok",
                f"{missing} of {total} memory chunks have no embedding"
                + (": vector search cannot find them" if missing else ""),
                "configure an embedding provider in GoClaw; it embeds chunks without one" if missing else "",
            )
        )
    if "embedding_cache" in tables:
        other = connection.execute(
            sa.text("SELECT dims, count(*) FROM embedding_cache WHERE dims <> :dims GROUP BY dims ORDER BY dims"),
            {"dims": EMBEDDING_DIMENSIONS},
        ).all()
        if other:
            found = ", ".join(f"{rows} of {dims} dimensions" for dims, rows in other)
            checks.append(
                Check(
                    "embedding cache",
                    "warn",
                    f"cached vectors of another model's dimension ({found}; memory uses "
                    f"{EMBEDDING_DIMENSIONS}): memory search returns no results for them",
                    f"DELETE FROM embedding_cache WHERE dims <> {EMBEDDING_DIMENSIONS} "
                    "(the cache refills with the configured model)",
                )
            )
        else:
            checks.append(Check("embedding cache", "ok", f"every cached vector has {EMBEDDING_DIMENSIONS} dimensions"))
    return checks


# Below this many embedded memory chunks an exact search costs a few milliseconds whatever the storage.
TUNING_MIN_CHUNKS = 10_000
# The largest agents searched the way goclaw_db.search would, each with one of its own stored vectors.
SAMPLED_AGENTS = 5


def check_vector_storage(connection: sa.Connection, tables: set[str], at_head: bool) -> Check:
    """How the vectors are stored: GoClaw's way, or the operator's ``goclaw-db tune vectors``, and
    whether memory searches mostly read every filtered vector (where the tuning halves them).

    The searches sampled for that are head's, so a database at another version is not sampled.
    """
    from goclaw_db.operations import tune

    columns = tune.vector_columns(connection)
    tuned = [f"{c.table}.{c.column}" for c in columns if c.tuned]
    if tuned:
        return Check(
            "vector storage",
            "ok",
            f"{', '.join(tuned)} stored MAIN by goclaw-db tune vectors: an operator's tuning, not drift "
            "(GoClaw's schema leaves storage open); undo with goclaw-db tune vectors --undo",
        )
    if not at_head:
        return Check("vector storage", "ok", "GoClaw's storage (vectors in TOAST); searches are sampled at head")
    exact, total = _exactly_searched_chunks(connection) if "memory_chunks" in tables else (0, 0)
    detail = f"GoClaw's storage (vectors in TOAST); {exact:,} of {total:,} embedded memory chunks are searched exactly"
    if total >= TUNING_MIN_CHUNKS and exact * 2 > total:
        return Check(
            "vector storage",
            "warn",
            f"{detail} (their agents are small, or their rows lie scattered over the HNSW graph): "
            "each such search reads every filtered vector through TOAST",
            "goclaw-db tune vectors (keeps vectors in the heap: about half the time per exact search; "
            "it shows the rewrite's cost and asks first)",
        )
    return Check("vector storage", "ok", detail)


def _exactly_searched_chunks(connection: sa.Connection) -> tuple[int, int]:
    """(embedded chunks whose agent a memory search reads exactly, embedded chunks): small agents are
    always read exactly; of the largest, ``SAMPLED_AGENTS`` are searched with a vector of their own."""
    from goclaw_db.models import MemoryChunk
    from goclaw_db.search import _common, search_memory

    t = MemoryChunk.__table__
    agents = connection.execute(
        sa.select(t.c.agent_id, t.c.tenant_id, sa.func.count())
        .where(t.c.embedding.is_not(None))
        .group_by(t.c.agent_id, t.c.tenant_id)
        .order_by(sa.func.count().desc())
    ).all()
    total = sum(rows for *_ids, rows in agents)
    large = [a for a in agents if a[2] > _common.EXACT_MAX_ROWS]
    exact = total - sum(rows for *_ids, rows in large)
    sampled_rows = sampled_exact = 0
    for agent_id, tenant_id, rows in large[:SAMPLED_AGENTS]:
        own = t.c.agent_id == agent_id, t.c.tenant_id == tenant_id, t.c.embedding.is_not(None)
        vector = connection.scalar(sa.select(t.c.embedding).where(*own).order_by(t.c.id).limit(1))
        found = search_memory(connection, "", agent_id=agent_id, tenant_id=tenant_id, embedding=vector, shared=True)
        sampled_rows += rows
        sampled_exact += rows if found.debug["vector_search"].startswith(_common.EXACT) else 0
    if sampled_rows:  # the unsampled large agents are taken to be like the sampled ones
        exact += round((total - exact) * sampled_exact / sampled_rows)
    return exact, total


def check_sizes(connection: sa.Connection, tables: set[str]) -> Check:
    if connection.dialect.name == "postgresql":
        largest = connection.execute(
            sa.text(
                "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class"
                " WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'"
                " ORDER BY pg_total_relation_size(oid) DESC LIMIT 5"
            )
        ).all()
        sizes = ", ".join(f"{name} {size}" for name, size in largest)
    else:
        counts = sorted(
            (
                (connection.scalar(sa.text(f'SELECT count(*) FROM "{name}"')), name)
                for name in tables
                if not name.startswith("sqlite_") and "_fts" not in name
            ),
            reverse=True,
        )
        sizes = ", ".join(f"{name} {rows:,} rows" for rows, name in counts[:5])
    if "spans" not in tables:
        return Check("sizes", "ok", f"largest: {sizes}")
    week, oldest_days = connection.execute(sa.text(_SPAN_GROWTH[connection.dialect.name])).one()
    detail = f"largest: {sizes}; spans grew by {week or 0:,} rows in the last 7 days"
    if oldest_days is not None and oldest_days > SPAN_RETENTION_DAYS:
        return Check(
            "sizes",
            "warn",
            f"{detail}; the oldest span is {int(oldest_days)} days old",
            f"goclaw-db prune --spans {SPAN_RETENTION_DAYS}d --traces 90d (try --dry-run first)",
        )
    return Check("sizes", "ok", detail)


_SPAN_GROWTH = {
    # pg_catalog's own operators, whatever type created_at has been given (README: Running as a superuser).
    # (OPERATOR() binds as tightly as any other operator: hence the parentheses.)
    "postgresql": "SELECT count(*) FILTER (WHERE created_at OPERATOR(pg_catalog.>)"
    " (pg_catalog.now() OPERATOR(pg_catalog.-) interval '7 days')),"
    " EXTRACT(EPOCH FROM pg_catalog.now() OPERATOR(pg_catalog.-) min(created_at)) OPERATOR(pg_catalog./) 86400"
    " FROM spans",
    "sqlite": "SELECT sum(julianday(created_at) > julianday('now') - 7),"
    " julianday('now') - min(julianday(created_at)) FROM spans",
}


# ------------------------------------------------------------------ running them


def diagnose(connection: sa.Connection, instances: int, references: catalog.References) -> list[Check]:
    head = head_version()
    is_postgres = connection.dialect.name == "postgresql"
    if is_postgres:
        security = check_captures(connection)
        if security.status == "fail":
            return [security]
    repairs = None if is_postgres else pending_desktop_repairs(connection, desktop_version(connection))
    checks = (
        [security, *check_postgres_server(connection), check_connections(connection, instances)]
        if repairs is None
        else [*check_sqlite_file(connection), *check_desktop_schema(repairs)]
    )
    bookkeeping, version = check_bookkeeping(connection, head)
    checks.append(bookkeeping)
    if version is not None:
        checks.append(check_drift(connection, version, references, repairs))
    tables = existing_tables(connection)
    later: list[Callable[[], Check | list[Check]]] = [
        *([lambda: check_invalid_indexes(connection)] if is_postgres else []),
        lambda: check_memory(connection, tables),
        *([lambda: check_vector_storage(connection, tables, at_head=version == head)] if is_postgres else []),
        lambda: check_sizes(connection, tables),
    ]
    for check in later:
        outcome = check()
        checks.extend(outcome if isinstance(outcome, list) else [outcome])
    return checks


def run(args: argparse.Namespace, url: sa.URL) -> None:
    if args.instances < 1:
        raise refusal(f"--instances {args.instances}: give the number of GoClaw processes, 1 or more")
    engine = open_engine(url, read_only=True)  # a diagnosis changes nothing, not even the journal mode
    try:
        with catalog.References(url) as references, connect(engine, report_captures=True) as connection:
            checks = diagnose(connection, args.instances, references)
    except CapturesFound as found:
        checks = [security_finding(found)]
    except (sa.exc.DBAPIError, sqlite3.Error) as exc:
        raise refusal(
            f"doctor could not read {display_url(url)}: "
            f"{str(getattr(exc, 'orig', None) or exc).strip().splitlines()[0]}"
        ) from None
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps({"database": display_url(url), "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        print(f"database: {display_url(url)}")
        width = max(len(c.name) for c in checks)
        indent = " " * (width + 8)
        for c in checks:
            print(f"{c.status:<5} {c.name:<{width}}  {c.detail}")
            for item in c.items:
                first, *more = item.splitlines()
                print(f"{indent}- {first}")
                for line in more:
                    print(f"{indent}    {line}")
            if c.fix:
                print(f"{indent}fix: {c.fix}")
    failed = [c.name for c in checks if c.status == "fail"]
    if failed:
        raise refusal(f"doctor: {len(failed)} check(s) failed: {', '.join(failed)}")
