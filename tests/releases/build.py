#!/usr/bin/env python3
"""Build ``goclaw_db/goclaw_releases.csv``: every GoClaw release tag and the schema versions it requires.

    python tests/releases/build.py [--goclaw GIT_DIR] [--output FILE]

A GoClaw binary reads two constants at start-up: the golang-migrate version its
PostgreSQL database must be at (``RequiredSchemaVersion`` in
``internal/upgrade/version.go``) and the desktop file's ``schema_version``
(``SchemaVersion`` in ``internal/store/sqlitestore/schema.go``). This script
reads both at every tag of GoClaw's history and writes one row per tag, oldest
first. A tag from before the desktop build has no desktop version; the first
tags have no version check at all and are left out. Only this script needs
GoClaw's history; the package and its tests read the committed table.
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
from pathlib import Path

DEFAULT_GOCLAW = Path("/work/.mirror/x-project-coding+goclaw/repo")
DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "goclaw_db" / "goclaw_releases.csv"
POSTGRES_CONSTANT = ("internal/upgrade/version.go", re.compile(r"RequiredSchemaVersion\s+(?:uint\s+)?=\s*(\d+)"))
DESKTOP_CONSTANT = ("internal/store/sqlitestore/schema.go", re.compile(r"const SchemaVersion\s*=\s*(\d+)"))
COLUMNS = ("tag", "date", "postgres_version", "desktop_version")


def git(goclaw: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(goclaw), *args], check=True, capture_output=True, text=True).stdout


def constant_at(goclaw: Path, tag: str, where: tuple[str, re.Pattern[str]]) -> str:
    path, pattern = where
    shown = subprocess.run(["git", "--git-dir", str(goclaw), "show", f"{tag}:{path}"], capture_output=True, text=True)
    found = pattern.search(shown.stdout) if shown.returncode == 0 else None
    return found.group(1) if found else ""


def release_rows(goclaw: Path) -> list[dict[str, str]]:
    rows = []
    for line in git(
        goclaw, "for-each-ref", "--sort=creatordate", "--format=%(refname:short) %(creatordate:short)", "refs/tags"
    ).splitlines():
        tag, date = line.split()
        postgres = constant_at(goclaw, tag, POSTGRES_CONSTANT)
        if postgres:
            rows.append(dict(zip(COLUMNS, (tag, date, postgres, constant_at(goclaw, tag, DESKTOP_CONSTANT)))))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goclaw", type=Path, default=DEFAULT_GOCLAW, help="GoClaw's git directory")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    rows = release_rows(args.goclaw)
    with args.output.open("w", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} releases -> {args.output}")


if __name__ == "__main__":
    main()
