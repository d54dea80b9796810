"""Adopting a file made by GoClaw's desktop build: bring it to the schema the chain builds at head.

GoClaw's desktop build numbers its SQLite schema on its own (``schema_version``)
and released files at 1, 2, 3, 4, 5, 6, 12 and 15; 12 is what the revision
chain builds at GoClaw version 44, 15 at 47.  When GoClaw opens an older file it patches it up
step by step.  Those patches leave a file that differs from a fresh one:
columns added at the end of their tables, a column its schema dropped still in
place, and on the step from 6 to 7 a failure on any file with knowledge-graph
rows (a column added with a non-constant default).  A file GoClaw made at 12
lacks what the chain adds to the desktop schema: the FTS5 search indexes,
``vault_versions`` and a few indexes.

Here every such file becomes the chain's head file, whatever version it came
from, in one transaction:

1. every table is moved aside and made again from the chain's own head schema
   (built in memory by running the revisions), and its rows are copied over by
   column name, rowids included; columns a version lacked get their defaults;
2. the data changes of GoClaw's desktop steps the file has not had are made,
   reading the moved-aside tables where a dropped column holds what they need;
3. the moved-aside tables go, and the head's indexes, triggers and search
   indexes are made, the search indexes filled from the rows.

Columns therefore stand where the chain's head file has them, which is the
order of the desktop's own ``schema.sql`` (``goclaw_db.desktop_columns``, which
makes the indexes as that schema defines them too), so
GoClaw's later ladder steps, which copy tables positionally, run on the result.

A file that cannot be brought over exactly (a version GoClaw never released, a
table GoClaw's schema does not have, rows the head's constraints refuse) is
refused in one line, and the transaction leaves it as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError

from goclaw_db.base import metadata
from goclaw_db.bookkeeping import desktop_schema_version, desktop_version, schema_version
from goclaw_db.desktop_columns import put_in_desktop_schema
from goclaw_db.revision_ops.fts5 import rebuild_fts5_index_statement
from goclaw_db.revision_ops.portable import delete_portable_rows
from goclaw_db.runner.chain import head_version, script_directory
from goclaw_db.runner.driver import driver_connection
from goclaw_db.sql import json_bool, json_int, json_text, json_value, json_without, repeated_rows
from goclaw_db.sqlite_functions import register_sqlite_functions
from goclaw_db.types import uuid_generate_v7

# The desktop schema versions GoClaw's releases wrote.  7 to 11, 13 and 14 were
# steps of GoClaw's work that no released desktop build stopped at; a file claiming
# one of them (or 0, which GoClaw never records) has a schema nobody can vouch for.
RELEASED_DESKTOP_VERSIONS = frozenset({1, 2, 3, 4, 5, 6, 12, 15})
# Bookkeeping the move leaves alone: golang-migrate's counter, Alembic's.
KEPT_TABLES = frozenset({"schema_version", "alembic_version"})
MOVED_ASIDE = "{}__desktop"


@dataclass(frozen=True)
class HeadSchema:
    """The chain's head file as SQL, in the order SQLite recorded it."""

    tables: dict[str, str]
    search_tables: dict[str, str]
    indexes: tuple[str, ...]
    triggers: tuple[str, ...]


def head_desktop_version() -> int:
    """The desktop ``schema_version`` of the chain's head file: what adoption brings a file to."""
    desktop = desktop_schema_version(head_version())
    assert desktop is not None, "the chain's head has a desktop schema_version (tests/test_revision_rules.py)"
    return desktop


@contextmanager
def brought_to_head(connection: sa.Connection) -> Iterator[None]:
    """Bring a desktop file to the chain's head, in a transaction the caller commits.

    The caller records the file's new version inside the ``with`` block and
    commits; if it does not get that far, everything is rolled back.  Does
    nothing on PostgreSQL or where the file has no desktop version.
    """
    version = desktop_version(connection) if connection.dialect.name == "sqlite" else None
    if version is None:
        yield
        return
    if version not in RELEASED_DESKTOP_VERSIONS:
        raise CommandError(
            f"the GoClaw desktop file has schema_version {version}, which no GoClaw release wrote "
            f"(released: {', '.join(map(str, sorted(RELEASED_DESKTOP_VERSIONS)))}): "
            f"let a GoClaw desktop build at schema {head_desktop_version()} open it first, or restore a backup, "
            "then run again."
        )
    head = head_schema()
    tables, search_tables = _file_tables(connection)
    unknown = sorted((set(tables) - set(head.tables) - KEPT_TABLES) | (set(search_tables) - set(head.search_tables)))
    if unknown:
        raise CommandError(
            f"the GoClaw desktop file has tables that GoClaw's desktop schema has not ({', '.join(unknown)}): "
            "move them to another file, then run again."
        )
    driver = driver_connection(connection)
    connection.rollback()  # the pragmas below work outside a transaction only
    foreign_keys_before = driver.execute("PRAGMA foreign_keys").fetchone()[0]
    driver.execute("PRAGMA foreign_keys = OFF")
    try:
        try:
            _rebuild(connection, head, version)
        except sa.exc.DBAPIError as exc:
            raise CommandError(
                f"the GoClaw desktop file at schema_version {version} cannot be brought to "
                f"{head_desktop_version()} as GoClaw would: {exc.orig}. The file is unchanged; "
                "resolve what the error names in GoClaw, then run again."
            ) from None
        yield
    finally:
        connection.rollback()  # a no-op after the caller's commit; undoes everything otherwise
        driver.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys_before else 'OFF'}")


def _rebuild(connection: sa.Connection, head: HeadSchema, version: int) -> None:
    # Legacy renaming leaves other tables' REFERENCES alone: they keep naming the table, not its copy.
    connection.exec_driver_sql("PRAGMA legacy_alter_table = ON")
    try:
        moved = _move_aside(connection)
        for table, create in head.tables.items():
            connection.exec_driver_sql(create)
            if table in moved:
                _copy_rows(connection, MOVED_ASIDE.format(table), table)
        for step_from, change in DATA_CHANGES:
            if version <= step_from:
                change(connection)
        for table in moved:
            connection.exec_driver_sql(f'DROP TABLE "{MOVED_ASIDE.format(table)}"')
    finally:
        connection.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
    for create in (*head.indexes, *head.search_tables.values(), *head.triggers):
        connection.exec_driver_sql(create)
    for table in head.search_tables.values():
        connection.execute(rebuild_fts5_index_statement(_indexed_table(table)))
    connection.execute(schema_version.delete())
    connection.execute(schema_version.insert().values(version=head_desktop_version()))
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        table, _rowid, parent, _fk = broken[0]
        raise CommandError(
            f"the GoClaw desktop file has {len(broken)} row(s) whose foreign key points at nothing "
            f"(first: {table} -> {parent}): repair them with GoClaw, then run again. The file is unchanged."
        )


def _file_tables(connection: sa.Connection) -> tuple[list[str], list[str]]:
    """The file's tables (no SQLite internals) and its search tables (without their shadow tables)."""
    rows = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).all()
    search = [name for name, sql in rows if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    tables = [name for name, _sql in rows if not any(name == s or name.startswith(f"{s}_") for s in search)]
    return tables, search


def _move_aside(connection: sa.Connection) -> list[str]:
    """Rename each table to its moved-aside name, without the indexes, triggers and search table it had."""
    tables, search_tables = _file_tables(connection)
    tables = [t for t in tables if t not in KEPT_TABLES]
    for search_table in search_tables:  # a file the chain made, whose Alembic record was lost
        connection.exec_driver_sql(f'DROP TABLE "{search_table}"')
    for table in tables:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" RENAME TO "{MOVED_ASIDE.format(table)}"')
    for kind, name in connection.exec_driver_sql(
        "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
        "AND tbl_name LIKE '%\\_\\_desktop' ESCAPE '\\'"
    ).all():
        connection.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
    return tables


def _copy_rows(connection: sa.Connection, source: str, target: str) -> None:
    def names(table: str) -> list[str]:
        return [row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')]

    shared = ", ".join(f'"{name}"' for name in names(target) if name in names(source))
    connection.exec_driver_sql(f'INSERT INTO "{target}" (rowid, {shared}) SELECT rowid, {shared} FROM "{source}"')


def _indexed_table(search_table_sql: str) -> str:
    content = re.search(r"content='(\w+)'", search_table_sql)
    assert content is not None, "every search table of the chain is an external-content FTS5 index"
    return content.group(1)


@cache
def head_schema() -> HeadSchema:
    """Run the revision chain on an in-memory SQLite database and keep the SQL of what it made."""
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
    try:
        with engine.connect() as connection:
            register_sqlite_functions(driver_connection(connection))
            # The models' metadata names unnamed constraints as the chain's runs do.
            context = MigrationContext.configure(connection, opts={"target_metadata": metadata})
            with Operations.context(context):
                for revision in reversed(list(script_directory().walk_revisions())):
                    revision.module.upgrade()
            put_in_desktop_schema(connection, head_desktop_version())
            rows = connection.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
            ).all()
    finally:
        engine.dispose()
    search = {name: sql for kind, name, sql in rows if sql.upper().startswith("CREATE VIRTUAL TABLE")}
    shadow = {f"{name}_{part}" for name in search for part in ("data", "idx", "content", "docsize", "config")}
    return HeadSchema(
        tables={
            name: sql
            for kind, name, sql in rows
            if kind == "table" and name not in search and name not in shadow and name not in KEPT_TABLES
        },
        search_tables=search,
        indexes=tuple(sql for kind, name, sql in rows if kind == "index"),
        triggers=tuple(sql for kind, name, sql in rows if kind == "trigger"),
    )


# --- the data changes of GoClaw's desktop steps ------------------------------
# Each runs on the rebuilt tables when the file is at or below the version it
# starts from.  New columns and tables need nothing here: the copy gave them
# their defaults, as GoClaw's ALTERs do (the 6-to-7 step's "valid from" on
# knowledge-graph rows is the time of the upgrade, what its default says).


def _promote_cron_delivery(connection: sa.Connection) -> None:
    """2 to 3: a cron job's delivery settings move from its payload into columns (the payload keeps them)."""
    jobs = sa.table(
        "cron_jobs", *(sa.column(c) for c in ("payload", "deliver", "deliver_channel", "deliver_to", "wake_heartbeat"))
    )
    connection.execute(
        sa.update(jobs)
        .where(jobs.c.payload.is_not(None))
        .values(
            deliver=sa.func.coalesce(json_bool(jobs.c.payload, "deliver"), 0),
            deliver_channel=sa.func.coalesce(json_text(jobs.c.payload, "channel"), ""),
            deliver_to=sa.func.coalesce(json_text(jobs.c.payload, "to"), ""),
            wake_heartbeat=sa.func.coalesce(json_bool(jobs.c.payload, "wake_heartbeat"), 0),
        )
    )


def _grant_agent_bound_binaries(connection: sa.Connection) -> None:
    """5 to 6: a secure CLI binary bound to one agent stays that agent's, now through a grant.

    GoClaw's desktop step only adds ``is_global`` (true for every row) and
    leaves the old ``agent_id`` column unread, so a binary that one agent
    could use would become every agent's.  Here it keeps its restriction, as
    GoClaw's own PostgreSQL migration 36 keeps it: ``is_global`` false and a
    grant for its agent.
    """
    old = sa.table(
        MOVED_ASIDE.format("secure_cli_binaries"), *(sa.column(c) for c in ("id", "agent_id", "enabled", "tenant_id"))
    )
    binaries = sa.table("secure_cli_binaries", sa.column("id"), sa.column("is_global"))
    grants = sa.table(
        "secure_cli_agent_grants", *(sa.column(c) for c in ("id", "binary_id", "agent_id", "enabled", "tenant_id"))
    )
    bound = sa.select(old.c.id).where(old.c.agent_id.is_not(None))
    connection.execute(
        grants.insert().from_select(
            ["id", "binary_id", "agent_id", "enabled", "tenant_id"],
            sa.select(uuid_generate_v7(), old.c.id, old.c.agent_id, old.c.enabled, old.c.tenant_id).where(
                old.c.agent_id.is_not(None)
            ),
        )
    )
    connection.execute(sa.update(binaries).where(binaries.c.id.in_(bound)).values(is_global=False))


# Agent settings that 6 to 7 moves out of ``other_config``: column, key, value when absent.
PROMOTED_AGENT_SETTINGS = (
    ("emoji", "emoji", json_text, ""),
    ("agent_description", "description", json_text, ""),
    ("thinking_level", "thinking_level", json_text, ""),
    ("max_tokens", "max_tokens", json_int, 0),
    ("self_evolve", "self_evolve", json_bool, 0),
    ("skill_evolve", "skill_evolve", json_bool, 0),
    ("skill_nudge_interval", "skill_nudge_interval", json_int, 0),
    ("reasoning_config", "reasoning", json_value, "{}"),
    ("workspace_sharing", "workspace_sharing", json_value, "{}"),
    ("chatgpt_oauth_routing", "chatgpt_oauth_routing", json_value, "{}"),
    ("shell_deny_groups", "shell_deny_groups", json_value, "{}"),
    ("kg_dedup_config", "kg_dedup_config", json_value, "{}"),
)


def _promote_agent_settings(connection: sa.Connection) -> None:
    """6 to 7: settings kept in an agent's ``other_config`` become columns and leave the JSON."""
    agents = sa.table("agents", sa.column("other_config"), *(sa.column(c) for c, *_ in PROMOTED_AGENT_SETTINGS))
    config = agents.c.other_config
    connection.execute(
        sa.update(agents)
        .where(config.is_not(None), config != "{}")
        .values(
            {
                column: sa.func.coalesce(read(config, key), absent)
                for column, key, read, absent in PROMOTED_AGENT_SETTINGS
            }
        )
    )
    connection.execute(
        sa.update(agents).values(other_config=json_without(config, [key for _c, key, *_ in PROMOTED_AGENT_SETTINGS]))
    )


def _seed_core_and_task_files(connection: sa.Connection) -> None:
    """11 to 12: the step GoClaw version 44 also makes, so the chain's own revision makes it."""
    with Operations.context(MigrationContext.configure(connection)):
        script_directory().get_revision("000044").module.upgrade()


def _keep_first_cron_job_of_each_name(connection: sa.Connection) -> None:
    """14 to 15: of the cron jobs sharing an agent, tenant and name, the one with the smallest id stays.

    That is GoClaw's desktop step (PostgreSQL's version 47 keeps the most
    recently updated instead); the others go with their run logs, as its
    delete with foreign keys on takes them.
    """
    jobs = sa.table("cron_jobs", sa.column("id"), sa.column("agent_id"), sa.column("tenant_id"), sa.column("name"))
    operations = Operations(MigrationContext.configure(connection))
    delete_portable_rows(
        operations, jobs, repeated_rows(jobs, ("agent_id", "tenant_id", "name"), kept_first=(jobs.c.id,))
    )


# (the version a step starts from, its data change), in GoClaw's order.
DATA_CHANGES = (
    (2, _promote_cron_delivery),
    (5, _grant_agent_bound_binaries),
    (6, _promote_agent_settings),
    (11, _seed_core_and_task_files),
    (14, _keep_first_cron_job_of_each_name),
)
