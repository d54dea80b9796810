"""``goclaw-db``: GoClaw's ``migrate`` commands, for databases we or GoClaw migrated.

    goclaw-db migrate up | down [N] | version | status | force V | goto V | drop
    goclaw-db upgrade [--status] [--dry-run]
    goclaw-db migrate up --sql
    goclaw-db docs [--output DIR]

Every failure is one line on stderr and a non-zero exit; each revision runs in
its own transaction, so the database stays at the last completed version.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from alembic import command
from goclaw_db import desktop_ladder, hooks, locking, operations, ownership, runtime
from goclaw_db.bookkeeping import DESKTOP_EQUIVALENT_VERSION, DESKTOP_SCHEMA_VERSION
from goclaw_db.config import ConfigurationError, display_url, resolve_url


@dataclass
class Status:
    database: str
    version: int
    dirty: bool
    head: int
    pending_revisions: list[str]
    pending_hooks: list[str]
    # A GoClaw desktop file not yet taken over: what the next upgrade does to it first.
    pending_adoption: str | None = None


class Migrator:
    """The commands, on one database."""

    def __init__(self, url: sa.URL):
        self.url = url
        self.config = runtime.alembic_config(url, compare_with_models=False)
        self.script = ScriptDirectory.from_config(self.config)
        self.head = runtime.version_number(self.script.get_current_head())

    def _engine(self) -> sa.Engine:
        return locking.migration_engine(self.url)

    def current(self) -> tuple[int, bool]:
        if self.url.get_backend_name() == "sqlite" and not _sqlite_file_exists(self.url):
            return 0, False
        engine = self._engine()
        try:
            with runtime.connect(engine) as conn:
                recorded = runtime.goclaw_version(conn)
                alembic_rev = MigrationContext.configure(conn).get_current_revision()
        finally:
            engine.dispose()
        if recorded is not None:
            return recorded
        return runtime.version_number(alembic_rev), False

    def status(self) -> Status:
        version, dirty = self.current()
        pending = [f"{n:06d}" for n in range(version + 1, self.head + 1)]
        adoption = None
        if self.url.get_backend_name() == "sqlite" and not _sqlite_file_exists(self.url):
            hook_names = [h.name for h in hooks.registered()]
        else:
            engine = self._engine()
            try:
                with runtime.connect(engine) as conn:
                    hook_names = [h.name for h in hooks.pending(conn, self.head)]
                    adoption = _desktop_adoption(conn)
            finally:
                engine.dispose()
        return Status(display_url(self.url), version, dirty, self.head, pending, hook_names, adoption)

    def upgrade(self, target: str = "head", *, sql: bool = False) -> list[str]:
        if sql and self.url.get_backend_name() == "sqlite":
            raise CommandError(
                "--sql prints PostgreSQL scripts only: on SQLite the revisions rebuild tables from the "
                "live file; run 'goclaw-db --sqlite FILE migrate up' (or 'upgrade --status' to preview)."
            )
        if sql:
            self.print_sql()
            return []
        command.upgrade(self.config, target)
        return self.run_hooks()

    def print_sql(self) -> None:
        """The SQL that would take this database from its version to head (read-only)."""
        version, dirty = self.current()
        if dirty:
            raise CommandError(
                f"the database is dirty at version {version}: a migration stopped part-way. "
                f"Repair what it left, then run: goclaw-db migrate force {version - 1}"
            )
        if version >= self.head:
            print(f"-- {display_url(self.url)} is at version {version}: nothing to apply")
            return
        print(f"-- from {version} to {self.head}", flush=True)
        if not version:
            command.upgrade(self.config, "head", sql=True)
            return
        self.config.attributes["stamp_start_in_script"] = not self._adopted()
        command.upgrade(self.config, f"{version:06d}:head", sql=True)

    def _adopted(self) -> bool:
        """Whether Alembic's version table is there (a database GoClaw's binary migrated has none yet)."""
        engine = self._engine()
        try:
            with runtime.connect(engine) as conn:
                return MigrationContext.configure(conn).get_current_revision() is not None
        finally:
            engine.dispose()

    def run_hooks(self) -> list[str]:
        engine = self._engine()
        try:
            with runtime.connect(engine) as conn:
                version = runtime.goclaw_version(conn)
                reached = version[0] if version else self.head
                return hooks.run_pending(conn, reached)
        finally:
            engine.dispose()

    def down(self, steps: int) -> None:
        if steps < 1:
            raise CommandError(f"cannot go down {steps} revisions: give a number of 1 or more (default 1)")
        current, _dirty = self.current()
        if steps > current:
            raise CommandError(
                f"cannot go down {steps} revisions: the database is at version {current}, "
                f"so at most {current} can be undone"
            )
        command.downgrade(self.config, f"-{steps}")

    def goto(self, version: int) -> None:
        self._check_version(version)
        current, _dirty = self.current()
        target = f"{version:06d}" if version else "base"
        if version > current:
            command.upgrade(self.config, target)
        elif version < current:
            command.downgrade(self.config, target)

    def _check_version(self, version: int) -> None:
        if not 0 <= version <= self.head:
            raise CommandError(f"{version} is not a GoClaw schema version: give a version from 0 to {self.head}")

    def force(self, version: int) -> None:
        """Record ``version`` as reached and clean, applying nothing (golang-migrate's force).

        The database is checked first (preflight) and the version written last,
        in one transaction, so a refused database is left as it was.
        """
        self._check_version(version)
        engine = self._engine()
        try:
            with runtime.connect(engine) as conn:
                runtime.transactional_sqlite(conn)
                runtime.preflight(conn)
                recorded = runtime.goclaw_version(conn)
                if recorded and version < recorded[0]:
                    runtime.refuse_downgrade_of_goclaw_desktop_file(conn)
                conn.rollback()
                runtime.lock_migrations(conn)  # never under a running migration
                try:
                    with conn.begin():
                        runtime.ensure_bookkeeping(conn)
                        runtime.write_version(conn, version)
                        MigrationContext.configure(conn).stamp(self.script, f"{version:06d}" if version else "base")
                finally:
                    runtime.unlock_migrations(conn)
        finally:
            engine.dispose()

    def inventory(self) -> ownership.Inventory:
        engine = self._engine()
        try:
            with runtime.connect(engine) as conn:
                return ownership.take_inventory(conn)
        finally:
            engine.dispose()

    def drop(self, *, everything_in_schema: bool = False) -> tuple[list[str], list[str]]:
        """Drop what the chain owns (or, asked by name, everything in the schema); returns (dropped, kept)."""
        engine = self._engine()
        try:
            with runtime.connect(engine) as conn, conn.begin():
                if everything_in_schema:
                    return ownership.drop_everything_in_schema(conn), []
                try:
                    return ownership.drop_owned(conn, ownership.take_inventory(conn))
                except sa.exc.DBAPIError as exc:
                    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                    raise CommandError(
                        f"nothing was dropped: {reason}. Another application's objects depend on GoClaw's "
                        "tables; remove them first, or drop everything with --everything-in-schema"
                    ) from None
        finally:
            engine.dispose()


def _sqlite_file_exists(url: sa.URL) -> bool:
    from pathlib import Path

    return bool(url.database and Path(url.database).exists())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="goclaw-db", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", help="PostgreSQL or SQLite URL (default: GOCLAW_POSTGRES_DSN, else SQLite)")
    parser.add_argument("--sqlite", metavar="PATH", help="SQLite database file")
    parser.add_argument(
        "--connect-timeout",
        metavar="SECONDS",
        type=float,
        help=f"give up connecting after this long (default 10, or {locking.CONNECT_TIMEOUT_VARIABLE}; "
        "a connect_timeout in the URL wins)",
    )
    parser.add_argument(
        "--lock-timeout",
        metavar="SECONDS",
        type=float,
        help="how long a migration statement waits for a table lock before the revision is retried "
        f"(default 5, or {locking.LOCK_TIMEOUT_VARIABLE})",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    migrate = sub.add_parser("migrate", help="GoClaw's migrate commands")
    steps = migrate.add_subparsers(dest="action", required=True)
    up = steps.add_parser("up", help="apply all pending revisions, then pending data hooks")
    up.add_argument("--sql", action="store_true", help="print the SQL instead of running it")
    down = steps.add_parser("down", help="roll back N revisions (default 1)")
    down.add_argument("steps", nargs="?", type=int, default=1)
    steps.add_parser("version", help="show the current version and dirty flag")
    status = steps.add_parser("status", help="current and head version, pending revisions and hooks")
    status.add_argument("--json", action="store_true")
    force = steps.add_parser("force", help="record a version as reached, applying nothing")
    force.add_argument("version", type=int)
    goto = steps.add_parser("goto", help="migrate up or down to a version")
    goto.add_argument("version", type=int)
    drop = steps.add_parser("drop", help="drop GoClaw's tables, functions and bookkeeping (DANGEROUS)")
    drop.add_argument("--yes", action="store_true", help="drop without asking")
    drop.add_argument(
        "--everything-in-schema",
        action="store_true",
        help="golang-migrate's drop: every table in the schema or file, GoClaw's or not",
    )

    upgrade = sub.add_parser("upgrade", help="migrations, then pending data hooks")
    upgrade.add_argument("--status", action="store_true", help="show what would run")
    upgrade.add_argument("--dry-run", action="store_true", help="print the SQL, change nothing")
    upgrade.add_argument("--json", action="store_true")

    docs = sub.add_parser("docs", help="write the schema documentation (needs no database)")
    docs.add_argument(
        "--output", metavar="DIR", default="docs/schema", help="folder for the Markdown pages (default: docs/schema)"
    )
    operations.add_parsers(sub)
    return parser


def _desktop_adoption(conn: sa.Connection) -> str | None:
    """What adoption will do to a desktop file GoClaw made, or None where there is nothing to adopt."""
    if conn.dialect.name != "sqlite" or MigrationContext.configure(conn).get_current_revision() is not None:
        return None
    desktop = desktop_ladder.desktop_version(conn)
    if desktop is None:
        return None
    return (
        f"GoClaw desktop file at schema_version {desktop}: the next upgrade rebuilds it into the "
        f"desktop schema {DESKTOP_SCHEMA_VERSION} (GoClaw version {DESKTOP_EQUIVALENT_VERSION}) "
        "with its search indexes"
    )


def _print_status(status: Status, as_json: bool) -> None:
    if as_json:
        print(json.dumps(asdict(status), indent=2))
        return
    rows = [
        ("database", status.database),
        ("version", f"{status.version}{' (dirty)' if status.dirty else ''}"),
        ("head", str(status.head)),
        ("pending revisions", ", ".join(status.pending_revisions) or "none"),
        ("pending data hooks", ", ".join(status.pending_hooks) or "none"),
        *([("pending adoption", status.pending_adoption)] if status.pending_adoption else []),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


def _show_progress() -> None:
    """Each revision as it starts, and what the runner says about rows and tables, on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    progress = logging.getLogger("alembic.runtime.migration")
    progress.setLevel(logging.INFO)
    progress.addHandler(handler)
    progress.addFilter(lambda record: record.getMessage().startswith("Running "))
    ours = logging.getLogger("goclaw_db")
    ours.setLevel(logging.INFO)
    ours.addHandler(handler)


def _writes(args: argparse.Namespace) -> bool:
    """Whether the command may change the database; the others create nothing, not even its folder."""
    if args.command == "upgrade":
        return not (args.status or args.dry_run)
    return args.action not in ("version", "status") and not (args.action == "up" and args.sql)


def _write_docs(output: str) -> None:
    from goclaw_db import docs

    try:
        pages = docs.write(Path(output))
    except OSError as exc:
        raise CommandError(f"cannot write the documentation to {output}: {exc.strerror or exc}") from None
    print(f"wrote {len(pages)} pages to {output}")


def _drop(migrator: Migrator, *, yes: bool, everything_in_schema: bool) -> None:
    """List what goes, ask on a terminal unless ``--yes``, drop, and say what went."""
    inventory = migrator.inventory()
    doomed = inventory.owned_tables + (inventory.foreign_tables if everything_in_schema else [])
    if not doomed and not inventory.owned_functions:
        print(f"nothing of GoClaw's to drop in {display_url(migrator.url)}")
        return
    print(
        f"to drop from {display_url(migrator.url)}: {len(doomed)} tables ({', '.join(doomed)})"
        + (f"; functions {', '.join(inventory.owned_functions)}" if inventory.owned_functions else "")
        + (
            "; extensions vector and pgcrypto where nothing else uses them"
            if migrator.url.get_backend_name() == "postgresql"
            else ""
        )
    )
    if inventory.foreign_tables and not everything_in_schema:
        print(
            f"leaving {len(inventory.foreign_tables)} tables that are not GoClaw's: "
            + ", ".join(inventory.foreign_tables)
        )
    if not yes:
        if not sys.stdin.isatty():
            raise CommandError("nothing was dropped: run again with --yes to confirm")
        if input("Drop them? [y/N] ").strip().lower() not in ("y", "yes"):
            raise CommandError("nothing was dropped")
    dropped, kept = migrator.drop(everything_in_schema=everything_in_schema)
    print(f"dropped {', '.join(dropped)}")
    if kept:
        print(f"kept {', '.join(kept)}: other objects in the database use them")


def run(args: argparse.Namespace) -> None:
    if args.command == "docs":
        _write_docs(args.output)
        return
    locking.set_timeouts(connect=args.connect_timeout, lock=args.lock_timeout)
    url = resolve_url(args.dsn, sqlite_path=args.sqlite)
    if args.command in operations.COMMANDS:
        operations.run(args, url)
        return
    if url.get_backend_name() == "sqlite" and url.database and _writes(args):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    hooks.load_entry_points()
    migrator = Migrator(url)
    if args.command == "upgrade":
        if args.status:
            _print_status(migrator.status(), args.json)
        elif args.dry_run:
            _show_progress()
            migrator.upgrade(sql=True)
        else:
            _show_progress()
            ran = migrator.upgrade()
            print(
                f"{display_url(url)} is at GoClaw schema version {migrator.head}"
                + (f"; data hooks run: {', '.join(ran)}" if ran else "")
            )
        return
    action = args.action
    if action == "up":
        _show_progress()
        ran = migrator.upgrade(sql=args.sql)
        if not args.sql:
            print(f"version: {migrator.current()[0]}" + (f"; data hooks run: {', '.join(ran)}" if ran else ""))
    elif action == "down":
        _show_progress()
        migrator.down(args.steps)
        print(f"version: {migrator.current()[0]}")
    elif action == "version":
        version, dirty = migrator.current()
        print(f"version: {version}, dirty: {str(dirty).lower()}")
    elif action == "status":
        _print_status(migrator.status(), args.json)
    elif action == "force":
        migrator.force(args.version)
        print(f"version: {args.version} (forced)")
    elif action == "goto":
        _show_progress()
        migrator.goto(args.version)
        print(f"version: {migrator.current()[0]}")
    elif action == "drop":
        _drop(migrator, yes=args.yes, everything_in_schema=args.everything_in_schema)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        run(args)
    except (CommandError, ConfigurationError) as exc:
        print(f"goclaw-db: {exc}", file=sys.stderr)
        return 1
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "malformed" in reason:  # SQLite found a damaged page while reading
            print(
                f"goclaw-db: the SQLite file is damaged ({reason}): restore it from a backup or recover it "
                "with sqlite3's .recover; nothing was changed.",
                file=sys.stderr,
            )
            return 1
        print(
            f"goclaw-db: the database refused the change: {reason}; "
            "the database is at the last completed version (see 'goclaw-db migrate status').",
            file=sys.stderr,
        )
        return 1
    except BrokenPipeError:
        # The reader went away (``migrate up --sql | head``): stop quietly, as
        # Unix tools do; pointing stdout at /dev/null keeps the interpreter's
        # final flush from raising the same error again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
