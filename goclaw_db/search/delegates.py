"""Which linked agents an agent can delegate to, found as GoClaw's agent-link store finds them.

Mirrors ``PGAgentLinkStore.SearchDelegateTargets`` (full text) and
``SearchDelegateTargetsByEmbedding`` (vectors) in ``internal/store/pg/agent_links.go``;
GoClaw keeps them apart (no hybrid), and so do we:

* **Which links.** Active links of the tenant that let the searching agent
  delegate: drawn from it (``outbound`` or ``bidirectional``) or to it
  (``inbound`` or ``bidirectional``), whose agent at the other end is active.
* **Text.** That other agent's display name and frontmatter (``simple``
  configuration, ``plainto_tsquery``, ``ts_rank``; bm25 over ``agents_fts`` on
  SQLite), best first.  **Vectors.** Its embedding, nearest first, scored
  ``1 - distance``.  ``limit`` defaults to 5.
* **Joined fields.** ``source_*`` describe the searching agent and ``target_*``
  the other one, whatever the link's direction; ``team_name`` is the link's team;
  ``target_is_team_lead``/``target_team_name`` say whether the other agent leads an
  active team (and the name of one).  Equal scores: ours are ordered by link id.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.selectable import NamedFromClause

from goclaw_db.models import Agent, AgentLink, AgentTeam
from goclaw_db.search._common import (
    QUERY_TEXT,
    Plan,
    bm25_relevance,
    fts5_all_words,
    param,
    shaped,
    sync_and_async,
    ts_rank,
    tsquery,
)
from goclaw_db.search._hybrid import text_params, vector_params, vector_source
from goclaw_db.search.results import DelegateTarget
from goclaw_db.types import checked_embedding

DEFAULT_LIMIT = 5
_LINK_COLUMNS = (
    "id",
    "source_agent_id",
    "target_agent_id",
    "direction",
    "team_id",
    "max_concurrent",
    "settings",
    "status",
    "created_by",
    "created_at",
    "updated_at",
)


def _links() -> tuple[sa.FromClause, NamedFromClause, list[sa.ColumnElement[Any]], list[sa.ColumnElement[bool]]]:
    """(FROM clause, the other agent, the columns every result carries, the conditions), for the
    ``from_agent_id`` and ``tenant_id`` parameters."""
    from_agent_id, tenant_id = param("from_agent_id"), param("tenant_id")
    link = AgentLink.__table__
    me = Agent.__table__.alias("me")
    other = Agent.__table__.alias("other")
    team = AgentTeam.__table__.alias("link_team")
    led = AgentTeam.__table__.alias("led_team")
    other_end = sa.case((link.c.source_agent_id == from_agent_id, link.c.target_agent_id), else_=link.c.source_agent_id)
    source = (
        link.join(me, me.c.id == from_agent_id)
        .join(other, other.c.id == other_end)
        .outerjoin(team, team.c.id == link.c.team_id)
    )
    leads = sa.select(led.c.name).where(led.c.lead_agent_id == other.c.id, led.c.status == "active")
    columns: list[sa.ColumnElement[Any]] = [
        *(link.c[name] for name in _LINK_COLUMNS),
        sa.func.coalesce(link.c.description, "").label("description"),  # GoClaw reads NULL as ""
        me.c.agent_key.label("source_agent_key"),
        sa.func.coalesce(me.c.display_name, "").label("source_display_name"),
        sa.func.coalesce(me.c.emoji, "").label("source_emoji"),
        other.c.agent_key.label("target_agent_key"),
        sa.func.coalesce(other.c.display_name, "").label("target_display_name"),
        sa.func.coalesce(other.c.emoji, "").label("target_emoji"),
        sa.func.coalesce(other.c.frontmatter, "").label("target_description"),
        sa.func.coalesce(team.c.name, "").label("team_name"),
        sa.exists(leads).label("target_is_team_lead"),
        sa.func.coalesce(leads.limit(1).scalar_subquery(), "").label("target_team_name"),
    ]
    conditions = [
        link.c.status == "active",
        link.c.tenant_id == tenant_id,
        other.c.status == "active",
        sa.or_(
            sa.and_(link.c.source_agent_id == from_agent_id, link.c.direction.in_(("outbound", "bidirectional"))),
            sa.and_(link.c.target_agent_id == from_agent_id, link.c.direction.in_(("inbound", "bidirectional"))),
        ),
    ]
    return source, other, columns, conditions


def delegate_text_plan(
    dialect: str, query: str, *, from_agent_id: uuid.UUID, tenant_id: uuid.UUID, limit: int = 0
) -> Plan[DelegateTarget]:
    """Linked agents whose name and frontmatter match ``query`` (rules in this module's docstring)."""
    limit = limit if limit > 0 else DEFAULT_LIMIT
    if fts5_all_words(query) is None:
        return Plan(None, _result, {"search": "none: no word"})
    params = {"from_agent_id": from_agent_id, "tenant_id": tenant_id, **text_params(dialect, query)}
    return Plan(_text_statement(dialect, limit), _result, {"search": "full text"}, params)


@shaped
def _text_statement(dialect: str, limit: int) -> sa.Select[Any]:
    source, other, columns, conditions = _links()
    if dialect == "postgresql":
        words = tsquery("simple", param(QUERY_TEXT, sa.Text))
        score, matches = ts_rank(other.c.tsv, words), other.c.tsv.op("@@")(words)
    else:
        fts = sa.table("agents_fts", sa.column("rowid"))
        source = source.join(fts, fts.c.rowid == sa.literal_column("other.rowid"))
        score = bm25_relevance("agents_fts")
        matches = sa.literal_column("agents_fts").op("MATCH")(param(QUERY_TEXT, sa.Text))
    return (
        sa.select(*columns, score.label("score"))
        .select_from(source)
        .where(matches, *conditions)
        .order_by(sa.desc("score"), AgentLink.__table__.c.id)
        .limit(limit)
    )


def delegate_vector_plan(
    dialect: str, embedding: Sequence[float], *, from_agent_id: uuid.UUID, tenant_id: uuid.UUID, limit: int = 0
) -> Plan[DelegateTarget]:
    """Linked agents nearest to ``embedding`` (rules in this module's docstring)."""
    vector = checked_embedding(embedding)
    limit = limit if limit > 0 else DEFAULT_LIMIT
    params = {"from_agent_id": from_agent_id, "tenant_id": tenant_id, **vector_params(dialect, vector)}
    return Plan(_vector_statement(dialect, limit), _result, {"search": "cosine distance"}, params)


@shaped
def _vector_statement(dialect: str, limit: int) -> sa.Select[Any]:
    source, other, columns, conditions = _links()
    nearest, distance, near_conditions = vector_source(dialect, other, None)
    if dialect != "postgresql":
        assert isinstance(nearest, sa.Join)  # vector_source joins the side table on SQLite
        side = nearest.left  # the side table, joined to the other agent by id
        source = source.join(side, other.c.id == side.c.row_id)
    statement = (
        sa.select(*columns, distance.label("distance"))
        .select_from(source)
        .where(*near_conditions, *conditions)
        .order_by(sa.literal_column("distance"), AgentLink.__table__.c.id)
        .limit(limit)
        .subquery("nearest")
    )
    kept = [c for c in statement.c if c.key != "distance"]
    return sa.select(*kept, (1.0 - statement.c.distance).label("score")).order_by(statement.c.distance, statement.c.id)


def _result(row: sa.Row[Any]) -> DelegateTarget:
    fields = dict(row._mapping)
    fields["target_is_team_lead"] = bool(fields["target_is_team_lead"])
    fields["score"] = float(fields["score"])
    return DelegateTarget(**fields)


search_delegate_targets, search_delegate_targets_async = sync_and_async(delegate_text_plan)
search_delegate_targets_by_embedding, search_delegate_targets_by_embedding_async = sync_and_async(delegate_vector_plan)
