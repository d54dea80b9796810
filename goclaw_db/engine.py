"""Engines for GoClaw's database: sync (psycopg 3) and async (asyncpg).

Both resolve the URL the way GoClaw does (goclaw_db.config) and register
pgvector's types on every new PostgreSQL connection, so embeddings travel in
pgvector's binary form (psycopg).  Through SQLAlchemy an embedding reads back as a plain
``list[float]``; pass a list or a ``numpy`` array when writing.  On SQLite,
every connection gets the settings GoClaw's desktop build gives its own.
"""

from __future__ import annotations

import os

import psycopg
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.orm import sessionmaker

from goclaw_db.config import resolve_url


def _register_vector_psycopg(dbapi_connection, _record) -> None:
    from pgvector.psycopg import register_vector

    try:
        register_vector(dbapi_connection)
    except psycopg.ProgrammingError:
        pass  # a database not migrated yet has no vector type to register
    finally:
        dbapi_connection.rollback()  # the type lookup opened a transaction


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


def _sqlite_connection_settings(dbapi_connection, _record) -> None:
    for pragma in SQLITE_CONNECTION_PRAGMAS:
        dbapi_connection.execute(pragma)


def create_engine(
    url: str | None = None, *, sqlite_path: str | os.PathLike | None = None, **kw
) -> sa.Engine:
    """A sync engine for the GoClaw database (explicit URL, else GoClaw's environment)."""
    engine = sa.create_engine(resolve_url(url, sqlite_path=sqlite_path, driver="psycopg"), **kw)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _register_vector_psycopg)
    else:
        event.listen(engine, "connect", _sqlite_connection_settings)
    return engine


def create_async_engine(url: str | None = None, **kw) -> sa_asyncio.AsyncEngine:
    """An asyncio engine (asyncpg) for a GoClaw PostgreSQL database."""
    resolved = resolve_url(url, driver="asyncpg")
    if resolved.get_backend_name() != "postgresql":
        raise ValueError("the async engine is for PostgreSQL; use create_engine() for SQLite")
    # No asyncpg codec: pgvector's SQLAlchemy type already sends vectors as text,
    # and a binary codec on the connection would refuse that text.
    return sa_asyncio.create_async_engine(resolved, **kw)


def session_factory(engine: sa.Engine) -> sessionmaker:
    """Sessions bound to ``engine`` that keep objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
