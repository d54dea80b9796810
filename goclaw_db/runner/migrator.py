"""GoClaw's migrate commands on one database: what ``goclaw-db`` runs, and what programs can call.

Reading the version (``current``, ``status``) needs only SQLAlchemy and one
connection; Alembic is loaded by the commands that apply or record revisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, cast

import sqlalchemy as sa

from goclaw_db import hooks, ownership
from goclaw_db.bookkeeping import desktop_schema_version, desktop_version
from goclaw_db.config import display_url, driver_reason
from goclaw_db.desktop_columns import pending_desktop_repairs
from goclaw_db.releases import (
    Backend,
    UnknownRelease,
    describe_releases,
    goclaw_release,
    releases_running_at,
    version_required_by,
)
from goclaw_db.runner.chain import (
    alembic_config,
    chain_versions,
    head_version,
    revision_id,
    script_directory,
    version_number,
)
from goclaw_db.runner.connection import migration_connection
from goclaw_db.runner.errors import refusal
from goclaw_db.runner.preflight import preflight, require_sound_sqlite_file
from goclaw_db.runner.refusals import refuse_downgrade_of_goclaw_desktop_file
from goclaw_db.runner.run_lock import lock_migrations, unlock_migrations
from goclaw_db.runner.sqlite_transactions import transactional_sqlite
from goclaw_db.runner.version_table import (
    alembic_revision,
    ensure_bookkeeping,
    goclaw_version,
    recorded_version,
    write_version,
)

if TYPE_CHECKING:
    from alembic.config import Config


@dataclass
class Status:
    database: str
    version: int
    dirty: bool
    head: int
    pending_revisions: list[str]
    pending_hooks: list[str]
    # The GoClaw releases whose binaries run on the database at its version.
    goclaw_releases: list[str]
    # A GoClaw desktop file not yet taken over: what the next upgrade does to it first.
    pending_adoption: str | None = None
    # A desktop file whose columns or indexes stand otherwise than GoClaw's: what the next upgrade puts right.
    pending_desktop_repair: str | None = None


class Migrator:
    """The commands, on one database."""

    def __init__(self, url: sa.URL):
        self.url = url
        self.head = head_version()
        self.backend = cast(Backend, url.get_backend_name())

    @cached_property
    def config(self) -> Config:
        return alembic_config(self.url, compare_with_models=False)

    def _new_sqlite_file(self) -> bool:
        """A SQLite path with no file yet: version 0, and nothing to open (opening would create it)."""
        return self.url.get_backend_name() == "sqlite" and not (self.url.database and Path(self.url.database).exists())

    def _require_sound_file(self) -> None:
        """Refuse a damaged SQLite file before reading its version to plan a change.

        Reading a torn page need not fail: SQLite may return no row, and the
        version read would then be 0 and the refusal about the wrong thing.
        """
        if self.url.get_backend_name() == "sqlite" and not self._new_sqlite_file():
            with migration_connection(self.url) as conn:
                require_sound_sqlite_file(conn)

    def current(self) -> tuple[int, bool]:
        if self._new_sqlite_file():
            return 0, False
        with migration_connection(self.url) as conn:
            recorded = goclaw_version(conn)
            alembic_rev = alembic_revision(conn)
        if recorded is not None:
            return recorded
        return version_number(alembic_rev), False

    def status(self) -> Status:
        version, dirty = self.current()
        pending = [revision_id(n) for n in chain_versions() if n > version]
        adoption = repair = None
        if self._new_sqlite_file():
            hook_names = [h.name for h in hooks.registered()]
        else:
            with migration_connection(self.url) as conn:
                hook_names = [h.name for h in hooks.pending(conn, self.head)]
                adoption = _desktop_adoption(conn)
                repairs = pending_desktop_repairs(conn, desktop_schema_version(version))
                repair = f"{repairs.summary()}: the next upgrade puts them right" if repairs and not adoption else None
        releases = [release.tag for release in releases_running_at(version, self.backend)]
        return Status(display_url(self.url), version, dirty, self.head, pending, hook_names, releases, adoption, repair)

    def run_by(self, version: int) -> str:
        """Which GoClaw releases run on this database at ``version``, in a few words."""
        return describe_releases([release.tag for release in releases_running_at(version, self.backend)])

    def target(self, *, to: int | None = None, goclaw: str | None = None) -> int:
        """The version an upgrade stops at: ``to``, the version GoClaw release ``goclaw`` requires, or the head.

        GoClaw's binaries refuse a database newer than they require, so an operator
        whose binary is older than this package stops where that binary does.
        """
        if goclaw is not None:
            to = self._required_by(goclaw)
        if to is None:
            return self.head
        self._check_version(to)
        current, _dirty = self.current()
        if to < current:
            raise refusal(
                f"the database is at version {current}, past {to}: upgrade only goes up. "
                f"'goclaw-db migrate goto {to}' goes down, undoing what the later versions added"
            )
        return to

    def _required_by(self, tag: str) -> int:
        try:
            release = goclaw_release(tag)
        except UnknownRelease as exc:
            raise refusal(str(exc)) from None
        version = version_required_by(release, self.backend)
        if version is not None and version in chain_versions():
            return version
        needed = release.required_version(self.backend)
        if needed is None:
            raise refusal(f"GoClaw {release.tag} predates GoClaw's desktop build: it runs on PostgreSQL only")
        numbering = "schema version" if self.backend == "postgresql" else "desktop schema_version"
        newest = self.head if self.backend == "postgresql" else desktop_schema_version(self.head)
        raise refusal(
            f"GoClaw {release.tag} requires {numbering} {needed}, and this goclaw-db reaches {newest}: "
            "upgrade goclaw-db, or name the release you run if it is older"
        )

    def upgrade(self, target: str = "head", *, sql: bool = False) -> list[str]:
        if sql and self.url.get_backend_name() == "sqlite":
            raise refusal(
                "--sql prints PostgreSQL scripts only: on SQLite the revisions rebuild tables from the "
                "live file; run 'goclaw-db --sqlite FILE migrate up' (or 'upgrade --status' to preview)."
            )
        if sql:
            self.print_sql(target)
            return []
        from alembic import command

        command.upgrade(self.config, target)
        return self.run_hooks()

    def print_sql(self, target: str = "head") -> None:
        """The SQL that would take this database from its version to ``target`` (read-only)."""
        from alembic import command

        version, dirty = self.current()
        if dirty:
            raise refusal(
                f"the database is dirty at version {version}: a migration stopped part-way. "
                f"Repair what it left, then run: goclaw-db migrate force {version - 1}"
            )
        destination = self.head if target == "head" else version_number(target)
        if version >= destination:
            print(f"-- {display_url(self.url)} is at version {version}: nothing to apply")
            return
        print(f"-- from {version} to {destination}", flush=True)
        if not version:
            command.upgrade(self.config, target, sql=True)
            return
        self.config.attributes["stamp_start_in_script"] = not self._adopted()
        command.upgrade(self.config, f"{version:06d}:{target}", sql=True)

    def _adopted(self) -> bool:
        """Whether Alembic's version table is there (a database GoClaw's binary migrated has none yet)."""
        with migration_connection(self.url) as conn:
            return alembic_revision(conn) is not None

    def run_hooks(self) -> list[str]:
        with migration_connection(self.url) as conn:
            version = goclaw_version(conn)
            reached = version[0] if version else self.head
            return hooks.run_pending(conn, reached)

    def down(self, steps: int) -> None:
        from alembic import command

        if steps < 1:
            raise refusal(f"cannot go down {steps} revisions: give a number of 1 or more (default 1)")
        self._require_sound_file()
        current, _dirty = self.current()
        if steps > current:
            raise refusal(
                f"cannot go down {steps} revisions: the database is at version {current}, "
                f"so at most {current} can be undone"
            )
        command.downgrade(self.config, f"-{steps}")

    def goto(self, version: int) -> None:
        from alembic import command

        self._check_version(version)
        self._require_sound_file()
        current, _dirty = self.current()
        if version > current:
            command.upgrade(self.config, revision_id(version))
        elif version < current:
            command.downgrade(self.config, revision_id(version))

    def _check_version(self, version: int) -> None:
        if version and version not in chain_versions():
            raise refusal(f"{version} is not a GoClaw schema version: give a version from 0 to {self.head}")

    def force(self, version: int, *, overwrite_newer: bool = False) -> None:
        """Record ``version`` as reached and clean, applying nothing (golang-migrate's force).

        The database is checked first (preflight) and the version written last,
        in one transaction, so a refused database is left as it was.  A database
        newer than this package knows keeps its version unless ``overwrite_newer``
        says the operator means to record an older one on it.
        """
        from alembic.runtime.migration import MigrationContext

        self._check_version(version)
        with migration_connection(self.url) as conn:
            transactional_sqlite(conn)
            preflight(conn)
            recorded = recorded_version(conn)
            if recorded and recorded.newer_than(self.head) and not overwrite_newer:
                raise refusal(
                    f"{recorded.describe()}, newer than this goclaw-db knows (up to {self.head}): recording "
                    f"{version} would make GoClaw's binaries and this package apply migrations it already "
                    "has. Upgrade goclaw-db, or add --overwrite-newer-version if the schema really is at "
                    f"{version}; nothing was changed."
                )
            if recorded and (recorded.version is None or version < recorded.version):
                refuse_downgrade_of_goclaw_desktop_file(conn)
            conn.rollback()
            lock_migrations(conn)  # never under a running migration
            try:
                with conn.begin():
                    ensure_bookkeeping(conn)
                    write_version(conn, version)
                    MigrationContext.configure(conn).stamp(script_directory(), revision_id(version))
            finally:
                unlock_migrations(conn)

    def inventory(self) -> ownership.Inventory:
        with migration_connection(self.url) as conn:
            return ownership.take_inventory(conn)

    def drop(self, *, everything_in_schema: bool = False) -> tuple[list[str], list[str]]:
        """Drop what the chain owns (or, asked by name, everything in the schema); returns (dropped, kept)."""
        with migration_connection(self.url) as conn, conn.begin():
            if everything_in_schema:
                return ownership.drop_everything_in_schema(conn), []
            try:
                return ownership.drop_owned(conn, ownership.take_inventory(conn))
            except sa.exc.DBAPIError as exc:
                reason = driver_reason(exc)
                raise refusal(
                    f"nothing was dropped: {reason}. Another application's objects depend on GoClaw's "
                    "tables; remove them first, or drop everything with --everything-in-schema"
                ) from None


def _desktop_adoption(conn: sa.Connection) -> str | None:
    """What adoption will do to a desktop file GoClaw made, or None where there is nothing to adopt."""
    if conn.dialect.name != "sqlite" or alembic_revision(conn) is not None:
        return None

    desktop = desktop_version(conn)
    if desktop is None:
        return None
    head = head_version()
    return (
        f"GoClaw desktop file at schema_version {desktop}: the next upgrade rebuilds it into the "
        f"desktop schema {desktop_schema_version(head)} (GoClaw version {head}) with its search indexes"
    )
