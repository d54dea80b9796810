"""Where embeddings live on GoClaw's desktop (SQLite) file: the ``<table>_vec`` side tables.

GoClaw's desktop schema keeps no embeddings.  Like the FTS5 tables, the vectors
live in extra *side tables* GoClaw never reads, one per searchable table, one
row per embedded row::

    partition_key  the agent (or team, or tenant) the row belongs to
    row_id         the row's id
    embedding      1536 float32s (sqlite-vec's binary form)

keyed ``(partition_key, row_id)`` in a ``WITHOUT ROWID`` table, so one agent's
vectors sit together on disk and an agent-filtered search reads only them.  A
trigger removes a side row when its row is deleted.  Writing and deleting need
no extension (plain tables, plain blobs), so GoClaw's desktop build, which has no
sqlite-vec, can still delete rows; only searching needs sqlite-vec
(``goclaw_db.search.vectors``).

Rows written through this package land here by themselves: the bulk writer
(``goclaw_db.bulk``) writes its rows' embeddings, and setting a model's
``embedding`` attribute on a desktop file writes (or, set to None, removes) its
side row at flush instead of naming a column the desktop schema lacks.  This
module imports no model, so ``goclaw_db.models`` can register that flush hook.
The hook listens on every Session (applications use plain ones) but touches
only objects of this package's models: another application's ``skills`` is its own.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, attributes
from sqlalchemy.sql.selectable import NamedFromClause

from goclaw_db.base import Base
from goclaw_db.types import checked_embedding

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


def side_table_name(table: str) -> str:
    return f"{table}_vec"


def side_trigger_name(table: str) -> str:
    """The trigger on ``table`` that forgets a deleted row's vector."""
    return f"{side_table_name(table)}_forget"


def is_side_table_object(kind: str, name: str) -> bool:
    """A side table, or one of its columns, indexes or triggers, as a schema catalog names them.

    A catalog names a table by itself and what belongs to a table as
    ``table.name``; these objects are this package's, made on first use, and no
    part of GoClaw's schema.
    """
    table, _, item = (name, "", "") if kind in ("table", "view") else name.partition(".")
    if table in {side_table_name(t) for t in PARTITION_COLUMNS}:
        return True
    return kind == "trigger" and table in PARTITION_COLUMNS and item == side_trigger_name(table)


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
    """A vector in sqlite-vec's binary form (little-endian float32s), refused when not 1536 long."""
    checked = checked_embedding(vector)
    return struct.pack(f"<{len(checked)}f", *checked)


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
            f"CREATE TRIGGER IF NOT EXISTS {side_trigger_name(table)} AFTER DELETE ON {table} "
            f"BEGIN DELETE FROM {side} WHERE row_id = old.id; END"
        )


def store_embeddings(connection: sa.Connection, t: sa.Table, embeddings: Iterable[tuple[Any, Sequence[float]]]) -> None:
    """Write (row id, embedding) pairs into ``t``'s side table, replacing earlier ones.

    The partition is read from the row itself, so one statement serves any batch
    (and rows whose partition the database filled in by default).
    """
    rows = [{"row_id": key, "embedding": float32_blob(vector)} for key, vector in embeddings]
    if not rows:
        return
    create_vector_tables(connection, [t.name])
    side = side_table(t)
    partition = t.c[PARTITION_COLUMNS[t.name]]
    source = sa.select(
        sa.func.coalesce(sa.cast(partition, sa.Text), ""),
        sa.cast(t.c.id, sa.Text),
        sa.bindparam("embedding", type_=sa.LargeBinary),
    ).where(t.c.id == sa.bindparam("row_id", type_=t.c.id.type))
    statement = sa.insert(side).prefix_with("OR REPLACE").from_select(["partition_key", "row_id", "embedding"], source)
    connection.execute(statement, rows)


def store_partitioned_embeddings(
    connection: sa.Connection, t: sa.Table, embeddings: Iterable[tuple[Any, Any, Sequence[float]]]
) -> None:
    """Write (partition, row id, embedding) triples into ``t``'s side table: the bulk writer's
    path, which knows each row's partition and so skips reading the rows back."""
    side = side_table(t)
    rows = [
        {"partition_key": part, "row_id": key, "embedding": float32_blob(vector)} for part, key, vector in embeddings
    ]
    if not rows:
        return
    create_vector_tables(connection, [t.name])
    connection.execute(sa.insert(side).prefix_with("OR REPLACE"), rows)


def forget_embeddings(connection: sa.Connection, t: sa.Table, row_ids: Iterable[Any]) -> None:
    """Remove the side rows of ``row_ids`` (their embedding was set to None)."""
    keys = list(row_ids)
    if keys and _has_side_table(connection, t.name):
        side = side_table(t)
        connection.execute(sa.delete(side).where(side.c.row_id.in_(keys)))


def _has_side_table(connection: sa.Connection, table: str) -> bool:
    return sa.inspect(connection).has_table(side_table_name(table))


# --- the ORM: a model's embedding attribute on a desktop file ---------------------

_PENDING = "goclaw_db.vector_side_tables.pending"


@event.listens_for(Session, "before_flush")
def _take_embeddings_aside(session: Session, _context: Any, _instances: Any) -> None:
    """On SQLite, move changed embeddings out of the flush (the desktop schema has no such column)."""
    on_sqlite: dict[Any, bool] = {}  # per mapper: whether the session writes its rows to a desktop file
    changed = []
    for obj in (*session.new, *session.dirty):
        state = attributes.instance_state(obj)
        if (
            state.mapper.registry is not Base.registry
            or getattr(state.mapper.local_table, "name", None) not in PARTITION_COLUMNS
            or "embedding" not in state.dict
        ):
            continue
        if state.mapper not in on_sqlite:
            on_sqlite[state.mapper] = session.get_bind(mapper=state.mapper).dialect.name == "sqlite"
        # Cheapest test first: a PostgreSQL flush (the common case) never compares vectors.
        if on_sqlite[state.mapper] and (state.key is None or attributes.get_history(obj, "embedding").has_changes()):
            changed.append((obj, state))
    if not changed:
        return
    pending: list[tuple[Any, Any]] = session.info.setdefault(_PENDING, [])
    for obj, state in changed:
        pending.append((obj, state.dict.pop("embedding")))
        state.committed_state.pop("embedding", None)


@event.listens_for(Session, "after_flush")
def _write_embeddings_aside(session: Session, _context: Any) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    by_table: dict[sa.Table, tuple[list[tuple[Any, Any]], list[Any], Any]] = {}
    for obj, vector in pending:
        stored, removed, _mapper = by_table.setdefault(obj.__table__, ([], [], attributes.instance_state(obj).mapper))
        if vector is None:
            removed.append(obj.id)
        else:
            stored.append((obj.id, vector))
        # Keep the value on the object, loaded: reading it must not query the missing column.
        attributes.set_committed_value(obj, "embedding", vector)
    for table, (stored, removed, mapper) in by_table.items():
        connection = session.connection(bind_arguments={"mapper": mapper})
        store_embeddings(connection, table, stored)
        forget_embeddings(connection, table, removed)
