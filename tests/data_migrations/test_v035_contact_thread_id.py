"""GoClaw version 35: contacts become thread-aware and sender ids lose their ``|username`` suffix."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support import MASTER_TENANT, downgrade, execute, upgrade

OTHER_TENANT = "0193a5b0-7000-7000-8000-0000000000aa"


def _contact(url: str, sender_id: str, *, channel: str = "telegram", tenant: str = MASTER_TENANT, **columns) -> None:
    names = ["channel_type", "sender_id", "tenant_id", *columns]
    execute(
        url,
        f"INSERT INTO channel_contacts ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
        {"channel_type": channel, "sender_id": sender_id, "tenant_id": tenant, **columns},
    )


def _contacts(url: str, *columns: str) -> list[tuple]:
    rows = execute(url, f"SELECT {', '.join(columns)} FROM channel_contacts ORDER BY {', '.join(columns)}")
    return [tuple(row) for row in rows]


def test_v035_strips_username_suffix_from_sender_ids(make_database_at):
    url = make_database_at(34)
    _contact(url, "1001|alice", username="alice")
    _contact(url, "1002")

    upgrade(url, 35)

    assert _contacts(url, "sender_id", "username") == [("1001", "alice"), ("1002", None)]


def test_v035_drops_suffixed_duplicate_of_a_plain_sender_id(make_database_at):
    url = make_database_at(34)
    _contact(url, "1001", display_name="plain row")
    _contact(url, "1001|alice", display_name="suffixed row")

    upgrade(url, 35)

    assert _contacts(url, "sender_id", "display_name") == [("1001", "plain row")]


def test_v035_keeps_oldest_of_several_suffixed_rows_for_one_sender(make_database_at):
    url = make_database_at(34)
    _contact(url, "1001|alice", id="00000000-0000-7000-8000-000000000001")
    _contact(url, "1001|alice_renamed", id="00000000-0000-7000-8000-000000000002")

    upgrade(url, 35)

    assert _contacts(url, "sender_id", "id::text") == [("1001", "00000000-0000-7000-8000-000000000001")]


def test_v035_suffix_duplicates_are_matched_within_tenant_and_channel_only(make_database_at):
    url = make_database_at(34)
    execute(url, "INSERT INTO tenants (id, name, slug) VALUES (:id, 'Other', 'other')", {"id": OTHER_TENANT})
    _contact(url, "1001")
    _contact(url, "1001|alice", channel="zalo")
    _contact(url, "1001|alice", tenant=OTHER_TENANT)

    upgrade(url, 35)

    assert _contacts(url, "channel_type", "sender_id", "tenant_id::text") == [
        ("telegram", "1001", MASTER_TENANT),
        ("telegram", "1001", OTHER_TENANT),
        ("zalo", "1001", MASTER_TENANT),
    ]


def test_v035_allows_one_contact_per_sender_and_thread(make_database_at):
    url = make_database_at(34)
    _contact(url, "1001")
    upgrade(url, 35)

    _contact(url, "1001", thread_id="topic-7", thread_type="topic")
    with pytest.raises(sa.exc.IntegrityError):
        _contact(url, "1001", thread_id="topic-7", thread_type="topic")

    assert _contacts(url, "sender_id", "thread_id") == [("1001", "topic-7"), ("1001", None)]


def test_v035_downgrade_keeps_one_contact_per_sender_preferring_the_thread_less_one(make_database_at):
    url = make_database_at(34)
    upgrade(url, 35)
    _contact(url, "1001", thread_id="topic-7", display_name="in topic")
    _contact(url, "1001", display_name="direct")
    _contact(url, "1002", thread_id="topic-2", display_name="older topic", id="00000000-0000-7000-8000-000000000001")
    _contact(url, "1002", thread_id="topic-9", display_name="newer topic", id="00000000-0000-7000-8000-000000000002")

    downgrade(url, 34)

    assert _contacts(url, "sender_id", "display_name") == [("1001", "direct"), ("1002", "older topic")]
