"""``goclaw-db tune vectors``: the operator's faster exact vector search, and its undo (issue 24).

GoClaw keeps pgvector's own storage for its embeddings (EXTERNAL: a 6 KB vector lives in
TOAST), which makes an exact search read every vector through the TOAST index.  The
command keeps them in the heap (MAIN) and rewrites the tables so existing rows move too;
``--undo`` puts the type's storage back.  Storage is not part of GoClaw's schema catalog,
so doctor must call it the operator's tuning, never drift.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from goclaw_db.engine import create_engine
from goclaw_db.operations import doctor
from tests.operations_support import goclaw_db
from tests.orm_world import populate_world
from tests.support import HEAD, execute

INLINE = (
    "SELECT a.attstorage, bool_and(pg_column_toast_chunk_id(m.embedding) IS NULL) FROM memory_chunks m, pg_attribute a"
    " WHERE a.attrelid = 'memory_chunks'::regclass AND a.attname = 'embedding' GROUP BY a.attstorage"
)


@pytest.fixture
def embedded_url(make_database_at) -> str:
    """A PostgreSQL database at head whose memory chunks have embeddings (in TOAST, as GoClaw stores them)."""
    url = make_database_at(HEAD)
    engine = create_engine(url, poolclass=sa.pool.NullPool)
    populate_world(engine)
    engine.dispose()
    # Random floats: a vector that compresses would stay inline, compressed, whatever the storage.
    execute(
        url,
        "UPDATE memory_chunks SET embedding = (SELECT array_agg(random())::vector FROM generate_series(1, 1536)"
        " WHERE memory_chunks.id IS NOT NULL)",
    )
    return url


def doctor_checks(capsys, url: str) -> dict[str, dict]:
    _status, out, _err = goclaw_db(capsys, url, "doctor", "--json")
    return {check["name"]: check for check in json.loads(out)["checks"]}


def test_tune_vectors_moves_memory_vectors_into_the_heap_and_undo_puts_them_back(capsys, embedded_url):
    assert execute(embedded_url, INLINE) == [("e", False)]
    status, out, err = goclaw_db(capsys, embedded_url, "tune", "vectors", "--yes")
    assert status == 0, err
    assert "memory_chunks.embedding: EXTERNAL" in out and "VACUUM FULL" in out
    assert execute(embedded_url, INLINE) == [("m", True)]

    status, out, err = goclaw_db(capsys, embedded_url, "tune", "vectors", "--undo", "--yes")
    assert status == 0, err
    assert execute(embedded_url, INLINE) == [("e", False)]


def test_doctor_calls_tuned_vectors_the_operators_tuning_not_drift(capsys, embedded_url):
    assert goclaw_db(capsys, embedded_url, "tune", "vectors", "--yes")[0] == 0
    checks = doctor_checks(capsys, embedded_url)
    assert checks["schema drift"]["status"] == "ok", checks["schema drift"]
    assert checks["vector storage"]["status"] == "ok"
    assert "an operator's tuning, not drift" in checks["vector storage"]["detail"]


def test_tune_vectors_off_a_terminal_without_yes_changes_nothing(capsys, embedded_url):
    status, _out, err = goclaw_db(capsys, embedded_url, "tune", "vectors")
    assert status == 1
    assert err == "goclaw-db: nothing was changed: run again with --yes to confirm\n"
    assert execute(embedded_url, INLINE) == [("e", False)]


def test_tune_vectors_on_a_desktop_file_refuses_in_one_line(capsys, make_database_at):
    status, _out, err = goclaw_db(capsys, make_database_at(HEAD, "sqlite"), "tune", "vectors", "--yes")
    assert status == 1
    assert err.startswith("goclaw-db: tune vectors is for PostgreSQL") and err.count("\n") == 1


def test_doctor_points_at_tune_vectors_when_exact_searches_dominate(capsys, embedded_url, monkeypatch):
    # Every agent of the test world has a few chunks, so each memory search reads them all.
    monkeypatch.setattr(doctor, "TUNING_MIN_CHUNKS", 1)
    check = doctor_checks(capsys, embedded_url)["vector storage"]
    assert check["status"] == "warn"
    assert "searched exactly" in check["detail"]
    assert check["fix"].startswith("goclaw-db tune vectors")
