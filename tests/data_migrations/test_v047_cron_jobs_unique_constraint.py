"""GoClaw version 47: one cron job per agent, tenant and name (the most recently updated stays); vault file names."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.support import MASTER_TENANT, downgrade, execute, insert_agent, upgrade


def _job(url: str, agent: str | None, name: str, updated_at: str | None) -> str:
    job_id = str(uuid.uuid4())
    execute(
        url,
        "INSERT INTO cron_jobs (id, agent_id, name, schedule_kind, payload, tenant_id, updated_at) "
        "VALUES (:id, :agent, :name, 'every', '{}', :t, :updated)",
        {"id": job_id, "agent": agent, "name": name, "t": MASTER_TENANT, "updated": updated_at},
    )
    return job_id


def _run_log(url: str, job: str) -> None:
    execute(
        url,
        "INSERT INTO cron_run_logs (id, job_id, status) VALUES (:id, :job, 'ok')",
        {"id": str(uuid.uuid4()), "job": job},
    )


def _jobs(url: str) -> set[str]:
    return {str(job_id) for (job_id,) in execute(url, "SELECT id FROM cron_jobs")}


def test_v047_keeps_the_most_recently_updated_of_same_named_jobs_with_their_run_logs(make_database_at, backend):
    url = make_database_at(46, backend)
    agent = insert_agent(url)
    older = _job(url, agent, "digest", "2026-03-01T08:00:00Z")
    newer = _job(url, agent, "digest", "2026-03-02T08:00:00Z")
    other_name = _job(url, agent, "tidy up", "2026-03-01T08:00:00Z")
    other_agent = _job(url, insert_agent(url), "digest", "2026-03-01T08:00:00Z")
    _run_log(url, older)
    _run_log(url, newer)

    upgrade(url, 47)

    assert _jobs(url) == {newer, other_name, other_agent}
    assert [str(job) for (job,) in execute(url, "SELECT job_id FROM cron_run_logs")] == [newer]


def test_v047_a_job_never_updated_counts_as_the_newest(make_database_at, backend):
    # PostgreSQL's descending order puts NULL first, and GoClaw's DISTINCT ON keeps the first.
    url = make_database_at(46, backend)
    agent = insert_agent(url)
    _job(url, agent, "digest", "2026-03-02T08:00:00Z")
    never_updated = _job(url, agent, "digest", None)

    upgrade(url, 47)

    assert _jobs(url) == {never_updated}


def test_v047_jobs_without_an_agent_are_deduplicated_too(make_database_at, backend):
    # DISTINCT ON groups NULL agents together, though the unique index would let them repeat.
    url = make_database_at(46, backend)
    _job(url, None, "digest", "2026-03-01T08:00:00Z")
    newer = _job(url, None, "digest", "2026-03-02T08:00:00Z")

    upgrade(url, 47)

    assert _jobs(url) == {newer}


def test_v047_refuses_a_second_job_of_the_same_agent_and_name(make_database_at, backend):
    url = make_database_at(47, backend)
    agent = insert_agent(url)
    _job(url, agent, "digest", None)

    with pytest.raises(sa.exc.IntegrityError):
        _job(url, agent, "digest", None)


def test_v047_downgrade_allows_same_named_jobs_again(make_database_at, backend):
    url = make_database_at(47, backend)
    agent = insert_agent(url)
    _job(url, agent, "digest", None)

    downgrade(url, 46)
    _job(url, agent, "digest", None)

    assert len(_jobs(url)) == 2


def test_v047_path_basename_is_the_file_name_in_lower_case(make_database_at):
    # PostgreSQL only: the desktop gets the column at a later version.
    url = make_database_at(47)
    execute(
        url,
        "INSERT INTO vault_documents (id, tenant_id, scope, path) VALUES (:id, :t, 'shared', 'Notes/Birds/Falcon.MD')",
        {"id": str(uuid.uuid4()), "t": MASTER_TENANT},
    )

    assert execute(url, "SELECT path_basename FROM vault_documents") == [("falcon.md",)]
