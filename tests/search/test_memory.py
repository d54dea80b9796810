"""Memory search ranks as GoClaw's memory store does (PGMemoryStore.Search + hybridMerge).

The rows are chosen so every rule changes an answer: a per-user copy of a global
chunk (dedup, the user's snippet wins, scores add), a per-user chunk that only wins
by the 1.2 boost, a chunk owned by another user (shared mode), an owner of ''
(visible only in shared mode, never boosted), a chunk without an embedding, one of
another agent and one of another tenant.  The number of times "harbour" occurs
differs per row, so text ranks never tie.

``goclaw_ranking`` below is an independent re-statement of GoClaw's algorithm in
plain Python over every row's own text rank and cosine similarity; each option is
checked against it, and the key rules are also checked by hand.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from goclaw_db.engine import create_async_engine, create_engine
from goclaw_db.models import MemoryChunk
from goclaw_db.search import (
    EmbeddingDimensionError,
    MemorySearchResult,
    search_memory,
    search_memory_async,
)
from goclaw_db.search.memory import memory_search_plan
from goclaw_db.search.vectors import VectorsUnavailable
from tests.search.conftest import (
    add_agent,
    add_other_tenant,
    on_postgresql,
    put_embeddings,
    query_vector,
    unit_vector,
)
from tests.support import MASTER_TENANT

TENANT = uuid.UUID(MASTER_TENANT)


@dataclass
class Row:
    path: str
    start_line: int
    end_line: int
    user_id: str | None
    text: str
    similarity: float | None  # to query_vector(); None: no embedding
    agent: str = "scout"
    tenant: uuid.UUID = TENANT


ROWS = [
    Row("notes/a.md", 1, 5, None, "harbour lights harbour", 0.90),
    Row("notes/a.md", 1, 6, "u1", "harbour lights copy harbour for harbour you", 0.80),
    Row("notes/b.md", 1, 3, None, "harbour harbour harbour harbour harbour pilot", 0.50),
    Row("notes/c.md", 10, 12, "u1", "harbour schedule", 0.45),
    Row("notes/d.md", 1, 2, "u2", "harbour harbour harbour harbour secret", 0.60),
    Row("archive/e.md", 1, 1, None, "quarterly revenue report", 0.70),
    Row("Notes/f.md", 1, 1, None, "harbour " * 6 + "unembedded", None),
    Row("notes/g.md", 1, 1, "", "harbour " * 7 + "blank owner", 0.20),
    Row("notes/a.md", 1, 5, None, "harbour " * 8 + "elsewhere", 0.95, agent="rival"),
    Row("notes/z.md", 1, 1, None, "harbour " * 9 + "foreign", 0.99, tenant=uuid.UUID(int=0)),
]
AGENTS: dict[str, uuid.UUID] = {}


def fill(connection) -> None:
    other = add_other_tenant(connection)
    AGENTS["scout"] = add_agent(connection, "scout")
    AGENTS["rival"] = add_agent(connection, "rival")
    embeddings = {}
    for i, row in enumerate(ROWS):
        values = {
            "id": uuid.uuid4(),
            "agent_id": AGENTS[row.agent],
            "path": row.path,
            "start_line": row.start_line,
            "end_line": row.end_line,
            "user_id": row.user_id,
            "text": row.text,
            "hash": f"h{i}",
            "tenant_id": other if row.tenant != TENANT else TENANT,
        }
        connection.execute(sa.insert(MemoryChunk.__table__).values(**values))
        if row.similarity is not None:
            embeddings[values["id"]] = unit_vector(row.similarity, axis=1 + i)
    put_embeddings(connection, MemoryChunk.__table__, embeddings)


# --- GoClaw's algorithm, re-stated over per-row scores -----------------------------


def text_ranks(engine, query: str) -> dict[tuple, float]:
    """Each matching row's own text rank, keyed by (agent, path, start_line, user_id)."""
    with engine.connect() as conn:
        if on_postgresql(engine):
            found = conn.execute(
                sa.text(
                    "SELECT agent_id, path, start_line, user_id, ts_rank(tsv, plainto_tsquery('simple', :q))::float8 "
                    "FROM memory_chunks WHERE tsv @@ plainto_tsquery('simple', :q)"
                ),
                {"q": query},
            ).all()
        else:
            phrase = " ".join(f'"{word}"' for word in query.split())
            found = conn.execute(
                sa.text(
                    "SELECT c.agent_id, c.path, c.start_line, c.user_id, -bm25(memory_chunks_fts) "
                    "FROM memory_chunks_fts JOIN memory_chunks c ON c.rowid = memory_chunks_fts.rowid "
                    "WHERE memory_chunks_fts MATCH :q"
                ),
                {"q": phrase},
            ).all()
            found = [(*key, magnitude / (1 + magnitude)) for *key, magnitude in found]
    return {(str(agent), path, start, user): score for agent, path, start, user, score in found}


def goclaw_ranking(
    engine,
    query,
    *,
    user_id="",
    vector=False,
    shared=False,
    max_results=6,
    min_score=0.0,
    path_prefix="",
    text_weight=0.3,
    vector_weight=0.7,
) -> list[tuple]:
    ranks = text_ranks(engine, query)
    visible = [
        r
        for r in ROWS
        if r.agent == "scout"
        and r.tenant == TENANT
        and (shared or (r.user_id is None or (user_id and r.user_id == user_id)))
    ]
    texts = [
        (r, ranks[(str(AGENTS["scout"]), r.path, r.start_line, r.user_id)])
        for r in visible
        if (str(AGENTS["scout"]), r.path, r.start_line, r.user_id) in ranks
    ]
    texts = sorted(texts, key=lambda hit: -hit[1])[: max_results * 2]
    vectors = []
    if vector:
        vectors = sorted(((r, r.similarity) for r in visible if r.similarity is not None), key=lambda hit: -hit[1])[
            : max_results * 2
        ]
    if not texts and vectors:
        text_weight, vector_weight = 0.0, 1.0
    elif not vectors and texts:
        text_weight, vector_weight = 1.0, 0.0
    merged: dict[tuple, dict] = {}
    for hits, weight in ((texts, text_weight), (vectors, vector_weight)):
        for row, score in hits:
            personal = bool(row.user_id)
            score = score * weight * (1.2 if personal else 1.0)
            key = (row.path, row.start_line)
            if key in merged:
                merged[key]["score"] += score
                if personal:
                    merged[key].update(scope="personal", snippet=row.text)
            else:
                merged[key] = {
                    "path": row.path,
                    "start_line": row.start_line,
                    "end_line": row.end_line,
                    "score": score,
                    "snippet": row.text,
                    "scope": "personal" if personal else "global",
                }
    ranked = sorted(merged.values(), key=lambda m: (-m["score"], m["path"], m["start_line"]))
    kept = [m for m in ranked if not (min_score > 0 and m["score"] < min_score) and m["path"].startswith(path_prefix)]
    return [
        (m["path"], m["start_line"], m["end_line"], m["snippet"], m["scope"], pytest.approx(m["score"], rel=1e-5))
        for m in kept[:max_results]
    ]


def as_tuples(results: list[MemorySearchResult]) -> list[tuple]:
    assert all(r.source == "memory" for r in results)
    return [(r.path, r.start_line, r.end_line, r.snippet, r.scope, r.score) for r in results]


def search(engine, query, *, vector=False, **options):
    return search_memory(
        engine,
        query,
        agent_id=AGENTS["scout"],
        tenant_id=TENANT,
        embedding=query_vector() if vector else None,
        **options,
    )


# --- every option against the re-statement ----------------------------------------

TEXT_CASES = {
    "global chunks only without a user": {},
    "a user's chunks join the global ones": {"user_id": "u1"},
    "shared memory searches every owner": {"shared": True},
    "max_results caps candidates and results": {"user_id": "u1", "max_results": 2},
    "min_score drops weak results": {"user_id": "u1", "min_score": 0.07},
    "path_prefix is case-sensitive": {"shared": True, "path_prefix": "notes/"},
}
HYBRID_CASES = {
    "hybrid, no user": {},
    "hybrid, a user: boost and dedup": {"user_id": "u1"},
    "hybrid, shared": {"shared": True},
    "hybrid, own weights": {"user_id": "u1", "text_weight": 0.9, "vector_weight": 0.1},
    "hybrid, one result": {"user_id": "u1", "max_results": 1},
    "hybrid, min_score and prefix": {"user_id": "u1", "min_score": 0.5, "path_prefix": "notes/"},
}


@pytest.mark.parametrize("options", TEXT_CASES.values(), ids=TEXT_CASES.keys())
def test_full_text_search_follows_goclaws_rules(engine, options):
    assert as_tuples(search(engine, "harbour", **options)) == goclaw_ranking(engine, "harbour", **options)


@pytest.mark.parametrize("options", HYBRID_CASES.values(), ids=HYBRID_CASES.keys())
def test_hybrid_search_follows_goclaws_rules(engine, options):
    expected = goclaw_ranking(engine, "harbour", vector=True, **options)
    assert as_tuples(search(engine, "harbour", vector=True, **options)) == expected


# --- the rules one by one, by hand --------------------------------------------------


def test_without_a_query_vector_text_scores_count_in_full(engine):
    ranks = text_ranks(engine, "harbour lights")
    scout = str(AGENTS["scout"])
    results = search(engine, "harbour lights", user_id="u1")
    assert [(r.path, r.scope) for r in results] == [("notes/a.md", "personal")]
    assert results[0].score == pytest.approx(
        ranks[(scout, "notes/a.md", 1, "u1")] * 1.2 + ranks[(scout, "notes/a.md", 1, None)]
    )


def test_the_users_copy_wins_the_snippet_and_both_copies_scores_add(engine):
    ranks = text_ranks(engine, "harbour")
    scout = str(AGENTS["scout"])
    top = search(engine, "harbour", vector=True, user_id="u1")[0]
    assert (top.path, top.start_line, top.scope) == ("notes/a.md", 1, "personal")
    assert top.snippet == "harbour lights copy harbour for harbour you"
    # The end line is the first hit's: the better text rank of the two copies (bm25 prefers the shorter one).
    personal_first = ranks[(scout, "notes/a.md", 1, "u1")] > ranks[(scout, "notes/a.md", 1, None)]
    assert top.end_line == (6 if personal_first else 5)
    assert top.score == pytest.approx(
        ranks[(scout, "notes/a.md", 1, None)] * 0.3
        + ranks[(scout, "notes/a.md", 1, "u1")] * 0.3 * 1.2
        + 0.90 * 0.7
        + 0.80 * 0.7 * 1.2,
        rel=1e-5,
    )


def test_a_per_user_chunk_outranks_a_closer_global_one_by_the_boost(engine):
    # No word matches: the vector side counts in full (weight 1, not 0.7).
    results = search(engine, "nothingmatches", vector=True, user_id="u1")
    assert [(r.path, r.scope, r.score) for r in results] == [
        ("notes/a.md", "personal", pytest.approx(0.90 + 0.80 * 1.2, rel=1e-5)),
        ("archive/e.md", "global", pytest.approx(0.70, rel=1e-5)),
        ("notes/c.md", "personal", pytest.approx(0.45 * 1.2, rel=1e-5)),
        ("notes/b.md", "global", pytest.approx(0.50, rel=1e-5)),
    ]


def test_shared_memory_sees_other_users_and_an_empty_owner_is_not_boosted(engine):
    found = {r.path: r.scope for r in search(engine, "harbour", shared=True, max_results=10)}
    assert found["notes/d.md"] == "personal"  # u2's chunk
    assert found["notes/g.md"] == "global"  # user_id '' counts as no owner
    assert "notes/g.md" not in {r.path for r in search(engine, "harbour", user_id="u1", max_results=10)}


def test_other_agents_and_tenants_are_never_searched(engine):
    results = search(engine, "harbour", shared=True, max_results=20)
    assert "notes/z.md" not in {r.path for r in results}
    assert all(r.snippet != "harbour " * 8 + "elsewhere" for r in results)


def test_a_statement_is_built_once_per_shape_and_takes_each_searchs_values():
    def plan(**options):
        return memory_search_plan("postgresql", "harbour", tenant_id=TENANT, **options)

    first = plan(agent_id=uuid.uuid4(), embedding=query_vector())
    other_values = plan(agent_id=uuid.uuid4(), embedding=unit_vector(0.3))
    other_options = plan(agent_id=uuid.uuid4(), embedding=query_vector(), user_id="u1")
    assert other_values.shape is first.shape
    assert other_options.shape is not first.shape
    assert other_values.params["agent_id"] != first.params["agent_id"]


def test_a_reused_statement_searches_the_agent_it_is_given(engine):
    options = {"embedding": query_vector(), "shared": True, "max_results": 20, "tenant_id": TENANT}
    scout = search_memory(engine, "harbour", agent_id=AGENTS["scout"], **options)
    rival = search_memory(engine, "harbour", agent_id=AGENTS["rival"], **options)
    assert [r.snippet for r in rival] == ["harbour " * 8 + "elsewhere"]
    assert "harbour " * 8 + "elsewhere" not in {r.snippet for r in scout}


def test_no_word_no_vector_finds_nothing_without_a_round_trip(engine):
    assert search(engine, "  ,;  ") == []


def test_a_query_vector_of_the_wrong_dimension_is_refused_naming_1536(engine):
    with pytest.raises(EmbeddingDimensionError, match=r"has 3 dimensions.*vector\(1536\)"):
        search_memory(engine, "harbour", agent_id=AGENTS["scout"], tenant_id=TENANT, embedding=[1.0, 2.0, 3.0])


def test_a_desktop_file_opened_without_sqlite_vec_says_how_to_get_it(engine):
    if on_postgresql(engine):
        pytest.skip("PostgreSQL has pgvector")
    plain = create_engine(engine.url.render_as_string(hide_password=False), poolclass=sa.pool.NullPool)
    with pytest.raises(VectorsUnavailable, match=r"pip install sqlite-vec pysqlite3-binary"):
        search(plain, "harbour", vector=True)
    assert search(plain, "harbour") == search(engine, "harbour")  # full text needs no extension


def test_the_async_search_returns_what_the_sync_one_does(engine):
    if not on_postgresql(engine):
        pytest.skip("the async engine is PostgreSQL's (asyncpg)")

    async def run():
        async_engine = create_async_engine(engine.url.render_as_string(hide_password=False), poolclass=sa.pool.NullPool)
        try:
            return await search_memory_async(
                async_engine,
                "harbour",
                agent_id=AGENTS["scout"],
                tenant_id=TENANT,
                user_id="u1",
                embedding=query_vector(),
            )
        finally:
            await async_engine.dispose()

    assert asyncio.run(run()) == search(engine, "harbour", vector=True, user_id="u1")
