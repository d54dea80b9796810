"""Every revision runs on SQLite too: up one version at a time, down to nothing, and up again."""

from __future__ import annotations

import sqlite3

from goclaw_db.bookkeeping import DESKTOP_SCHEMA_VERSIONS
from tests.support import HEAD, HEAD_DESKTOP, downgrade, head_schema_differences, upgrade


def _version(path) -> str | None:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def _schema_version(path) -> list:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT version FROM schema_version").fetchall()


def _user_tables(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT IN ('alembic_version', 'schema_version')"
            )
        ]


def test_every_version_upgrades_and_downgrades_on_sqlite(tmp_path):
    path = tmp_path / "goclaw.db"
    url = f"sqlite:///{path}"
    for version in range(1, HEAD + 1):
        upgrade(url, version)
        assert _version(path) == f"{version:06d}"
    assert _schema_version(path) == [(HEAD_DESKTOP,)]

    for version in range(HEAD - 1, -1, -1):
        downgrade(url, version)
        assert _version(path) == (f"{version:06d}" if version else None)
        desktop = DESKTOP_SCHEMA_VERSIONS.get(version)
        assert _schema_version(path) == ([(desktop,)] if desktop else [])
    assert _user_tables(path) == []

    upgrade(url, "head")
    assert head_schema_differences(url) == []
    assert _schema_version(path) == [(HEAD_DESKTOP,)]
