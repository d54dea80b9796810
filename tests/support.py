"""Helpers shared by the tests: run the revision chain, compare catalogs."""

from __future__ import annotations

import json
import sqlite3
import uuid
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from alembic import command
from goclaw_db.bookkeeping import DESKTOP_SCHEMA_VERSIONS
from goclaw_db.config import normalize_url
from goclaw_db.models.tenants import MASTER_TENANT_ID
from goclaw_db.runner import alembic_config, version_number
from tests import schema_catalog

REFERENCE = Path(__file__).parent / "reference"
# The tenant GoClaw's version 27 creates and gives every earlier row.
MASTER_TENANT = str(MASTER_TENANT_ID)
# The chain's own head, as a GoClaw version number.
HEAD = version_number(ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head())
# The desktop schema_version the chain's SQLite file records at head.
HEAD_DESKTOP = DESKTOP_SCHEMA_VERSIONS[HEAD]


def desktop_reference_name(desktop_version: int) -> str:
    """The reference catalog of GoClaw's desktop schema at a ``schema_version`` (12's predates numbered names)."""
    return "sqlite_goclaw.json" if desktop_version == 12 else f"sqlite_goclaw_v{desktop_version}.json"


HEAD_DESKTOP_REFERENCE = desktop_reference_name(HEAD_DESKTOP)


def admin_url_with_database(server_url: str, database: str) -> str:
    """The server URL with another database name, as a psycopg-style URL."""
    return normalize_url(server_url).set(database=database).render_as_string(hide_password=False)


def sqlite_file(url: str) -> Path:
    """The file a ``sqlite:///`` URL names."""
    return Path(sa.make_url(url).database)


def upgrade(url: str, revision: str | int = "head") -> None:
    command.upgrade(alembic_config(url), revision_id(revision))


def downgrade(url: str, revision: str | int) -> None:
    command.downgrade(alembic_config(url), revision_id(revision))


def revision_id(version: str | int) -> str:
    """GoClaw version 27 is revision '000027'; version 0 is 'base'."""
    if isinstance(version, int):
        return f"{version:06d}" if version else "base"
    return version


@cache
def reference_catalog(name: str) -> dict:
    return json.loads((REFERENCE / name).read_text())


def declared_column_order(catalog_table: dict) -> list[str]:
    """A catalog table's columns by their ``position`` (the catalog keys them by name): its CREATE TABLE's order."""
    return sorted(catalog_table["columns"], key=lambda name: catalog_table["columns"][name]["position"])


def indexes_with_sort_order(catalog: dict, path: Path) -> dict[str, dict]:
    """Each named index of a SQLite catalog, with which of its keys sort descending in the file at ``path``.

    The shared catalog tool records an index's key columns, uniqueness and
    WHERE but not the keys' order, so a file that lost GoClaw's DESC passes it.
    """
    conn = sqlite3.connect(path)
    try:
        return {
            name: {
                **index,
                "table": table,
                "descending": [bool(key[3]) for key in conn.execute(f'PRAGMA index_xinfo("{name}")') if key[5]],
            }
            for table, spec in catalog["tables"].items()
            for name, index in spec["indexes"].items()
            if not name.startswith("<")  # the table's own keys (primary, UNIQUE), which have no order of their own
        }
    finally:
        conn.close()


def postgres_reference(version: int) -> dict:
    return reference_catalog(f"pg_v{version:02d}.json")


def catalog_of(url: str) -> dict:
    plain = normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return schema_catalog.dump(plain)


def catalog_differences(expected: dict, actual: dict) -> list[str]:
    """Every missing, extra or different item, and every column-order difference."""
    lines, _matched, _total = schema_catalog.diff(expected, actual)
    return lines + column_order_differences(expected, actual)


def head_schema_differences(url: str) -> list[str]:
    """How a database differs from GoClaw's schema at head: PostgreSQL's catalog, or the desktop file's.

    The desktop file is compared by type affinity, and objects beyond GoClaw's are allowed.
    """
    if not url.startswith("sqlite"):
        return catalog_differences(postgres_reference(HEAD), catalog_of(url))
    expected = schema_catalog.by_affinity(reference_catalog(HEAD_DESKTOP_REFERENCE))
    actual = schema_catalog.by_affinity(schema_catalog.dump(url))
    return [line for line in schema_catalog.diff(expected, actual)[0] if not line.startswith("+ extra")]


def column_order_differences(expected: dict, actual: dict) -> list[str]:
    """Tables whose columns stand in another order (the catalogs record each position)."""

    def order(table: dict) -> list[str]:
        return sorted(table["columns"], key=lambda name: table["columns"][name]["position"])

    return [
        f"column order {name}: expected {order(table)} got {order(actual['tables'][name])}"
        for name, table in expected["tables"].items()
        if name in actual["tables"] and order(table) != order(actual["tables"][name])
    ]


def execute(url: str, statement, params=None):
    """Run one statement in its own transaction; returns all rows for a SELECT."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(statement) if isinstance(statement, str) else statement, params or {})
            return result.all() if result.returns_rows else None
    finally:
        engine.dispose()


def differences_after_a_kill(url: str) -> list[str]:
    """The catalog of a database whose run was killed, against GoClaw's at the version it recorded.

    Version 9 builds its index CONCURRENTLY, outside any transaction: a kill between that build
    and the record of version 9 leaves the index beside version 8, and the rerun adopts it.
    """
    ((version, dirty),) = execute(url, "SELECT version, dirty FROM schema_migrations")
    assert not dirty, f"a killed run left version {version} dirty"
    differences = catalog_differences(postgres_reference(version), catalog_of(url))
    if version == 8:
        differences = [d for d in differences if not d.startswith("+ extra     index traces.idx_traces_quota:")]
    return differences


def insert_agent(url: str) -> str:
    """A new agent of the master tenant, at any version from 27 on, on either database; returns its id as text."""
    agent_id = str(uuid.uuid4())
    execute(
        url,
        "INSERT INTO agents (id, agent_key, model, owner_id, tenant_id) VALUES (:id, :key, 'some-model', 'owner', :t)",
        {"id": agent_id, "key": f"agent-{agent_id[:8]}", "t": MASTER_TENANT},
    )
    return agent_id
