"""Engines pool connections as GoClaw does.

GoClaw opens at most 25 connections to PostgreSQL and keeps 10 idle; a DSN's
``pool_max_conns`` changes the cap (GoClaw's database set-up documents it), and
libpq must not see that parameter.  A connection the server dropped is
replaced before use (pre-ping) instead of failing the application's query.
"""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from goclaw_db.engine import (
    GOCLAW_POOL_IDLE,
    GOCLAW_POOL_OPEN,
    create_async_engine,
    create_engine,
    pool_options,
)


@pytest.fixture
def url(make_postgres_database) -> str:
    return make_postgres_database()


def with_pool_max_conns(url: str, n: int) -> str:
    return sa.make_url(url).update_query_dict({"pool_max_conns": str(n)}).render_as_string(hide_password=False)


def test_default_pool_is_goclaws_25_open_10_idle_with_pre_ping(url):
    engine = create_engine(url)
    try:
        assert (engine.pool.size(), engine.pool.size() + engine.pool._max_overflow) == (10, 25)
        assert engine.pool._pre_ping
    finally:
        engine.dispose()
    assert (GOCLAW_POOL_IDLE, GOCLAW_POOL_OPEN) == (10, 25)


def test_pool_max_conns_in_the_dsn_caps_open_connections(url):
    engine = create_engine(with_pool_max_conns(url, 3), pool_timeout=0.5)
    held = [engine.connect() for _ in range(3)]
    try:
        with pytest.raises(sa.exc.TimeoutError):
            engine.connect()
    finally:
        for conn in held:
            conn.close()
        engine.dispose()


def test_pool_parameters_stay_out_of_the_connection_string():
    stripped, options = pool_options(
        sa.make_url(
            "postgresql+psycopg://u@h/db?sslmode=disable&pool_max_conns=40&pool_min_conns=2&pool_max_conn_lifetime=1h30m"
        )
    )
    assert dict(stripped.query) == {"sslmode": "disable"}
    assert options == {"pool_size": 10, "max_overflow": 30, "pool_pre_ping": True, "pool_recycle": 5400.0}


@pytest.mark.parametrize("value", ["0", "many", "-4"])
def test_a_bad_pool_max_conns_is_refused_in_one_line(value):
    with pytest.raises(ValueError, match=r"pool_max_conns=.* give a whole number of connections"):
        pool_options(sa.make_url(f"postgresql://u@h/db?pool_max_conns={value}"))


def test_a_connection_the_server_dropped_is_replaced_before_use(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with create_engine(url, poolclass=sa.pool.NullPool).connect() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()


def test_async_engine_honours_pool_max_conns(url):
    async def main():
        engine = create_async_engine(with_pool_max_conns(url, 2), pool_timeout=0.5)
        held = [await engine.connect() for _ in range(2)]
        try:
            with pytest.raises(sa.exc.TimeoutError):
                await engine.connect()
        finally:
            for conn in held:
                await conn.close()
            await engine.dispose()

    asyncio.run(main())


def test_async_engine_default_pool_is_goclaws_with_pre_ping(url):
    engine = create_async_engine(url)
    try:
        pool = engine.sync_engine.pool
        assert (pool.size(), pool.size() + pool._max_overflow, pool._pre_ping) == (10, 25, True)
    finally:
        asyncio.run(engine.dispose())


def test_sync_engine_takes_postgres_placeholders_in_driver_sql(url):
    # psycopg's RawCursor under the engine: SQL given to the driver uses $1, as on asyncpg.
    engine = create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT $1::int + 1", (41,)).scalar() == 42
    finally:
        engine.dispose()
