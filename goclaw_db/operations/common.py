"""What the operations share: an engine with GoClaw's connection settings, the database's identity."""

from __future__ import annotations

import argparse
import shlex
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from goclaw_db.config import display_url
from goclaw_db.engine import create_engine
from goclaw_db.runner.errors import refusal
from goclaw_db.runner.preflight import require_sqlite_file
from goclaw_db.runner.version_table import goclaw_version


def open_engine(url: sa.URL, *, read_only: bool = False) -> sa.Engine:
    """An engine without a pool; on SQLite the file must exist (an operation never creates one).

    GoClaw's connection settings switch a SQLite file to WAL; a ``read_only``
    engine opens the file as it is and cannot write to it, for the commands
    that only look.
    """
    if url.get_backend_name() == "sqlite":
        if not url.database or not Path(url.database).is_file():
            raise refusal(
                f"there is no SQLite database at {url.database}: give GoClaw's goclaw.db "
                "with --sqlite PATH; nothing was changed."
            )
        require_sqlite_file(url.database)
        if read_only:
            path = Path(url.database).resolve().as_uri()
            return sa.create_engine(
                url,
                poolclass=sa.pool.NullPool,
                creator=lambda: sqlite3.connect(f"{path}?mode=ro", uri=True, timeout=15),
            )
    return create_engine(url.render_as_string(hide_password=False), poolclass=sa.pool.NullPool)


def existing_tables(connection: sa.Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())


def require_goclaw_database(connection: sa.Connection) -> tuple[int, bool]:
    """The recorded (version, dirty), refusing a database that records no GoClaw version."""
    recorded = goclaw_version(connection)
    if recorded is None:
        raise refusal(
            f"{display_url(connection.engine.url)} records no GoClaw schema version: it is not a "
            "GoClaw database (or was never migrated); nothing was changed."
        )
    return recorded


def first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return (str(orig or exc).strip().splitlines() or [type(exc).__name__])[0]


def command_for(args: argparse.Namespace, url: sa.URL, command: str) -> str:
    """``goclaw-db COMMAND`` on the database this run was given, for a hint (its password shown as ***).

    Without the ``--dsn`` or ``--sqlite`` the run was given, the suggested
    command would look at GoClaw's default database instead.
    """
    if args.dsn is not None:
        return f"goclaw-db --dsn {shlex.quote(display_url(url))} {command}"
    if args.sqlite is not None:
        return f"goclaw-db --sqlite {shlex.quote(args.sqlite)} {command}"
    return f"goclaw-db {command}"  # GoClaw's environment names the database
