"""Engines and sessions for GoClaw's database: sync (psycopg 3) and async (asyncpg).

Both engines resolve the URL the way GoClaw does (goclaw_db.config), size their
connection pool as GoClaw sizes its own (25 connections open at most, 10 kept
idle; ``pool_max_conns`` in the DSN overrides, as GoClaw's database set-up
describes) and check a pooled connection before handing it out (pre-ping), so
a server restart does not surface as an error in the application.  On
PostgreSQL every new connection, psycopg's and asyncpg's, gets pgvector's
binary codec, so embeddings travel as packed float32 (4 bytes a dimension)
both ways on asyncpg and as parameters on psycopg (libpq reads a result in one
format for all its columns, so psycopg reads them as text); through SQLAlchemy
an embedding reads back as a plain ``list[float]`` (write a list or a
``numpy`` array).  On SQLite, every connection gets the settings GoClaw's
desktop build gives its own.

The sync engine compiles statements to PostgreSQL's own ``$1`` placeholders
and hands them to psycopg's ``RawCursor`` untouched, as the asyncpg engine
does: psycopg's translation of named placeholders costs more than the rest of
the client's work for an ORM ``add_all`` of thousands of rows (one statement
holds 13,000 placeholders).  So SQL given to ``exec_driver_sql`` or to the
psycopg connection itself takes ``$1``-style placeholders on these engines.
"""

from __future__ import annotations

import os
import re
import urllib.parse
import uuid
import weakref
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.orm import Session, sessionmaker

from goclaw_db.config import ConfigurationError, resolve_url
from goclaw_db.types import BINARY_VECTORS, PackedVector

__all__ = [
    "GOCLAW_POOL_IDLE",
    "GOCLAW_POOL_OPEN",
    "async_session_factory",
    "create_async_engine",
    "create_engine",
    "pool_options",
    "session_factory",
]

# GoClaw's own pool: database/sql with at most 25 open and 10 idle connections.
GOCLAW_POOL_OPEN = 25
GOCLAW_POOL_IDLE = 10


class _PackedVectorDumper(psycopg.adapt.Dumper):
    """Sends an embedding packed by ``EmbeddingVector``'s bind processor as it is (packs anything else)."""

    format = psycopg.pq.Format.BINARY

    def dump(self, obj: Any) -> bytes:
        return PackedVector.of(obj)


def _register_vector_psycopg(dbapi_connection: Any, _record: Any) -> None:
    from pgvector.psycopg import register_vector

    try:
        register_vector(dbapi_connection)
    except psycopg.ProgrammingError:
        return  # a database not migrated yet has no vector type to register
    finally:
        dbapi_connection.rollback()  # the type lookup opened a transaction
    oid = dbapi_connection.adapters.types["vector"].oid
    dumper = type("PackedVectorDumper", (_PackedVectorDumper,), {"oid": oid})
    dbapi_connection.adapters.register_dumper(PackedVector, dumper)


def _raw_cursors(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.cursor_factory = psycopg.RawCursor
    dbapi_connection.server_cursor_factory = psycopg.RawServerCursor


# The schema pgvector's extension put its type in (CREATE EXTENSION uses the first of the search path).
_VECTOR_SCHEMA = (
    "SELECT n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
    "WHERE t.typname = 'vector' ORDER BY n.nspname = 'public' DESC LIMIT 1"
)


async def _register_vector_asyncpg(connection: Any) -> None:
    from pgvector import Vector as PGVector
    from pgvector.asyncpg import register_vector

    schema = await connection.fetchval(_VECTOR_SCHEMA)
    if schema is None:  # a database not migrated yet has no vector type to register
        return
    await register_vector(connection, schema=schema)  # halfvec and sparsevec too
    await connection.set_type_codec(
        "vector", schema=schema, encoder=PackedVector.of, decoder=PGVector.from_binary, format="binary"
    )


def _register_vector_async_driver(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's adapted asyncpg connection runs a coroutine on the raw connection for a sync event.
    dbapi_connection.run_async(_register_vector_asyncpg)


# GoClaw's desktop build opens every connection to its file with these, so a
# program of ours beside it waits for its writer (busy_timeout) instead of
# failing with "database is locked", and keeps its foreign keys.
SQLITE_CONNECTION_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA busy_timeout = 15000",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA cache_size = -8000",
    "PRAGMA foreign_keys = ON",
)


def _sqlite_connection_settings(dbapi_connection: Any, _record: Any) -> None:
    for pragma in SQLITE_CONNECTION_PRAGMAS:
        dbapi_connection.execute(pragma)


_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def _go_duration_seconds(text: str) -> float:
    """Seconds in a Go duration such as ``1h30m`` or ``90s``."""
    parts = _GO_DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"pool duration {text!r} is not a Go duration such as 30m or 1h")
    return sum(float(n) * _SECONDS[u] for n, u in parts)


def pool_options(url: sa.URL) -> tuple[sa.URL, dict[str, Any]]:
    """The URL without pgx's pool parameters, and the engine options they and GoClaw's defaults give.

    A GoClaw DSN may carry pgx pool settings in its query string
    (``?pool_max_conns=40``); libpq refuses them, so they are taken out of the
    URL and become the pool's size: ``pool_max_conns`` connections at most, of
    which up to 10 stay idle; ``pool_max_conn_lifetime`` (a Go duration)
    recycles older connections.  The other ``pool_*`` parameters have no
    SQLAlchemy counterpart and are dropped.
    """
    if url.get_backend_name() != "postgresql":
        return url, {}
    pool_params = {k: v for k, v in url.query.items() if k.startswith("pool_")}
    url = url.difference_update_query(pool_params)
    most = GOCLAW_POOL_OPEN
    if "pool_max_conns" in pool_params:
        raw = pool_params["pool_max_conns"]
        text = raw if isinstance(raw, str) else raw[-1]
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"pool_max_conns={text!r} in the DSN: give a whole number of connections, 1 or more")
        most = int(text)
    idle = min(GOCLAW_POOL_IDLE, most)
    options: dict[str, Any] = {"pool_size": idle, "max_overflow": most - idle, "pool_pre_ping": True}
    if "pool_max_conn_lifetime" in pool_params:
        raw = pool_params["pool_max_conn_lifetime"]
        options["pool_recycle"] = _go_duration_seconds(raw if isinstance(raw, str) else raw[-1])
    return url, options


def create_engine(url: str | None = None, *, sqlite_path: str | os.PathLike[str] | None = None, **kw: Any) -> sa.Engine:
    """A sync engine for the GoClaw database (explicit URL, else GoClaw's environment).

    Keyword arguments go to :func:`sqlalchemy.create_engine` and win over the
    pool sizing described in the module docstring.
    """
    resolved, options = pool_options(resolve_url(url, sqlite_path=sqlite_path, driver="psycopg"))
    if "poolclass" in kw:
        options = {k: v for k, v in options.items() if k == "pool_pre_ping"}
    if resolved.get_backend_name() == "postgresql":
        options["paramstyle"] = "numeric_dollar"
    engine = sa.create_engine(resolved, **{**options, **kw})
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _register_vector_psycopg)
        if engine.dialect.paramstyle == "numeric_dollar":
            event.listen(engine, "connect", _raw_cursors)
        setattr(engine.dialect, BINARY_VECTORS, True)
    else:
        event.listen(engine, "connect", _sqlite_connection_settings)
    return engine


# libpq parameters a GoClaw DSN may carry (sslmode=disable in GoClaw's own compose files) that asyncpg
# reads only from a DSN string: SQLAlchemy hands asyncpg keywords, and asyncpg has none of these names.
_ASYNCPG_DSN_PARAMETERS = frozenset(
    {
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslpassword",
        "sslcrl",
        "sslnegotiation",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "application_name",  # asyncpg sends what its DSN leaves over as the session's settings
        "options",
    }
)
# Keywords SQLAlchemy's asyncpg dialect takes for itself.
_SQLALCHEMY_ASYNCPG_KEYWORDS = frozenset({"prepared_statement_cache_size", "prepared_statement_name_func"})


def asyncpg_connect_args(url: sa.URL) -> tuple[sa.URL, dict[str, Any]]:
    """The URL with libpq's parameters taken out, and the asyncpg ``connect_args`` that say the same.

    ``connect_timeout`` (seconds, 0 for none) becomes asyncpg's ``timeout``; the
    TLS settings, ``application_name`` and ``options`` go to asyncpg in a DSN
    of their own; asyncpg's own keywords stay.  Anything else has no asyncpg
    counterpart and is refused, naming it, rather than failing on first connect.
    """
    import inspect

    import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information

    own = set(inspect.signature(asyncpg.connect).parameters) | _SQLALCHEMY_ASYNCPG_KEYWORDS
    libpq = {key: value if isinstance(value, str) else value[-1] for key, value in url.query.items() if key not in own}
    unknown = sorted(set(libpq) - _ASYNCPG_DSN_PARAMETERS - {"connect_timeout"})
    if unknown:
        raise ConfigurationError(
            f"the async engine (asyncpg) has no counterpart of {', '.join(f'{k}=' for k in unknown)} in the DSN: "
            "remove it, or use create_engine() (psycopg reads every libpq parameter)"
        )
    connect_args: dict[str, Any] = {}
    if "connect_timeout" in libpq:
        seconds = libpq.pop("connect_timeout")
        if not seconds.lstrip("-").isdigit():
            raise ConfigurationError(f"connect_timeout={seconds!r} in the DSN: give whole seconds, e.g. 10")
        connect_args["timeout"] = int(seconds) if int(seconds) > 0 else None  # libpq: 0 waits for ever
    if libpq:
        connect_args["dsn"] = "postgresql://?" + urllib.parse.urlencode(libpq)
    return url.difference_update_query([*libpq, "connect_timeout"]), connect_args


def create_async_engine(url: str | None = None, **kw: Any) -> sa_asyncio.AsyncEngine:
    """An asyncio engine (asyncpg) for a GoClaw PostgreSQL database, pooled as :func:`create_engine`.

    GoClaw's DSN works as it is: its libpq parameters are translated for asyncpg
    (:func:`asyncpg_connect_args`); ``connect_args`` given here win.
    """
    resolved, options = pool_options(resolve_url(url, driver="asyncpg"))
    if resolved.get_backend_name() != "postgresql":
        raise ValueError("the async engine is for PostgreSQL; use create_engine() for SQLite")
    if "poolclass" in kw:
        options = {k: v for k, v in options.items() if k == "pool_pre_ping"}
    resolved, connect_args = asyncpg_connect_args(resolved)
    kw["connect_args"] = {**connect_args, **kw.get("connect_args", {})}
    engine = sa_asyncio.create_async_engine(resolved, **{**options, **kw})
    event.listen(engine.sync_engine, "connect", _register_vector_async_driver)
    setattr(engine.sync_engine.dialect, BINARY_VECTORS, True)
    return engine


class DatabaseBehindModels(RuntimeError):
    """The models are of a newer GoClaw schema version than the database they are used on."""


_ENGINES_AT_MODELS_VERSION: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def _require_database_at_models_version(_session: Session, _transaction: Any, connection: sa.Connection) -> None:
    """Before a session's first statement on an engine: the database has every column the models name.

    Read once per engine, in the session's own transaction.  A database without
    GoClaw's bookkeeping (one an application made with ``create_all``) or newer
    than the models (which read only the columns they know) passes.
    """
    engine = connection.engine
    if engine in _ENGINES_AT_MODELS_VERSION:
        return
    from goclaw_db.bookkeeping import desktop_schema_version
    from goclaw_db.runner.chain import head_version
    from goclaw_db.runner.version_table import recorded_version

    recorded, head = recorded_version(connection), head_version()
    if recorded is not None and recorded.version is not None and recorded.version < head:
        desktop = f" (desktop schema_version {desktop_schema_version(head)})" if recorded.desktop else ""
        raise DatabaseBehindModels(
            f"{recorded.describe()}, and these models are GoClaw schema version {head}{desktop}: run "
            "'goclaw-db upgrade' first, or use the goclaw-db release whose models match the database"
        )
    _ENGINES_AT_MODELS_VERSION.add(engine)


class _ModelsSession(Session):
    """The sessions of this package's factories: checked against the models' version (never other sessions)."""


event.listen(_ModelsSession, "after_begin", _require_database_at_models_version)


def _checked(session_class: type[Session]) -> type[Session]:
    """``session_class`` with the version check: this package's own classes only."""
    if not event.contains(session_class, "after_begin", _require_database_at_models_version):
        event.listen(session_class, "after_begin", _require_database_at_models_version)
    return session_class


def session_factory(engine: sa.Engine, *, tenant_id: uuid.UUID | None = None) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` that keep objects usable after commit.

    With ``tenant_id`` the sessions read and write only that tenant's rows
    (:mod:`goclaw_db.tenancy` says exactly what is scoped and what is not).
    A database at an older GoClaw version than the models is refused with
    :class:`DatabaseBehindModels` before the first statement, not with the
    first "column does not exist".
    """
    if tenant_id is None:
        return cast("sessionmaker[Session]", sessionmaker(engine, class_=_ModelsSession, expire_on_commit=False))
    from goclaw_db.tenancy import TENANT_KEY, TenantSession

    return sessionmaker(engine, class_=_checked(TenantSession), expire_on_commit=False, info={TENANT_KEY: tenant_id})


def async_session_factory(
    engine: sa_asyncio.AsyncEngine, *, tenant_id: uuid.UUID | None = None
) -> sa_asyncio.async_sessionmaker[sa_asyncio.AsyncSession]:
    """Asyncio sessions bound to ``engine``; the same settings as :func:`session_factory`.

    Load what an object does not hold yet with ``await obj.awaitable_attrs.name``
    (relationships and deferred columns such as ``embedding``) or up front with
    ``selectinload``/``undefer``; touching it directly would need I/O outside
    the event loop (``MissingGreenlet``).
    """
    if tenant_id is None:
        return sa_asyncio.async_sessionmaker(engine, sync_session_class=_ModelsSession, expire_on_commit=False)
    from goclaw_db.tenancy import TENANT_KEY, TenantSession

    return sa_asyncio.async_sessionmaker(
        engine, sync_session_class=_checked(TenantSession), expire_on_commit=False, info={TENANT_KEY: tenant_id}
    )
