"""New objects carry the defaults GoClaw's schema declares.

A column with a server default (``0``, ``''``, ``'[]'``, ``true``, ``now()``) gets its
value from the database at INSERT; until then SQLAlchemy reads ``None`` from a new
object, which its type (``Mapped[int]``, ``Mapped[list[SessionMessage]]``) does not
allow, and ``chat.messages.append(turn)`` on a new chat would fail.  So an attribute of
an object not yet in the database that was never set reads as the declared default, made
in Python and kept in the object (its INSERT then writes it): SQLAlchemy's
``init_scalar`` attribute event, which fires on that first read only.  An attribute set
explicitly keeps what was set (``None`` included: left out of the INSERT, it still gets
the database's default), and objects read from the database are never touched.

Generated keys are made when the object is (``uuid7``, in ``_columns``); a generated
column (``tsv``) has no value before the database computes it.
"""

from __future__ import annotations

import decimal
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import InstanceState, Mapper

from goclaw_db.tracking import hold, is_tracked_type

__all__ = ["mirror_server_defaults", "python_default"]

_PARSERS: dict[type, Callable[[str], Any]] = {
    bool: lambda text: text.lower() in ("true", "1"),
    int: int,
    float: float,
    decimal.Decimal: decimal.Decimal,
    str: lambda text: text,
}


def python_default(column: sa.Column[Any]) -> Callable[[], Any] | None:
    """A function making the value of ``column``'s server default in Python; None when the
    default is not a value (a function such as ``gen_random_uuid()``, a generated column)."""
    clause = column.server_default
    if not isinstance(clause, sa.DefaultClause):
        return None
    default = clause.arg
    if isinstance(default, sa.sql.elements.True_ | sa.sql.elements.False_):
        value = isinstance(default, sa.sql.elements.True_)
        return lambda: value
    if hasattr(default, "python_value"):  # the project's own defaults: now(), empty arrays
        made: Callable[[], Any] = default.python_value
        return made
    text = default.text if isinstance(default, sa.TextClause) else default
    if not isinstance(text, str):
        return None
    if isinstance(default, sa.TextClause) and len(text) > 1 and text[0] == text[-1] == "'":
        text = text[1:-1].replace("''", "'")  # a quoted SQL literal
    if is_tracked_type(column.type):  # a JSON document: a new one each time, never shared
        return lambda: json.loads(text)
    try:
        parse = _PARSERS[column.type.python_type]
    except (KeyError, NotImplementedError):
        return None
    value = parse(text)
    return lambda: value


def mirror_server_defaults(mapper: Mapper[Any], class_: type[Any]) -> None:
    """``mapper_configured`` hook: an unset attribute of a new object reads as its column's default."""
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        make = python_default(column) if prop.parent is mapper and isinstance(column, sa.Column) else None
        if make is not None:
            _read_default(class_, prop.key, make, is_tracked_type(column.type))


def _read_default(class_: type[Any], key: str, make: Callable[[], Any], tracked: bool) -> None:
    def on_first_read(state: InstanceState[Any], _value: Any, dict_: dict[str, Any]) -> Any:
        value = hold(state, key, make()) if tracked else make()
        dict_[key] = value
        return value

    event.listen(getattr(class_, key), "init_scalar", on_first_read, raw=True, retval=True, propagate=True)
