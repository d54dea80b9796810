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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from goclaw_db.bookkeeping import DESKTOP_SCHEMA_VERSIONS, desktop_schema_version

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
        hint = f"; GoClaw's releases run from {_span([release.tag for release in goclaw_releases()])}"
    raise UnknownRelease(f"{name!r} is not a GoClaw release{hint}")


def releases_accepting(version: int, backend: Backend) -> tuple[GoClawRelease, ...]:
    """The releases whose binary runs on a database at ``version`` as it is, without upgrading it."""
    return tuple(release for release in goclaw_releases() if release.required_version(backend) == version)


def releases_running_at(version: int, backend: Backend) -> tuple[GoClawRelease, ...]:
    """The releases that run on a database the chain left at GoClaw ``version`` (on SQLite, its desktop number)."""
    number = version if backend == "postgresql" else desktop_schema_version(version)
    return releases_accepting(number, backend) if number is not None else ()


def version_required_by(release: GoClawRelease, backend: Backend) -> int | None:
    """The GoClaw version the chain must reach for ``release``'s binary; None where no version of the chain is it.

    On PostgreSQL that is the release's own number.  A desktop release names a
    desktop ``schema_version``, which is the chain's version whose file records it.
    """
    if backend == "postgresql":
        return release.postgres_version
    return next(
        (version for version, desktop in DESKTOP_SCHEMA_VERSIONS.items() if desktop == release.desktop_version), None
    )


def describe_releases(tags: Sequence[str]) -> str:
    """Releases, oldest first, in a few words: 'v3.0.0 … v3.1.1 (4 tags)', or 'no GoClaw release'."""
    if not tags:
        return "no GoClaw release"
    if len(tags) == 1:
        return tags[0]
    return f"{_span(tags)} ({len(tags)} tags)"


def _span(tags: Sequence[str]) -> str:
    return f"{tags[0]} … {tags[-1]}"
