"""What each column, index, extension and function is for, in words.

A column's description lives on its model (``info={"doc": ...}``); columns that
mean the same in every table (``created_at``, ``tenant_id`` ...) are described
once here.  A JSON column annotated with a TypedDict of
:mod:`goclaw_db.json_shapes` shows that shape.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapper

from goclaw_db import json_shapes
from goclaw_db.docs.schema import index_expressions, is_gin_index, is_vector_index, model_of, pg_where

# Columns that mean the same wherever they appear.
CONVENTIONS = {
    "created_at": "When the row was created.",
    "updated_at": "When the row was last changed (set by the ORM on every update).",
    "tenant_id": "Tenant that owns the row.",
    "custom_scope": "Optional label for a scope beyond personal and team.",
    "id": "Key of the row.",
    "user_id": "The user (gateway user id) the row is about or belongs to.",
    "metadata": "Free-form extra data (JSON object).",
    "enabled": "Whether the item is in use.",
    "name": "Name of the item.",
    "description": "Human-readable description.",
    "display_name": "Name shown in user interfaces.",
    "created_by": "User who created the row.",
    "channel": "Messaging channel (e.g. telegram, discord, web).",
    "model": "LLM model name.",
    "provider": "LLM provider name.",
    "input_tokens": "Tokens sent to the model.",
    "output_tokens": "Tokens the model produced.",
    "chat_id": "Chat (conversation) id on the channel.",
    "granted_by": "User who granted the access.",
    "session_key": "Gateway key of the conversation (see sessions.session_key).",
    "error": "Error message when the step or run failed.",
    "duration_ms": "How long it took, in milliseconds.",
    "actor_id": "Id of the user or agent that acted.",
    "first_seen_at": "When it was first seen.",
    "last_seen_at": "When it was last seen.",
    "sender_id": "Id of the sender on the channel.",
    "tags": "Labels for filtering.",
    "llm_call_count": "Number of LLM calls.",
    "tool_call_count": "Number of tool calls.",
    "reviewed_by": "User who reviewed it.",
    "reviewed_at": "When it was reviewed.",
    "timezone": "IANA time zone (e.g. Europe/Berlin).",
    "last_run_at": "When it last ran.",
    "last_status": "Outcome of the last run.",
    "last_error": "Error of the last run, if it failed.",
    "summary": "Short summary.",
    "ran_at": "When the run happened.",
    "start_time": "When it started.",
    "end_time": "When it ended; NULL while running.",
    "expires_at": "When it stops being valid; NULL never.",
    "last_used_at": "When it was last used.",
    "file_size": "Size in bytes.",
    "confidence_score": "Confidence between 0 and 1.",
    "headers": "HTTP headers sent to the server (JSON object).",
    "env": "Environment variables for the process (JSON object).",
    "settings": "Settings (JSON object).",
    "properties": "Attributes (JSON object).",
    "details": "Details of the action (JSON object).",
    "ip_address": "Client IP address.",
    "agent_id": "The agent the row belongs to.",
    "team_id": "The team the row belongs to, if any.",
}

EXTENSION_DOCS = {
    "vector": "pgvector: the `vector` type and HNSW indexes for embeddings.",
    "pgcrypto": "Cryptographic functions GoClaw expects; installed where the server offers it.",
}
FUNCTION_DOCS = {
    "uuid_generate_v7": "Default of most `id` columns: time-ordered UUIDv7 values.",
    "immutable_array_to_string": (
        "`array_to_string` declared immutable, so generated tsvector columns can join a `text[]`."
    ),
    "vault_docs_team_null_scope_fix": "Resets a vault document's scope to `personal` when it loses its team.",
    "vault_docs_agent_null_scope_fix": (
        "Makes a vault document `shared` when it loses its agent and has no team (its agent was deleted)."
    ),
}


# --- JSON shapes ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShapeKey:
    name: str
    type: str
    required: bool


@dataclass(frozen=True)
class Shape:
    """A TypedDict of goclaw_db.json_shapes, as the docs show it."""

    name: str
    doc: str
    keys: list[ShapeKey]

    @property
    def anchor(self) -> str:
        return self.name.lower()


def _type_text(annotation: Any) -> str:
    text = re.sub(r"\b(?:typing|goclaw_db\.json_shapes)\.", "", str(annotation))
    text = re.sub(r"NotRequired\[(.*)\]$", r"\1", text)
    text = text.replace("NoneType", "None")
    return re.sub(r"<class '(\w+)'>", r"\1", text)


def shape(typed_dict: type) -> Shape:
    hints = typing.get_type_hints(typed_dict)
    optional: frozenset[str] = getattr(typed_dict, "__optional_keys__", frozenset())
    keys = [ShapeKey(k, _type_text(v), k not in optional) for k, v in hints.items()]
    doc = " ".join((typed_dict.__doc__ or "").strip().split("\n\n")[0].split())
    return Shape(typed_dict.__name__, doc, keys)


def _shape_names(annotation: str) -> list[str]:
    return [n for n in re.findall(r"[A-Za-z_]+", annotation) if n in json_shapes.__all__ and n != "JSONValue"]


def column_shape(table: sa.Table, column: sa.Column[Any]) -> tuple[type, bool] | None:
    """The TypedDict a JSON column is annotated with in its model, and whether it holds a list of them."""
    model = model_of(table)
    if model is None:
        return None
    mapper: Mapper[Any] = sa.inspect(model)
    key = next((p.key for p in mapper.column_attrs if column in p.columns), None)
    annotation = getattr(model, "__annotations__", {}).get(key) if key else None
    names = _shape_names(str(annotation))
    if not names:
        return None
    (held,) = typing.get_args(annotation)  # what ``Mapped[...]`` holds, ``| None`` included
    if typing.get_origin(held) is types.UnionType:
        held = typing.get_args(held)[0]
    return getattr(json_shapes, names[0]), typing.get_origin(held) is list


def shapes_of(table: sa.Table) -> list[Shape]:
    """Every TypedDict the table's JSON columns hold, nested ones included, in order of first use."""
    found: dict[str, Shape] = {}

    def visit(typed_dict: type) -> None:
        if typed_dict.__name__ in found:
            return
        found[typed_dict.__name__] = shape(typed_dict)
        for key in found[typed_dict.__name__].keys:
            for nested in _shape_names(key.type):
                visit(getattr(json_shapes, nested))

    for column in table.columns:
        if (held := column_shape(table, column)) is not None:
            visit(held[0])
    return list(found.values())


# --- columns ----------------------------------------------------------------------------------


def column_doc(table: sa.Table, column: sa.Column[Any]) -> str:
    """The model's description; else, for a typed JSON column, its shape's; else the convention for its name."""
    doc = column.info.get("doc")
    held = column_shape(table, column)
    if held is not None:
        typed_dict, is_list = held
        what = "Array of" if is_list else "Object"
        doc = f"{doc or shape(typed_dict).doc} {what} [`{typed_dict.__name__}`](#{typed_dict.__name__.lower()})."
    refers_to_tenants = any(fk.column.table.name == "tenants" for fk in column.foreign_keys)
    if not doc and column.name in CONVENTIONS and (column.name != "tenant_id" or refers_to_tenants):
        doc = CONVENTIONS[column.name]
    return " ".join(str(doc or "").split())


# --- indexes ----------------------------------------------------------------------------------


def index_purpose(index: sa.Index) -> str:
    """The query an index serves, read from its definition."""
    texts = index_expressions(index)
    where = pg_where(index)
    only = f", among rows where {where}" if where is not None else ""
    if is_vector_index(index):
        return f"Nearest-neighbour search: `ORDER BY {texts[0]} <=> :query LIMIT k`{only}."
    if is_gin_index(index):
        column = index.table.c.get(texts[0]) if index.table is not None else None
        kind = type(column.type).__name__ if column is not None else ""
        if kind == "TSVector":
            return f"Full-text search: `{texts[0]} @@ to_tsquery(...)`{only}."
        return f"Containment and key tests on `{texts[0]}` (`@>`, `?`){only}."
    equal = [t for t in texts if not t.endswith(" DESC")]
    ordered = [t.removesuffix(" DESC") for t in texts if t.endswith(" DESC")]
    query = "finds rows by " + ", ".join(f"`{t}`" for t in equal) if equal else "lists rows"
    if ordered:
        query += " newest first by " + ", ".join(f"`{t}`" for t in ordered)
    if index.unique:
        return f"Keeps {' + '.join(f'`{t}`' for t in texts)} unique{only}; {query}."
    return f"{query[0].upper()}{query[1:]}{only}."
