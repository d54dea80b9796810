"""Constraints the models and revisions leave unnamed get the names PostgreSQL itself would give them.

GoClaw's SQL lets PostgreSQL name its keys; past 63 bytes PostgreSQL shortens
the longer of the table part and the column part first. A name that differs
from GoClaw's breaks ``compare_metadata`` and every later revision that drops
the constraint by name, so each case is checked against a real server.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from goclaw_db.base import NAMING_CONVENTION
from tests.templates import create_postgres_database, drop_postgres_database

# Names themselves stay within 63 bytes; the constraint names built from them do not.
LONG_TABLE = "agent_team_task_attachment_" + "x" * 33  # 60 characters
LONG_COLUMN = "delegated_from_agent_" + "y" * 39  # 60 characters


def tables(metadata: sa.MetaData, schema: str) -> None:
    """Each way a name can run past 63 bytes, with every constraint left unnamed."""
    sa.Table("parent", metadata, sa.Column("id", sa.Integer, primary_key=True), schema=schema)
    parent_id = f"{schema}.parent.id"
    sa.Table(
        LONG_TABLE,  # the table part is cut
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.Text, unique=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey(parent_id)),
        schema=schema,
    )
    sa.Table(
        "tasks",  # the column part is cut
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(LONG_COLUMN, sa.Integer, sa.ForeignKey(parent_id)),
        sa.Column("team_id", sa.Integer),
        sa.Column("subject", sa.Text),
        sa.UniqueConstraint("team_id", "subject", LONG_COLUMN),
        schema=schema,
    )
    sa.Table(
        LONG_TABLE[:40],  # both parts are cut, the longer one first
        metadata,
        sa.Column(LONG_COLUMN, sa.Integer, primary_key=True),
        sa.Column(LONG_COLUMN[:30], sa.Integer, sa.ForeignKey(parent_id)),
        sa.UniqueConstraint(LONG_COLUMN, LONG_COLUMN[:30]),
        schema=schema,
    )
    # "<table>_code_key" is 63 bytes, which fits, and 64, which does not; the limit is in bytes, and
    # a cut never splits a character (the Cyrillic names are 28 characters, 55 bytes).
    for table in ("s" * 54, "t" * 55, "заметки_" + "я" * 20):
        sa.Table(
            table,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("code", sa.Text, unique=True),
            schema=schema,
        )
    sa.Table(
        "note",  # the column part is cut in bytes, between two characters
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ключ_" + "ж" * 27, sa.Text, unique=True),
        schema=schema,
    )


def constraint_names(connection: sa.Connection, schema: str) -> dict[tuple[str, str], str]:
    """Each constraint's name by its table and definition (written without the schema)."""
    rows = connection.execute(
        sa.text(
            "SELECT c.relname, pg_get_constraintdef(k.oid), k.conname FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema"
        ),
        {"schema": schema},
    )
    return {(table, definition.replace(f"{schema}.", "")): name for table, definition, name in rows}


@pytest.fixture(scope="module")
def names(postgres_server_url) -> dict[str, dict[tuple[str, str], str]]:
    """The same tables made twice, unnamed: PostgreSQL's names, and our convention's names."""
    url = create_postgres_database(postgres_server_url)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            for schema, metadata in (
                ("by_postgresql", sa.MetaData()),
                ("by_convention", sa.MetaData(naming_convention=NAMING_CONVENTION)),
            ):
                connection.execute(sa.schema.CreateSchema(schema))
                tables(metadata, schema)
                metadata.create_all(connection)
            return {schema: constraint_names(connection, schema) for schema in ("by_postgresql", "by_convention")}
    finally:
        engine.dispose()
        drop_postgres_database(postgres_server_url, url)


@pytest.mark.parametrize("kind", ["PRIMARY KEY", "UNIQUE", "FOREIGN KEY"])
def test_long_constraint_names_are_cut_as_postgresql_cuts_them(names, kind):
    chosen, ours = (
        {key: name for key, name in names[schema].items() if key[1].startswith(kind)}
        for schema in ("by_postgresql", "by_convention")
    )
    assert any(len(name) == 63 for name in chosen.values())  # the cases reach the limit
    assert ours == chosen
