"""Vector search on GoClaw's desktop (SQLite) database, with sqlite-vec.

The embeddings live in side tables (``<table>_vec``, see
``goclaw_db.vector_side_tables``), keyed by partition (the agent, team or tenant)
and row id.  The search is exact: sqlite-vec's ``vec_distance_cosine`` over the
partition's rows.  Needs an SQLite driver that can load extensions (Python's
``sqlite3`` often cannot) and sqlite-vec: ``pip install sqlite-vec pysqlite3-binary``
(the ``vectors`` extra: ``pip install '.[vectors]'`` in the checkout).  Open the file
with ``create_vector_engine``.

Profiled at 2,000 rows × 1536-d in one partition (2-core machine, loaded): most of the
time is sqlite-vec's distance arithmetic (reading the blobs alone: 2-7 ms of 25-45 ms).
Memory-mapping the file (``mmap_size``) saves copying every page through SQLite's
cache: median 44 → 29 ms.  sqlite-vec's own ``vec0`` table with the agent as partition
key was faster still (18 ms; int8 storage was not: 25-30 ms), but every write and
every delete of a ``vec0`` row needs the extension, so the delete trigger would break
GoClaw's desktop build (which has none) the first time it deleted a chunk; the plain
table keeps GoClaw's writes working.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from goclaw_db.vector_side_tables import (
    PARTITION_COLUMNS,
    create_vector_tables,
    float32_blob,
    side_table,
    side_table_name,
    store_embeddings,
)

__all__ = [
    "PARTITION_COLUMNS",
    "VectorsUnavailable",
    "create_vector_engine",
    "create_vector_tables",
    "side_table",
    "side_table_name",
    "sqlite_cosine_distance",
    "store_embeddings",
]

MISSING = (
    "vector search on SQLite needs sqlite-vec and an SQLite driver that loads extensions: "
    "pip install sqlite-vec pysqlite3-binary (or, in goclaw-db's checkout, pip install '.[vectors]'), "
    "then open the file with goclaw_db.search.vectors.create_vector_engine()"
)

MMAP_BYTES = 2**30


class VectorsUnavailable(RuntimeError):
    """sqlite-vec (or a driver able to load it, or the side table) is missing."""


def sqlite_cosine_distance(
    embedding: sa.ColumnElement[Any], vector: Sequence[float] | sa.BindParameter[Any]
) -> sa.ColumnElement[float]:
    """sqlite-vec's cosine distance to ``vector`` (a list, or a parameter holding ``float32_blob`` of one)."""
    blob = vector if isinstance(vector, sa.BindParameter) else sa.bindparam(None, float32_blob(vector), sa.LargeBinary)
    return sa.func.vec_distance_cosine(embedding, blob, type_=sa.Double)


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
        # Searches read whole partitions of 6 KB vectors: map the file instead of copying pages.
        dbapi_connection.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")

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
