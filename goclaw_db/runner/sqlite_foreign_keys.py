"""SQLite's foreign keys, off while the revisions run and checked after each one.

A revision that rebuilds a table drops the old one, and with foreign keys on
that drop deletes (ON DELETE CASCADE) or clears (SET NULL) every row pointing
at it.  So a run turns them off, checks each revision as SQLite would have
(``PRAGMA foreign_key_check``, inside the revision's transaction), and gives
the connection its setting back at the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from goclaw_db.runner.chain import version_number
from goclaw_db.runner.driver import driver_connection
from goclaw_db.runner.errors import refusal

if TYPE_CHECKING:
    from alembic.runtime.migration import MigrationContext, MigrationInfo

_FOREIGN_KEYS_BEFORE = "goclaw_sqlite_foreign_keys_before"


def suspend_sqlite_foreign_keys(connection: sa.Connection) -> None:
    """Turn SQLite's foreign keys off for this run; ``restore_sqlite_foreign_keys`` puts the setting back.

    SQLite ignores the PRAGMA inside a transaction, so it is set here, between
    transactions, on the driver's connection (through SQLAlchemy it would open
    one), and checked.
    """
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = driver_connection(connection)
    connection.info[_FOREIGN_KEYS_BEFORE] = _sqlite_foreign_keys_on(dbapi_connection)
    dbapi_connection.execute("PRAGMA foreign_keys = OFF")
    if _sqlite_foreign_keys_on(dbapi_connection):
        raise refusal(
            "SQLite foreign keys are on and cannot be turned off inside the connection's open transaction; "
            "commit or roll it back (or set PRAGMA foreign_keys = OFF before it) and run again."
        )


def restore_sqlite_foreign_keys(connection: sa.Connection) -> None:
    """Give the connection back the foreign-key setting it had before ``suspend_sqlite_foreign_keys``."""
    if not connection.info.pop(_FOREIGN_KEYS_BEFORE, False):
        return
    if connection.in_transaction():
        connection.rollback()  # what a failed run left open; the PRAGMA would be ignored inside it
    driver_connection(connection).execute("PRAGMA foreign_keys = ON")


def _sqlite_foreign_keys_on(dbapi_connection: Any) -> bool:
    return bool(dbapi_connection.execute("PRAGMA foreign_keys").fetchone()[0])


def check_sqlite_foreign_keys(ctx: MigrationContext, step: MigrationInfo) -> None:
    """Fail the revision if it leaves a row pointing at no row, so that nothing of it is kept.

    It runs inside the revision's own transaction.
    """
    if ctx.dialect.name != "sqlite" or ctx.as_sql:
        return
    assert ctx.connection is not None  # online: Alembic runs revisions on a connection
    dangling = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if dangling:
        table, parent = dangling[0][0], dangling[0][2]
        rows = sum(1 for row in dangling if row[0] == table and row[2] == parent)
        direction = "upgrade to" if step.is_upgrade else "downgrade from"
        raise refusal(
            f"the {direction} version {version_number(step.up_revision_id)} would leave {rows} row(s) of {table} "
            f"referring to rows of {parent} that do not exist (PRAGMA foreign_key_check), so it was not applied: "
            f"repair or delete those rows and run again."
        )
