"""The version a database records, where each reader looks for it.

GoClaw's binaries read golang-migrate's ``schema_migrations`` (PostgreSQL) or
the desktop's ``schema_version`` (SQLite); Alembic reads its own
``alembic_version``.  A run writes GoClaw's row in each revision's own
transaction, so it only ever shows a completed version with ``dirty = false``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa

from goclaw_db.bookkeeping import (
    NEWEST_DESKTOP_SCHEMA_VERSION,
    POSTGRES_BOOKKEEPING,
    desktop_schema_version,
    goclaw_version_of_desktop,
    schema_migrations,
    schema_version,
)
from goclaw_db.runner.chain import head_version, version_number
from goclaw_db.runner.errors import refusal
from goclaw_db.runner.sqlite_foreign_keys import check_sqlite_foreign_keys

if TYPE_CHECKING:
    from alembic.runtime.migration import MigrationContext, MigrationInfo

# Alembic's version table as Alembic defines it (default name, primary key named
# after it), so the runner reads and, in ``--sql`` scripts, writes it without Alembic.
alembic_version = sa.Table(
    "alembic_version",
    sa.MetaData(),
    sa.Column("version_num", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


class RecordedVersion(NamedTuple):
    """What GoClaw's bookkeeping says, before anyone judges it."""

    # The GoClaw version; None for a desktop number newer than any this package knows.
    version: int | None
    dirty: bool
    # The desktop's own ``schema_version`` (SQLite), None on PostgreSQL.
    desktop: int | None = None

    def newer_than(self, head: int) -> bool:
        return self.version is None or self.version > head

    def describe(self) -> str:
        if self.desktop is not None:
            return f"the desktop file is at schema_version {self.desktop}"
        return f"the database is at GoClaw schema version {self.version}"


def recorded_version(connection: sa.Connection) -> RecordedVersion | None:
    """GoClaw's own bookkeeping as it stands, or None where it has no row.

    On SQLite the desktop's ``schema_version`` counts as the GoClaw version
    ``goclaw_db.bookkeeping.DESKTOP_SCHEMA_VERSIONS`` pairs it with.
    """
    if connection.dialect.name == "sqlite":
        if not sa.inspect(connection).has_table("schema_version"):
            return None
        desktop = connection.scalar(sa.select(sa.func.max(schema_version.c.version)))
        if desktop is None:
            return None
        return RecordedVersion(goclaw_version_of_desktop(desktop), False, desktop)
    if not sa.inspect(connection).has_table("schema_migrations"):
        return None
    row = connection.execute(sa.select(schema_migrations.c.version, schema_migrations.c.dirty)).first()
    return RecordedVersion(row.version, row.dirty) if row else None


def goclaw_version(connection: sa.Connection) -> tuple[int, bool] | None:
    """(version, dirty) from GoClaw's own bookkeeping, or None where it has no row.

    A database newer than this package knows is refused here, in one line, so
    that no command reads it as a version it could plan from.
    """
    recorded = recorded_version(connection)
    if recorded is None:
        return None
    head = head_version()
    if recorded.newer_than(head):
        raise newer_database(recorded, head)
    assert recorded.version is not None  # a known version: newer_than() is False
    return recorded.version, recorded.dirty


def newer_database(recorded: RecordedVersion, head: int) -> Exception:
    """The refusal of a database a newer GoClaw (or goclaw-db) migrated."""
    return refusal(
        f"{recorded.describe()}, newer than this goclaw-db knows (GoClaw schema version {head}, "
        f"desktop schema_version {NEWEST_DESKTOP_SCHEMA_VERSION}): upgrade goclaw-db; nothing was changed."
    )


def alembic_revision(connection: sa.Connection) -> str | None:
    """The revision Alembic records, or None where it has no table or no row (a database GoClaw migrated)."""
    if not sa.inspect(connection).has_table(alembic_version.name):
        return None
    return connection.scalar(sa.select(alembic_version.c.version_num))


def ensure_bookkeeping(connection: sa.Connection) -> None:
    """Create golang-migrate's and GoClaw's bookkeeping tables (or the desktop's) where missing."""
    tables = POSTGRES_BOOKKEEPING if connection.dialect.name == "postgresql" else (schema_version,)
    for table in tables:
        table.create(connection, checkfirst=True)


def write_version(connection: sa.Connection, version: int) -> None:
    """Record ``version`` in GoClaw's bookkeeping (``migrate force``)."""
    for statement in version_statements(connection.dialect.name, version):
        connection.execute(statement)


def version_statements(dialect_name: str, version: int) -> list[sa.Executable]:
    """golang-migrate's one clean row (PostgreSQL), or the desktop's counter where it has a number (SQLite)."""
    if dialect_name == "postgresql":
        return [
            schema_migrations.delete(),
            *([schema_migrations.insert().values(version=version, dirty=False)] if version else []),
        ]
    desktop = desktop_schema_version(version)
    return [
        schema_version.delete(),
        *([schema_version.insert().values(version=desktop)] if desktop is not None else []),
    ]


def on_version_apply(
    ctx: MigrationContext, step: MigrationInfo, heads: Iterable[str], run_args: dict[str, Any]
) -> None:
    """Alembic's hook after each revision, still in its transaction: check the rows, record the version."""
    check_sqlite_foreign_keys(ctx, step)
    for statement in version_statements(ctx.dialect.name, version_number(max(heads, default=None))):
        ctx.execute(statement)


def emit_bookkeeping_ddl(ctx: MigrationContext) -> None:
    """In ``--sql`` mode, print the bookkeeping tables first, so the script runs on an empty database."""
    if ctx.dialect.name == "postgresql":
        for table in POSTGRES_BOOKKEEPING:
            ctx.execute(sa.schema.CreateTable(table, if_not_exists=True))


def emit_adoption_stamp(ctx: MigrationContext, start: str) -> None:
    """In ``--sql`` mode from a database GoClaw migrated: record its version for Alembic first."""
    ctx.execute(sa.schema.CreateTable(alembic_version, if_not_exists=True))
    ctx.execute(alembic_version.insert().values(version_num=start))
