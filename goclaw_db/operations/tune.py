"""``goclaw-db tune vectors [--undo] [--yes]``: keep the embeddings in the tables' own pages.

pgvector's type stores a ``vector(1536)`` (6 KB) out of line, in the table's TOAST
relation: an exact search then reads every filtered row's vector through the TOAST
index, several chunks each.  Storage ``MAIN`` keeps it in the heap page, which halves
an exact search (benchmark 5: 20 → 10 ms for one agent's 2,000 chunks) and makes every
scan that does not need the vectors read the whole vectors too.  The column's storage
is not part of GoClaw's schema catalog (GoClaw works the same either way), so doctor
reports it as the operator's tuning, never as drift; ``--undo`` puts the type's own
storage back.  Existing rows move only when the table is rewritten (``VACUUM FULL``,
which holds an exclusive lock and rebuilds every index of the table, HNSW included).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from dataclasses import dataclass

import sqlalchemy as sa

from goclaw_db.operations.common import open_engine, require_goclaw_database
from goclaw_db.ownership import is_goclaw_table
from goclaw_db.runner.errors import refusal

MAIN = "m"
STORAGE_NAMES = {"p": "PLAIN", "e": "EXTERNAL", "m": "MAIN", "x": "EXTENDED"}
# Benchmark 5 (100,000 chunks × 1536-d, 2 cores): the rewrite with its HNSW rebuild.
MEASURED_REWRITE = "64 s for 100,000 chunks on 2 cores"


@dataclass(frozen=True)
class VectorColumn:
    """A vector column of GoClaw's schema and how it is stored now."""

    table: str
    column: str
    storage: str  # pg_attribute.attstorage
    type_storage: str  # the vector type's own (GoClaw's)
    rows: int
    heap_bytes: int
    toast_bytes: int

    @property
    def tuned(self) -> bool:
        return self.storage != self.type_storage

    def describe(self) -> str:
        return (
            f"{self.table}.{self.column}: {STORAGE_NAMES[self.storage]}, about {self.rows:,} rows, "
            f"heap {_mib(self.heap_bytes)}, TOAST {_mib(self.toast_bytes)}"
        )


_VECTOR_COLUMNS = sa.text(
    "SELECT c.relname, a.attname, a.attstorage, t.typstorage, greatest(c.reltuples, 0)::bigint,"
    " pg_relation_size(c.oid), coalesce(pg_relation_size(nullif(c.reltoastrelid, 0)), 0)"
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid"
    " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND t.typname = 'vector'"
    " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attname"
)


def vector_columns(connection: sa.Connection) -> list[VectorColumn]:
    """Every vector column of GoClaw's tables, with its storage and the sizes a rewrite moves."""
    return [VectorColumn(*row) for row in connection.execute(_VECTOR_COLUMNS) if is_goclaw_table(row[0])]


def set_vector_storage(connection: sa.Connection, column: VectorColumn, storage: str) -> None:
    """``SET STORAGE`` on ``column``, then the rewrite that moves its existing values (autocommit)."""
    name = STORAGE_NAMES[storage]
    quoted = connection.dialect.identifier_preparer.quote
    connection.exec_driver_sql(
        f"ALTER TABLE {quoted(column.table)} ALTER COLUMN {quoted(column.column)} SET STORAGE {name}"
    )
    if column.heap_bytes or column.toast_bytes:
        try:
            connection.exec_driver_sql(f"VACUUM (FULL, ANALYZE) {quoted(column.table)}")
        except sa.exc.DBAPIError:
            # The table was not rewritten: put the storage back, so the column says what its rows are.
            set_vector_storage(connection, dataclasses.replace(column, heap_bytes=0, toast_bytes=0), column.storage)
            raise


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("tune", help="operator's tunings that GoClaw's schema leaves open (PostgreSQL)")
    parser.add_argument("what", choices=["vectors"], help="vectors: store embeddings in the heap (MAIN)")
    parser.add_argument("--undo", action="store_true", help="put the vector type's own storage back (GoClaw's)")
    parser.add_argument("--yes", action="store_true", help="rewrite without asking")


def run(args: argparse.Namespace, url: sa.URL) -> None:
    if url.get_backend_name() != "postgresql":
        raise refusal(
            "tune vectors is for PostgreSQL: GoClaw's desktop file keeps its vectors in sqlite-vec side "
            "tables, already next to one another; nothing was changed."
        )
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            require_goclaw_database(connection)
            columns = vector_columns(connection)
            target = {c: c.type_storage if args.undo else MAIN for c in columns}
            changing = [c for c in columns if c.storage != target[c]]
            if not changing:
                done = "the vector type's own storage (GoClaw's)" if args.undo else "MAIN"
                print(f"every vector column is already stored {done}; nothing to do")
                return
            print("to rewrite:" if not args.undo else "to put back:")
            for column in changing:
                print(f"  {column.describe()} -> {STORAGE_NAMES[target[column]]}")
            moved = sum(c.toast_bytes if not args.undo else c.heap_bytes for c in changing)
            print(
                f"cost: VACUUM FULL rewrites each table (moving about {_mib(moved)}) and rebuilds its indexes, "
                f"HNSW included ({MEASURED_REWRITE}), holding an exclusive lock: GoClaw's reads and writes "
                "of the table wait until it ends" + ("" if args.undo else "; undo with goclaw-db tune vectors --undo")
            )
            if not args.yes:
                if not sys.stdin.isatty():
                    raise refusal("nothing was changed: run again with --yes to confirm")
                if input("Rewrite them? [y/N] ").strip().lower() not in ("y", "yes"):
                    raise refusal("nothing was changed")
            for column in changing:
                set_vector_storage(connection, column, target[column])
                print(f"{column.table}.{column.column} stored {STORAGE_NAMES[target[column]]}")
    except sa.exc.DBAPIError as exc:
        raise refusal(f"tune vectors failed: {str(exc.orig).strip().splitlines()[0]}") from None
    finally:
        engine.dispose()


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"
