"""Portable column types and server defaults.

Each type renders PostgreSQL's own type on PostgreSQL and the storage GoClaw's
desktop (SQLite) build uses for the same column:

==================  =========================  =====================================
type                PostgreSQL                 SQLite (GoClaw desktop)
==================  =========================  =====================================
UUID                uuid                       TEXT, 36-character canonical form
Timestamp           timestamp with time zone   TEXT, RFC 3339 in UTC
JSONB               jsonb                      TEXT holding JSON
TextArray           text[]                     TEXT holding a JSON array
UUIDArray           uuid[]                     TEXT holding a JSON array
EmbeddingVector(n)  vector(n)                  BLOB (the desktop schema has none)
TSVector            tsvector                   not stored (FTS5 tables instead)
PostgresqlOnlyText  text                       not stored
==================  =========================  =====================================

Models and revisions both use these, so the dialect switch lives here.
"""

from __future__ import annotations

import json
import struct
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast, overload

import sqlalchemy as sa
from pgvector import Vector as PGVector
from pgvector.sqlalchemy import VECTOR
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn
from sqlalchemy.sql.compiler import DDLCompiler, SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.schema import Column
from sqlalchemy.types import TypeEngine

EMBEDDING_DIMENSIONS = 1536

_T = TypeVar("_T")


class EmbeddingDimensionError(ValueError):
    """The query vector does not have the dimension GoClaw's schema stores."""


@overload
def checked_embedding(embedding: Sequence[float]) -> list[float]: ...
@overload
def checked_embedding(embedding: Sequence[float] | None) -> list[float] | None: ...
def checked_embedding(embedding: Sequence[float] | None) -> list[float] | None:
    """The query vector as a list of floats, refused when its length is not the schema's.

    A vector of another length would make PostgreSQL fail the whole search (or, in
    GoClaw, silently drop its vector half: the "memory search returns no results"
    symptom), so it is refused here with the one number that matters.
    """
    if embedding is None:
        return None
    vector = [float(x) for x in embedding]
    if len(vector) != EMBEDDING_DIMENSIONS:
        raise EmbeddingDimensionError(
            f"the query embedding has {len(vector)} dimensions, but GoClaw's schema stores "
            f"vector({EMBEDDING_DIMENSIONS}): embed the query with the model that filled the "
            f"database (one producing {EMBEDDING_DIMENSIONS}-dimension vectors)"
        )
    return vector


# Set on the dialect of an engine whose connections can take vectors in binary (goclaw_db.engine).
BINARY_VECTORS = "goclaw_binary_vectors"

# GoClaw's desktop build writes timestamps with this layout; SQLite's
# strftime('%Y-%m-%dT%H:%M:%fZ', 'now') produces the same shape (milliseconds).
SQLITE_TIMESTAMP_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


class UUID(sa.types.TypeDecorator[uuid.UUID]):
    """A UUID; ``uuid.UUID`` in Python."""

    impl = postgresql.UUID
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=True))
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None or isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(str(value))


class Timestamp(sa.types.TypeDecorator[datetime]):
    """A moment in time; a timezone-aware ``datetime`` in Python."""

    impl = sa.TIMESTAMP(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.TIMESTAMP(timezone=True))
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: GoClaw stores timestamps with a time zone")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None or isinstance(value, datetime):
            return value
        parsed = datetime.fromisoformat(str(value).replace(" ", "T"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class _JSONText(sa.types.TypeDecorator[_T]):
    """Shared shape of types that SQLite keeps as JSON text."""

    impl: Any = sa.Text
    cache_ok = True
    postgres_type: TypeEngine[Any]
    # Values are dicts or lists: goclaw_db.tracking saves changes made inside them.
    holds_containers = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(self.postgres_type)
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return json.dumps(self._to_json(value), separators=(",", ":"))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return self._from_json(json.loads(value))

    def _to_json(self, value: Any) -> Any:
        return value

    def _from_json(self, value: Any) -> Any:
        return value


class JSONB(_JSONText[Any]):
    """A JSON document; ``dict`` or ``list`` in Python."""

    cache_ok = True

    impl = postgresql.JSONB
    postgres_type = postgresql.JSONB()


class TextArray(_JSONText[list[str]]):
    """A list of strings."""

    cache_ok = True

    impl = postgresql.ARRAY(sa.Text)
    postgres_type = postgresql.ARRAY(sa.Text)


class UUIDArray(_JSONText[list[uuid.UUID]]):
    """A list of UUIDs."""

    cache_ok = True

    impl = postgresql.ARRAY(postgresql.UUID(as_uuid=True))
    postgres_type = postgresql.ARRAY(postgresql.UUID(as_uuid=True))

    def _to_json(self, value: Any) -> Any:
        return [str(v) for v in value]

    def _from_json(self, value: Any) -> Any:
        return [uuid.UUID(v) for v in value]


class PackedVector(bytes):
    """An embedding in pgvector's binary form, as it travels: its dimensions and a zero
    (two big-endian 16-bit integers), then its values as big-endian float32."""

    __slots__ = ()

    @classmethod
    def of(cls, value: Any) -> PackedVector:
        """Pack a list of floats, a one-dimensional numpy array or a ``pgvector.Vector``."""
        if isinstance(value, bytes):
            return value if isinstance(value, PackedVector) else cls(value)
        if isinstance(value, PGVector):
            return cls(value.to_binary())
        if hasattr(value, "astype"):  # numpy: one conversion, no Python floats on the way
            if value.ndim != 1:
                raise ValueError(f"an embedding has one dimension, not {value.ndim}")
            return cls(struct.pack(">HH", len(value), 0) + value.astype(">f4", copy=False).tobytes())
        return cls(struct.pack(f">HH{len(value)}f", len(value), 0, *value))


def _as_list(vector: Any) -> list[float]:
    return vector.tolist() if hasattr(vector, "tolist") else list(vector)


class EmbeddingVector(sa.types.TypeDecorator[list[float]]):
    """A pgvector embedding; reads back as ``list[float]``, accepts a list or a numpy array."""

    impl = VECTOR
    cache_ok = True
    pg_only = True

    def __init__(self, dim: int = EMBEDDING_DIMENSIONS):
        super().__init__(dim)
        self.dim = dim

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(VECTOR(self.dim))
        return dialect.type_descriptor(sa.LargeBinary())

    def bind_processor(self, dialect: Dialect) -> Any:
        if getattr(dialect, BINARY_VECTORS, False):
            # Packed here, once, and sent as they are by the codec goclaw_db.engine
            # registers on every connection: 4 bytes a dimension instead of pgvector's
            # ~13-character text per dimension.  Engines made otherwise get text.
            def pack(value: Any) -> Any:
                return None if value is None else PackedVector.of(value)

            return pack
        return super().bind_processor(dialect)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        # pgvector hands back a numpy array when numpy is installed; the models promise a list.
        return value.tolist() if hasattr(value, "tolist") else value

    def compare_values(self, x: Any, y: Any) -> bool:
        # The ORM compares an attribute's old and new value at every flush; ``==`` on a
        # numpy array compares element by element (and against the ORM's "no value"
        # marker, slowly, to an array), so compare as plain lists, once.
        if x is y:
            return True
        if not (hasattr(x, "__len__") and hasattr(y, "__len__")):
            return False
        return _as_list(x) == _as_list(y)


class _absent_on_sqlite(sa.sql.expression.ColumnElement[Any]):
    """A column as itself on PostgreSQL; ``NULL`` on SQLite, whose schema has no such column."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(_absent_on_sqlite)
def _absent_default(element: _absent_on_sqlite, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(_absent_on_sqlite, "sqlite")
def _absent_sqlite(element: _absent_on_sqlite, compiler: SQLCompiler, **kw: Any) -> str:
    return "NULL"


class _AbsentOnSqlite(sa.types.TypeDecorator[str]):
    """A column only GoClaw's PostgreSQL schema has.

    The ORM still asks for it back after an INSERT (it is generated): on the
    desktop (SQLite) it reads as NULL.
    """

    cache_ok = True
    pg_only = True

    def column_expression(self, colexpr: ColumnElement[Any]) -> ColumnElement[Any]:
        return _absent_on_sqlite(colexpr)


class TSVector(_AbsentOnSqlite):
    """A PostgreSQL text-search vector, generated by the database.

    Searching on it stays PostgreSQL-only; the desktop build searches its FTS5 tables.
    """

    impl = postgresql.TSVECTOR
    cache_ok = True


class PostgresqlOnlyText(_AbsentOnSqlite):
    """Text generated by PostgreSQL that the desktop schema at the chain's head has no column for."""

    impl = sa.Text
    cache_ok = True


def is_pg_only(type_: TypeEngine[Any]) -> bool:
    """True for a type the desktop (SQLite) schema leaves out."""
    return getattr(type_, "pg_only", False)


# --- server defaults -------------------------------------------------------


def utc_now() -> datetime:
    return datetime.now(UTC)


class now(FunctionElement[datetime]):
    """``now()`` on PostgreSQL; GoClaw desktop's UTC text timestamp on SQLite."""

    type = Timestamp()
    inherit_cache = True

    def python_value(self) -> datetime:
        """The value as the application makes it (see ``goclaw_db.defaults``)."""
        return utc_now()


@compiles(now, "postgresql")
def _now_pg(element: Any, compiler: SQLCompiler, **kw: Any) -> str:
    return "now()"


@compiles(now, "sqlite")
def _now_sqlite(element: Any, compiler: SQLCompiler, **kw: Any) -> str:
    return SQLITE_TIMESTAMP_NOW


class uuid_generate_v7(FunctionElement[uuid.UUID]):
    """GoClaw's time-ordered UUIDv7 default (a function created by revision 000001)."""

    type = UUID()
    inherit_cache = True
    # Time-ordered, and in the models always preceded by the Python-side uuid7()
    # default: this lets the ORM insert many rows per statement and still match
    # each RETURNING row to its object by key (SQLAlchemy's "insert sentinel").
    monotonic = True
    generated_in_application_on_sqlite = True


@compiles(uuid_generate_v7, "postgresql")
def _uuid_v7_pg(element: Any, compiler: SQLCompiler, **kw: Any) -> str:
    return "uuid_generate_v7()"


# In a statement (a data migration that inserts rows) SQLite builds the UUID
# itself: the same 8-4-4-4-12 text, version 7 (milliseconds since the epoch,
# then random bits) or version 4 (random).  As a column default it stays out
# of the desktop schema (see _desktop_column below).
_SQLITE_EPOCH_MS = "printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))"
_SQLITE_UUID_TAIL = (
    "'-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))"
)


@compiles(uuid_generate_v7, "sqlite")
def _uuid_v7_sqlite(element: Any, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        f"lower(substr({_SQLITE_EPOCH_MS}, 1, 8) || '-' || substr({_SQLITE_EPOCH_MS}, 9, 4) "
        f"|| '-7' || substr(hex(randomblob(2)), 2) || {_SQLITE_UUID_TAIL})"
    )


class gen_random_uuid(FunctionElement[uuid.UUID]):
    """PostgreSQL's random (v4) UUID default."""

    type = UUID()
    inherit_cache = True
    generated_in_application_on_sqlite = True


@compiles(gen_random_uuid, "postgresql")
def _uuid_v4_pg(element: Any, compiler: SQLCompiler, **kw: Any) -> str:
    return "gen_random_uuid()"


@compiles(gen_random_uuid, "sqlite")
def _uuid_v4_sqlite(element: Any, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        f"lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) "
        f"|| {_SQLITE_UUID_TAIL})"
    )


class empty_array(sa.sql.expression.ColumnElement[Any]):
    """An empty array: ``'{}'`` on PostgreSQL, ``'[]'`` (JSON) on SQLite."""

    inherit_cache = True

    def __init__(self, type_: TypeEngine[Any]) -> None:
        self.type = type_

    def python_value(self) -> list[Any]:
        """The value as the application makes it (see ``goclaw_db.defaults``)."""
        return []


@compiles(empty_array, "postgresql")
def _empty_array_pg(element: Any, compiler: SQLCompiler, **kw: Any) -> str:
    pg_type = element.type.load_dialect_impl(compiler.dialect).compile(dialect=compiler.dialect)
    return f"'{{}}'::{pg_type}"


@compiles(empty_array, "sqlite")
def _empty_array_sqlite(element: Any, compiler: SQLCompiler, **kw: Any) -> str:
    return "'[]'"


# --- the desktop (SQLite) form of a column ----------------------------------
# GoClaw's desktop schema has no vector or tsvector columns and generates UUID
# keys in the application.  Revisions and metadata.create_all both compile
# columns through this hook, so both give the desktop form.


def _generated_in_application(column: Column[Any]) -> bool:
    default = getattr(column.server_default, "arg", None)
    return getattr(default, "generated_in_application_on_sqlite", False)


class _WithoutServerDefault:
    """A column seen without its server default; the column itself (often a model's, shared) stays as it is."""

    server_default = None

    def __init__(self, column: Column[Any]) -> None:
        self._column = column

    def __getattr__(self, name: str) -> Any:
        return getattr(self._column, name)


@compiles(CreateColumn, "sqlite")
def _desktop_column(element: CreateColumn, compiler: DDLCompiler, **kw: Any) -> str | None:
    column = element.element
    if is_pg_only(column.type):
        return None
    if _generated_in_application(column):
        element = CreateColumn(cast("Column[Any]", _WithoutServerDefault(column)))
    return cast("str | None", compiler.visit_create_column(element, **kw))  # type: ignore[no-untyped-call]
