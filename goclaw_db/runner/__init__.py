"""The migration runner: GoClaw's revision chain applied to one database, safely.

The public API, used by ``goclaw-db``, by ``alembic/env.py`` and by programs:

- ``Migrator(url)``: the migrate commands (``current``, ``status``, ``upgrade``,
  ``down``, ``goto``, ``force``, ``drop``), and ``Status``;
- ``alembic_config(url)``: an Alembic Config for ``alembic.command`` calls;
- ``head_version()``, ``chain_versions()``, ``script_location()``, ``version_number()``,
  ``revision_id()``: the chain, and GoClaw's version numbers as revision ids;
- ``migration_connection(url)``: a connection with the runner's settings, its
  engine disposed on the way out.

What a run does around the revisions lives in the modules beside this one:
``preflight`` (databases that cannot hold the schema), ``refusals`` (databases
that are not GoClaw's to change), ``version_table`` (where the version is
recorded), ``adoption`` (databases GoClaw's binary migrated) and
``desktop_ladder`` (GoClaw's desktop files), ``locking`` (the migration lock and
timeouts) and ``run_lock``, ``sqlite_transactions``, ``sqlite_foreign_keys`` and ``driver``.  Importing this package
does not load Alembic.
"""

from goclaw_db.runner.chain import (
    alembic_config,
    chain_versions,
    head_version,
    revision_id,
    script_location,
    version_number,
)
from goclaw_db.runner.connection import migration_connection
from goclaw_db.runner.migrator import Migrator, Status

__all__ = [
    "Migrator",
    "Status",
    "alembic_config",
    "chain_versions",
    "head_version",
    "migration_connection",
    "revision_id",
    "script_location",
    "version_number",
]
