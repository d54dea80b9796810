"""Vector search over skills, as GoClaw's skill store ranks them.

Mirrors ``PGSkillStore.SearchByEmbedding`` (``internal/store/pg/skills_embedding.go``);
GoClaw has no full-text skill search in its store, so neither is there one here:

* **Which skills.** Active, enabled, not private, with an embedding; the
  tenant's own and every system skill.
* **Ranking.** Cosine distance, scored ``1 - distance``; ``limit`` (default 5).
* **Path.** ``<file_path>/SKILL.md`` when the skill has a file path, else
  ``<base_dir>/<slug>/<version>/SKILL.md`` (GoClaw's skills directory is its own
  setting, so the caller passes it).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from goclaw_db.base import table_of
from goclaw_db.models import Skill
from goclaw_db.search._common import Plan, param, shaped, sync_and_async
from goclaw_db.search._hybrid import vector_candidates, vector_params
from goclaw_db.search.results import SkillSearchResult
from goclaw_db.types import checked_embedding

DEFAULT_LIMIT = 5


def skill_search_plan(
    dialect: str,
    embedding: Sequence[float],
    *,
    tenant_id: uuid.UUID,
    limit: int = 0,
    base_dir: str = "skills",
) -> Plan[SkillSearchResult]:
    """The skills nearest to ``embedding`` the way GoClaw finds them (rules in this module's docstring)."""
    vector = checked_embedding(embedding)
    limit = limit if limit > 0 else DEFAULT_LIMIT
    params = {"tenant_id": tenant_id, **vector_params(dialect, vector)}
    return Plan(_skill_statement(dialect, limit), lambda row: _result(row, base_dir), {}, params)


@shaped
def _skill_statement(dialect: str, limit: int) -> sa.Select[Any]:
    t = table_of(Skill)
    where = [
        t.c.status == "active",
        t.c.enabled.is_(True),
        t.c.visibility != "private",
        sa.or_(t.c.is_system.is_(True), t.c.tenant_id == param("tenant_id")),
    ]
    # System skills may live in any tenant, so on SQLite every partition is searched.
    near = vector_candidates(dialect, t, None, where, limit)
    return (
        sa.select(
            t.c.name,
            t.c.slug,
            sa.func.coalesce(t.c.description, "").label("description"),
            t.c.file_path,
            t.c.version,
            near.c.score,
        )
        .join(near, near.c.id == t.c.id)
        .order_by(near.c.score.desc(), t.c.id)
    )


def _result(row: sa.Row[Any], base_dir: str) -> SkillSearchResult:
    folder = row.file_path if row.file_path else f"{base_dir}/{row.slug}/{row.version}"
    return SkillSearchResult(
        name=row.name, slug=row.slug, description=row.description, path=f"{folder}/SKILL.md", score=float(row.score)
    )


search_skills, search_skills_async = sync_and_async(skill_search_plan)
