"""pytest-alembic's built-in checks of the revision chain, on a real PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from pytest_alembic.tests import (  # noqa: F401  (collected as tests here)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from tests.support import alembic_config as make_alembic_config


@pytest.fixture
def alembic_engine(postgres_url):
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def alembic_config(postgres_url):
    return make_alembic_config(postgres_url)
