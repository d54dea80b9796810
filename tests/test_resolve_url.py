"""Which database a command uses: an explicit URL, then a SQLite path, then GoClaw's environment, then its default.

GoClaw picks its store from ``GOCLAW_STORAGE_BACKEND`` (PostgreSQL when only
``GOCLAW_POSTGRES_DSN`` is set), and its desktop file from
``GOCLAW_SQLITE_PATH`` or ``GOCLAW_DATA_DIR``; goclaw-db must land on the same
database as the GoClaw it runs beside.
"""

from __future__ import annotations

import pytest

from goclaw_db.config import ConfigurationError, resolve_url

DSN = "postgres://goclaw:secret@db:5432/goclaw"
OTHER_DSN = "postgresql://admin:pw@elsewhere/other"
AS_PSYCOPG = "postgresql+psycopg://goclaw:secret@db:5432/goclaw"
DEFAULT_FILE = "sqlite:///{home}/.goclaw/data/goclaw.db"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """GoClaw's default data directory lives under the home directory."""
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("explicit", "sqlite_path", "environ", "expected"),
    [
        pytest.param(
            OTHER_DSN,
            "/data/desktop.db",
            {"GOCLAW_POSTGRES_DSN": DSN, "GOCLAW_STORAGE_BACKEND": "sqlite"},
            "postgresql+psycopg://admin:pw@elsewhere/other",
            id="explicit-url-wins-over-everything",
        ),
        pytest.param(
            None,
            "/data/desktop.db",
            {"GOCLAW_POSTGRES_DSN": DSN, "GOCLAW_STORAGE_BACKEND": "postgres"},
            "sqlite:////data/desktop.db",
            id="sqlite-path-wins-over-the-environment",
        ),
        pytest.param(None, None, {"GOCLAW_POSTGRES_DSN": DSN}, AS_PSYCOPG, id="a-dsn-alone-means-postgres"),
        pytest.param(
            None,
            None,
            {"GOCLAW_POSTGRES_DSN": DSN, "GOCLAW_STORAGE_BACKEND": " PostgreSQL "},
            AS_PSYCOPG,
            id="backend-name-in-any-case-and-spacing",
        ),
        pytest.param(
            None,
            None,
            {"GOCLAW_POSTGRES_DSN": DSN, "GOCLAW_STORAGE_BACKEND": "sqlite", "GOCLAW_SQLITE_PATH": "/data/g.db"},
            "sqlite:////data/g.db",
            id="sqlite-backend-ignores-the-dsn",
        ),
        pytest.param(
            None,
            None,
            {"GOCLAW_SQLITE_PATH": "/data/g.db", "GOCLAW_DATA_DIR": "/srv/goclaw"},
            "sqlite:////data/g.db",
            id="sqlite-path-variable-wins-over-data-dir",
        ),
        pytest.param(
            None, None, {"GOCLAW_DATA_DIR": "/srv/goclaw"}, "sqlite:////srv/goclaw/goclaw.db", id="file-in-data-dir"
        ),
        pytest.param(
            None,
            None,
            {"GOCLAW_POSTGRES_DSN": "   "},
            DEFAULT_FILE,
            id="blank-dsn-is-unset",
        ),
        pytest.param(None, None, {}, DEFAULT_FILE, id="nothing-set-is-goclaws-default"),
        pytest.param(
            None, "~/desktop.db", {}, "sqlite:///{home}/desktop.db", id="sqlite-path-expands-the-home-directory"
        ),
    ],
)
def test_the_database_is_chosen_in_goclaws_order(home, explicit, sqlite_path, environ, expected):
    url = resolve_url(explicit, sqlite_path=sqlite_path, environ=environ)
    assert url.render_as_string(hide_password=False) == expected.format(home=home)


def test_the_driver_asked_for_is_pinned_on_a_dsn_from_the_environment():
    url = resolve_url(environ={"GOCLAW_POSTGRES_DSN": DSN}, driver="asyncpg")
    assert url.drivername == "postgresql+asyncpg"


@pytest.mark.parametrize(
    ("explicit", "sqlite_path", "environ", "words"),
    [
        pytest.param("", None, {"GOCLAW_POSTGRES_DSN": DSN}, "URL is empty", id="empty-explicit-url"),
        pytest.param(None, " ", {"GOCLAW_POSTGRES_DSN": DSN}, "SQLite path is empty", id="empty-sqlite-path"),
        pytest.param(
            None, None, {"GOCLAW_STORAGE_BACKEND": "postgres"}, "GOCLAW_POSTGRES_DSN is empty", id="postgres-no-dsn"
        ),
        pytest.param(None, None, {"GOCLAW_STORAGE_BACKEND": "mysql"}, "is not a backend", id="unknown-backend"),
    ],
)
def test_settings_that_name_no_usable_database_are_refused_not_defaulted(explicit, sqlite_path, environ, words):
    with pytest.raises(ConfigurationError, match=words):
        resolve_url(explicit, sqlite_path=sqlite_path, environ=environ)
