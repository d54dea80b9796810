"""Importing ``goclaw_db.models`` leaves other applications' sessions alone.

A Python program that reads GoClaw's database often has models of its own,
and they may use GoClaw's table names (``skills``, ``agents``) for tables of
its own database. The flush hook that moves our models' embeddings into the
desktop side tables must act on this package's models only: another
application's ``embedding`` column is its own, whatever its type.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import goclaw_db.models  # noqa: F401  (what registers the flush hook)

EMBEDDING = [(i % 7) / 8 for i in range(1536)]


class OtherBase(DeclarativeBase):
    pass


class OtherSkill(OtherBase):
    """Another application's skills, with its embedding kept as JSON."""

    __tablename__ = "skills"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(sa.String(36))
    embedding: Mapped[list[float] | None] = mapped_column(sa.JSON)


class OtherAgent(OtherBase):
    """Another application's agents, with its embedding kept as text."""

    __tablename__ = "agents"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(sa.String(36))
    embedding: Mapped[str | None] = mapped_column(sa.Text)


def test_another_applications_models_of_goclaws_table_names_keep_their_embeddings(backend, postgres_url, tmp_path):
    url = postgres_url if backend == "postgresql" else f"sqlite:///{tmp_path / 'app.db'}"
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    OtherBase.metadata.create_all(engine)
    skill_id, agent_id, tenant = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    with Session(engine) as db:
        db.add(OtherSkill(id=skill_id, tenant_id=tenant, embedding=EMBEDDING))
        db.add(OtherAgent(id=agent_id, tenant_id=tenant, embedding="[0.5, 0.25]"))
        db.commit()
    with Session(engine) as db:
        assert db.get_one(OtherSkill, skill_id).embedding == EMBEDDING
        assert db.get_one(OtherAgent, agent_id).embedding == "[0.5, 0.25]"
    assert sorted(sa.inspect(engine).get_table_names()) == ["agents", "skills"]
    engine.dispose()
