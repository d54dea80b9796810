"""Taking over a database GoClaw's own binary migrated: the chain continues from the version it records."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from goclaw_db.bookkeeping import desktop_version
from goclaw_db.runner import desktop_ladder
from goclaw_db.runner.chain import revision_id, script_directory
from goclaw_db.runner.errors import refusal
from goclaw_db.runner.version_table import goclaw_version


def adopt(connection: sa.Connection, *, in_callers_transaction: bool = False) -> None:
    """Stamp a database that records its version only in GoClaw's bookkeeping at that version.

    GoClaw records its version only in ``schema_migrations``; a database with
    that row and no Alembic version is stamped at the same version, so the
    chain continues from there.  A dirty or too-new database (``goclaw_version``)
    is refused before anything changes.
    """
    recorded = goclaw_version(connection)
    if recorded is None:
        return
    version, dirty = recorded
    if dirty:
        raise refusal(
            f"the database is dirty at version {version}: a migration stopped part-way. "
            f"Repair what it left, then run: goclaw-db migrate force {version - 1}"
        )
    context = MigrationContext.configure(connection)
    if context.get_current_revision() is None and version > 0:
        if in_callers_transaction:
            if desktop_version(connection) is not None:
                raise refusal(
                    "adopting a GoClaw desktop file rebuilds its tables and needs transactions of its own: "
                    "hand over an Engine (or nothing) instead of a Connection in a transaction."
                )
            context.stamp(script_directory(), revision_id(version))
            return
        # A desktop file is made the chain's head file first, in the same transaction as the stamp,
        # which then records the version the file has reached (the head's), not the one it had.
        with desktop_ladder.brought_to_head(connection):
            reached, _dirty = goclaw_version(connection) or recorded
            context.stamp(script_directory(), revision_id(reached))
            connection.commit()
