"""``goclaw-db``: GoClaw's ``migrate`` commands, for databases we or GoClaw migrated.

    goclaw-db migrate up | down [N] | version | status | force V | goto V | drop
    goclaw-db upgrade [--status] [--dry-run] [--to VERSION | --goclaw RELEASE]
    goclaw-db migrate up --sql
    goclaw-db docs [--output DIR]

Every failure is one line on stderr and a non-zero exit; each revision runs in
its own transaction, so the database stays at the last completed version.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import goclaw_db
from goclaw_db import hooks, operations
from goclaw_db.config import display_url, driver_reason, resolve_url
from goclaw_db.releases import describe_releases
from goclaw_db.runner import Migrator, Status, locking, revision_id
from goclaw_db.runner.errors import one_line_failures, refusal


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="goclaw-db", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action=_PrintVersion, help="print goclaw-db's version and exit")
    _add_global_options(parser, default=None)
    sub: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(
        dest="command", required=True, parser_class=_CommandParser
    )

    migrate = sub.add_parser("migrate", help="GoClaw's migrate commands")
    steps = migrate.add_subparsers(dest="action", required=True)
    up = steps.add_parser("up", help="apply all pending revisions, then pending data hooks")
    up.add_argument("--sql", action="store_true", help="print the SQL instead of running it")
    up.set_defaults(handler=_migrate_up)
    down = steps.add_parser("down", help="roll back N revisions (default 1)")
    down.add_argument("steps", nargs="?", type=int, default=1)
    down.set_defaults(handler=_migrate_down)
    version = steps.add_parser("version", help="show the current version and dirty flag")
    version.set_defaults(handler=_migrate_version)
    status = steps.add_parser("status", help="current and head version, pending revisions and hooks")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_migrate_status)
    force = steps.add_parser("force", help="record a version as reached, applying nothing")
    force.add_argument("version", type=int)
    force.add_argument(
        "--overwrite-newer-version",
        action="store_true",
        help="record VERSION even on a database newer than this goclaw-db knows",
    )
    force.set_defaults(handler=_migrate_force)
    goto = steps.add_parser("goto", help="migrate up or down to a version")
    goto.add_argument("version", type=int)
    goto.set_defaults(handler=_migrate_goto)
    drop = steps.add_parser("drop", help="drop GoClaw's tables, functions and bookkeeping (DANGEROUS)")
    drop.add_argument("--yes", action="store_true", help="drop without asking")
    drop.add_argument(
        "--everything-in-schema",
        action="store_true",
        help="golang-migrate's drop: every table in the schema or file, GoClaw's or not",
    )
    drop.set_defaults(handler=_migrate_drop)

    upgrade = sub.add_parser("upgrade", help="migrations, then pending data hooks")
    upgrade.add_argument("--status", action="store_true", help="show what would run")
    upgrade.add_argument("--dry-run", action="store_true", help="print the SQL, change nothing")
    upgrade.add_argument("--json", action="store_true")
    stop = upgrade.add_mutually_exclusive_group()
    stop.add_argument("--to", type=int, metavar="VERSION", help="stop at this GoClaw schema version (default: head)")
    stop.add_argument(
        "--goclaw",
        metavar="RELEASE",
        help="stop at the version the GoClaw release (e.g. v3.1.1) requires: its binary refuses a newer database",
    )
    upgrade.set_defaults(handler=_upgrade)

    docs = sub.add_parser("docs", help="write the schema documentation (needs no database)")
    docs.add_argument(
        "--output", metavar="DIR", default="docs/schema", help="folder for the Markdown pages (default: docs/schema)"
    )
    docs.set_defaults(handler=_write_docs)
    operations.add_parsers(sub)
    for name in operations.COMMANDS:
        sub.choices[name].set_defaults(handler=_operation)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, default: object) -> None:
    """The options every command takes: where the database is, and how long to wait for it."""
    parser.add_argument(
        "--dsn", default=default, help="PostgreSQL or SQLite URL (default: GOCLAW_POSTGRES_DSN, else SQLite)"
    )
    parser.add_argument("--sqlite", metavar="PATH", default=default, help="SQLite database file")
    parser.add_argument(
        "--connect-timeout",
        metavar="SECONDS",
        type=float,
        default=default,
        help=f"give up connecting after this long (default 10, or {locking.CONNECT_TIMEOUT_VARIABLE}; "
        "a connect_timeout in the URL wins)",
    )
    parser.add_argument(
        "--lock-timeout",
        metavar="SECONDS",
        type=float,
        default=default,
        help="how long a migration statement waits for a table lock before the revision is retried "
        f"(default 5, or {locking.LOCK_TIMEOUT_VARIABLE})",
    )


class _CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: it takes the global options too, so that they may follow the
    subcommand (``goclaw-db upgrade --dsn URL``), as in alembic, git and goclaw.  Their default
    is SUPPRESS, so an option given before the subcommand is not reset by the subcommand's parser;
    nested subcommands (``migrate up``) are made with this class as well."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _add_global_options(self, default=argparse.SUPPRESS)


class _PrintVersion(argparse.Action):
    """``--version``: argparse's own action, but reading the installed version only when asked."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        print(f"{parser.prog} {goclaw_db.__version__}")
        parser.exit()


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
        ("run by", describe_releases(status.goclaw_releases)),
        *([("pending adoption", status.pending_adoption)] if status.pending_adoption else []),
        *([("pending desktop repair", status.pending_desktop_repair)] if status.pending_desktop_repair else []),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


@contextlib.contextmanager
def _progress_on_stderr() -> Iterator[None]:
    """For one command: each revision as it starts, and what the runner says about rows and tables, on stderr.

    Taken away afterwards, so a program (or a test) calling ``main`` again never
    writes to an earlier call's stderr, which may be closed by then.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(lambda record: record.name != _ALEMBIC_PROGRESS or record.getMessage().startswith("Running "))
    loggers = [logging.getLogger(_ALEMBIC_PROGRESS), logging.getLogger("goclaw_db")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.removeHandler(handler)
            logger.setLevel(level)


_ALEMBIC_PROGRESS = "alembic.runtime.migration"


def _writes(args: argparse.Namespace) -> bool:
    """Whether the command may change the database; the others create nothing, not even its folder."""
    if args.command == "upgrade":
        return not (args.status or args.dry_run)
    return args.action not in ("version", "status") and not (args.action == "up" and args.sql)


def _database(args: argparse.Namespace) -> sa.URL:
    """The database the options name, with the timeouts they set."""
    locking.set_timeouts(connect=args.connect_timeout, lock=args.lock_timeout)
    return resolve_url(args.dsn, sqlite_path=args.sqlite)


MigrationCommand = Callable[[Migrator, argparse.Namespace], None]


def _on_migrator(command: MigrationCommand) -> Callable[[argparse.Namespace], None]:
    """A migration command's handler: the database from the options, registered data hooks, a Migrator."""

    @functools.wraps(command)
    def handler(args: argparse.Namespace) -> None:
        url = _database(args)
        if url.get_backend_name() == "sqlite" and url.database and _writes(args):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        hooks.load_entry_points()
        command(Migrator(url), args)

    return handler


@_on_migrator
def _migrate_up(migrator: Migrator, args: argparse.Namespace) -> None:
    with _progress_on_stderr():
        ran = migrator.upgrade(sql=args.sql)
        if not args.sql:
            print(f"version: {migrator.current()[0]}" + (f"; data hooks run: {', '.join(ran)}" if ran else ""))


@_on_migrator
def _migrate_down(migrator: Migrator, args: argparse.Namespace) -> None:
    with _progress_on_stderr():
        migrator.down(args.steps)
        print(f"version: {migrator.current()[0]}")


@_on_migrator
def _migrate_version(migrator: Migrator, args: argparse.Namespace) -> None:
    version, dirty = migrator.current()
    print(f"version: {version}, dirty: {str(dirty).lower()}")


@_on_migrator
def _migrate_status(migrator: Migrator, args: argparse.Namespace) -> None:
    _print_status(migrator.status(), args.json)


@_on_migrator
def _migrate_force(migrator: Migrator, args: argparse.Namespace) -> None:
    migrator.force(args.version, overwrite_newer=args.overwrite_newer_version)
    print(f"version: {args.version} (forced)")


@_on_migrator
def _migrate_goto(migrator: Migrator, args: argparse.Namespace) -> None:
    with _progress_on_stderr():
        migrator.goto(args.version)
        print(f"version: {migrator.current()[0]}")


@_on_migrator
def _migrate_drop(migrator: Migrator, args: argparse.Namespace) -> None:
    """List what goes, ask on a terminal unless ``--yes``, drop, and say what went."""
    everything_in_schema = args.everything_in_schema
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
    if not args.yes:
        if not sys.stdin.isatty():
            raise refusal("nothing was dropped: run again with --yes to confirm")
        if input("Drop them? [y/N] ").strip().lower() not in ("y", "yes"):
            raise refusal("nothing was dropped")
    dropped, kept = migrator.drop(everything_in_schema=everything_in_schema)
    print(f"dropped {', '.join(dropped)}")
    if kept:
        print(f"kept {', '.join(kept)}: other objects in the database use them")


@_on_migrator
def _upgrade(migrator: Migrator, args: argparse.Namespace) -> None:
    if args.status:
        _print_status(migrator.status(), args.json)
        return
    target = revision_id(migrator.target(to=args.to, goclaw=args.goclaw))
    with _progress_on_stderr():
        if args.dry_run:
            migrator.upgrade(target, sql=True)
            return
        ran = migrator.upgrade(target)
        version = migrator.current()[0]
        print(
            f"{display_url(migrator.url)} is at GoClaw schema version {version}; run by {migrator.run_by(version)}"
            + (f"; data hooks run: {', '.join(ran)}" if ran else "")
        )


def _write_docs(args: argparse.Namespace) -> None:
    from goclaw_db import docs

    try:
        pages = docs.write(Path(args.output))
    except OSError as exc:
        raise refusal(f"cannot write the documentation to {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {len(pages)} pages to {args.output}")


def _operation(args: argparse.Namespace) -> None:
    operations.run(args, _database(args))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    try:
        args.handler(args)
    except one_line_failures() as exc:
        print(f"goclaw-db: {exc}", file=sys.stderr)
        return 1
    except sa.exc.DBAPIError as exc:
        reason = driver_reason(exc)
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
