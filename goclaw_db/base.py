"""The declarative base and the naming convention shared by models and revisions.

GoClaw's SQL leaves most constraint names to PostgreSQL, so its schema carries
PostgreSQL's default names (``agents_pkey``, ``agents_agent_key_key``,
``sessions_agent_id_fkey``).  The convention below computes those same names,
including PostgreSQL's rule for shortening a name past 63 bytes, so that
a constraint declared without a name comes out exactly as GoClaw's does.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, dataclass_transform

import sqlalchemy as sa
from sqlalchemy import MetaData, event
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import (
    DeclarativeBase,
    MappedAsDataclass,
    composite,
    deferred,
    mapped_column,
    relationship,
    synonym,
)

from goclaw_db.defaults import mirror_server_defaults
from goclaw_db.tracking import track_mutations
from goclaw_db.types import JSONB, UUID, TextArray, Timestamp, UUIDArray

# PostgreSQL's NAMEDATALEN is 64: names hold at most 63 bytes.
_MAX_NAME = 63


def postgres_default_name(table: str, columns: list[str], label: str) -> str:
    """The name PostgreSQL itself chooses for an unnamed constraint.

    Mirrors ``makeObjectName`` in PostgreSQL's ``indexcmds.c``: the table part
    and the column part are shortened, the longer one first, until
    ``table_columns_label`` fits in 63 bytes.  Lengths are in bytes of UTF-8,
    and a cut that would split a character drops all of it (``pg_mbcliplen``).
    """
    joined = "_".join(columns)
    room = _MAX_NAME - len(label.encode()) - 1 - (1 if joined else 0)
    table_len, cols_len = _shortened(len(table.encode()), len(joined.encode()), room)
    parts = [_clipped(table, table_len)] + ([_clipped(joined, cols_len)] if joined else []) + [label]
    return "_".join(parts)


def _shortened(table_len: int, cols_len: int, room: int) -> tuple[int, int]:
    """The two lengths once ``makeObjectName`` has cut them to ``room`` bytes together.

    PostgreSQL takes a byte off the longer part, the column part on a tie, until they fit:
    the longer part loses the difference first, then both lose alike, the column part the
    odd byte.  Worked out in one step (the byte-by-byte loop ran for every constraint of
    every model, at import).
    """
    excess = table_len + cols_len - room
    if excess <= 0:
        return table_len, cols_len
    gap = min(excess, abs(table_len - cols_len))
    if table_len > cols_len:
        table_len -= gap
    else:
        cols_len -= gap
    excess -= gap
    return table_len - excess // 2, cols_len - (excess + 1) // 2


def _clipped(name: str, size: int) -> str:
    """``name``'s first ``size`` bytes of UTF-8, less a character the cut would split."""
    return name.encode()[:size].decode(errors="ignore")


def _columns_of(constraint: Any) -> list[str]:
    return [c.name if hasattr(c, "name") else str(c) for c in constraint.columns]


def _pkey(constraint: Any, table: Any) -> str:
    return postgres_default_name(table.name, [], "pkey")


def _key(constraint: Any, table: Any) -> str:
    return postgres_default_name(table.name, _columns_of(constraint), "key")


def _fkey(constraint: Any, table: Any) -> str:
    return postgres_default_name(table.name, _columns_of(constraint), "fkey")


NAMING_CONVENTION: dict[str, Any] = {
    "pkey_name": _pkey,
    "key_name": _key,
    "fkey_name": _fkey,
    "pk": "%(pkey_name)s",
    "uq": "%(key_name)s",
    "fk": "%(fkey_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Tells type checkers what the run time does: every model's constructor takes
# keyword arguments only (SQLAlchemy passes kw_only on to each subclass; a
# checker reads it from here).
@dataclass_transform(kw_only_default=True, field_specifiers=(mapped_column, relationship, composite, synonym, deferred))
class Base(MappedAsDataclass, AsyncAttrs, DeclarativeBase, kw_only=True, eq=False, repr=False):
    """Declarative base of every GoClaw model.

    The models are dataclasses to type checkers and at run time: each takes its
    columns and relationships as keyword arguments, a column the database
    requires (NOT NULL, no default) is a required argument, and an unknown name
    or a value of the wrong type is an error before anything runs.  A column
    left out keeps its database default, and a new object reads it before it is
    written (``ChatSession(...).messages == []``, see ``goclaw_db.defaults``);
    ``None`` given for such a column means "not given", not NULL.
    ``eq=False`` keeps identity semantics (objects stay hashable, as the session
    needs); ``repr=False`` keeps ``repr()`` from loading relationships.

    ``AsyncAttrs``: under asyncio, ``await obj.awaitable_attrs.sessions`` loads
    a relationship or a deferred column (``embedding``) without blocking.

    ``type_annotation_map`` turns a column's Python annotation into the portable
    type of ``goclaw_db.types``, so ``Mapped[uuid.UUID]`` is a ``uuid`` column on
    PostgreSQL and 36-character text on SQLite without naming the type again.
    A column that needs another type (``sa.String(255)``, ``sa.BigInteger()``,
    a JSON document annotated ``Any``) still names it in ``mapped_column``.
    """

    metadata = metadata
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        uuid.UUID: UUID(),
        datetime: Timestamp(),
        dict[str, Any]: JSONB(),
        list[Any]: JSONB(),
        list[str]: TextArray(),
        list[uuid.UUID]: UUIDArray(),
        str: sa.Text(),
        int: sa.Integer(),
        bool: sa.Boolean(),
    }


event.listen(Base, "mapper_configured", track_mutations, propagate=True)
event.listen(Base, "mapper_configured", mirror_server_defaults, propagate=True)


def table_of(model: type[Base]) -> sa.Table:
    """The mapped ``Table`` of a model (SQLAlchemy types ``__table__`` as any FROM clause)."""
    table = model.__table__
    assert isinstance(table, sa.Table), f"{model.__name__} is not mapped to a Table"
    return table
