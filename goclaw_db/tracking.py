"""In-place changes to JSON documents and arrays are saved.

SQLAlchemy notices a new value assigned to an attribute, but not a change made
inside the value: ``chat.messages.append(turn)`` or
``agent.other_config["temperature"] = 0.2`` would be lost at commit.  Every
JSON, JSONB and array column of the models therefore holds its value as a
:class:`TrackedDict` or :class:`TrackedList` (plain ``dict`` and ``list``
subclasses), at every depth, so ``chat.messages[-1]["content"] = "..."`` marks
the row changed as well.  ``sqlalchemy.ext.mutable`` tracks only the top level
and only one container kind per column; GoClaw's JSON columns hold either.

Values read from the database, assigned, or added later inside a tracked value
are wrapped on the way in; a copy (``copy.deepcopy``, pickling) is a plain
``dict``/``list`` again.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any, Self, SupportsIndex

from sqlalchemy import event
from sqlalchemy.orm import ColumnProperty, InstanceState, Mapper
from sqlalchemy.orm.attributes import flag_modified

__all__ = ["TrackedDict", "TrackedList", "hold", "is_tracked_type", "track_mutations"]


class _Tracked:
    """Shared part of the tracked containers: who to tell about a change."""

    # The container this one sits in; None for the value of an attribute.
    _container: _Tracked | None
    # For an attribute's value: the objects (states) and attribute names holding it.
    _holders: weakref.WeakKeyDictionary[InstanceState[Any], str]

    def _init_tracking(self, container: _Tracked | None) -> None:
        self._container = container
        self._holders = weakref.WeakKeyDictionary()

    def changed(self) -> None:
        """Mark every object that holds this value (at any depth) as modified."""
        root: _Tracked = self
        while root._container is not None:
            root = root._container
        for state, key in list(root._holders.items()):
            obj = state.obj()
            if obj is not None:
                flag_modified(obj, key)

    def _wrap(self, value: Any) -> Any:
        return _wrap(value, self)


def _wrap(value: Any, container: _Tracked | None) -> Any:
    if isinstance(value, _Tracked):
        value._container = container
        return value
    if isinstance(value, dict):
        return TrackedDict(value, _container=container)
    if isinstance(value, list):
        return TrackedList(value, _container=container)
    return value


class TrackedDict(dict[str, Any], _Tracked):
    """A JSON object whose changes, nested ones included, mark its row modified."""

    def __init__(self, value: Any = (), /, *, _container: _Tracked | None = None, **kw: Any) -> None:
        self._init_tracking(_container)
        super().__init__()
        dict.update(self, {k: self._wrap(v) for k, v in dict(value, **kw).items()})

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, self._wrap(value))
        self.changed()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.changed()

    def __ior__(self, other: Any) -> Self:  # type: ignore[override,misc]
        self.update(other)
        return self

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self[key]
        self[key] = default
        return self[key]

    def update(self, other: Any = (), /, **kw: Any) -> None:
        super().update({k: self._wrap(v) for k, v in dict(other, **kw).items()})
        self.changed()

    def pop(self, key: str, *default: Any) -> Any:
        had = key in self
        value = super().pop(key, *default)
        if had:
            self.changed()
        return value

    def popitem(self) -> tuple[str, Any]:
        item = super().popitem()
        self.changed()
        return item

    def clear(self) -> None:
        super().clear()
        self.changed()


class TrackedList(list[Any], _Tracked):
    """A JSON array or SQL array whose changes, nested ones included, mark its row modified."""

    def __init__(self, value: Iterable[Any] = (), /, *, _container: _Tracked | None = None) -> None:
        self._init_tracking(_container)
        super().__init__(self._wrap(v) for v in value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            super().__setitem__(index, [self._wrap(v) for v in value])
        else:
            super().__setitem__(index, self._wrap(value))
        self.changed()

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self.changed()

    def __iadd__(self, other: Iterable[Any]) -> Self:  # type: ignore[misc]
        self.extend(other)
        return self

    def __imul__(self, times: SupportsIndex) -> Self:
        super().__imul__(times)
        self.changed()
        return self

    def append(self, value: Any) -> None:
        super().append(self._wrap(value))
        self.changed()

    def extend(self, values: Iterable[Any]) -> None:
        super().extend(self._wrap(v) for v in values)
        self.changed()

    def insert(self, index: SupportsIndex, value: Any) -> None:
        super().insert(index, self._wrap(value))
        self.changed()

    def pop(self, index: SupportsIndex = -1) -> Any:
        value = super().pop(index)
        self.changed()
        return value

    def remove(self, value: Any) -> None:
        super().remove(value)
        self.changed()

    def clear(self) -> None:
        super().clear()
        self.changed()

    def sort(self, **kw: Any) -> None:
        super().sort(**kw)
        self.changed()

    def reverse(self) -> None:
        super().reverse()
        self.changed()


def is_tracked_type(type_: Any) -> bool:
    """True for column types whose values are containers: JSON documents and arrays."""
    return bool(getattr(type_, "holds_containers", False))


def hold(state: InstanceState[Any], key: str, value: Any) -> Any:
    """``value`` as the tracked container that object ``state`` holds in attribute ``key``."""
    value = _wrap(value, None)
    if isinstance(value, _Tracked):
        value._holders[state] = key
    return value


def _track_attribute(class_: type[Any], key: str) -> None:
    def on_load(state: InstanceState[Any], *_: Any) -> None:
        if state.dict.get(key) is not None:
            state.dict[key] = hold(state, key, state.dict[key])

    def on_refresh(state: InstanceState[Any], _context: Any, attrs: Iterable[str] | None) -> None:
        if attrs is None or key in attrs:
            on_load(state)

    def on_set(target: Any, value: Any, oldvalue: Any, _initiator: Any) -> Any:
        if value is oldvalue:
            return value
        if isinstance(oldvalue, _Tracked):
            oldvalue._holders.pop(target, None)
        return hold(target, key, value)

    event.listen(class_, "load", on_load, raw=True, propagate=True)
    event.listen(class_, "refresh", on_refresh, raw=True, propagate=True)
    event.listen(class_, "refresh_flush", on_refresh, raw=True, propagate=True)
    event.listen(getattr(class_, key), "set", on_set, raw=True, retval=True, propagate=True)


def track_mutations(mapper: Mapper[Any], class_: type[Any]) -> None:
    """``mapper_configured`` hook: track in-place changes of the class's container columns."""
    for prop in mapper.column_attrs:
        if isinstance(prop, ColumnProperty) and prop.parent is mapper and is_tracked_type(prop.columns[0].type):
            _track_attribute(class_, prop.key)
