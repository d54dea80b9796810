"""The desktop (SQLite) form of a column is compiled from the column without changing it (``goclaw_db.types``).

The models' tables are shared by every thread of an application: while one
thread compiles SQLite's DDL, which leaves out a key default the desktop
makes in the application, another may be compiling PostgreSQL's, which needs it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from goclaw_db.types import uuid_generate_v7


class _WatchingType(sa.types.UserDefinedType[str]):
    """A column type that notes the server default of its column at the moment its DDL is compiled."""

    cache_ok = True

    def __init__(self) -> None:
        self.column: sa.Column[Any] | None = None
        self.defaults_seen: list[Any] = []

    def get_col_spec(self, **kw: Any) -> str:
        assert self.column is not None
        self.defaults_seen.append(self.column.server_default)
        return "TEXT"


def _table_with_generated_key() -> tuple[sa.Table, _WatchingType]:
    watching = _WatchingType()
    table = sa.Table("t", sa.MetaData(), sa.Column("id", watching, primary_key=True, server_default=uuid_generate_v7()))
    watching.column = table.c.id
    return table, watching


def test_the_desktop_ddl_leaves_out_a_key_made_in_the_application():
    table, _ = _table_with_generated_key()
    assert "DEFAULT" not in str(CreateTable(table).compile(dialect=sqlite.dialect()))
    assert "DEFAULT uuid_generate_v7()" in str(CreateTable(table).compile(dialect=postgresql.dialect()))


def test_the_column_keeps_its_default_while_the_desktop_ddl_is_compiled():
    table, watching = _table_with_generated_key()
    default = table.c.id.server_default
    CreateTable(table).compile(dialect=sqlite.dialect())
    assert watching.defaults_seen == [default]
    assert table.c.id.server_default is default
