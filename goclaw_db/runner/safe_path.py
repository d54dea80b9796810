"""Name resolution a less privileged role cannot capture (PostgreSQL's CVE-2018-1058 class).

GoClaw's application role commonly owns its database, and so schema
``public``; an operator then runs goclaw-db as a superuser.  Whatever that
role wrote and our statements reach (a function or operator found by name, a
trigger on a table we write, a schema named after the operator that comes
first in the default search path) would run with the operator's rights.  So,
as pg_dump and PostgreSQL's extension scripts do:

* At every connect, before the driver or SQLAlchemy send anything of their
  own, one fully qualified read looks for such objects: owned by a role that
  is not a superuser and does not already hold the connecting role's rights.
  Any found refuse the connection (``CapturesFound``), naming them.
* Every transaction starts with ``SET LOCAL search_path`` to the one schema
  GoClaw's tables live in; ``pg_catalog``, not named, is searched first.  It
  is per transaction, so it holds through a transaction pooler (a ``SET`` at
  connect would not) and nothing of it stays on a pooled server connection.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from goclaw_db.runner.driver import driver_connection
from goclaw_db.runner.errors import refusal

_SCHEMA_KEY = "goclaw_schema"

# Roles whose code would gain rights by running as the connecting role.  Every
# name is qualified and every operator spelled OPERATOR(pg_catalog.x): this
# runs before anything is pinned, under whatever search path the database sets.
_ROLES = """
WITH me AS (
    SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) CURRENT_USER
), risky AS (
    SELECT r.oid, r.rolname FROM pg_catalog.pg_roles r, me
    WHERE NOT r.rolsuper AND NOT pg_catalog.pg_has_role(r.oid, me.oid, 'USAGE')
)
"""

_LOOK = (
    _ROLES
    + """
SELECT 'function', n.nspname::text, p.proname::text, risky.rolname::text,
       pg_catalog.pg_get_function_identity_arguments(p.oid), NULL::text, true, 0::bigint
  FROM pg_catalog.pg_proc p
  JOIN risky ON risky.oid OPERATOR(pg_catalog.=) p.proowner
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
UNION ALL
SELECT 'operator', n.nspname::text, o.oprname::text, risky.rolname::text,
       pg_catalog.format_type(o.oprleft, NULL), pg_catalog.format_type(o.oprright, NULL), true, 0::bigint
  FROM pg_catalog.pg_operator o
  JOIN risky ON risky.oid OPERATOR(pg_catalog.=) o.oprowner
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
UNION ALL
SELECT 'rule', n.nspname::text, w.rulename::text, risky.rolname::text, c.relname::text, NULL::text, true, 0::bigint
  FROM pg_catalog.pg_rewrite w
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) w.ev_class
  JOIN risky ON risky.oid OPERATOR(pg_catalog.=) c.relowner
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
 WHERE c.relkind OPERATOR(pg_catalog.<>) 'v'
UNION ALL
SELECT 'schema', s.name::text, s.name::text, r.rolname::text, NULL::text, NULL::text,
       EXISTS (SELECT FROM risky WHERE risky.oid OPERATOR(pg_catalog.=) r.oid), s.position
  FROM pg_catalog.unnest(pg_catalog.current_schemas(false)) WITH ORDINALITY AS s(name, position)
  JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) s.name
  JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
 ORDER BY 1, 8, 2, 3
"""
)

_ME = "SELECT CURRENT_USER::text, rolsuper FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) CURRENT_USER"


@dataclass(frozen=True)
class Capture:
    """An object a less privileged role owns that our statements could run."""

    kind: str  # function | operator | rule | schema
    schema: str
    name: str
    owner: str
    first: str | None = None  # a function's arguments, an operator's left type, a rule's table
    second: str | None = None  # an operator's right type

    def __str__(self) -> str:
        if self.kind == "function":
            return f"function {self.schema}.{self.name}({self.first}) of {self.owner}"
        if self.kind == "operator":
            return f"operator {self.schema}.{self.name}({self.first or 'NONE'}, {self.second}) of {self.owner}"
        if self.kind == "rule":
            return f"rule {self.name} on {self.schema}.{self.first} of {self.owner}"
        return f"schema {self.name} of {self.owner}, ahead of GoClaw's in the search path"


# What the operator can do about them (the README says more).
ADVICE = (
    "run goclaw-db as the database owner instead, or drop those objects or give them to a trusted role "
    "(README: Running as a superuser)"
)


class CapturesFound(Exception):
    """The connecting role would run code of less privileged roles: ``what`` names it, in one line."""

    def __init__(self, role: str, superuser: bool, captures: Sequence[Capture]):
        self.role, self.superuser, self.captures = role, superuser, list(captures)
        shown = "; ".join(map(str, self.captures[:6]))
        more = f"; and {len(self.captures) - 6} more" if len(self.captures) > 6 else ""
        owners = ", ".join(sorted({c.owner for c in self.captures}))
        rights = "a superuser" if superuser else "a role with rights they lack"
        self.what = (
            f"{role} is {rights}, and {len(self.captures)} object(s) of {owners} could run code as it: {shown}{more}"
        )
        super().__init__(f"{self.what}. {ADVICE[0].upper()}{ADVICE[1:]}; nothing was changed.")


@dataclass(frozen=True)
class Look:
    """What one connection found: the schema GoClaw's tables live in, and what could capture it."""

    schema: str
    role: str
    superuser: bool
    captures: list[Capture]

    def raise_if_captured(self) -> None:
        if self.captures:
            raise CapturesFound(self.role, self.superuser, self.captures)


def look(run: Callable[[str], Sequence[Sequence[Any]]], named: Sequence[str]) -> Look:
    """Read the catalogs with ``run`` (one SQL string in, rows out) and judge what they hold.

    ``named``: the schemas a search path in the URL names, the operator's own choice.
    """
    (role, superuser), *_ = run(_ME)
    rows = run(_LOOK)
    captures = [Capture(*row[:6]) for row in rows if row[0] != "schema"]
    path = [(Capture(*row[:6]), bool(row[6])) for row in rows if row[0] == "schema"]
    names = [schema.name for schema, _risky in path]
    # GoClaw's tables live where the session's path puts new tables, unless a
    # less privileged role made a schema to come first there (public itself
    # belongs to the database owner: what it holds is judged object by object).
    schema = next(
        (s.name for s, risky in path if s.name in named or s.name == "public" or not risky),
        "public",
    )
    ahead = names.index(schema) if schema in names else len(names)
    captures += [s for s, risky in path[:ahead] if risky and s.name not in named]
    return Look(schema, role, bool(superuser), captures)


def schemas_named_in(url: sa.URL) -> list[str]:
    """The schemas of a ``search_path`` the URL sets (``options=-csearch_path=...``), if any."""
    options = url.query.get("options")
    text = " ".join(options) if isinstance(options, tuple) else (options or "")
    match = re.search(r"search_path\s*=\s*(\S+)", text)
    return [name.strip().strip('"') for name in match[1].split(",")] if match else []


_GUARDED: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def guard(engine: sa.Engine) -> None:
    """PostgreSQL: refuse connections that could be captured, and pin every transaction's search path."""
    if engine.dialect.name != "postgresql" or engine in _GUARDED:
        return
    _GUARDED.add(engine)
    named = schemas_named_in(engine.url)

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        def run(sql: str) -> list[Any]:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())

        try:
            found = look(run, named)
        finally:
            dbapi_connection.rollback()
        if found.captures:
            dbapi_connection.close()
        found.raise_if_captured()
        record.info[_SCHEMA_KEY] = found.schema

    # First of the connect listeners: before SQLAlchemy's own first queries and pgvector's type lookup.
    sa.event.listen(engine, "connect", on_connect, insert=True)
    sa.event.listen(engine, "begin", pin_search_path)


def pin_search_path(connection: sa.Connection) -> None:
    """``SET LOCAL search_path`` to GoClaw's schema, first in each transaction (none in autocommit)."""
    schema = goclaw_schema(connection)
    if schema is None or driver_connection(connection).autocommit:
        return
    quoted = connection.dialect.identifier_preparer.quote_identifier(schema)
    connection.exec_driver_sql(f"SET LOCAL search_path TO {quoted}")


def captures_in(connection: sa.Connection) -> Look:
    """The same look on an open connection (a caller's transaction, doctor's report)."""
    return look(lambda sql: connection.exec_driver_sql(sql).all(), schemas_named_in(connection.engine.url))


def refuse_captures(connection: sa.Connection) -> None:
    """A connection a caller handed over (not ours to pin): refuse it where it could be captured.

    Outside a transaction the look's own is rolled back, so the caller's
    connection is left as it came.
    """
    if connection.dialect.name != "postgresql":
        return
    callers_transaction = connection.in_transaction()
    found = captures_in(connection)
    if not callers_transaction:
        connection.rollback()
    try:
        found.raise_if_captured()
    except CapturesFound as captured:
        raise refusal(str(captured)) from None


def builtin_operator(connection: sa.Connection, symbol: str) -> str:
    """``symbol`` as pg_catalog's own on PostgreSQL, whatever types the columns now have; as it is on SQLite."""
    return f"OPERATOR(pg_catalog.{symbol})" if connection.dialect.name == "postgresql" else symbol


def goclaw_schema(connection: sa.Connection) -> str | None:
    """The schema a guarded connection pins (None on SQLite or a connection not guarded)."""
    schema: str | None = connection.connection.info.get(_SCHEMA_KEY)
    return schema
