"""Tables that GoClaw's binaries read to decide whether they accept a database.

``schema_migrations`` is golang-migrate's: one row, the version reached and a
``dirty`` flag.  ``data_migrations`` is GoClaw's record of data hooks that ran.
Neither belongs to a revision: golang-migrate creates its table before the
first migration, so a database at version 0 already has both.

GoClaw's desktop (SQLite) build keeps its own counter instead: one row in
``schema_version``.  The desktop schema has one version, 12, and it is what
the chain builds at GoClaw version 44; versions below have no desktop number,
so the table is there (empty) from the first run and holds 12 only at 44.
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

# The desktop build's schema version and the GoClaw (PostgreSQL) version it equals.
DESKTOP_SCHEMA_VERSION = 12
DESKTOP_EQUIVALENT_VERSION = 44
