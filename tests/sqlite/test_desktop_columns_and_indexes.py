"""Columns stand where GoClaw's desktop ``schema.sql`` declares them and indexes are as it defines them.

GoClaw's desktop ladder copies a table into a new one with a positional
``INSERT INTO new SELECT * FROM old`` (its step from 13 to 14 does so with
``vault_documents``): on a file whose columns stand in another order the values
land in the wrong columns, or a foreign key check fails.  The positions are
those of the catalog of GoClaw's desktop schema at the chain's head (``tests/reference/``).
Its indexes list traces, spans and run logs newest first (DESC), which the
files of earlier goclaw-db versions lost; upgrade puts both right, and status
and doctor say when it has to.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from goclaw_db.base import metadata
from goclaw_db.desktop_columns import DesktopIndex, desktop_schemas, put_in_desktop_schema
from goclaw_db.revision_ops.sqlite_rebuild import alter_portable_table
from tests import schema_catalog
from tests.sqlite.test_desktop_files import SEARCHES, finish, goclaw_db, unpack
from tests.support import (
    HEAD,
    HEAD_DESKTOP,
    HEAD_DESKTOP_REFERENCE,
    declared_column_order,
    desktop_reference_name,
    indexes_with_sort_order,
    postgres_reference,
    reference_catalog,
    sqlite_file,
)

DESKTOP_TABLES = reference_catalog(HEAD_DESKTOP_REFERENCE)["tables"]


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def rows_by_name(path: Path) -> dict[str, list[tuple]]:
    """Every row of every GoClaw desktop table, its values read by column name (in GoClaw's order)."""
    conn = sqlite3.connect(path)
    try:
        return {
            table: sorted(
                conn.execute(f'SELECT {", ".join(declared_column_order(spec))} FROM "{table}"').fetchall(), key=repr
            )
            for table, spec in DESKTOP_TABLES.items()
        }
    finally:
        conn.close()


@pytest.fixture
def head_file_with_rows(desktop_database, tmp_path) -> Path:
    """The chain's head file holding the rows of GoClaw's desktop file at head: at least one in every table."""
    goclaw_file = unpack(HEAD_DESKTOP, tmp_path)
    conn = sqlite3.connect(desktop_database, isolation_level=None)
    conn.execute("ATTACH ? AS goclaw", (str(goclaw_file),))
    conn.execute("BEGIN")
    for table in DESKTOP_TABLES:
        names = ", ".join(f'"{name}"' for name in columns(conn, table))
        conn.execute(f'DELETE FROM main."{table}"')  # the seeds the chain made (the master tenant)
        conn.execute(f'INSERT INTO main."{table}" ({names}) SELECT {names} FROM goclaw."{table}"')
    conn.execute("COMMIT")
    conn.execute("DETACH goclaw")
    assert all(rows for rows in rows_by_name(desktop_database).values())
    conn.close()
    return desktop_database


def index_definitions(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
    finally:
        conn.close()


@pytest.fixture
def file_in_postgresql_order(head_file_with_rows) -> Path:
    """The file as goclaw-db made it before: the same tables, indexes and triggers, in PostgreSQL's column order."""
    postgresql = postgres_reference(HEAD)["tables"]
    engine = sa.create_engine(f"sqlite:///{head_file_with_rows}")
    with engine.connect() as connection:
        operations = Operations(MigrationContext.configure(connection, opts={"target_metadata": metadata}))
        for table in DESKTOP_TABLES.keys() & postgresql.keys():  # not the desktop's schema_version
            present = [row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')]
            order = tuple(name for name in declared_column_order(postgresql[table]) if name in present)
            if list(order) != present:
                with alter_portable_table(operations, table, recreate="always", partial_reordering=[order]):
                    pass
        connection.commit()
    engine.dispose()
    return head_file_with_rows


@pytest.mark.parametrize("desktop", [12, 15])
def test_column_orders_are_the_positions_of_goclaw_desktop_schema(desktop):
    assert desktop_schemas()[desktop].columns == {
        table: tuple(declared_column_order(spec))
        for table, spec in reference_catalog(desktop_reference_name(desktop))["tables"].items()
    }


@pytest.mark.parametrize("desktop", [13, 14])
def test_unreleased_desktop_versions_have_the_order_goclaws_steps_leave_which_is_15s(desktop):
    # 12 to 13 appends episodic_summaries' recall columns, as 15's schema.sql has them; 13 to 14
    # copies vault_documents into a table declared in the order 12 and 15 share.
    assert desktop_schemas()[desktop].columns == desktop_schemas()[15].columns


def test_every_table_of_a_new_file_has_goclaw_desktop_column_positions(desktop_database):
    conn = sqlite3.connect(desktop_database)
    try:
        out_of_place = {
            t: columns(conn, t) for t, spec in DESKTOP_TABLES.items() if columns(conn, t) != declared_column_order(spec)
        }
    finally:
        conn.close()
    assert out_of_place == {}


def test_goclaw_ladders_positional_copy_keeps_every_value_in_its_column(head_file_with_rows):
    conn = sqlite3.connect(head_file_with_rows)
    misplaced = []
    for table, spec in DESKTOP_TABLES.items():
        order = ", ".join(f'"{name}"' for name in declared_column_order(spec))
        conn.execute(f'CREATE TABLE "{table}__copy" ({order})')  # GoClaw's declared order, as its ladder's copy
        conn.execute(f'INSERT INTO "{table}__copy" SELECT * FROM "{table}"')
        copied = conn.execute(f'SELECT {order} FROM "{table}__copy" ORDER BY rowid').fetchall()
        if copied != conn.execute(f'SELECT {order} FROM "{table}" ORDER BY rowid').fetchall():
            misplaced.append(table)
    conn.close()
    assert misplaced == []


def test_a_file_left_in_postgresql_column_order_is_repaired_by_upgrade_with_every_row(
    file_in_postgresql_order, sqlite_templates
):
    before = rows_by_name(file_in_postgresql_order)
    conn = sqlite3.connect(file_in_postgresql_order)
    in_postgresql_order = [t for t, spec in DESKTOP_TABLES.items() if columns(conn, t) != declared_column_order(spec)]
    conn.close()
    assert len(in_postgresql_order) == 46  # what goclaw-db's earlier files had

    run = finish(goclaw_db(file_in_postgresql_order, "upgrade"))

    assert run.returncode == 0, run.stderr
    conn = sqlite3.connect(file_in_postgresql_order)
    assert {t: columns(conn, t) for t in DESKTOP_TABLES} == {
        t: declared_column_order(s) for t, s in DESKTOP_TABLES.items()
    }
    assert f"rebuilt 46 table(s) in the column order of GoClaw's desktop schema {HEAD_DESKTOP}" in run.stderr
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    for table, (word, _columns) in SEARCHES.items():
        conn.execute(f"INSERT INTO {table}_fts({table}_fts, rank) VALUES ('integrity-check', 1)")
        assert conn.execute(f"SELECT count(*) FROM {table}_fts WHERE {table}_fts MATCH ?", (word,)).fetchone()[0]
    conn.close()
    assert rows_by_name(file_in_postgresql_order) == before
    # Indexes (as the revisions wrote them, DESC included), triggers, search tables: as on the chain's head file.
    assert index_definitions(file_in_postgresql_order) == index_definitions(
        sqlite_file(sqlite_templates.template_url(HEAD))
    )
    assert schema_catalog.dump(f"sqlite:///{file_in_postgresql_order}") == schema_catalog.dump(
        sqlite_templates.template_url(HEAD)
    )


def test_a_rebuilt_table_keeps_its_descending_index_its_trigger_and_its_rows(tmp_path):
    # GoClaw's desktop schema orders idx_activity_logs_created newest first; the table's copy must not drop it.
    order = list(desktop_schemas()[12].columns["activity_logs"])
    path = tmp_path / "goclaw.db"
    index = "CREATE INDEX idx_activity_logs_created ON activity_logs (created_at DESC)"
    trigger = "CREATE TRIGGER activity_logs_stamp AFTER INSERT ON activity_logs BEGIN SELECT 1; END"
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE activity_logs ({', '.join(f'{name} TEXT' for name in reversed(order))})")
        conn.execute(index)
        conn.execute(trigger)
        conn.execute(f"INSERT INTO activity_logs ({', '.join(order)}) VALUES ({', '.join('?' * len(order))})", order)
    conn.close()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert list(put_in_desktop_schema(connection, 12).tables) == ["activity_logs"]
        connection.commit()
    engine.dispose()
    conn = sqlite3.connect(path)
    assert columns(conn, "activity_logs") == order
    assert conn.execute(
        "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY type"
    ).fetchall() == [
        (index,),
        (trigger,),
    ]
    assert conn.execute(f"SELECT {', '.join(order)} FROM activity_logs").fetchall() == [tuple(order)]
    conn.close()


@pytest.fixture(scope="module")
def goclaw_indexes(tmp_path_factory) -> dict[str, dict]:
    """GoClaw's desktop indexes at head: the catalog's, with the sort order of the file its schema.sql made."""
    goclaw_file = unpack(HEAD_DESKTOP, tmp_path_factory.mktemp("goclaw"))
    return indexes_with_sort_order(reference_catalog(HEAD_DESKTOP_REFERENCE), goclaw_file)


@pytest.fixture
def file_an_earlier_goclaw_db_made(file_in_postgresql_order) -> Path:
    """The head file as earlier goclaw-db versions left it: PostgreSQL's column order, and the chain's table rebuilds
    had dropped DESC from every index but idx_traces_tenant_time (made after its table's last rebuild) and
    idx_subagent_tasks_created (newest first on PostgreSQL only)."""
    conn = sqlite3.connect(file_in_postgresql_order)
    for name, definition in index_definitions(file_in_postgresql_order).items():
        if name != "idx_traces_tenant_time" and " DESC" in definition:
            conn.execute(f'DROP INDEX "{name}"')
            conn.execute(definition.replace(" DESC", ""))
    conn.execute("DROP INDEX idx_subagent_tasks_created")
    conn.execute("CREATE INDEX idx_subagent_tasks_created ON subagent_tasks (tenant_id, created_at DESC)")
    conn.close()
    return file_in_postgresql_order


def test_index_definitions_are_those_of_goclaw_desktop_schema_at_head(goclaw_indexes):
    assert desktop_schemas()[HEAD_DESKTOP].indexes == {
        name: DesktopIndex(
            index["table"],
            tuple(
                f"{column} DESC" if descending else column
                for column, descending in zip(index["columns"], index["descending"], strict=True)
            ),
            index["unique"],
            index["where"],
        )
        for name, index in goclaw_indexes.items()
        if "<expr>" not in index["columns"]  # the catalog does not give the expression; the rebuild keeps it
    }


def test_upgrade_makes_goclaw_desktop_indexes_in_a_file_an_earlier_goclaw_db_made_keeping_every_row(
    file_an_earlier_goclaw_db_made, goclaw_indexes
):
    path = file_an_earlier_goclaw_db_made
    before = rows_by_name(path)

    run = finish(goclaw_db(path, "upgrade"))

    assert run.returncode == 0, run.stderr
    assert f"made 20 index(es) anew as GoClaw's desktop schema {HEAD_DESKTOP} defines them" in run.stderr
    actual = indexes_with_sort_order(schema_catalog.dump(f"sqlite:///{path}"), path)
    assert {name: actual.get(name) for name in goclaw_indexes} == goclaw_indexes
    assert rows_by_name(path) == before


@pytest.mark.parametrize("command", [("migrate", "status"), ("upgrade", "--status")])
def test_status_says_the_next_upgrade_puts_the_file_into_goclaw_desktop_schema(file_an_earlier_goclaw_db_made, command):
    run = finish(goclaw_db(file_an_earlier_goclaw_db_made, *command))

    assert run.returncode == 0, run.stderr
    assert (
        "pending desktop repair  46 table(s) in another column order and 20 index(es) defined otherwise than in "
        f"GoClaw's desktop schema {HEAD_DESKTOP}: the next upgrade puts them right"
    ) in run.stdout.splitlines()


def test_doctor_warns_of_a_file_outside_goclaw_desktop_schema_with_upgrade_as_its_fix(file_an_earlier_goclaw_db_made):
    run = finish(goclaw_db(file_an_earlier_goclaw_db_made, "doctor", "--json"))

    assert run.returncode == 0, run.stderr
    checks = {check["name"]: check for check in json.loads(run.stdout)["checks"]}
    desktop = checks["desktop schema"]
    assert (desktop["status"], desktop["fix"].split(":")[0], len(desktop["items"])) == (
        "warn",
        "goclaw-db upgrade",
        46 + 20,
    )
    assert checks["schema drift"]["status"] == "ok"  # what upgrade makes anew is not drift to undo by hand
