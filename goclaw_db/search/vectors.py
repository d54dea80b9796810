"""Vector search on GoClaw's desktop (SQLite) database, with sqlite-vec.

GoClaw's desktop schema keeps no embeddings.  Like the FTS5 tables, the vectors
live in extra *side tables* GoClaw never reads: ``<table>_vec`` per searchable
table, one row per embedded row::

    partition_key  the agent (or team, or tenant) the row belongs to
    row_id         the row's id
    embedding      1536 float32s (sqlite-vec's binary form)

keyed ``(partition_key, row_id)`` in a ``WITHOUT ROWID`` table, so one agent's
vectors sit together on disk and an agent-filtered search reads only them.  The
search is exact: sqlite-vec's ``vec_distance_cosine`` over that agent's rows.
A trigger removes a side row when its row is deleted (it needs no extension, so
GoClaw's desktop build can still delete rows).

Needs an SQLite driver that can load extensions (Python's ``sqlite3`` often cannot)
and sqlite-vec: ``pip install 'goclaw-db[vectors]'`` (pysqlite3-binary, sqlite-vec).
Open the file with ``create_vector_engine``.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.sql.selectable import NamedFromClause

MISSING = (
    "vector search on SQLite needs sqlite-vec and an SQLite driver that loads extensions: "
    "pip install 'goclaw-db[vectors]', then open the file with goclaw_db.search.vectors.create_vector_engine()"
)

# The column each searchable table's vectors are partitioned by.
PARTITION_COLUMNS = {
    "memory_chunks": "agent_id",
    "episodic_summaries": "agent_id",
    "kg_entities": "agent_id",
    "vault_documents": "agent_id",
    "team_tasks": "team_id",
    "skills": "tenant_id",
    "agents": "tenant_id",
}


class VectorsUnavailable(RuntimeError):
    """sqlite-vec (or a driver able to load it, or the side table) is missing."""


def side_table_name(table: str) -> str:
    return f"{table}_vec"


def side_table(t: sa.Table | NamedFromClause) -> sa.TableClause:
    """The side table of ``t`` (a table or an alias of one), typed like the columns it mirrors."""
    table = t.element if isinstance(t, sa.Alias) else t
    assert isinstance(table, sa.Table), "side tables mirror tables (or aliases of them)"
    name = table.name
    partition = t.c[PARTITION_COLUMNS[name]]
    return sa.table(
        side_table_name(name),
        sa.column("partition_key", partition.type),
        sa.column("row_id", t.c.id.type),
        sa.column("embedding", sa.LargeBinary),
    )


def float32_blob(vector: Sequence[float]) -> bytes:
    """A vector in sqlite-vec's binary form (little-endian float32s)."""
    return struct.pack(f"<{len(vector)}f", *vector)


def sqlite_cosine_distance(embedding: sa.ColumnElement[Any], vector: Sequence[float]) -> sa.ColumnElement[float]:
    return sa.func.vec_distance_cosine(
        embedding, sa.bindparam(None, float32_blob(vector), sa.LargeBinary), type_=sa.Double
    )


# --- the driver ------------------------------------------------------------------


def _driver() -> tuple[ModuleType, ModuleType]:
    """pysqlite3 when installed, else Python's own sqlite3 if its build can load extensions."""
    try:
        import sqlite_vec  # type: ignore[import-untyped]  # the package ships no type hints
    except ImportError as missing:
        raise VectorsUnavailable(MISSING) from missing
    try:
        import pysqlite3.dbapi2 as driver  # type: ignore[import-untyped]  # the package ships no type hints
    except ImportError:
        import sqlite3 as driver

        if not hasattr(driver.Connection, "enable_load_extension"):
            raise VectorsUnavailable(MISSING) from None
    return driver, sqlite_vec


def create_vector_engine(
    url: str | None = None, *, sqlite_path: str | os.PathLike[str] | None = None, **kw: Any
) -> sa.Engine:
    """An engine on a desktop file whose connections have sqlite-vec loaded (and GoClaw's settings)."""
    from goclaw_db.engine import create_engine

    driver, sqlite_vec = _driver()
    engine = create_engine(url, sqlite_path=sqlite_path, module=driver, **kw)
    if engine.dialect.name != "sqlite":
        raise ValueError("create_vector_engine() is for SQLite files; PostgreSQL has pgvector built in")

    @event.listens_for(engine, "connect")
    def load_sqlite_vec(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.enable_load_extension(True)
        sqlite_vec.load(dbapi_connection)
        dbapi_connection.enable_load_extension(False)

    return engine


def explain_missing(error: sa.exc.OperationalError) -> VectorsUnavailable | None:
    """A clear error for a search that needed sqlite-vec or a side table that is not there."""
    text = str(error.orig)
    if "no such function: vec_" in text:
        return VectorsUnavailable(MISSING)
    if "no such table:" in text and text.rstrip().endswith("_vec"):
        return VectorsUnavailable(
            f"{text.split(':', 1)[1].strip()} does not exist: create the side tables with "
            "goclaw_db.search.vectors.create_vector_tables() and store the embeddings with store_embeddings()"
        )
    return None


# --- side tables -----------------------------------------------------------------


def create_vector_tables(connection: sa.Connection, tables: Iterable[str] = PARTITION_COLUMNS) -> None:
    """Create the side tables (and their delete triggers) that are missing; GoClaw's tables stay as they are."""
    for table in tables:
        side = side_table_name(table)
        connection.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {side} (partition_key TEXT NOT NULL, row_id TEXT NOT NULL, "
            f"embedding BLOB NOT NULL, PRIMARY KEY (partition_key, row_id)) WITHOUT ROWID"
        )
        connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {side}_row ON {side} (row_id)")
        connection.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {side}_forget AFTER DELETE ON {table} "
            f"BEGIN DELETE FROM {side} WHERE row_id = old.id; END"
        )


def store_embeddings(connection: sa.Connection, t: sa.Table, embeddings: Iterable[tuple[Any, Sequence[float]]]) -> None:
    """Write (row id, embedding) pairs into ``t``'s side table, replacing earlier ones.

    The partition is read from the row itself, so one statement serves any batch.
    """
    from goclaw_db.search._common import checked_embedding

    side = side_table(t)
    partition = t.c[PARTITION_COLUMNS[t.name]]
    row_id = sa.bindparam("row_id", type_=t.c.id.type)
    rows = [{"row_id": key, "embedding": float32_blob(checked_embedding(vector))} for key, vector in embeddings]
    if not rows:
        return
    source = sa.select(
        sa.func.coalesce(sa.cast(partition, sa.Text), ""),
        sa.cast(t.c.id, sa.Text),
        sa.bindparam("embedding", type_=sa.LargeBinary),
    ).where(t.c.id == row_id)
    statement = sa.insert(side).prefix_with("OR REPLACE").from_select(["partition_key", "row_id", "embedding"], source)
    connection.execute(statement, rows)
