"""Bulk loading of memory chunks with their embeddings.

Indexing a workspace writes thousands of chunks at once.  Through the ORM each
row is an object and a parameter set; :func:`write_memory_chunks` instead
streams plain rows: on PostgreSQL with ``COPY ... FROM STDIN (FORMAT BINARY)``
(embeddings as packed float32, the ``vector`` type's own binary form), on
SQLite with one ``executemany`` (GoClaw's desktop schema keeps no embeddings:
they go to the ``memory_chunks_vec`` side table, see ``goclaw_db.vector_side_tables``).

Columns a row leaves out get the table's defaults; ``id`` is made in Python
(UUIDv7) when absent.  The rows are written in the caller's transaction: pass
a ``Connection`` (``engine.begin()``) or a ``Session`` and commit it.  In a
tenant-scoped session a row without ``tenant_id`` gets the session's, and a
row of another tenant or naming another tenant's agent, document or team is
refused (``CrossTenantError``) before any row is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, NotRequired, TypedDict, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from goclaw_db.base import table_of
from goclaw_db.ids import uuid7
from goclaw_db.models.memory import MemoryChunk
from goclaw_db.tenancy import scoped_rows
from goclaw_db.vector_side_tables import store_partitioned_embeddings

__all__ = ["ChunkRow", "write_memory_chunks"]


class ChunkRow(TypedDict):
    """One memory chunk to write (the columns of ``memory_chunks`` an indexer fills)."""

    agent_id: uuid.UUID
    tenant_id: uuid.UUID
    path: str
    hash: str
    text: str
    id: NotRequired[uuid.UUID]
    document_id: NotRequired[uuid.UUID | None]
    user_id: NotRequired[str | None]
    start_line: NotRequired[int]
    end_line: NotRequired[int]
    embedding: NotRequired[Sequence[float] | Any | None]  # a list or a numpy array
    team_id: NotRequired[uuid.UUID | None]
    custom_scope: NotRequired[str | None]


# Written in this order; COPY names them, and every row gives all of them.
_COLUMNS = (
    "id", "agent_id", "document_id", "user_id", "path", "start_line", "end_line", "hash", "text",
    "embedding", "team_id", "tenant_id", "custom_scope",
)  # fmt: skip
_POSTGRES_TYPES = (
    "uuid", "uuid", "uuid", "varchar", "text", "int4", "int4", "varchar", "text",
    "vector", "uuid", "uuid", "varchar",
)  # fmt: skip
# A row with every column, in COPY's order: what a row leaves out.
_EMPTY_ROW: dict[str, Any] = {**dict.fromkeys(_COLUMNS), "start_line": 0, "end_line": 0}


def _complete(row: ChunkRow) -> dict[str, Any]:
    values = {**_EMPTY_ROW, **row}  # one C-level merge per row: keeps COPY's column order
    if values["id"] is None:
        values["id"] = uuid7()
    if len(values) != len(_EMPTY_ROW):  # keys that name no column are not written
        values = {name: values[name] for name in _COLUMNS}
    return values


def write_memory_chunks(target: sa.Connection | Session, rows: Iterable[ChunkRow]) -> int:
    """Write ``rows`` into ``memory_chunks`` in ``target``'s transaction; returns how many were written."""
    if isinstance(target, Session):
        rows = cast(Iterable[ChunkRow], scoped_rows(target, MemoryChunk, rows))
    connection = target.connection() if isinstance(target, Session) else target
    if connection.dialect.name == "postgresql":
        return _copy_binary(connection, rows)
    return _executemany(connection, rows)


def _copy_binary(connection: sa.Connection, rows: Iterable[ChunkRow]) -> int:
    # The psycopg connection under SQLAlchemy's; pgvector's binary dumper is registered on it.
    raw: Any = connection.connection.driver_connection
    from pgvector.psycopg import register_vector

    register_vector(raw)
    written = 0
    with raw.cursor() as cursor:
        statement = f"COPY memory_chunks ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
        with cursor.copy(statement) as copy:
            copy.set_types(list(_POSTGRES_TYPES))
            # pgvector's binary dumper, chosen by set_types, packs lists and numpy arrays alike.
            for row in rows:
                copy.write_row(tuple(_complete(row).values()))
                written += 1
    return written


def _executemany(connection: sa.Connection, rows: Iterable[ChunkRow]) -> int:
    # The desktop schema has no embedding column; the generated search column is not written.
    columns = [name for name in _COLUMNS if name != "embedding"]
    complete = [_complete(row) for row in rows]
    batch = [{name: values[name] for name in columns} for values in complete]
    if batch:
        connection.execute(sa.insert(MemoryChunk), batch)
        embedded = [(row["agent_id"], row["id"], row["embedding"]) for row in complete if row["embedding"] is not None]
        store_partitioned_embeddings(connection, table_of(MemoryChunk), embedded)
    return len(batch)
