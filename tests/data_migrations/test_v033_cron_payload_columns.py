"""GoClaw version 33: a cron job's delivery settings move from its payload into columns."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from tests.support import MASTER_TENANT, downgrade, execute, upgrade


def _job(url: str, name: str, payload: dict) -> None:
    execute(
        url,
        sa.text(
            "INSERT INTO cron_jobs (name, schedule_kind, payload, tenant_id) VALUES (:name, 'every', :payload, :tenant)"
        ).bindparams(sa.bindparam("payload", type_=JSONB)),
        {"name": name, "payload": payload, "tenant": MASTER_TENANT},
    )


def _job_row(url: str, name: str, *columns: str) -> tuple:
    return tuple(execute(url, f"SELECT {', '.join(columns)} FROM cron_jobs WHERE name = :name", {"name": name})[0])


def test_v033_copies_delivery_settings_from_payload_into_columns(make_database_at):
    url = make_database_at(32)
    _job(url, "report", {"message": "hi", "deliver": True, "channel": "telegram", "to": "42", "wake_heartbeat": True})

    upgrade(url, 33)

    assert _job_row(url, "report", "deliver", "deliver_channel", "deliver_to", "wake_heartbeat") == (
        True,
        "telegram",
        "42",
        True,
    )


def test_v033_jobs_without_delivery_settings_get_empty_defaults(make_database_at):
    url = make_database_at(32)
    _job(url, "quiet", {"message": "hi"})

    upgrade(url, 33)

    assert _job_row(url, "quiet", "deliver", "deliver_channel", "deliver_to", "wake_heartbeat", "stateless") == (
        False,
        "",
        "",
        False,
        False,
    )


def test_v033_removes_moved_keys_from_payload_and_keeps_the_rest(make_database_at):
    url = make_database_at(32)
    _job(url, "report", {"message": "hi", "kind": "agent_turn", "deliver": True, "channel": "telegram", "to": "42"})

    upgrade(url, 33)

    assert _job_row(url, "report", "payload") == ({"message": "hi", "kind": "agent_turn"},)


def test_v033_downgrade_puts_delivery_settings_back_into_payload(make_database_at):
    url = make_database_at(32)
    _job(url, "report", {"message": "hi", "deliver": True, "channel": "telegram", "to": "42", "wake_heartbeat": True})
    upgrade(url, 33)

    downgrade(url, 32)

    assert _job_row(url, "report", "payload") == (
        {"message": "hi", "deliver": True, "channel": "telegram", "to": "42", "wake_heartbeat": True},
    )
