"""At head, the SQLite file is GoClaw's desktop database: its schema, its version, its master tenant."""

from __future__ import annotations

import sqlite3

from tests import schema_catalog
from tests.sqlite.test_desktop_files import unpack
from tests.support import HEAD_DESKTOP, HEAD_DESKTOP_REFERENCE, indexes_with_sort_order, reference_catalog

MASTER_TENANT_ID = "0193a5b0-7000-7000-8000-000000000001"


def test_head_matches_goclaw_desktop_schema_by_affinity(desktop_database):
    expected = schema_catalog.by_affinity(reference_catalog(HEAD_DESKTOP_REFERENCE))
    actual = schema_catalog.by_affinity(schema_catalog.dump(f"sqlite:///{desktop_database}"))
    lines, _matched, _total = schema_catalog.diff(expected, actual)
    assert [line for line in lines if not line.startswith("+ extra")] == []


def test_head_indexes_are_goclaw_desktop_indexes_with_their_sort_order_and_where(desktop_database, tmp_path):
    # GoClaw's desktop lists traces, spans and run logs newest first with these; the sort order comes from
    # the file GoClaw's own schema.sql made (the reference catalog does not record it).
    expected = indexes_with_sort_order(reference_catalog(HEAD_DESKTOP_REFERENCE), unpack(HEAD_DESKTOP, tmp_path))
    actual = indexes_with_sort_order(schema_catalog.dump(f"sqlite:///{desktop_database}"), desktop_database)
    assert {name: actual.get(name) for name in expected} == expected


def test_head_records_the_desktop_schema_version_of_the_heads_goclaw_version(desktop_database):
    with sqlite3.connect(desktop_database) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(HEAD_DESKTOP,)]


def test_head_has_the_master_tenant(desktop_database):
    with sqlite3.connect(desktop_database) as conn:
        assert conn.execute("SELECT id, slug FROM tenants").fetchall() == [(MASTER_TENANT_ID, "master")]
