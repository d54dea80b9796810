"""The revision chain as the documentation tells it: each revision's docstring and the SQL it runs.

The SQL is the chain's own offline script for PostgreSQL (what
``goclaw-db migrate up --sql`` prints for an empty database), cut at the
comment Alembic writes before each revision.  Nothing is connected to and no
revision source is parsed: what a revision does is what its SQL says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.script import Script, ScriptDirectory

from goclaw_db.bookkeeping import POSTGRES_BOOKKEEPING
from goclaw_db.docs.statements import Effects, effects_of
from goclaw_db.runner import alembic_config
from goclaw_db.runner.empty_database import OFFLINE_URL, REVISION_MARK, offline_script

# Version bookkeeping every revision updates; not part of what it does to GoClaw's schema.
_BOOKKEEPING = frozenset({"alembic_version", *(t.name for t in POSTGRES_BOOKKEEPING)})


@dataclass(frozen=True)
class Revision:
    id: str
    path: Path
    title: str  # first line of the revision's docstring
    effects: Effects


def sql_by_revision(script: str) -> dict[str, str]:
    """The script cut into each revision's part, keyed by revision id."""
    marks = list(REVISION_MARK.finditer(script))
    ends = [m.start() for m in marks[1:]] + [len(script)]
    return {mark.group(2): script[mark.end() : end] for mark, end in zip(marks, ends)}


def _title(script: Script) -> str:
    return " ".join((script.module.__doc__ or script.doc or "").strip().split("\n\n")[0].split())


def load_revisions() -> list[Revision]:
    """Every revision of the chain, oldest first, with what its SQL does."""
    config = alembic_config(OFFLINE_URL, compare_with_models=False)
    scripts = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
    sql = sql_by_revision(offline_script())
    revisions = []
    index_tables: dict[str, str] = {}
    for script in scripts:
        effects = effects_of(sql.get(script.revision, ""), ignore_tables=_BOOKKEEPING)
        index_tables.update(effects.indexes)
        # DROP INDEX names no table: the table is the one the chain created the index on.
        effects.changed |= {index_tables[i] for i in effects.dropped_indexes if i in index_tables} - effects.created
        revisions.append(Revision(script.revision, Path(script.path), _title(script), effects))
    return revisions
