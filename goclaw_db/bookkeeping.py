"""Tables that GoClaw's binaries read to decide whether they accept a database.

``schema_migrations`` is golang-migrate's: one row, the version reached and a
``dirty`` flag.  ``data_migrations`` is GoClaw's record of data hooks that ran.
Neither belongs to a revision: golang-migrate creates its table before the
first migration, so a database at version 0 already has both.
"""

from __future__ import annotations

import sqlalchemy as sa

from goclaw_db.base import metadata
from goclaw_db.types import Timestamp, now

schema_migrations = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column("version", sa.BigInteger, primary_key=True, autoincrement=False,
              info={"doc": "GoClaw schema version reached."}),
    sa.Column("dirty", sa.Boolean, nullable=False,
              info={"doc": "True while a migration is part-way; a dirty database is refused."}),
    info={"doc": "golang-migrate's record of the schema version: one row, read by GoClaw's binaries."},
)

data_migrations = sa.Table(
    "data_migrations",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True, info={"doc": "Name of the data hook."}),
    sa.Column("version", sa.Integer, nullable=False,
              info={"doc": "Schema version the hook belongs to."}),
    sa.Column("applied_at", Timestamp, nullable=False, server_default=now(),
              info={"doc": "When the hook ran."}),
    info={"doc": "GoClaw's record of the data hooks that have run, one row per hook."},
)

POSTGRES_BOOKKEEPING = (schema_migrations, data_migrations)
