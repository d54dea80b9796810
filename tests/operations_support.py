"""Databases for the operations tests: the session's GoClaw database at head per backend, copied per test."""

from __future__ import annotations

import datetime as dt
import decimal
import functools

import pytest
import sqlalchemy as sa

from goclaw_db import cli, types
from goclaw_db.ids import uuid7
from goclaw_db.models import Base
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


def _value_for(column: sa.Column, n: int):
    """A value of the column's type, ``n`` telling rows apart."""
    type_ = column.type
    if isinstance(type_, types.EmbeddingVector):
        return [round(0.001 * (i + n), 3) for i in range(type_.dim)]
    if isinstance(type_, types.UUIDArray):
        return [uuid7()]
    if isinstance(type_, types.TextArray):
        return ["first", f"second {n}"]
    if isinstance(type_, types.JSONB):
        return {"kept": [n, "text", 1.5, True, None], "nested": {"key": "value"}}
    if isinstance(type_, types.UUID):
        return uuid7()
    if isinstance(type_, types.Timestamp):
        return dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC) + dt.timedelta(seconds=n)
    python_type = type_.python_type
    if python_type is bool:
        return True
    if python_type is int:
        return 7 + n
    if python_type is float:
        return 0.5 + n
    if python_type is decimal.Decimal:
        return decimal.Decimal("12.345") + n
    if python_type is bytes:
        return b"\x00\x01 bytes " + bytes([n])
    text = f"{column.table.name} {column.name} {n}"
    length = getattr(type_, "length", None)
    return text[-length:] if length else text


def fill_every_table(engine: sa.Engine) -> None:
    """At least one row in each of GoClaw's tables, written through the models' tables.

    A table that already holds rows is left as it is.  Every foreign key points
    at a row that exists (two keys to the same table at two different rows, for
    a CHECK such as "an agent does not link to itself"); a self-reference is
    left NULL.  Columns the live schema lacks (the desktop file's) are skipped.
    """
    with engine.begin() as conn:
        inspector = sa.inspect(conn)
        live = {name: {c["name"] for c in inspector.get_columns(name)} for name in inspector.get_table_names()}
        for table in Base.metadata.sorted_tables:
            if table.name not in live or conn.scalar(sa.select(sa.func.count()).select_from(table)):
                continue
            row: dict[str, object] = {}
            picks: dict[str, int] = {}
            for key in table.foreign_key_constraints:
                parent = key.referred_table
                if parent is table:
                    continue
                referred = [element.column for element in key.elements]
                parents = conn.execute(sa.select(*referred).order_by(*referred).limit(2)).all()
                chosen = parents[picks.get(parent.name, 0) % len(parents)]
                picks[parent.name] = picks.get(parent.name, 0) + 1
                for column, value in zip(key.column_keys, chosen, strict=True):
                    row.setdefault(column, value)
            self_keys = {
                column
                for key in table.foreign_key_constraints
                if key.referred_table is table
                for column in key.column_keys
            }
            for column in table.columns:
                if (
                    column.name in row
                    or column.name in self_keys
                    or column.name not in live[table.name]
                    or column.computed is not None
                    or isinstance(column.type, types.TSVector)
                ):
                    continue
                row[column.name] = _value_for(column, 0)
            conn.execute(table.insert().values(row))
