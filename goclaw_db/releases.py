"""GoClaw's releases and the schema versions each one requires.

A GoClaw binary checks the database at start-up against two constants of its
own: the golang-migrate version of a PostgreSQL database and the desktop
file's ``schema_version``. It runs on a database at exactly that version,
upgrades an older one itself, and refuses a newer one ("Database schema (vN)
is newer than this binary"). So an operator who upgrades with goclaw-db must
stop at the version their binary requires: this table says which that is.

The table (``goclaw_releases.csv`` beside this module) has one row per GoClaw
tag, oldest first; ``tests/releases/build.py`` reads it off GoClaw's history.
It is loaded on first use, never at import.
"""

from __future__ import annotations

import csv
import datetime
import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

Backend = Literal["postgresql", "sqlite"]
_TABLE = Path(__file__).with_name("goclaw_releases.csv")


@dataclass(frozen=True)
class GoClawRelease:
    """One GoClaw tag: the PostgreSQL version and the desktop ``schema_version`` its binary requires."""

    tag: str
    date: datetime.date
    postgres_version: int
    desktop_version: int | None  # None: the release predates GoClaw's desktop build

    def required_version(self, backend: Backend) -> int | None:
        return self.postgres_version if backend == "postgresql" else self.desktop_version


class UnknownRelease(ValueError):
    """A release name that is not one of GoClaw's tags."""


@cache
def goclaw_releases() -> tuple[GoClawRelease, ...]:
    """Every GoClaw release, oldest first."""
    with _TABLE.open(newline="") as table:
        return tuple(
            GoClawRelease(
                tag=row["tag"],
                date=datetime.date.fromisoformat(row["date"]),
                postgres_version=int(row["postgres_version"]),
                desktop_version=int(row["desktop_version"]) if row["desktop_version"] else None,
            )
            for row in csv.DictReader(table)
        )


def goclaw_release(name: str) -> GoClawRelease:
    """The release tagged ``name`` (``v3.2.0``; the leading ``v`` may be left out)."""
    by_tag = {release.tag: release for release in goclaw_releases()}
    wanted = name.strip()
    for tag in (wanted, f"v{wanted}", wanted.replace("lite-", "lite-v", 1)):
        if tag in by_tag:
            return by_tag[tag]
    close = difflib.get_close_matches(wanted if wanted.startswith(("v", "lite-")) else f"v{wanted}", by_tag, n=3)
    if close:
        hint = f"; did you mean {', '.join(close)}?"
    else:
        hint = f"; GoClaw's releases run from {_span(goclaw_releases())}"
    raise UnknownRelease(f"{name!r} is not a GoClaw release{hint}")


def releases_accepting(version: int, backend: Backend) -> tuple[GoClawRelease, ...]:
    """The releases whose binary runs on a database at ``version`` as it is, without upgrading it."""
    return tuple(release for release in goclaw_releases() if release.required_version(backend) == version)


def describe_releases(releases: tuple[GoClawRelease, ...]) -> str:
    """The releases in a few words: 'v3.0.0 … v3.1.1 (4 tags)', or 'no GoClaw release'."""
    if not releases:
        return "no GoClaw release"
    if len(releases) == 1:
        return releases[0].tag
    return f"{_span(releases)} ({len(releases)} tags)"


def _span(releases: tuple[GoClawRelease, ...]) -> str:
    return f"{releases[0].tag} … {releases[-1].tag}"
