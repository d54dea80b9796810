"""Episodic summaries, vault documents and knowledge-graph entities rank as GoClaw's stores rank them.

Each function is checked against ``goclaw_merge_by_id`` (GoClaw's merge re-stated
in Python over every row's own text rank and cosine similarity) with the rule that
makes that store different: episodic's fixed weights with no fallback,
the vault's per-side normalisation and team/scope/doc-type filters, the graph's
text-only path and its shared mode.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from goclaw_db.engine import create_async_engine
from goclaw_db.models import AgentTeam, EpisodicSummary, KGEntity, VaultDocument
from goclaw_db.search import (
    EmbeddingDimensionError,
    search_entities,
    search_entities_async,
    search_episodic,
    search_vault,
)
from tests.search.conftest import (
    add_agent,
    goclaw_merge_by_id,
    on_postgresql,
    put_embeddings,
    query_vector,
    text_ranks,
    unit_vector,
)
from tests.support import MASTER_TENANT

TENANT = uuid.UUID(MASTER_TENANT)
IDS: dict[str, uuid.UUID] = {}
SIMILARITY: dict[uuid.UUID, float] = {}

EPISODES = [  # name, user, summary, similarity
    ("trip", "u1", "harbour trip planning", 0.90),
    ("budget", "u1", "harbour harbour budget review", 0.30),
    ("meeting", "u2", "harbour meeting notes", 0.80),
    ("cooking", "u1", "unrelated cooking evening", 0.70),
    ("quiet", "u1", "harbour harbour harbour quiet", None),
]
DOCUMENTS = [  # name, team, scope, doc_type, title, similarity
    ("plan", None, "personal", "note", "harbour plan", 0.40),
    ("chart", "crew", "team", "note", "harbour harbour chart", 0.90),
    ("log", "crew", "team", "memory", "harbour log book entry", 0.20),
    ("policy", None, "shared", "context", "shipping policy", 0.85),
]
ENTITIES = [  # name, user, entity name, description, current, similarity
    ("pier", "u1", "Pier Seven", "harbour landmark", True, 0.60),
    ("crane", "u1", "Crane", "harbour harbour crane", True, 0.20),
    ("boat", "u2", "Blue Boat", "harbour vessel", True, 0.95),
    ("lighthouse", "u1", "Lighthouse", "coastal tower", True, 0.80),
    ("old", "u1", "Old Harbour", "harbour harbour harbour", False, 0.99),
]


def fill(connection) -> None:
    scout = IDS["scout"] = add_agent(connection, "scout")
    rival = add_agent(connection, "rival")
    IDS["crew"] = uuid.uuid4()
    connection.execute(
        sa.insert(AgentTeam.__table__).values(
            id=IDS["crew"], name="crew", lead_agent_id=scout, created_by="owner", tenant_id=TENANT
        )
    )
    embeddings: dict[sa.Table, dict] = {
        EpisodicSummary.__table__: {},
        VaultDocument.__table__: {},
        KGEntity.__table__: {},
    }

    def add(t: sa.Table, key: str, similarity: float | None, **values) -> None:
        IDS[key] = row_id = uuid.uuid4()
        connection.execute(sa.insert(t).values(id=row_id, tenant_id=TENANT, **values))
        if similarity is not None:
            SIMILARITY[row_id] = similarity
            embeddings[t][row_id] = unit_vector(similarity, axis=len(SIMILARITY))

    for name, user, summary, similarity in EPISODES:
        add(
            EpisodicSummary.__table__,
            name,
            similarity,
            agent_id=scout,
            user_id=user,
            session_key=f"s-{name}",
            summary=summary,
            l0_abstract=f"about {name}",
            source_type="session",
        )
    add(
        EpisodicSummary.__table__,
        "rival-episode",
        0.99,
        agent_id=rival,
        user_id="u1",
        session_key="s-r",
        summary="harbour",
        l0_abstract="rival",
        source_type="session",
    )
    for name, team, scope, doc_type, title, similarity in DOCUMENTS:
        add(
            VaultDocument.__table__,
            name,
            similarity,
            agent_id=scout,
            team_id=IDS.get(team),
            scope=scope,
            doc_type=doc_type,
            path=f"vault/{name}.md",
            title=title,
            content_hash=name,
        )
    for name, user, entity, description, current, similarity in ENTITIES:
        add(
            KGEntity.__table__,
            name,
            similarity,
            agent_id=scout,
            user_id=user,
            external_id=name,
            name=entity,
            entity_type="place",
            description=description,
            valid_until=None if current else sa.func.current_timestamp(),
        )
    for t, vectors in embeddings.items():
        put_embeddings(connection, t, vectors)


def similarities(*names: str) -> dict:
    return {IDS[name]: SIMILARITY[IDS[name]] for name in names if IDS[name] in SIMILARITY}


def ranks_of(engine, t: sa.Table, tsv: str, config: str, query: str, *names: str) -> dict:
    ranks = text_ranks(engine, t, tsv, config, query)
    return {IDS[name]: ranks[IDS[name]] for name in names if IDS[name] in ranks}


def scout(**options) -> dict:
    return {"agent_id": IDS["scout"], "tenant_id": TENANT, **options}


# --- episodic summaries (PGEpisodicStore.Search) ----------------------------------

EPISODE_NAMES = [name for name, *_ in EPISODES]


def episodic_expected(engine, visible, *, vector, text_weight=0.4, vector_weight=0.6, limit=10, min_score=0.0):
    texts = ranks_of(engine, EpisodicSummary.__table__, "search_vector", "english", "harbour", *visible)
    vectors = similarities(*visible) if vector else {}
    merged = goclaw_merge_by_id(texts, vectors, text_weight, vector_weight, limit)
    return [(key, score) for key, score in merged if not (min_score > 0 and score < min_score)]


EPISODIC_CASES = {
    "text only: 0.4 x rank, no fallback": ({"user_id": "u1"}, ["trip", "budget", "cooking", "quiet"], False),
    "hybrid for one user": ({"user_id": "u1"}, ["trip", "budget", "cooking", "quiet"], True),
    "no user: every user's summaries": ({}, EPISODE_NAMES, True),
    "own weights": (
        {"user_id": "u1", "text_weight": 0.9, "vector_weight": 0.1},
        ["trip", "budget", "cooking", "quiet"],
        True,
    ),
    "cut to max_results": ({"max_results": 2}, EPISODE_NAMES, True),
}


@pytest.mark.parametrize(("options", "visible", "vector"), EPISODIC_CASES.values(), ids=EPISODIC_CASES.keys())
def test_episodic_search_follows_goclaws_rules(engine, options, visible, vector):
    results = search_episodic(engine, "harbour", **scout(embedding=query_vector() if vector else None, **options))
    expected = episodic_expected(
        engine,
        visible,
        vector=vector,
        limit=options.get("max_results", 10),
        **{k: v for k, v in options.items() if k.endswith("weight")},
    )
    assert [(r.episodic_id, r.score) for r in results] == expected
    assert all(
        r.session_key == f"s-{name}" and r.l0_abstract == f"about {name}"
        for r in results
        for name in [n for n in EPISODE_NAMES if IDS[n] == r.episodic_id]
    )


def test_episodic_min_score_drops_weaker_summaries(engine):
    every = search_episodic(engine, "harbour", **scout(embedding=query_vector(), max_results=4))
    threshold = (every[1].score + every[2].score) / 2
    kept = search_episodic(engine, "harbour", **scout(embedding=query_vector(), max_results=4, min_score=threshold))
    assert [r.episodic_id for r in kept] == [r.episodic_id for r in every[:2]]


# --- vault documents (PGVaultStore.Search) ----------------------------------------

VAULT_CASES = {
    "any team": ({}, ["plan", "chart", "log", "policy"]),
    "one team": ({"team_id": "crew"}, ["chart", "log"]),
    "no team (personal)": ({"team_id": ""}, ["plan", "policy"]),
    "scope": ({"scope": "team"}, ["chart", "log"]),
    "doc types": ({"doc_types": ["note", "context"]}, ["plan", "chart", "policy"]),
    "cut to max_results": ({"max_results": 2}, ["plan", "chart", "log", "policy"]),
}


@pytest.mark.parametrize("vector", [False, True], ids=["text", "hybrid"])
@pytest.mark.parametrize(("options", "visible"), VAULT_CASES.values(), ids=VAULT_CASES.keys())
def test_vault_search_normalises_each_side_then_weighs_04_06(engine, options, visible, vector):
    if options.get("team_id") == "crew":
        options = {**options, "team_id": IDS["crew"]}
    results = search_vault(engine, "harbour", **scout(embedding=query_vector() if vector else None, **options))
    texts = ranks_of(engine, VaultDocument.__table__, "tsv", "simple", "harbour", *visible)
    vectors = similarities(*visible) if vector else {}
    expected = goclaw_merge_by_id(texts, vectors, 0.4, 0.6, options.get("max_results", 10), normalize=True)
    assert [(r.document.id, r.score) for r in results] == expected
    assert all(
        r.source == "vault" and r.document.path == f"vault/{name}.md"
        for r in results
        for name in visible
        if IDS[name] == r.document.id
    )


def test_vault_best_text_hit_scores_exactly_the_text_weight_without_vectors(engine):
    assert search_vault(engine, "harbour", **scout())[0].score == pytest.approx(0.4)


# --- knowledge-graph entities (PGKnowledgeGraphStore.SearchEntities) ------------------

CURRENT_U1 = ["pier", "crane", "lighthouse"]


def test_entities_without_vector_hits_are_the_text_hits_in_rank_order(engine):
    results = search_entities(engine, "harbour", **scout(user_id="u1"))
    texts = ranks_of(engine, KGEntity.__table__, "tsv", "simple", "harbour", *CURRENT_U1)
    assert [(r.id, r.score) for r in results] == goclaw_merge_by_id(texts, {}, 1.0, 0.0, 20)
    assert IDS["old"] not in {r.id for r in results}  # valid_until set: no longer current


@pytest.mark.parametrize(
    ("options", "visible"),
    [
        ({"user_id": "u1"}, CURRENT_U1),
        ({"user_id": "u1", "shared": True}, [*CURRENT_U1, "boat"]),
        ({}, [*CURRENT_U1, "boat"]),
        ({"user_id": "u1", "limit": 1}, CURRENT_U1),
    ],
    ids=["one user", "shared graph", "no user", "limit"],
)
def test_entity_hybrid_search_weighs_03_07(engine, options, visible):
    results = search_entities(engine, "harbour", **scout(embedding=query_vector(), **options))
    texts = ranks_of(engine, KGEntity.__table__, "tsv", "simple", "harbour", *visible)
    expected = goclaw_merge_by_id(texts, similarities(*visible), 0.3, 0.7, options.get("limit", 20))
    assert [(r.id, r.score) for r in results] == expected


def test_entity_vectors_count_in_full_when_no_word_matches(engine):
    results = search_entities(engine, "nothingmatches", **scout(user_id="u1", embedding=query_vector()))
    assert [(r.name, r.score) for r in results] == [
        ("Lighthouse", pytest.approx(0.80, rel=1e-5)),
        ("Pier Seven", pytest.approx(0.60, rel=1e-5)),
        ("Crane", pytest.approx(0.20, rel=1e-5)),
    ]


def test_wrong_dimension_is_refused_by_every_search(engine):
    for search in (search_episodic, search_vault, search_entities):
        with pytest.raises(EmbeddingDimensionError, match="1536"):
            search(engine, "harbour", **scout(embedding=[0.5] * 768))


def test_async_entity_search_matches_the_sync_one(engine):
    if not on_postgresql(engine):
        pytest.skip("the async engine is PostgreSQL's (asyncpg)")

    async def run():
        async_engine = create_async_engine(engine.url.render_as_string(hide_password=False), poolclass=sa.pool.NullPool)
        try:
            async with async_engine.connect() as connection:
                return await search_entities_async(connection, "harbour", **scout(embedding=query_vector()))
        finally:
            await async_engine.dispose()

    assert asyncio.run(run()) == search_entities(engine, "harbour", **scout(embedding=query_vector()))
