"""Tables that GoClaw's binaries read to decide whether they accept a database.

``schema_migrations`` is golang-migrate's: one row, the version reached and a
``dirty`` flag.  ``data_migrations`` is GoClaw's record of data hooks that ran.
Neither belongs to a revision: golang-migrate creates its table before the
first migration, so a database at version 0 already has both.

GoClaw's desktop (SQLite) build keeps its own counter instead: one row in
``schema_version``, with numbers of its own.  ``DESKTOP_SCHEMA_VERSIONS`` says
which number the chain's file records after each GoClaw version; versions
before its first entry have no desktop number, so the table is there (empty)
from the first run and fills at the first entry.
"""

from __future__ import annotations

import sqlalchemy as sa

from goclaw_db.base import metadata
from goclaw_db.types import Timestamp, now

schema_migrations = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column(
        "version", sa.BigInteger, primary_key=True, autoincrement=False, info={"doc": "GoClaw schema version reached."}
    ),
    sa.Column(
        "dirty",
        sa.Boolean,
        nullable=False,
        info={"doc": "True while a migration is part-way; a dirty database is refused."},
    ),
    info={"doc": "golang-migrate's record of the schema version: one row, read by GoClaw's binaries."},
)

data_migrations = sa.Table(
    "data_migrations",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True, info={"doc": "Name of the data hook."}),
    sa.Column("version", sa.Integer, nullable=False, info={"doc": "Schema version the hook belongs to."}),
    sa.Column("applied_at", Timestamp, nullable=False, server_default=now(), info={"doc": "When the hook ran."}),
    info={"doc": "GoClaw's record of the data hooks that have run, one row per hook."},
)

POSTGRES_BOOKKEEPING = (schema_migrations, data_migrations)

# A separate MetaData: the table exists on SQLite only, so the models' metadata
# (and the PostgreSQL catalog built from it) never sees it.
schema_version = sa.Table(
    "schema_version",
    sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
)

# GoClaw version -> the desktop ``schema_version`` the chain's SQLite file records after it: the one
# place the two numberings meet.  Every revision from the first entry on has one, in order
# (tests/test_revision_rules.py fails on a revision without); GoClaw's releases pair them as
# 44/12, 47/15, 49/17, 55/24, 56/25, 57/26, 99000-99001/37, 99002/49.
# The desktop steps after 12 each mirror one migration: 12->13 is 45's recall columns, 13->14 46's
# documents without an agent, 14->15 47's unique cron job names (47's file names reach the desktop
# only at 16).
DESKTOP_SCHEMA_VERSIONS: dict[int, int] = {44: 12, 45: 13, 46: 14, 47: 15}
NEWEST_DESKTOP_SCHEMA_VERSION = max(DESKTOP_SCHEMA_VERSIONS.values())


def desktop_schema_version(goclaw_version: int) -> int | None:
    """The desktop ``schema_version`` of the chain's file at ``goclaw_version``, or None before the first."""
    return DESKTOP_SCHEMA_VERSIONS.get(goclaw_version)


def goclaw_version_of_desktop(desktop: int) -> int | None:
    """The GoClaw version a desktop ``schema_version`` counts as; None for one newer than this package knows.

    A number between two entries counts as the older entry's version, and one below
    the first as the first: adopting such a file rebuilds it at the chain's head
    (``goclaw_db.runner.desktop_ladder``), and until then it is at least that old.
    """
    if desktop > NEWEST_DESKTOP_SCHEMA_VERSION:
        return None
    reached = [version for version, number in DESKTOP_SCHEMA_VERSIONS.items() if number <= desktop]
    return max(reached, default=min(DESKTOP_SCHEMA_VERSIONS))


def desktop_version(connection: sa.Connection) -> int | None:
    """The desktop build's ``schema_version`` a file records, or None where the file has none."""
    if not sa.inspect(connection).has_table("schema_version"):
        return None
    version: int | None = connection.scalar(sa.select(sa.func.max(schema_version.c.version)))
    return version
