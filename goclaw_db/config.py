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
    parsed = _keyword_dsn(url) if _is_keyword_dsn(url) else _parse_url(url)
    if parsed.host and "@" in parsed.host:
        raise ConfigurationError(
            f"cannot parse database URL {redact(url)!r}: its password holds an '@'; write it as %40"
        )
    backend = parsed.get_backend_name()
    if backend in _POSTGRES_SCHEMES:
        return _password_out_of_query(parsed).set(drivername=f"postgresql+{driver}")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    raise ConfigurationError(f"unsupported database {backend!r} in URL: GoClaw runs on postgresql:// or sqlite:///path")


def _parse_url(text: str) -> sa.URL:
    try:
        return make_url(text)
    except Exception:
        raise ConfigurationError(
            f"cannot parse database URL {redact(text)!r}: use postgresql://user:pass@host:5432/db or sqlite:///path"
        ) from None


def _is_keyword_dsn(text: str) -> bool:
    """libpq's other form, ``host=db user=goclaw password=...``, which pgx (and so GoClaw) reads too."""
    return "://" not in text and "=" in text


def _keyword_dsn(text: str) -> sa.URL:
    """A keyword DSN as the URL it means: the parameters without a URL part stay in the query."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = {key: str(value) for key, value in conninfo_to_dict(text).items()}
    except ProgrammingError as exc:
        raise ConfigurationError(
            f"cannot parse the keyword DSN {redact(text)!r}: {redact(str(exc).strip())}; "
            "write it as host=... port=... user=... password=... dbname=..."
        ) from None
    port = params.pop("port", None)
    if port is not None and not port.isdigit():
        raise ConfigurationError(f"port={port!r} in the keyword DSN is not a port number: give e.g. port=5432")
    # A socket folder (host=/run/postgresql) or several hosts stay libpq parameters, as in a URL's query.
    host = params.pop("host") if "host" in params and not params["host"].startswith("/") else None
    return sa.URL.create(
        "postgresql",
        username=params.pop("user", None),
        password=params.pop("password", None),
        host=host,
        port=int(port) if port else None,
        database=params.pop("dbname", None),
        query=params,
    )


def _password_out_of_query(url: sa.URL) -> sa.URL:
    """A ``?password=`` moved into the URL's password, where every message hides it."""
    if "password" not in url.query:
        return url
    given = url.query["password"]
    password = given if isinstance(given, str) else given[-1]
    return url.difference_update_query(["password"]).set(password=password)


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
    """The URL with its password (and a key's ``sslpassword``) hidden, for messages."""
    return redact(url.render_as_string(hide_password=True))


def driver_reason(error: sa.exc.DBAPIError) -> str:
    """The first line of what the database (or its driver) said, for a one-line message."""
    return str(error.orig).strip().splitlines()[0] if error.orig else str(error)


# Up to the last '@' of the URL: a password may hold '/' or (unescaped, refused) '@'.
_URL_PASSWORD = re.compile(r"(?P<keep>://[^/@:\s]*:)\S*(?=@)")
# password=, and its look-alikes: sslpassword=, a misspelt passwd=, PGPASSWORD=.
_KEYWORD_PASSWORD = re.compile(r"(?P<keep>\b\w*pass\w*\s*=\s*)('[^']*'|[^\s&]+)", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every password in it (URL, ``?password=`` or keyword form) replaced by ``***``."""
    text = _URL_PASSWORD.sub(r"\g<keep>***", text)
    return _KEYWORD_PASSWORD.sub(r"\g<keep>***", text)
