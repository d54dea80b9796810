"""Models newer than the database: one clear error before the first "column does not exist".

An operator whose GoClaw binary requires 44 stops the database there
(``upgrade --goclaw v3.1.1``); an application that then reads it with this
package's models, which are head's, would fail on the first column a later
version added.  The package's sessions say so first, naming both versions.
"""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from goclaw_db.engine import (
    DatabaseBehindModels,
    async_session_factory,
    create_async_engine,
    create_engine,
    session_factory,
)
from goclaw_db.models import MASTER_TENANT_ID, EpisodicSummary
from tests.support import HEAD, HEAD_DESKTOP


def test_a_session_on_a_database_at_44_names_both_versions_and_the_fix(backend, make_database_at):
    engine = create_engine(make_database_at(44, backend))
    with session_factory(engine)() as session, pytest.raises(DatabaseBehindModels) as refused:
        session.scalars(sa.select(EpisodicSummary)).all()
    engine.dispose()
    described = "the database is at GoClaw schema version 44" if backend == "postgresql" else "schema_version 12"
    assert described in str(refused.value)
    assert f"these models are GoClaw schema version {HEAD}" in str(refused.value)
    assert "'goclaw-db upgrade' first" in str(refused.value)
    if backend == "sqlite":
        assert f"(desktop schema_version {HEAD_DESKTOP})" in str(refused.value)


def test_a_tenant_scoped_session_is_refused_the_same_way(backend, make_database_at):
    engine = create_engine(make_database_at(44, backend))
    with session_factory(engine, tenant_id=MASTER_TENANT_ID)() as session, pytest.raises(DatabaseBehindModels):
        session.scalars(sa.select(EpisodicSummary)).all()
    engine.dispose()


def test_an_async_session_is_refused_the_same_way(make_database_at):
    engine = create_async_engine(make_database_at(44))

    async def read() -> None:
        async with async_session_factory(engine)() as session:
            await session.scalars(sa.select(EpisodicSummary))

    with pytest.raises(DatabaseBehindModels, match="version 44"):
        asyncio.run(read())
    asyncio.run(engine.dispose())


def test_a_database_at_head_is_read(backend, make_database_at):
    engine = create_engine(make_database_at(HEAD, backend))
    with session_factory(engine)() as session:
        assert session.scalars(sa.select(EpisodicSummary)).all() == []
    engine.dispose()


def test_sessions_that_are_not_this_packages_are_left_alone(backend, make_database_at):
    engine = create_engine(make_database_at(44, backend))
    with Session(engine) as session:
        assert session.execute(sa.text("SELECT count(*) FROM agents")).scalar_one() == 0
    engine.dispose()
