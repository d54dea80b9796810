"""At head, the SQLite file is GoClaw's desktop database: its schema, its version, its master tenant."""

from __future__ import annotations

import sqlite3

from tests import schema_catalog
from tests.support import HEAD_DESKTOP, HEAD_DESKTOP_REFERENCE, reference_catalog

MASTER_TENANT_ID = "0193a5b0-7000-7000-8000-000000000001"


def test_head_matches_goclaw_desktop_schema_by_affinity(desktop_database):
    expected = schema_catalog.by_affinity(reference_catalog(HEAD_DESKTOP_REFERENCE))
    actual = schema_catalog.by_affinity(schema_catalog.dump(f"sqlite:///{desktop_database}"))
    lines, _matched, _total = schema_catalog.diff(expected, actual)
    assert [line for line in lines if not line.startswith("+ extra")] == []


def test_head_records_the_desktop_schema_version_of_the_heads_goclaw_version(desktop_database):
    with sqlite3.connect(desktop_database) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(HEAD_DESKTOP,)]


def test_head_has_the_master_tenant(desktop_database):
    with sqlite3.connect(desktop_database) as conn:
        assert conn.execute("SELECT id, slug FROM tenants").fetchall() == [(MASTER_TENANT_ID, "master")]
