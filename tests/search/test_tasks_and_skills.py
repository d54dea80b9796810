"""Team task search ranks as GoClaw's team store does (SearchTasks + hybridMergeTaskResults):
prefix words, text rank alone without a vector, and position-based 0.3/0.7 scores with one.
Skill search finds what GoClaw's SearchByEmbedding finds: active, enabled, non-private skills
of the tenant and every system skill, nearest first."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from goclaw_db.models import AgentTeam, Skill, TeamTask
from goclaw_db.search import search_skills, search_tasks
from tests.search.conftest import (
    OTHER_TENANT,
    add_agent,
    add_other_tenant,
    on_postgresql,
    put_embeddings,
    query_vector,
    unit_vector,
)
from tests.support import MASTER_TENANT

TENANT = uuid.UUID(MASTER_TENANT)
IDS: dict[str, uuid.UUID] = {}
TASKS = [  # key, team, user, subject, description, similarity
    ("map", "crew", "u1", "Sketch the harbour map", "draft a sketchnote sketch", 0.90),
    ("crane", "crew", "u1", "harbour crane repair", "sketch the boom", 0.50),
    ("book", "crew", "u2", "sketchbook purchase", "for the harbour office", 0.70),
    ("laundry", "crew", "u1", "laundry run", "nothing to draw", 0.95),
    ("rival", "other", "u1", "Sketch harbour sketch", "sketch", 0.99),
]

SIMILARITY = {key: similarity for key, *_, similarity in TASKS}
SKILLS = [  # key, tenant, status, enabled, visibility, is_system, file_path, similarity
    ("ours", "master", "active", True, "public", False, "/data/skills/ours", 0.90),
    ("system", "other", "active", True, "public", True, "", 0.80),
    ("private", "master", "active", True, "private", False, "/p", 0.99),
    ("disabled", "master", "active", False, "public", False, "/d", 0.95),
    ("foreign", "other", "active", True, "public", False, "/f", 0.97),
    ("archived", "master", "archived", True, "public", False, "/a", 0.96),
    ("unembedded", "master", "active", True, "public", False, "/u", None),
]


def fill(connection) -> None:
    lead = add_agent(connection, "lead")
    for team in ("crew", "other"):
        IDS[team] = uuid.uuid4()
        connection.execute(
            sa.insert(AgentTeam.__table__).values(
                id=IDS[team], name=team, lead_agent_id=lead, created_by="owner", tenant_id=TENANT
            )
        )
    embeddings = {}
    for number, (key, team, user, subject, description, similarity) in enumerate(TASKS, start=1):
        IDS[key] = uuid.uuid4()
        connection.execute(
            sa.insert(TeamTask.__table__).values(
                id=IDS[key],
                team_id=IDS[team],
                user_id=user,
                subject=subject,
                description=description,
                task_number=number,
                tenant_id=TENANT,
            )
        )
        embeddings[IDS[key]] = unit_vector(similarity, axis=number)
    put_embeddings(connection, TeamTask.__table__, embeddings)
    add_other_tenant(connection)
    embeddings = {}
    for number, (key, tenant, status, enabled, visibility, system, path, similarity) in enumerate(SKILLS):
        IDS[key] = uuid.uuid4()
        connection.execute(
            sa.insert(Skill.__table__).values(
                id=IDS[key],
                name=f"skill {key}",
                slug=f"slug-{key}",
                owner_id="owner",
                status=status,
                enabled=enabled,
                visibility=visibility,
                is_system=system,
                file_path=path,
                version=3,
                description=f"does {key}",
                tenant_id=TENANT if tenant == "master" else OTHER_TENANT,
            )
        )
        if similarity is not None:
            embeddings[IDS[key]] = unit_vector(similarity, axis=100 + number)
    put_embeddings(connection, Skill.__table__, embeddings)


def text_order(engine, prefix: str, keys: list[str]) -> list[uuid.UUID]:
    """The tasks among ``keys`` matching the prefix, best text rank first."""
    with engine.connect() as conn:
        if on_postgresql(engine):
            found = conn.execute(
                sa.text(
                    "SELECT id, ts_rank(tsv, to_tsquery('simple', :q))::float8 FROM team_tasks "
                    "WHERE tsv @@ to_tsquery('simple', :q)"
                ),
                {"q": f"{prefix}:*"},
            ).all()
        else:
            found = conn.execute(
                sa.text(
                    "SELECT t.id, -bm25(team_tasks_fts) FROM team_tasks_fts JOIN team_tasks t "
                    "ON t.rowid = team_tasks_fts.rowid WHERE team_tasks_fts MATCH :q"
                ),
                {"q": f'"{prefix}"*'},
            ).all()
    ranks = {uuid.UUID(str(key)): score for key, score in found}
    wanted = [IDS[key] for key in keys if IDS[key] in ranks]
    return sorted(wanted, key=lambda key: (-ranks[key], str(key)))


def by_position(order: list[uuid.UUID]) -> dict:
    return {key: 1.0 - i / len(order) for i, key in enumerate(order)}


def search(engine, query, **options):
    return search_tasks(engine, query, team_id=IDS["crew"], tenant_id=TENANT, **options)


def test_words_match_as_prefixes_and_punctuation_is_dropped(engine):
    found = {r.id for r in search(engine, "sket!ch")}
    assert found == {IDS["map"], IDS["crane"], IDS["book"]}  # sketch, sketchnote, sketchbook; not the other team


def test_without_a_vector_tasks_rank_by_text_alone(engine):
    results = search(engine, "sketch")
    assert [r.id for r in results] == text_order(engine, "sketch", ["map", "crane", "book"])
    assert results[0].subject and results[0].task_number >= 1


def test_every_word_is_required(engine):
    assert {r.id for r in search(engine, "sketch harb")} == {IDS["map"], IDS["crane"], IDS["book"]}
    assert search(engine, "sketch laundry") == []


def test_words_are_split_on_white_space_as_gos_strings_fields_splits_them(engine):
    # U+001C-U+001F separate words for Python's str.split(), not for Go: "sketch\x1charb" is one word.
    assert search(engine, "sketch\x1charb") == []
    assert {r.id for r in search(engine, "sketch\u3000harb")} == {IDS["map"], IDS["crane"], IDS["book"]}


def test_a_task_without_an_identifier_has_the_empty_one_as_in_goclaw(engine):
    assert {r.identifier for r in search(engine, "sketch")} == {""}
    assert {r.identifier for r in search(engine, "sketch", embedding=query_vector())} == {""}


@pytest.mark.parametrize(
    ("options", "keys"),
    [
        ({}, ["map", "crane", "book", "laundry"]),
        ({"user_id": "u1"}, ["map", "crane", "laundry"]),
        ({"limit": 2}, ["map", "crane", "book", "laundry"]),
    ],
    ids=["whole team", "one user", "limit"],
)
def test_with_a_vector_scores_are_by_position_weighted_03_07(engine, options, keys):
    limit = options.get("limit", 20)
    texts = by_position(text_order(engine, "sketch", keys)[: limit * 2])
    nearest = sorted(keys, key=lambda k: -SIMILARITY[k])[: limit * 2]
    vectors = by_position([IDS[k] for k in nearest])
    scores = {key: texts.get(key, 0.0) * 0.3 + vectors.get(key, 0.0) * 0.7 for key in {*texts, *vectors}}
    expected = sorted(scores.items(), key=lambda item: (-item[1], str(item[0])))[:limit]
    results = search(engine, "sketch", embedding=query_vector(), **options)
    assert [(r.id, r.score) for r in results] == [(key, pytest.approx(score)) for key, score in expected]


def test_no_word_left_finds_nothing(engine):
    assert search(engine, "!!! ???", embedding=query_vector()) == []


def test_skills_nearest_first_among_the_tenants_usable_ones_and_every_system_skill(engine):
    results = search_skills(engine, query_vector(), tenant_id=TENANT, base_dir="/srv/skills")
    assert [(r.name, r.slug, r.description, r.path, r.score) for r in results] == [
        ("skill ours", "slug-ours", "does ours", "/data/skills/ours/SKILL.md", pytest.approx(0.90, rel=1e-5)),
        (
            "skill system",
            "slug-system",
            "does system",
            "/srv/skills/slug-system/3/SKILL.md",
            pytest.approx(0.80, rel=1e-5),
        ),
    ]
    assert [r.slug for r in search_skills(engine, query_vector(), tenant_id=TENANT, limit=1)] == ["slug-ours"]
