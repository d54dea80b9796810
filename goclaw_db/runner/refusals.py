"""Databases a run refuses before it changes anything, and what it refuses to be handed."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from goclaw_db import ownership
from goclaw_db.bookkeeping import DESKTOP_SCHEMA_VERSIONS
from goclaw_db.config import display_url
from goclaw_db.runner.errors import refusal
from goclaw_db.runner.version_table import alembic_revision, goclaw_version

log = logging.getLogger(__name__)

# What the chain builds on SQLite and GoClaw's desktop build does not make
# (see tests/reference/sqlite_goclaw.json).  The downgrades alter or drop them,
# so a desktop file GoClaw made cannot be taken below the desktop's first schema version.
CHAIN_ONLY_DESKTOP_OBJECTS = (
    "vault_versions",
    "idx_episodic_expires",
    "idx_kg_entities_temporal",
    "idx_kg_relations_temporal",
    "idx_skills_slug",
    "idx_subagent_tasks_archive",
)


def refuse_foreign_database(connection: sa.Connection) -> None:
    """Refuse a database with no GoClaw version whose tables already carry GoClaw's names.

    Such tables belong to another application (or to a GoClaw whose records
    were lost): creating the schema around them would mix two owners' data.
    Other applications' tables are fine beside GoClaw's and are left alone.
    """
    # The tables first, the version after: a concurrent first run commits its
    # tables and its version together, so whoever sees its tables sees its
    # version too, and a run never mistakes it for a stranger.
    names = ownership.table_names(connection)
    recorded = goclaw_version(connection)
    if (recorded and recorded[0]) or alembic_revision(connection):
        return
    inventory = ownership.classify(connection, names)
    if inventory.goclaw_tables:
        raise refusal(
            f"{display_url(connection.engine.url)} records no GoClaw version but already has tables with "
            f"GoClaw's names ({', '.join(inventory.goclaw_tables)}): it is not a GoClaw database. Migrate an "
            "empty database, or move those tables away; nothing was changed."
        )
    if inventory.foreign_tables:
        log.warning(
            "leaving %d tables that are not GoClaw's: %s",
            len(inventory.foreign_tables),
            ", ".join(inventory.foreign_tables),
        )


def refuse_downgrade_of_goclaw_desktop_file(connection: sa.Connection) -> None:
    """Refuse, before any change, to downgrade a SQLite file that GoClaw's desktop build made."""
    if connection.dialect.name != "sqlite":
        return
    present = set(connection.scalars(sa.text("SELECT name FROM sqlite_master")))
    missing = [name for name in CHAIN_ONLY_DESKTOP_OBJECTS if name not in present]
    if missing:
        raise refusal(
            f"this desktop file was made by GoClaw (it has no {', '.join(missing)}, which the downgrades need) "
            "and cannot be downgraded: GoClaw's desktop has no schema before version "
            f"{min(DESKTOP_SCHEMA_VERSIONS.values())}. Nothing was changed."
        )


def handed_connectable(given: object) -> sa.Connection | sa.Engine:
    """What a caller put in ``config.attributes["connection"]``, or a one-line refusal.

    A wrapper that holds a Connection in ``.connection`` (pytest-alembic's
    stand-in for an Engine) means that Connection.  Nothing else is guessed at:
    falling back to the URL would migrate GoClaw's default database instead.
    """
    if isinstance(given, (sa.Connection, sa.Engine)):
        return given
    wrapped = getattr(given, "connection", None)
    if isinstance(wrapped, sa.Connection):
        return wrapped
    raise refusal(
        f"config.attributes['connection'] holds a {type(given).__name__}: hand over a SQLAlchemy "
        "Connection or Engine (or nothing, to use the URL)."
    )
