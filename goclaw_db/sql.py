"""Portable SQL expressions for the revisions' data migrations.

A data migration says what it does once; each construct here compiles to
PostgreSQL's jsonb/array/text functions or to their SQLite (JSON1) forms, so
the revisions carry no dialect tests of their own.

=====================  ===============================  ===============================
construct              PostgreSQL                       SQLite
=====================  ===============================  ===============================
json_build_object      jsonb_build_object(k, v, ...)    json_object(k, v, ...)
json_text(doc, key)    doc ->> key                      json_extract(doc, '$."key"')
json_bool(doc, key)    (doc ->> key)::boolean           json_extract(doc, '$."key"')
json_int(doc, key)     (doc ->> key)::integer           json_extract(doc, '$."key"')
json_value(doc, key)   doc -> key                       json_quote(json_extract(...))
json_merge(a, b)       a || b                           json_patch(a, b)
json_without(doc, ks)  doc - ARRAY[ks]                  json_remove(doc, '$."k"', ...)
first_part(s, sep)     split_part(s, sep, 1)            substr/instr
regexp_remove(s, re)   regexp_replace(s, re, '', 'g')   regexp_replace(s, re, '') (*)
uuid_literal(value)    'value'::uuid                    'value'
=====================  ===============================  ===============================

(*) SQLite has no regular expressions of its own;
``goclaw_db.sqlite_functions.register_sqlite_functions``
adds ``regexp_replace`` to the migration connection only (env.py calls it), so
the desktop file itself never depends on a function GoClaw's binary lacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

from goclaw_db.types import JSONB, UUID


def _path(key: str) -> str:
    return '$."' + key.replace('"', '\\"') + '"'


class json_build_object(FunctionElement):
    """A JSON object from alternating keys and values."""

    type = JSONB()
    inherit_cache = True


@compiles(json_build_object, "postgresql")
def _json_build_object_pg(element, compiler, **kw):
    return f"jsonb_build_object({compiler.process(element.clauses, **kw)})"


@compiles(json_build_object, "sqlite")
def _json_build_object_sqlite(element, compiler, **kw):
    return f"json_object({compiler.process(element.clauses, **kw)})"


class _JSONField(sa.sql.expression.ColumnElement):
    inherit_cache = True
    _traverse_internals = [("document", InternalTraversal.dp_clauseelement), ("key", InternalTraversal.dp_string)]

    def __init__(self, document, key: str):
        self.document = sa.sql.coercions.expect(sa.sql.roles.ExpressionElementRole, document)
        self.key = key


class json_text(_JSONField):
    """The text of one top-level field of a JSON document (NULL where absent)."""

    type = sa.Text()
    inherit_cache = True


class json_bool(_JSONField):
    """One top-level field of a JSON document as a boolean (NULL where absent)."""

    type = sa.Boolean()
    inherit_cache = True


class json_int(_JSONField):
    """One top-level field of a JSON document as an integer (NULL where absent)."""

    type = sa.Integer()
    inherit_cache = True


class json_value(_JSONField):
    """One top-level field of a JSON document as JSON (NULL where absent)."""

    type = JSONB()
    inherit_cache = True


@compiles(json_text, "postgresql")
def _json_text_pg(element, compiler, **kw):
    return f"({compiler.process(element.document, **kw)} ->> {compiler.process(sa.literal(element.key), **kw)})"


@compiles(json_bool, "postgresql")
def _json_bool_pg(element, compiler, **kw):
    return f"({_json_text_pg(element, compiler, **kw)})::boolean"


@compiles(json_int, "postgresql")
def _json_int_pg(element, compiler, **kw):
    return f"({_json_text_pg(element, compiler, **kw)})::integer"


@compiles(json_value, "postgresql")
def _json_value_pg(element, compiler, **kw):
    return f"({compiler.process(element.document, **kw)} -> {compiler.process(sa.literal(element.key), **kw)})"


@compiles(json_text, "sqlite")
@compiles(json_bool, "sqlite")
@compiles(json_int, "sqlite")
def _json_field_sqlite(element, compiler, **kw):
    path = compiler.process(sa.literal(_path(element.key)), **kw)
    return f"json_extract({compiler.process(element.document, **kw)}, {path})"


@compiles(json_value, "sqlite")
def _json_value_sqlite(element, compiler, **kw):
    # json_quote passes JSON from json_extract through unchanged and quotes a bare string.
    document = compiler.process(element.document, **kw)
    path = compiler.process(sa.literal(_path(element.key)), **kw)
    return (
        f"(CASE WHEN json_type({document}, {path}) IS NULL THEN NULL "
        f"ELSE json_quote(json_extract({document}, {path})) END)"
    )


class json_merge(sa.sql.expression.ColumnElement):
    """Document ``a`` with the top-level fields of ``b`` added (``b`` wins)."""

    type = JSONB()
    inherit_cache = True
    _traverse_internals = [("a", InternalTraversal.dp_clauseelement), ("b", InternalTraversal.dp_clauseelement)]

    def __init__(self, a, b):
        self.a = sa.sql.coercions.expect(sa.sql.roles.ExpressionElementRole, a)
        self.b = sa.sql.coercions.expect(sa.sql.roles.ExpressionElementRole, b)


@compiles(json_merge, "postgresql")
def _json_merge_pg(element, compiler, **kw):
    return f"({compiler.process(element.a, **kw)} || {compiler.process(element.b, **kw)})"


@compiles(json_merge, "sqlite")
def _json_merge_sqlite(element, compiler, **kw):
    return f"json_patch({compiler.process(element.a, **kw)}, {compiler.process(element.b, **kw)})"


class json_without(sa.sql.expression.ColumnElement):
    """A JSON document without the given top-level keys."""

    type = JSONB()
    inherit_cache = True
    _traverse_internals = [
        ("document", InternalTraversal.dp_clauseelement),
        ("keys", InternalTraversal.dp_string_list),
    ]

    def __init__(self, document: Any, keys: Iterable[str]) -> None:
        self.document = sa.sql.coercions.expect(sa.sql.roles.ExpressionElementRole, document)
        self.keys = tuple(keys)


@compiles(json_without, "postgresql")
def _json_without_pg(element, compiler, **kw):
    keys = ", ".join(compiler.process(sa.literal(k), **kw) for k in element.keys)
    return f"({compiler.process(element.document, **kw)} - ARRAY[{keys}]::text[])"


@compiles(json_without, "sqlite")
def _json_without_sqlite(element, compiler, **kw):
    paths = ", ".join(compiler.process(sa.literal(_path(k)), **kw) for k in element.keys)
    return f"json_remove({compiler.process(element.document, **kw)}, {paths})"


class first_part(sa.sql.expression.ColumnElement):
    """The text before the first ``separator`` (all of it where there is none)."""

    type = sa.Text()
    inherit_cache = True
    _traverse_internals = [("text", InternalTraversal.dp_clauseelement), ("separator", InternalTraversal.dp_string)]

    def __init__(self, text, separator: str):
        self.text = sa.sql.coercions.expect(sa.sql.roles.ExpressionElementRole, text)
        self.separator = separator


@compiles(first_part, "postgresql")
def _first_part_pg(element, compiler, **kw):
    sep = compiler.process(sa.literal(element.separator), **kw)
    return f"split_part({compiler.process(element.text, **kw)}, {sep}, 1)"


@compiles(first_part, "sqlite")
def _first_part_sqlite(element, compiler, **kw):
    text = compiler.process(element.text, **kw)
    sep = compiler.process(sa.literal(element.separator), **kw)
    return f"(CASE WHEN instr({text}, {sep}) > 0 THEN substr({text}, 1, instr({text}, {sep}) - 1) ELSE {text} END)"


class regexp_remove(FunctionElement):
    """The text with every match of a (POSIX-compatible) regular expression removed."""

    type = sa.Text()
    inherit_cache = True


@compiles(regexp_remove, "postgresql")
def _regexp_remove_pg(element, compiler, **kw):
    return f"regexp_replace({compiler.process(element.clauses, **kw)}, '', 'g')"


@compiles(regexp_remove, "sqlite")
def _regexp_remove_sqlite(element, compiler, **kw):
    return f"regexp_replace({compiler.process(element.clauses, **kw)}, '')"


class uuid_literal(sa.sql.expression.ColumnElement):
    """A constant UUID: typed on PostgreSQL, canonical text on SQLite."""

    type = UUID()
    inherit_cache = True
    _traverse_internals = [("value", InternalTraversal.dp_string)]

    def __init__(self, value: str):
        self.value = str(value)


@compiles(uuid_literal, "postgresql")
def _uuid_literal_pg(element, compiler, **kw):
    return f"'{element.value}'::uuid"


@compiles(uuid_literal, "sqlite")
def _uuid_literal_sqlite(element, compiler, **kw):
    return f"'{element.value}'"


def repeated_rows(
    table: sa.TableClause, key: Iterable[str], kept_first: Iterable[sa.ColumnElement[Any]]
) -> sa.ColumnElement[bool]:
    """The rows of ``table`` (by ``id``) whose ``key`` an earlier row has, earliest by ``kept_first``.

    What a deduplication deletes before a unique index: one row of each key is
    kept.  NULLs in the key count as equal, as in PostgreSQL's ``DISTINCT ON``
    and SQLite's ``GROUP BY``, which GoClaw's deduplications use.
    """
    ranked = sa.select(
        table.c.id,
        sa.func.row_number()
        .over(partition_by=[table.c[name] for name in key], order_by=list(kept_first))
        .label("rank"),
    ).subquery("ranked")
    return table.c.id.in_(sa.select(ranked.c.id).where(ranked.c.rank > 1))
