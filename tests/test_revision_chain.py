"""The revision chain rebuilds GoClaw's PostgreSQL schema exactly, version by version.

The reference catalogs (tests/reference/pg_vNN.json) were dumped from databases
built by GoClaw's own SQL migrations; a database built by our revisions must
produce the same catalog at every version, going up and coming back down.
"""

from __future__ import annotations

import pytest

from tests.support import (
    HEAD,
    catalog_differences,
    catalog_of,
    downgrade,
    execute,
    postgres_reference,
    upgrade,
)


def test_head_matches_goclaw_catalog(postgres_url):
    upgrade(postgres_url, "head")
    assert catalog_differences(postgres_reference(HEAD), catalog_of(postgres_url)) == []


@pytest.mark.slow
def test_every_version_matches_goclaw_going_up_and_down(postgres_url):
    mismatches = {}
    for version in range(1, HEAD + 1):
        upgrade(postgres_url, version)
        differences = catalog_differences(postgres_reference(version), catalog_of(postgres_url))
        if differences:
            mismatches[f"up to {version}"] = differences
    for version in range(HEAD - 1, -1, -1):
        downgrade(postgres_url, version)
        differences = catalog_differences(postgres_reference(version), catalog_of(postgres_url))
        if differences:
            mismatches[f"down to {version}"] = differences
    assert mismatches == {}


@pytest.mark.parametrize("version", sorted({v for v in (1, 9, 27) if v <= HEAD} | {HEAD}))
def test_schema_migrations_holds_the_version_reached_and_clean(postgres_url, version):
    """GoClaw binaries read golang-migrate's row to decide whether they accept the database."""
    upgrade(postgres_url, version)
    assert execute(postgres_url, "SELECT version, dirty FROM schema_migrations") == [(version, False)]


def test_schema_migrations_is_emptied_at_base(postgres_url):
    upgrade(postgres_url, 3)
    downgrade(postgres_url, 0)
    assert execute(postgres_url, "SELECT version, dirty FROM schema_migrations") == []
