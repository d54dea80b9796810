"""Databases for the operations tests: the session's GoClaw database at head per backend, copied per test."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
import sqlalchemy as sa

from goclaw_db import cli
from goclaw_db.ids import uuid7
from tests.support import HEAD, MASTER_TENANT
from tests.templates import BACKENDS, templates_of


@pytest.fixture(scope="module", params=BACKENDS)
def head_template(request):
    """The session's database at head, per module and backend: (backend, url). Tests write to copies only."""
    return request.param, templates_of(request, request.param).template_url(HEAD)


@pytest.fixture
def copy_database(head_template, make_database_at):
    """Factory: a fresh copy of the head template; returns its URL."""
    backend, _template_url = head_template
    return functools.partial(make_database_at, HEAD, backend)


@pytest.fixture
def goclaw_url(copy_database) -> str:
    return copy_database()


def goclaw_db(capsys, url: str, *args: str) -> tuple[int, str, str]:
    """Run the command line in this process: (exit status, stdout, stderr)."""
    target = ["--sqlite", sa.make_url(url).database] if url.startswith("sqlite") else ["--dsn", url]
    status = cli.main([*target, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def timestamp(engine: sa.Engine, moment: dt.datetime):
    """A moment as GoClaw writes it: timestamptz on PostgreSQL, UTC text on SQLite."""
    if engine.dialect.name == "sqlite":
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return moment


def days_ago(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=days)


def add_traces(
    engine: sa.Engine, count: int, spans_each: int, age_days: float, span_age_days: float | None = None
) -> list[str]:
    """``count`` traces of the given age, each with ``spans_each`` spans; returns the trace ids."""
    moment = timestamp(engine, days_ago(age_days))
    span_moment = timestamp(engine, days_ago(age_days if span_age_days is None else span_age_days))
    traces = [{"id": str(uuid7()), "at": moment, "tenant": MASTER_TENANT} for _ in range(count)]
    spans = [
        {"id": str(uuid7()), "trace": t["id"], "at": span_moment, "tenant": MASTER_TENANT}
        for t in traces
        for _ in range(spans_each)
    ]
    with engine.begin() as conn:
        if traces:
            conn.execute(
                sa.text("INSERT INTO traces (id, start_time, created_at, tenant_id) VALUES (:id, :at, :at, :tenant)"),
                traces,
            )
        if spans:
            conn.execute(
                sa.text(
                    "INSERT INTO spans (id, trace_id, span_type, start_time, created_at, tenant_id) "
                    "VALUES (:id, :trace, 'llm_call', :at, :at, :tenant)"
                ),
                spans,
            )
    return [t["id"] for t in traces]


def scalar(engine: sa.Engine, statement: str, **params):
    with engine.connect() as conn:
        return conn.scalar(sa.text(statement), params)
