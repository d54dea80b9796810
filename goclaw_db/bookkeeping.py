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
    sa.Column("version", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("dirty", sa.Boolean, nullable=False),
)

data_migrations = sa.Table(
    "data_migrations",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("applied_at", Timestamp, nullable=False, server_default=now()),
)

POSTGRES_BOOKKEEPING = (schema_migrations, data_migrations)
