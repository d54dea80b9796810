"""The ``uuid_generate_v7()`` function that revision 000001 creates (GoClaw's default for every id)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from tests.support import execute


def _generate(url: str) -> uuid.UUID:
    return execute(url, "SELECT uuid_generate_v7()")[0][0]


def test_uuid_generate_v7_sets_version_7(make_database_at):
    url = make_database_at(1)

    assert _generate(url).version == 7


def test_uuid_generate_v7_sets_rfc_4122_variant(make_database_at):
    url = make_database_at(1)

    assert _generate(url).variant == uuid.RFC_4122


def test_uuid_generate_v7_starts_with_current_unix_milliseconds(make_database_at):
    url = make_database_at(1)
    before = int(datetime.now(UTC).timestamp() * 1000)

    value = _generate(url)

    after = int(datetime.now(UTC).timestamp() * 1000)
    assert before - 1000 <= value.int >> 80 <= after + 1000


def test_uuid_generate_v7_values_sort_in_time_order(make_database_at):
    url = make_database_at(1)
    values = []
    for _ in range(5):
        values.append(_generate(url))
        time.sleep(0.002)

    assert sorted(values) == values
    assert len(set(values)) == len(values)
