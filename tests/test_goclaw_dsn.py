"""GoClaw's own DSN works on both engines of ``goclaw_db.engine``, psycopg's and asyncpg's.

GoClaw's compose files and ``.env.example`` write ``postgres://...?sslmode=disable``
and operators add ``connect_timeout=``; pgx and libpq read them, asyncpg does not
take them as keywords (SQLAlchemy passes the query string as keywords).  The
async engine translates what asyncpg can do and refuses the rest in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from goclaw_db.config import ConfigurationError
from goclaw_db.engine import create_async_engine, create_engine


def goclaw_dsn(url: str, **parameters: str) -> str:
    """``url`` written as GoClaw writes its DSN (``postgres://``, ``sslmode=disable``), with more parameters."""
    parsed = sa.make_url(url).set(drivername="postgres")
    return parsed.update_query_dict({"sslmode": "disable", **parameters}).render_as_string(hide_password=False)


def session_setting(dsn: str, driver: str, query: str) -> object:
    """One value read through an engine of ``goclaw_db.engine`` for ``driver``."""
    if driver == "psycopg":
        engine = create_engine(dsn, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                return connection.scalar(sa.text(query))
        finally:
            engine.dispose()

    async def read() -> object:
        engine = create_async_engine(dsn, poolclass=sa.pool.NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.scalar(sa.text(query))
        finally:
            await engine.dispose()

    return asyncio.run(read())


@pytest.mark.parametrize("driver", ["psycopg", "asyncpg"])
def test_goclaws_dsn_with_sslmode_and_connect_timeout_connects_on_both_drivers(postgres_url, driver):
    dsn = goclaw_dsn(postgres_url, connect_timeout="10", application_name="goclaw-worker")
    assert session_setting(dsn, driver, "SELECT current_setting('application_name')") == "goclaw-worker"


SSL_REQUEST = struct.pack("!ii", 8, 80877103)  # what a client sends first when it may use TLS


@contextlib.contextmanager
def first_messages() -> Iterator[tuple[int, list[bytes]]]:
    """(port, list): a listener on 127.0.0.1 that keeps the first 8 bytes of each connection and hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # so that the thread sees the end of the test
    received: list[bytes] = []
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            with client:
                client.settimeout(10)
                received.append(client.recv(8))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], received
    finally:
        done.set()
        thread.join()
        listener.close()


@pytest.mark.parametrize("driver", ["psycopg", "asyncpg"])
@pytest.mark.parametrize("sslmode", ["disable", "require"])
def test_sslmode_reaches_the_driver(driver, sslmode):
    # disable: the client starts without asking for TLS; require: it asks first (asyncpg's default, prefer, asks too).
    # The listener hangs up, so connecting fails whatever the client sent.
    with first_messages() as (port, received), pytest.raises(Exception):  # noqa: B017
        session_setting(f"postgres://goclaw@127.0.0.1:{port}/goclaw?sslmode={sslmode}", driver, "SELECT 1")
    assert received and (received[0] == SSL_REQUEST) == (sslmode == "require")


def test_a_libpq_parameter_asyncpg_cannot_follow_is_refused_in_one_line(postgres_url):
    with pytest.raises(ConfigurationError) as refused:
        create_async_engine(goclaw_dsn(postgres_url, keepalives="1"))
    assert "keepalives=" in str(refused.value) and "create_engine()" in str(refused.value)
    assert "\n" not in str(refused.value)
