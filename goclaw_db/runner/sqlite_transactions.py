"""A SQLite run's transactions: each revision one transaction, its DDL included."""

from __future__ import annotations

import sqlalchemy as sa

from goclaw_db.runner.driver import driver_connection
from goclaw_db.runner.errors import refusal


def transactional_sqlite(connection: sa.Connection) -> None:
    """Make each revision one SQLite transaction, its DDL included.

    Python's sqlite3 module by default opens a transaction only before data
    changes, so a revision that failed half-way would keep its earlier DDL.
    Here the driver stays out of it and every SQLAlchemy transaction starts
    with ``BEGIN IMMEDIATE``, which also makes a second migrator wait its turn.
    """
    if connection.dialect.name != "sqlite":
        return
    connection.rollback()
    driver_connection(connection).isolation_level = None
    sa.event.listen(connection, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))


def enter_callers_sqlite_transaction(connection: sa.Connection) -> None:
    """SQLite, in a caller's transaction: refuse foreign keys on, and make the transaction real.

    Table rebuilds need foreign keys off, and only the caller can set that:
    ``PRAGMA foreign_keys`` is ignored inside a transaction, and with it on the
    rebuild's ``DROP TABLE`` would delete (by cascade) rows of other tables.
    """
    if connection.dialect.name != "sqlite":
        return
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise refusal(
            "foreign keys are on in the transaction handed over, and SQLite cannot switch them off inside it: "
            "run 'PRAGMA foreign_keys = OFF' before beginning it, or hand over an Engine."
        )
    if not driver_connection(connection).in_transaction:
        # pysqlite opens its transaction lazily, before the first data change; the DDL must be in it too.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
