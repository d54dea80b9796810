"""Column shapes that many GoClaw tables share, as ``Annotated`` aliases.

Use them as the argument of ``Mapped``; add ``| None`` for a nullable column::

    id: Mapped[uuid_pk]
    tenant_id: Mapped[tenant_fk]
    created_at: Mapped[timestamp_now | None]

Extra arguments (``info``, ``primary_key``) still go in ``mapped_column`` and
are merged with the alias.  The Python type of each alias is mapped to its
portable column type by ``Base.type_annotation_map`` (goclaw_db/base.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from sqlalchemy.orm import mapped_column

from goclaw_db.ids import uuid7
from goclaw_db.types import (
    EMBEDDING_DIMENSIONS,
    EmbeddingVector,
    gen_random_uuid,
    now,
    utc_now,
    uuid_generate_v7,
)

__all__ = [
    "embedding_vector",
    "random_uuid_pk",
    "tenant_fk",
    "timestamp_now",
    "timestamp_updated",
    "utc_now",
    "uuid_pk",
]

# A generated UUID key.  PostgreSQL keeps its server default (the catalog is
# GoClaw's); the Python default makes the id in the application, as GoClaw's
# desktop build does, so inserts work on SQLite, which has no UUID function.
uuid_pk = Annotated[uuid.UUID, mapped_column(primary_key=True, insert_default=uuid7, server_default=uuid_generate_v7())]

# The same for the tables whose PostgreSQL default is gen_random_uuid() (v4);
# ids made by the application are still time-ordered v7.
random_uuid_pk = Annotated[
    uuid.UUID, mapped_column(primary_key=True, insert_default=uuid7, server_default=gen_random_uuid())
]

# The owning tenant (no ON DELETE action; tables whose rows go with the tenant
# spell out their foreign key).
tenant_fk = Annotated[uuid.UUID, mapped_column(sa.ForeignKey("tenants.id"))]

# A moment that defaults to when the row is written: created_at, start_time and the like.
timestamp_now = Annotated[datetime, mapped_column(server_default=now())]


# When the row last changed: written at INSERT by the database, and at every
# UPDATE the ORM issues (GoClaw's Go code sets it in each UPDATE statement; the
# schema has no trigger), so "most recently updated" queries see Python's writes.
timestamp_updated = Annotated[datetime, mapped_column(server_default=now(), onupdate=utc_now)]

# A pgvector embedding.  Deferred: it is large (1536 floats) and seldom needed
# with the rest of the row, and GoClaw's desktop (SQLite) schema has no such
# column at all, so it must stay out of the default SELECT.  Read it with
# ``select(Model.embedding)`` or ``options(undefer(Model.embedding))``.
# ``evaluates_none()``: an embedding left unset is left out of the INSERT
# instead of being sent as NULL, so inserting a row never names the column the
# desktop schema lacks (setting it explicitly, even to None, still does).
embedding_vector = Annotated[
    list[float] | None,
    mapped_column(EmbeddingVector(EMBEDDING_DIMENSIONS).evaluates_none(), nullable=True, deferred=True),
]


# --- index shapes ------------------------------------------------------------


def where(condition: str) -> dict[str, Any]:
    """A partial index's condition, the same on both databases."""
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def hnsw_index(name: str, column: str = "embedding", *, where: str | None = None, **build: int) -> sa.Index:
    """A pgvector HNSW index for cosine distance (PostgreSQL only); ``build``: m, ef_construction."""
    return sa.Index(
        name,
        column,
        postgresql_using="hnsw",
        postgresql_ops={column: "vector_cosine_ops"},
        postgresql_with=build or None,
        postgresql_where=sa.text(where) if where else None,
    ).ddl_if(dialect="postgresql")


def gin_index(name: str, column: str) -> sa.Index:
    """A GIN index over a tsvector, array or jsonb column (PostgreSQL only)."""
    return sa.Index(name, column, postgresql_using="gin").ddl_if(dialect="postgresql")
