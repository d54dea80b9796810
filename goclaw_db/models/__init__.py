"""SQLAlchemy models of GoClaw's tables, one module per domain."""

from goclaw_db import bookkeeping  # noqa: F401  (registers schema_migrations, data_migrations)
from goclaw_db.base import Base, metadata

__all__ = ["Base", "metadata"]
