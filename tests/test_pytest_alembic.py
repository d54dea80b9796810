"""pytest-alembic's built-in checks of the revision chain, on a real PostgreSQL.

The Alembic config carries no URL and HOME points at an empty folder: every
check must reach the database only through the Engine or Connection that
pytest-alembic hands over, never through GoClaw's default database.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from pytest_alembic.tests import (  # noqa: F401  (collected as tests here)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from pytest_alembic.tests.experimental import (
    test_all_models_register_on_metadata as all_models_register_on_metadata,
)
from pytest_alembic.tests.experimental import (
    test_downgrade_leaves_no_trace as downgrade_leaves_no_trace,
)

from goclaw_db.runner.version_table import ensure_bookkeeping
from tests.support import alembic_config as make_alembic_config


@pytest.fixture(autouse=True)
def empty_home(tmp_path, monkeypatch):
    """GoClaw's default database would be under HOME: nothing may appear there."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("GOCLAW_POSTGRES_DSN", "GOCLAW_STORAGE_BACKEND", "GOCLAW_SQLITE_PATH", "GOCLAW_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    yield
    assert list(home.iterdir()) == []


@pytest.fixture
def alembic_engine(postgres_url):
    # golang-migrate's bookkeeping outlives version 0 (goclaw_db.bookkeeping):
    # start where a run down to base leaves a database, so that coming back
    # there is no trace.
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        ensure_bookkeeping(conn)
    yield engine
    engine.dispose()


@pytest.fixture
def alembic_config(postgres_url):
    config = make_alembic_config(postgres_url)
    config.remove_main_option("sqlalchemy.url")
    return config


@pytest.mark.slow
def test_downgrade_leaves_no_trace(alembic_runner):
    downgrade_leaves_no_trace(alembic_runner)


class TestModelRegistration:
    @pytest.fixture
    def alembic_engine(self, postgres_url, monkeypatch):
        # This check hands the URL to configparser, which reads the '%' of an
        # escaped socket folder as interpolation: libpq gets the folder as PGHOST.
        url = sa.make_url(postgres_url)
        if "host" in url.query:
            monkeypatch.setenv("PGHOST", url.query["host"])
            url = url.difference_update_query(["host"])
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        yield engine
        engine.dispose()

    def test_all_models_register_on_metadata(self, alembic_runner):
        all_models_register_on_metadata(alembic_runner, model_package="goclaw_db.models")
