"""Data hooks: Python code that runs once after the schema reaches a version.

GoClaw keeps a record of such one-off data jobs in ``data_migrations``; we use
the same table, so a hook that ran is never run again, whoever ran it.

    from goclaw_db.hooks import data_hook

    @data_hook("backfill_agent_emoji", version=37)
    def backfill_agent_emoji(connection):
        connection.execute(...)

Hooks are registered by importing the module that defines them; installed
packages can also declare them under the entry-point group ``goclaw_db.data_hooks``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points

import sqlalchemy as sa

from goclaw_db.bookkeeping import data_migrations

ENTRY_POINT_GROUP = "goclaw_db.data_hooks"


@dataclass(frozen=True)
class DataHook:
    name: str
    version: int
    run: Callable[[sa.Connection], None]


_registry: dict[str, DataHook] = {}


def data_hook(name: str, *, version: int) -> Callable:
    """Register ``fn(connection)`` to run once the schema is at ``version`` or later."""

    def register(fn: Callable[[sa.Connection], None]) -> Callable[[sa.Connection], None]:
        existing = _registry.get(name)
        if existing is not None and existing.run is not fn:
            raise ValueError(f"a data hook named {name!r} is already registered")
        _registry[name] = DataHook(name, version, fn)
        return fn

    return register


def unregister(name: str) -> None:
    _registry.pop(name, None)


def load_entry_points() -> None:
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        entry.load()


def registered() -> list[DataHook]:
    return sorted(_registry.values(), key=lambda hook: (hook.version, hook.name))


def pending(connection: sa.Connection, schema_version: int) -> list[DataHook]:
    """Hooks whose version is reached and that ``data_migrations`` has no record of."""
    done = set()
    if sa.inspect(connection).has_table(data_migrations.name):
        done = set(connection.scalars(sa.select(data_migrations.c.name)))
    return [hook for hook in registered() if hook.version <= schema_version and hook.name not in done]


def run_pending(connection: sa.Connection, schema_version: int) -> list[str]:
    """Run each pending hook and record it, in one transaction per hook."""
    ran = []
    todo = pending(connection, schema_version)
    connection.commit()
    for hook in todo:
        with connection.begin():
            hook.run(connection)
            connection.execute(sa.insert(data_migrations).values(name=hook.name, version=hook.version))
        ran.append(hook.name)
    return ran
