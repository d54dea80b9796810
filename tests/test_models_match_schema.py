"""The ORM models describe exactly the schema the revision chain builds.

Alembic's autogenerate comparison is run against a database at head: any
table, column, type, nullability, server default, constraint or index that
differs between the models and the database shows up as a difference.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from goclaw_db import models
from goclaw_db.bookkeeping import POSTGRES_BOOKKEEPING
from tests.support import HEAD, postgres_reference


def _not_alembic_version(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name is not None and name.endswith("alembic_version"))


def test_models_have_no_differences_from_the_head_schema(make_database_at):
    engine = sa.create_engine(make_database_at(HEAD), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    "include_object": _not_alembic_version,
                },
            )
            differences = compare_metadata(context, models.Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_every_goclaw_table_has_a_model():
    bookkeeping = {table.name for table in POSTGRES_BOOKKEEPING}
    goclaw_tables = set(postgres_reference(HEAD)["tables"]) - bookkeeping
    mapped = {mapper.local_table.name for mapper in models.Base.registry.mappers}
    assert goclaw_tables - mapped == set()
    assert mapped - goclaw_tables == set()


def test_every_model_is_exported_from_the_package():
    exported = {getattr(models, name) for name in models.__all__}
    assert {mapper.class_ for mapper in models.Base.registry.mappers} <= exported


def test_models_create_a_desktop_schema_on_sqlite(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'goclaw.db'}")
    try:
        models.Base.metadata.create_all(engine)
        inspector = sa.inspect(engine)
        chunk_columns = {column["name"] for column in inspector.get_columns("memory_chunks")}
        chunk_indexes = {index["name"] for index in inspector.get_indexes("memory_chunks")}
    finally:
        engine.dispose()
    assert {"embedding", "tsv"}.isdisjoint(chunk_columns)
    assert {"idx_mem_vec", "idx_mem_tsv"}.isdisjoint(chunk_indexes)
    assert "idx_mem_global" in chunk_indexes
