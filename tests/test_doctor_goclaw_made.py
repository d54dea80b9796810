"""goclaw-db doctor on PostgreSQL databases GoClaw's own migrations made (``tests/goclaw_databases``).

An operator who adopts a database GoClaw built, at any version it released,
runs doctor every night: GoClaw's own forms of the chain's objects are no
drift, and every hand-made change is still named, a changed function shown
as a diff of both definitions.
"""

from __future__ import annotations

import json

import pytest

from tests.goclaw_databases import released_dumps, restore
from tests.operations_support import goclaw_db
from tests.support import execute

GOCLAW_MADE = released_dumps()
# GoClaw's migration 43 adds the one trigger GoClaw's PostgreSQL schema has at 44.
TRIGGER_SINCE = 43


@pytest.fixture(params=sorted(GOCLAW_MADE), ids=lambda version: f"goclaw_v{version}")
def goclaw_made(request, make_postgres_database) -> tuple[int, str]:
    """(version, URL) of a fresh database restored from GoClaw's own build at that version."""
    url = make_postgres_database()
    restore(GOCLAW_MADE[request.param], url)
    return request.param, url


def doctor(capsys, url: str) -> tuple[int, dict[str, dict]]:
    status, out, _err = goclaw_db(capsys, url, "doctor", "--json")
    return status, {check["name"]: check for check in json.loads(out)["checks"]}


def test_goclaw_made_dumps_cover_versions_20_37_and_44():
    assert {20, 37, 44} <= GOCLAW_MADE.keys()


def test_a_database_goclaw_made_passes_doctor_with_no_drift(capsys, goclaw_made):
    version, url = goclaw_made
    status, checks = doctor(capsys, url)
    assert checks["schema drift"] == {
        "name": "schema drift",
        "status": "ok",
        "detail": f"the schema is exactly what version {version} builds",
        "fix": "",
        "items": [],
    }
    assert status == 0 and [name for name, check in checks.items() if check["status"] == "fail"] == []


def test_an_edited_function_a_dropped_trigger_and_an_added_index_are_each_named(capsys, goclaw_made):
    version, url = goclaw_made
    execute(
        url, "CREATE OR REPLACE FUNCTION uuid_generate_v7() RETURNS uuid LANGUAGE sql AS 'SELECT gen_random_uuid()'"
    )
    execute(url, "CREATE INDEX idx_hand_made ON agents (display_name)")
    named = {"different function uuid_generate_v7()", "extra index agents.idx_hand_made"}
    if version >= TRIGGER_SINCE:
        execute(url, "DROP TRIGGER trg_vault_docs_team_null_scope ON vault_documents")
        named.add("missing trigger vault_documents.trg_vault_docs_team_null_scope")
    status, checks = doctor(capsys, url)
    drift = checks["schema drift"]
    assert status == 1 and drift["status"] == "fail"
    assert {item.splitlines()[0].split(":")[0] for item in drift["items"]} == named
    function = next(item for item in drift["items"] if "uuid_generate_v7" in item).splitlines()
    assert "+AS $function$SELECT gen_random_uuid()$function$" in function  # the whole new body, not cut
    assert any(line.startswith("-") and not line.startswith("---") for line in function)  # and what it replaced
