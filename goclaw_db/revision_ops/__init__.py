"""The operations GoClaw's revisions call as ``op.<name>``: one chain, two schemas.

One revision builds both GoClaw schemas: PostgreSQL with pgvector, and the
desktop build's SQLite file.  Importing this package registers the operations
below on Alembic's ``Operations`` (its operation plugins), so a revision reads
``op.<something>`` throughout; each name says where it acts, and none is
Alembic's own.

Both databases, in the desktop's form on SQLite (``portable``):
    ``create_portable_table``, ``add_portable_columns``, ``drop_portable_columns``,
    ``alter_portable_table`` (a ``with`` block, as ``batch_alter_table``),
    ``create_portable_index``, ``drop_portable_index``,
    ``create_portable_index_concurrently``, ``drop_portable_unique_constraint``,
    ``delete_portable_rows``.
PostgreSQL only (nothing on SQLite):
    ``create_postgresql_index``, ``create_gin_index``, ``create_hnsw_index``,
    ``drop_postgresql_index``, ``execute_on_postgresql``,
    ``create_postgresql_extension``, ``create_postgresql_extension_if_offered``,
    ``drop_postgresql_extension``, ``drop_postgresql_function``.
SQLite only (nothing on PostgreSQL, which searches tsvector columns):
    ``create_fts5_index``, ``drop_fts5_index``.
In a downgrade that cannot restore the rows its upgrade changed:
    ``keep_data_changes`` (says so, and why).

Alembic's own ``op.drop_table`` and ``op.execute`` act alike on both and
are used as they are; ``tests/test_revision_rules.py`` holds revisions to
this vocabulary.  Importing the package also makes
those announce the rows they change (``announcements``).
"""

from goclaw_db.revision_ops import announcements, fts5, portable, postgresql_only, sqlite_rebuild
from goclaw_db.revision_ops._registry import REVISION_OPERATIONS

__all__ = ["REVISION_OPERATIONS", "announcements", "fts5", "portable", "postgresql_only", "sqlite_rebuild"]
