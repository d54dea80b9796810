"""Per table and per database object: the revisions that made and changed it."""

from __future__ import annotations

from dataclasses import dataclass, field

from goclaw_db.docs.chain import Revision
from goclaw_db.docs.statements import Function, Trigger


@dataclass
class TableHistory:
    created: Revision | None = None
    changed: list[Revision] = field(default_factory=list)
    data: list[Revision] = field(default_factory=list)
    earlier_lives: list[tuple[Revision | None, Revision]] = field(default_factory=list)
    former_names: list[str] = field(default_factory=list)


def table_histories(revisions: list[Revision]) -> dict[str, TableHistory]:
    """Per table name (as it is called at the head): where it was created and changed."""
    histories: dict[str, TableHistory] = {}

    def history(name: str) -> TableHistory:
        return histories.setdefault(name, TableHistory())

    for rev in revisions:
        eff = rev.effects
        for old, new in eff.renamed:
            moved = histories.pop(old, TableHistory())
            moved.former_names.append(old)
            if rev not in moved.changed:
                moved.changed.append(rev)
            histories[new] = moved
        for name in sorted(eff.dropped - eff.created):
            h = history(name)
            h.earlier_lives.append((h.created, rev))
            h.created, h.changed, h.data = None, [], []
        for name in sorted(eff.created):
            h = history(name)
            if name in eff.dropped or h.created is not None:
                h.earlier_lives.append((h.created, rev))
            h.created, h.changed, h.data = rev, [], []
        for name in sorted(eff.changed):
            if rev not in history(name).changed:
                history(name).changed.append(rev)
        for name in sorted(eff.data):
            if rev not in history(name).data:
                history(name).data.append(rev)
    return histories


@dataclass(frozen=True)
class Made:
    """A database object that exists at the head, with the revision that (last) made it."""

    name: str
    created: Revision


@dataclass(frozen=True)
class MadeFunction(Made):
    function: Function


@dataclass(frozen=True)
class MadeTrigger(Made):
    trigger: Trigger


@dataclass
class DatabaseObjects:
    extensions: dict[str, Made]
    functions: dict[str, MadeFunction]
    triggers: dict[str, MadeTrigger]


def database_objects(revisions: list[Revision]) -> DatabaseObjects:
    """Extensions, functions and triggers that exist at the head."""
    objects = DatabaseObjects({}, {}, {})
    for rev in revisions:
        eff = rev.effects
        for name in eff.dropped_functions:
            objects.functions.pop(name, None)
        for name in eff.dropped_triggers:
            objects.triggers.pop(name, None)
        for name in sorted(eff.extensions):
            objects.extensions.setdefault(name, Made(name, rev))
        for name, function in sorted(eff.functions.items()):
            objects.functions[name] = MadeFunction(name, rev, function)
        for name, trigger in sorted(eff.triggers.items()):
            objects.triggers[name] = MadeTrigger(name, rev, trigger)
    return objects
