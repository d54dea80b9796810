"""goclaw-db doctor: a clean database passes; each injected fault is named with its fix, on both databases."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from goclaw_db.engine import create_engine
from goclaw_db.operations import catalog
from goclaw_db.operations.doctor import (
    Check,
    check_bookkeeping,
    check_connections,
    check_invalid_indexes,
    check_memory,
    check_postgres_server,
    check_sizes,
)
from goclaw_db.vector_side_tables import create_vector_tables
from tests import operations_support as ops
from tests.operations_support import add_traces, goclaw_db
from tests.orm_world import populate_world
from tests.support import HEAD, MASTER_TENANT, downgrade, execute, upgrade

head_template, copy_database, goclaw_url = ops.head_template, ops.copy_database, ops.goclaw_url


def doctor(capsys, url: str, *args: str) -> tuple[int, dict[str, dict], str]:
    status, out, err = goclaw_db(capsys, url, "doctor", "--json", *args)
    return status, {check["name"]: check for check in json.loads(out)["checks"]}, err


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def run_check(url: str, check, *args):
    """One of doctor's checks on its own (the drift check, which builds a reference, runs through the CLI)."""
    engine = create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            outcome = check(connection, *args)
            return outcome[0] if isinstance(outcome, tuple) else outcome
    finally:
        engine.dispose()


def by_name(checks) -> dict[str, Check]:
    return {check.name: check for check in checks}


def test_a_clean_database_passes_every_check(capsys, goclaw_url):
    status, checks, err = doctor(capsys, goclaw_url)
    assert status == 0, err
    assert {name: check["status"] for name, check in checks.items() if check["status"] != "ok"} == {}
    assert "schema drift" in checks and "version" in checks


def test_text_output_has_a_status_and_a_fix_line(capsys, goclaw_url):
    execute(goclaw_url, "CREATE INDEX idx_hand_made ON traces (name)")
    status, out, err = goclaw_db(capsys, goclaw_url, "doctor")
    assert status == 1
    assert any(line.startswith("fail  schema drift") for line in out.splitlines())
    assert "- extra index traces.idx_hand_made" in [line.strip() for line in out.splitlines()]  # a line of its own
    assert any(line.strip().startswith("fix: ") for line in out.splitlines())
    assert err == "goclaw-db: doctor: 1 check(s) failed: schema drift\n"


def drift_of(capsys, url: str) -> str:
    """The drift check's summary and its findings, a line each."""
    status, checks, _err = doctor(capsys, url)
    assert status == 1 and checks["schema drift"]["status"] == "fail"
    return "\n".join([checks["schema drift"]["detail"], *checks["schema drift"]["items"]])


def test_hand_made_index_dropped_index_and_extra_column_are_named(capsys, goclaw_url):
    execute(goclaw_url, "CREATE INDEX idx_hand_made ON traces (name)")
    execute(goclaw_url, "DROP INDEX idx_spans_model")
    execute(goclaw_url, "ALTER TABLE spans ADD COLUMN note TEXT")
    detail = drift_of(capsys, goclaw_url)
    assert "extra index traces.idx_hand_made" in detail
    assert "missing index spans.idx_spans_model" in detail
    assert "extra column spans.note" in detail
    assert detail.startswith(f"3 difference(s) from version {HEAD}")


def test_postgres_dropped_constraint_changed_default_and_extra_function_are_named(capsys, goclaw_url):
    if not is_postgres(goclaw_url):
        pytest.skip("SQLite cannot drop a constraint or change a default without rebuilding the table")
    execute(goclaw_url, "ALTER TABLE spans DROP CONSTRAINT spans_team_id_fkey")
    execute(goclaw_url, "ALTER TABLE traces ALTER COLUMN status SET DEFAULT 'queued'")
    execute(goclaw_url, "CREATE FUNCTION hand_made() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    detail = drift_of(capsys, goclaw_url)
    assert "missing constraint spans.spans_team_id_fkey" in detail
    assert "different column traces.status" in detail and "queued" in detail
    assert "extra function hand_made()" in detail


def test_the_side_tables_of_embeddings_and_their_triggers_are_not_drift(capsys, goclaw_url):
    # The README's [vectors] flow makes them on first use; they are this package's, never GoClaw's schema.
    if is_postgres(goclaw_url):
        pytest.skip("PostgreSQL keeps embeddings in GoClaw's own columns")
    engine = sa.create_engine(goclaw_url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        create_vector_tables(connection)
    engine.dispose()
    status, checks, err = doctor(capsys, goclaw_url)
    assert status == 0, err
    assert checks["schema drift"]["status"] == "ok", checks["schema drift"]["items"]


def test_sqlite_dropped_trigger_is_named(capsys, goclaw_url):
    if is_postgres(goclaw_url):
        pytest.skip("the FTS5 triggers are the desktop file's")
    trigger = execute(goclaw_url, "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' LIMIT 1")[0]
    execute(goclaw_url, f'DROP TRIGGER "{trigger[1]}"')
    assert f"missing trigger {trigger[0]}.{trigger[1]}" in drift_of(capsys, goclaw_url)


@pytest.mark.parametrize("version", [9, 27])
def test_no_drift_on_a_clean_database_at_earlier_versions(head_template, make_database_at, version):
    url = make_database_at(version, head_template[0])
    with catalog.References(sa.make_url(url)) as references:
        assert drift_at(url, version, references) == []


def test_the_drift_checks_scratch_database_is_dropped_on_leaving(postgres_url, postgres_server_url):
    # It is made on the operator's own server, beside GoClaw's database.
    with catalog.References(sa.make_url(postgres_url)) as references:
        references.catalog_at(1)
        scratch = references.scratch_name
        assert execute(postgres_server_url, f"SELECT 1 FROM pg_database WHERE datname = '{scratch}'") == [(1,)]
    assert execute(postgres_server_url, f"SELECT 1 FROM pg_database WHERE datname = '{scratch}'") == []


def drift_at(url: str, version: int, references: catalog.References) -> list[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return catalog.differences(references.catalog_at(version), catalog.read(connection), version)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_no_drift_on_a_clean_database_at_every_version(head_template, make_postgres_database, tmp_path):
    url = f"sqlite:///{tmp_path / 'walk.db'}" if head_template[0] == "sqlite" else make_postgres_database()
    drifted = {}
    with catalog.References(sa.make_url(url)) as references:
        for version in range(HEAD + 1):
            upgrade(url, version)
            found = drift_at(url, version, references)
            if found:
                drifted[version] = found
    assert drifted == {}


def test_invalid_index_from_an_interrupted_concurrent_build_is_named_with_reindex(capsys, goclaw_url):
    if not is_postgres(goclaw_url):
        pytest.skip("SQLite has no concurrent index builds")
    execute(goclaw_url, "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'idx_traces_quota'::regclass")
    found = run_check(goclaw_url, check_invalid_indexes)
    assert found.status == "fail" and "idx_traces_quota" in found.detail
    assert found.fix == "REINDEX INDEX CONCURRENTLY idx_traces_quota"


def test_dirty_version_fails_with_the_force_to_run(capsys, goclaw_url):
    if not is_postgres(goclaw_url):
        pytest.skip("the desktop file records no dirty flag")
    execute(goclaw_url, "UPDATE schema_migrations SET dirty = true")
    found = run_check(goclaw_url, check_bookkeeping, HEAD)
    assert found.status == "fail" and found.fix.endswith(f"goclaw-db migrate force {HEAD - 1}")


def test_pending_revisions_warn_and_point_at_upgrade(capsys, goclaw_url):
    downgrade(goclaw_url, HEAD - 1)
    status, checks, _err = doctor(capsys, goclaw_url)
    assert status == 0
    assert checks["version"]["status"] == "warn" and "1 revision(s)" in checks["version"]["detail"]
    assert checks["version"]["fix"] == "goclaw-db upgrade"
    assert checks["schema drift"]["status"] == "ok"  # compared with what version 43 builds


def test_memory_without_embeddings_and_cache_of_another_dimension_warn(capsys, goclaw_url):
    execute(
        goclaw_url,
        "INSERT INTO embedding_cache (hash, provider, model, dims, tenant_id) "
        "VALUES ('h', 'openai', 'small-768', 768, :tenant)",
        {"tenant": MASTER_TENANT},
    )
    engine = create_engine(goclaw_url, poolclass=sa.pool.NullPool)
    populate_world(engine)  # two memory chunks, written before any embedding provider ran
    engine.dispose()
    checks = by_name(run_check(goclaw_url, lambda c: check_memory(c, set(sa.inspect(c).get_table_names()))))
    cache = checks["embedding cache"]
    assert cache.status == "warn" and "1 of 768 dimensions" in cache.detail
    assert cache.fix.startswith("DELETE FROM embedding_cache WHERE dims <> 1536")
    if is_postgres(goclaw_url):
        assert checks["memory embeddings"].status == "warn"
        assert "2 of 2 memory chunks have no embedding" in checks["memory embeddings"].detail


def test_old_spans_warn_and_point_at_prune(capsys, goclaw_url):
    engine = sa.create_engine(goclaw_url, poolclass=sa.pool.NullPool)
    add_traces(engine, 2, 3, age_days=45)
    engine.dispose()
    found = run_check(goclaw_url, lambda c: check_sizes(c, set(sa.inspect(c).get_table_names())))
    assert found.status == "warn" and "spans" in found.detail and "45 days old" in found.detail
    assert found.fix.startswith("goclaw-db prune --spans 30d")


def test_max_connections_against_goclaw_pools(capsys, goclaw_url):
    if not is_postgres(goclaw_url):
        pytest.skip("a PostgreSQL setting")
    limit = int(execute(goclaw_url, "SHOW max_connections")[0][0])
    found = run_check(goclaw_url, check_connections, limit // 25 + 1)
    assert found.status == "fail" and "ALTER SYSTEM SET max_connections" in found.fix
    assert run_check(goclaw_url, check_connections, 1).status == "ok"


def test_bad_instances_is_one_line(capsys, goclaw_url):
    status, out, err = goclaw_db(capsys, goclaw_url, "doctor", "--instances", "0")
    assert status == 1 and out == "" and err.count("\n") == 1 and "--instances 0" in err


def test_sqlite_doctor_leaves_a_rollback_journal_file_byte_for_byte_as_it_was(capsys, goclaw_url):
    # GoClaw's connection settings switch a file to WAL; a diagnosis must not, nor write anything else.
    if is_postgres(goclaw_url):
        pytest.skip("journal modes are SQLite's")
    path = Path(sa.make_url(goclaw_url).database)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    before = path.read_bytes()
    status, checks, err = doctor(capsys, goclaw_url)
    assert status == 0, err
    assert "journal mode delete" in checks["sqlite"]["detail"]
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_a_uuid_generate_v7_needing_missing_pgcrypto_fails_with_create_extension(goclaw_url):
    # A database GoClaw's own SQL built: its uuid_generate_v7() draws on pgcrypto's gen_random_bytes().
    if not is_postgres(goclaw_url):
        pytest.skip("a PostgreSQL extension")
    execute(
        goclaw_url,
        "CREATE OR REPLACE FUNCTION uuid_generate_v7() RETURNS uuid LANGUAGE plpgsql AS "
        "'BEGIN RETURN encode(gen_random_bytes(16), ''hex'')::uuid; END'",
    )
    found = by_name(run_check(goclaw_url, check_postgres_server))["pgcrypto"]
    assert found.status == "fail" and found.fix.startswith("CREATE EXTENSION pgcrypto")


def test_a_role_that_may_not_create_pgvector_fails_the_pgvector_check(head_template, postgres_url):
    if head_template[0] != "postgresql":
        pytest.skip("a PostgreSQL extension")
    plain = sa.make_url(postgres_url)
    role = f"{plain.database}_app"
    execute(postgres_url, f'CREATE ROLE "{role}" LOGIN')
    execute(postgres_url, f'GRANT CREATE, USAGE ON SCHEMA public TO "{role}"')
    try:
        found = by_name(
            run_check(plain.set(username=role).render_as_string(hide_password=False), check_postgres_server)
        )["pgvector"]
        assert found.status == "fail" and "cannot be" in found.detail and "CREATE EXTENSION vector" in found.fix
    finally:
        execute(postgres_url, f'DROP OWNED BY "{role}"')
        execute(plain.set(database="postgres").render_as_string(hide_password=False), f'DROP ROLE "{role}"')
