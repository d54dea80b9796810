"""Search over a team's tasks, as GoClaw's team store ranks them.

Mirrors ``PGTeamStore.SearchTasks``, ``SearchTasksByEmbedding`` and
``hybridMergeTaskResults`` (``internal/store/pg/teams_tasks.go``,
``teams_tasks_embedding.go``):

* **Words.** The query split on white space; each word keeps only letters,
  digits, ``-`` and ``_``, and matches as a *prefix* ("sketch" finds
  "sketchnote"); every word is required.  No word left: no result.
* **Which tasks.** The team's tasks in the tenant; only the given user's when
  ``user_id`` is set.
* **Without a query vector:** the text hits ranked by ``ts_rank`` (bm25 over
  ``team_tasks_fts`` on SQLite), cut to ``limit`` (default 20), scored by rank.
* **With one:** up to twice ``limit`` candidates per side; each hit scores by its
  *position*, ``1 - i / n`` for the i-th of n hits on its side (the best gets 1),
  then 0.3 x text + 0.7 x vector per task, best first, cut to ``limit``.  Equal
  scores: GoClaw's order is arbitrary; ours is by id.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from goclaw_db.base import table_of
from goclaw_db.models import TeamTask
from goclaw_db.search._common import (
    QUERY_TEXT,
    Plan,
    bm25_relevance,
    param,
    shaped,
    sync_and_async,
    ts_rank,
)
from goclaw_db.search._hybrid import (
    TextMatch,
    best_first,
    merged_by_id,
    text_candidates,
    vector_candidates,
    vector_params,
)
from goclaw_db.search.results import TaskSearchResult
from goclaw_db.types import checked_embedding

DEFAULT_LIMIT = 20
TEXT_WEIGHT = 0.3
VECTOR_WEIGHT = 0.7
_TASK_COLUMNS = (
    "id",
    "team_id",
    "task_number",
    "identifier",
    "subject",
    "description",
    "status",
    "priority",
    "owner_agent_id",
    "user_id",
    "created_at",
    "updated_at",
)


# Python's str.split() also splits on the separators U+001C-U+001F, which Go's strings.Fields (and so
# GoClaw) keeps inside a word; a word keeps no such character anyway, so they are dropped before the split.
_NOT_GO_SPACE = dict.fromkeys(range(0x1C, 0x20))


def task_words(query: str) -> list[str]:
    """The query's words with everything but letters, digits, '-' and '_' removed; empty words dropped."""
    kept = (
        "".join(ch for ch in word if ch in "-_" or ch.isalpha() or unicodedata.category(ch) == "Nd")
        for word in query.translate(_NOT_GO_SPACE).split()
    )
    return [word for word in kept if word]


def _prefix_match(dialect: str, t: sa.Table) -> TextMatch:
    """Every word of the ``query_text`` parameter required, each as a prefix (``_prefix_query``)."""
    words = param(QUERY_TEXT, sa.Text)
    if dialect == "postgresql":
        prefixes = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), words)
        return TextMatch(t, ts_rank(t.c.tsv, prefixes), t.c.tsv.op("@@")(prefixes))
    fts = sa.table(f"{t.name}_fts", sa.column("rowid"))
    return TextMatch(
        t.join(fts, fts.c.rowid == sa.literal_column(f"{t.name}.rowid")),
        bm25_relevance(fts.name),
        sa.literal_column(fts.name).op("MATCH")(words),
    )


def _prefix_query(dialect: str, words: list[str]) -> str:
    """``words`` as one query of prefixes: ``to_tsquery``'s on PostgreSQL, FTS5's on SQLite."""
    if dialect == "postgresql":
        return " & ".join(f"{word}:*" for word in words)
    return " ".join(f'"{word}"*' for word in words)


def _by_position(side: sa.CTE, name: str) -> sa.CTE:
    """Each hit scored by its place on its side: 1 for the best, falling by 1/n per place."""
    place = sa.func.row_number().over(order_by=(side.c.score.desc(), side.c.id)) - 1
    return sa.select(side.c.id, (1.0 - sa.cast(place, sa.Double) / sa.func.count().over()).label("score")).cte(name)


def task_search_plan(
    dialect: str,
    query: str,
    *,
    team_id: uuid.UUID,
    tenant_id: uuid.UUID,
    user_id: str = "",
    embedding: Sequence[float] | None = None,
    limit: int = 0,
) -> Plan[TaskSearchResult]:
    """Search a team's tasks the way GoClaw does (rules in this module's docstring)."""
    vector = checked_embedding(embedding)
    limit = limit if limit > 0 else DEFAULT_LIMIT
    words = task_words(query)
    if not words:
        return Plan(None, _result, {"vector_search": "none: no word"})
    params = {
        "team_id": team_id,
        "tenant_id": tenant_id,
        "user_id": user_id,
        QUERY_TEXT: _prefix_query(dialect, words),
        **vector_params(dialect, vector),
    }
    shape = _task_statement(dialect, vector is not None, bool(user_id), limit)
    return Plan(shape, _result, {"vector_search": "none"}, params)


@shaped
def _task_statement(dialect: str, has_vector: bool, has_user: bool, limit: int) -> sa.Select[Any]:
    t = table_of(TeamTask)
    where = [t.c.team_id == param("team_id"), t.c.tenant_id == param("tenant_id")]
    if has_user:
        where.append(t.c.user_id == param("user_id"))
    if not has_vector:
        merged = merged_by_id(text_candidates(t, _prefix_match(dialect, t), where, limit), None, 1.0, 1.0)
    else:
        text = text_candidates(t, _prefix_match(dialect, t), where, limit * 2)
        near = vector_candidates(dialect, t, param("team_id"), where, limit * 2)
        merged = merged_by_id(
            _by_position(text, "text_places"), _by_position(near, "vector_places"), TEXT_WEIGHT, VECTOR_WEIGHT
        )
    columns = [
        sa.func.coalesce(t.c[name], "").label(name) if name == "identifier" else t.c[name] for name in _TASK_COLUMNS
    ]
    return best_first(t, columns, merged, limit)


def _result(row: sa.Row[Any]) -> TaskSearchResult:
    fields = row._mapping
    return TaskSearchResult(**{name: fields[name] for name in _TASK_COLUMNS}, score=float(row.score))


search_tasks, search_tasks_async = sync_and_async(task_search_plan)
