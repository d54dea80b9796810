"""GoClaw version 9: the quota index on traces is built concurrently, and a failed build is redone."""

from __future__ import annotations

from tests.support import downgrade, execute, upgrade

INDEX_STATE = (
    "SELECT x.indisvalid, pg_get_indexdef(x.indexrelid) FROM pg_index x "
    "JOIN pg_class i ON i.oid = x.indexrelid WHERE i.relname = 'idx_traces_quota'"
)
QUOTA_INDEX = (
    "CREATE INDEX idx_traces_quota ON public.traces USING btree (user_id, created_at DESC) "
    "WHERE ((parent_trace_id IS NULL) AND (user_id IS NOT NULL))"
)


def _leave_invalid_index(url: str) -> None:
    """What an interrupted CREATE INDEX CONCURRENTLY leaves behind: the index exists but is not valid."""
    execute(url, "CREATE INDEX idx_traces_quota ON traces (user_id)")
    execute(url, "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'idx_traces_quota'::regclass")


def test_v009_builds_quota_index_on_top_level_traces(make_database_at):
    url = make_database_at(8)

    upgrade(url, 9)

    assert execute(url, INDEX_STATE) == [(True, QUOTA_INDEX)]


def test_v009_rebuilds_invalid_leftover_quota_index(make_database_at):
    url = make_database_at(8)
    _leave_invalid_index(url)

    upgrade(url, 9)

    assert execute(url, INDEX_STATE) == [(True, QUOTA_INDEX)]


def test_v009_downgrade_drops_quota_index(make_database_at):
    url = make_database_at(8)
    upgrade(url, 9)

    downgrade(url, 8)

    assert execute(url, INDEX_STATE) == []
