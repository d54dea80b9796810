"""Which database to use: GoClaw's own environment variables, resolved once.

Order: an explicit URL (``--dsn``,
``alembic -x url=``) wins; then ``GOCLAW_STORAGE_BACKEND`` with
``GOCLAW_POSTGRES_DSN`` / ``GOCLAW_SQLITE_PATH``; with nothing set, the
embedded default, a SQLite file at ``~/.goclaw/data/goclaw.db``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url


class ConfigurationError(ValueError):
    """The database settings are unusable; the message says how to fix them."""


_POSTGRES_SCHEMES = ("postgres", "postgresql")


def default_sqlite_path(environ: Mapping[str, str] = os.environ) -> Path:
    data_dir = environ.get("GOCLAW_DATA_DIR") or str(Path.home() / ".goclaw" / "data")
    return Path(environ.get("GOCLAW_SQLITE_PATH") or Path(data_dir) / "goclaw.db").expanduser()


def normalize_url(url: str, driver: str = "psycopg") -> sa.URL:
    """Parse a PostgreSQL or SQLite URL and pin the PostgreSQL driver.

    GoClaw's DSNs are plain ``postgres://`` URLs; SQLAlchemy needs the
    dialect and driver spelled out (``postgresql+psycopg``).
    """
    if not url.strip():
        raise ConfigurationError(
            "the database URL is empty: give postgresql://user:pass@host:5432/db or sqlite:///path, "
            "or leave the option out to use GoClaw's environment"
        )
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigurationError(
            f"cannot parse database URL {redact(url)!r}: use postgresql://user:pass@host:5432/db or sqlite:///path"
        ) from None
    if parsed.host and "@" in parsed.host:
        raise ConfigurationError(
            f"cannot parse database URL {redact(url)!r}: its password holds an '@'; write it as %40"
        )
    backend = parsed.get_backend_name()
    if backend in _POSTGRES_SCHEMES:
        return parsed.set(drivername=f"postgresql+{driver}")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    raise ConfigurationError(f"unsupported database {backend!r} in URL: GoClaw runs on postgresql:// or sqlite:///path")


def sqlite_url(path: str | os.PathLike) -> sa.URL:
    return sa.URL.create("sqlite", database=str(Path(path).expanduser()))


def resolve_url(
    explicit: str | None = None,
    *,
    sqlite_path: str | os.PathLike | None = None,
    driver: str = "psycopg",
    environ: Mapping[str, str] = os.environ,
) -> sa.URL:
    """The database URL, from an explicit value or GoClaw's environment.

    An explicit value that is empty (``--dsn ''``) is an error, not a request
    for the default database.
    """
    if explicit is not None:
        return normalize_url(explicit, driver)
    if sqlite_path is not None:
        if not str(sqlite_path).strip():
            raise ConfigurationError("the SQLite path is empty: give the path of GoClaw's goclaw.db")
        return sqlite_url(sqlite_path)
    dsn = environ.get("GOCLAW_POSTGRES_DSN", "").strip()
    backend = environ.get("GOCLAW_STORAGE_BACKEND", "").strip().lower() or ("postgres" if dsn else "sqlite")
    if backend in ("postgres", "postgresql"):
        if not dsn:
            raise ConfigurationError(
                "GOCLAW_STORAGE_BACKEND=postgres but GOCLAW_POSTGRES_DSN is empty: set it to postgres://user:pass@host:5432/db"
            )
        return normalize_url(dsn, driver)
    if backend == "sqlite":
        return sqlite_url(default_sqlite_path(environ))
    raise ConfigurationError(f"GOCLAW_STORAGE_BACKEND={backend!r} is not a backend: use 'postgres' or 'sqlite'")


def display_url(url: sa.URL) -> str:
    """The URL with its password hidden, for messages."""
    return url.render_as_string(hide_password=True)


def driver_reason(error: sa.exc.DBAPIError) -> str:
    """The first line of what the database (or its driver) said, for a one-line message."""
    return str(error.orig).strip().splitlines()[0] if error.orig else str(error)


_URL_PASSWORD = re.compile(r"(?P<keep>://[^/@:]*:)[^/]*(?=@)")
_KEYWORD_PASSWORD = re.compile(r"(?P<keep>\bpassword\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every password in it (URL or ``password=`` form) replaced by ``***``."""
    text = _URL_PASSWORD.sub(r"\g<keep>***", text)
    return _KEYWORD_PASSWORD.sub(r"\g<keep>***", text)
