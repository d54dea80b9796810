"""A SQLite library that cannot make FTS5 tables is refused up front, with one clear line.

Every sqlite3 build at hand ships FTS5, so the test takes FTS5 away the way a
host application can: SQLite's own authorizer refuses to create any table
using the fts5 module on the migration's connection.  The preflight probe then
fails for real, before the file is changed.
"""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
from alembic.util import CommandError

from alembic import command
from goclaw_db.runner import alembic_config


def _without_fts5(action, arg1, arg2, _database, _trigger):
    if action == sqlite3.SQLITE_CREATE_VTABLE and arg2 == "fts5":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def test_sqlite_without_fts5_is_refused_with_one_line_before_anything_changes(tmp_path):
    path = tmp_path / "goclaw.db"
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    sa.event.listen(engine, "connect", lambda dbapi_connection, _record: dbapi_connection.set_authorizer(_without_fts5))
    config = alembic_config(f"sqlite:///{path}")
    config.attributes["connection"] = engine

    with pytest.raises(CommandError) as refused:
        command.upgrade(config, "head")

    message = str(refused.value)
    assert "FTS5" in message and len(message.splitlines()) == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []
