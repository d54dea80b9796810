"""The rules every revision in ``alembic/versions/`` keeps, checked on its source, as Airflow checks its migrations.

A revision is frozen history of GoClaw's schema, and one revision builds both
of GoClaw's databases.  So each revision:

* names in its docstring the GoClaw version it implements;
* has its file's number as ``revision`` and the previous file's as ``down_revision``;
* never asks which database it runs on: the operations and types decide that;
* never imports ``goclaw_db.models``, which follow the head while a revision stays as released;
* can be undone: ``downgrade()`` does something, if only saying why the rows stay (``op.keep_data_changes``);
* speaks one vocabulary: ``op.<operation>`` from ``goclaw_db.revision_ops``, or Alembic's
  ``op.drop_table`` and ``op.execute`` (which act alike on both databases); it imports
  SQLAlchemy, Alembic's ``op``, ``goclaw_db.types``, ``goclaw_db.sql`` and the standard library only.

Each rule is a function from a revision to its problems; each test applies one
rule to every revision, and ``test_each_rule_rejects_its_breach_alone`` shows
each rule rejecting a revision that breaks it, and no other rule objecting.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from goclaw_db.bookkeeping import DESKTOP_SCHEMA_VERSIONS
from goclaw_db.revision_ops import REVISION_OPERATIONS

VERSIONS = Path(__file__).resolve().parents[1] / "alembic" / "versions"
REVISION_FILES = sorted(VERSIONS.glob("[0-9]*.py"))

# Alembic's own operations that do the same on PostgreSQL and SQLite.
ALEMBIC_OPERATIONS_ALIKE_ON_BOTH = frozenset({"drop_table", "execute"})
OPERATIONS = frozenset(REVISION_OPERATIONS) | ALEMBIC_OPERATIONS_ALIKE_ON_BOTH
GOCLAW_DB_MODULES = frozenset({"goclaw_db.types", "goclaw_db.sql"})
DIALECT_NAMES = frozenset({"postgresql", "sqlite"})
_MISSING = object()


@dataclass(frozen=True)
class Revision:
    number: str
    previous: str | None
    tree: ast.Module


def _revision(source: str, number: str, previous: str | None) -> Revision:
    return Revision(number, previous, ast.parse(source))


def _revisions() -> list[Revision]:
    numbers = [path.name[:6] for path in REVISION_FILES]
    return [
        _revision(path.read_text(encoding="utf-8"), number, numbers[i - 1] if i else None)
        for i, (path, number) in enumerate(zip(REVISION_FILES, numbers, strict=True))
    ]


def _assigned(tree: ast.Module, name: str) -> object:
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value is not None:
            return ast.literal_eval(node.value)
    return _MISSING


# --- the rules -----------------------------------------------------------------------------


def docstring_problems(revision: Revision) -> list[str]:
    version = int(revision.number)
    docstring = ast.get_docstring(revision.tree) or ""
    if re.search(rf"\bGoClaw version {version}\b", docstring):
        return []
    return [f"the docstring does not say 'GoClaw version {version}'"]


def identity_problems(revision: Revision) -> list[str]:
    problems = []
    if _assigned(revision.tree, "revision") != revision.number:
        problems.append(f"revision is not {revision.number!r}, the file's number")
    if _assigned(revision.tree, "down_revision") != revision.previous:
        problems.append(f"down_revision is not {revision.previous!r}, the previous file's number")
    return problems


def dialect_problems(revision: Revision) -> list[str]:
    problems = []
    for node in ast.walk(revision.tree):
        if (isinstance(node, ast.Attribute) and node.attr == "dialect") or (
            isinstance(node, ast.Name) and node.id == "dialect"
        ):
            problems.append(f"line {node.lineno} looks at the dialect")
        elif isinstance(node, ast.Compare) and any(
            isinstance(operand, ast.Constant) and operand.value in DIALECT_NAMES
            for operand in (node.left, *node.comparators)
        ):
            problems.append(f"line {node.lineno} compares with a database's name")
    return problems


def _imported_modules(tree: ast.Module) -> list[tuple[int, str, list[str]]]:
    """(line, module, names imported from it) of every import."""
    imports = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imports.append((node.lineno, node.module or "", [alias.name for alias in node.names]))
    return imports


def _imports_models(module: str, names: list[str]) -> bool:
    return module.startswith("goclaw_db.models") or (module == "goclaw_db" and "models" in names)


def models_import_problems(revision: Revision) -> list[str]:
    return [
        f"line {line} imports goclaw_db.models"
        for line, module, names in _imported_modules(revision.tree)
        if _imports_models(module, names)
    ]


def downgrade_problems(revision: Revision) -> list[str]:
    downgrade = next(
        (node for node in revision.tree.body if isinstance(node, ast.FunctionDef) and node.name == "downgrade"), None
    )
    if downgrade is None:
        return ["there is no downgrade()"]
    doing = [
        statement
        for statement in downgrade.body
        if not isinstance(statement, ast.Pass)
        and not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
    ]
    return [] if doing else ["downgrade() does nothing"]


def _import_allowed(module: str, names: list[str]) -> bool:
    if module == "alembic":
        return names == ["op"]
    root = module.split(".")[0]
    return (
        module in GOCLAW_DB_MODULES
        or root == "sqlalchemy"
        or module == "__future__"
        or (root != "alembic" and root in sys.stdlib_module_names)
    )


def vocabulary_problems(revision: Revision) -> list[str]:
    problems = [
        f"line {line} imports from {module}: revisions import sqlalchemy, alembic's op, "
        f"{', '.join(sorted(GOCLAW_DB_MODULES))} and the standard library only"
        for line, module, names in _imported_modules(revision.tree)
        # goclaw_db.models is models_import_problems' to report.
        if not _imports_models(module, names) and not _import_allowed(module, names)
    ]
    for node in ast.walk(revision.tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "op"
            and node.attr not in OPERATIONS
        ):
            problems.append(f"line {node.lineno} uses op.{node.attr}, which is not in the revisions' vocabulary")
    return problems


RULES: dict[str, Callable[[Revision], list[str]]] = {
    "docstring": docstring_problems,
    "identity": identity_problems,
    "dialect": dialect_problems,
    "models import": models_import_problems,
    "downgrade": downgrade_problems,
    "vocabulary": vocabulary_problems,
}

REVISIONS = _revisions()
by_number = pytest.mark.parametrize("revision", REVISIONS, ids=[r.number for r in REVISIONS])


def test_the_chain_is_numbered_from_one_without_gaps():
    assert [int(r.number) for r in REVISIONS] == list(range(1, len(REVISIONS) + 1))


def test_every_revision_from_the_first_desktop_version_on_names_its_desktop_schema_version():
    """After each revision a run writes the desktop counter ``DESKTOP_SCHEMA_VERSIONS`` gives it: a revision
    without an entry would leave a desktop file recording no version, which GoClaw's desktop build takes
    for a new file."""
    numbers = [int(r.number) for r in REVISIONS]
    assert sorted(DESKTOP_SCHEMA_VERSIONS) == [n for n in numbers if n >= min(DESKTOP_SCHEMA_VERSIONS)]
    desktop_numbers = [DESKTOP_SCHEMA_VERSIONS[n] for n in sorted(DESKTOP_SCHEMA_VERSIONS)]
    assert desktop_numbers == sorted(desktop_numbers)


@by_number
def test_docstring_names_the_goclaw_version(revision):
    assert docstring_problems(revision) == []


@by_number
def test_revision_id_is_the_file_number_and_follows_the_previous_file(revision):
    assert identity_problems(revision) == []


@by_number
def test_no_revision_asks_which_database_it_runs_on(revision):
    assert dialect_problems(revision) == []


@by_number
def test_no_revision_imports_the_models(revision):
    assert models_import_problems(revision) == []


@by_number
def test_downgrade_undoes_something(revision):
    assert downgrade_problems(revision) == []


@by_number
def test_revisions_speak_one_vocabulary(revision):
    assert vocabulary_problems(revision) == []


def test_the_vocabulary_holds_no_alembic_operation_with_a_portable_one():
    """The operations a revision would reach for by habit are not in the vocabulary: their portable ones are."""
    assert not {"create_table", "create_index", "drop_index", "add_column", "drop_column", "batch_alter_table"} & (
        OPERATIONS
    )


# --- each rule can fail, for its own reason ------------------------------------------------------

WELL_FORMED = '''"""Example

GoClaw version 7 adds a column.
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from goclaw_db.types import UUID

revision: str = "000007"
down_revision: str | None = "000006"


def upgrade() -> None:
    op.add_portable_columns("t", sa.Column("c", UUID()))


def downgrade() -> None:
    op.drop_portable_columns("t", "c")
'''

BREACHES = {
    "docstring": ("GoClaw version 7 adds", "GoClaw version 8 adds"),
    "identity": ('down_revision: str | None = "000006"', 'down_revision: str | None = "000005"'),
    "dialect": (
        "def upgrade() -> None:\n",
        'def upgrade(dialect="sqlite") -> None:\n    if dialect == "sqlite":\n        return\n',
    ),
    "models import": (
        "from goclaw_db.types import UUID\n",
        "from goclaw_db.types import UUID\nfrom goclaw_db.models import Agent\n",
    ),
    "downgrade": ('    op.drop_portable_columns("t", "c")', '    """Nothing to undo."""\n    pass'),
    "vocabulary": (
        '    op.add_portable_columns("t", sa.Column("c", UUID()))',
        '    op.add_column("t", sa.Column("c", UUID()))',
    ),
}


def test_the_well_formed_example_passes_every_rule():
    example = _revision(WELL_FORMED, "000007", "000006")
    assert {name: rule(example) for name, rule in RULES.items()} == {name: [] for name in RULES}


@pytest.mark.parametrize("broken", BREACHES)
def test_each_rule_rejects_its_breach_alone(broken):
    before, after = BREACHES[broken]
    assert before in WELL_FORMED
    example = _revision(WELL_FORMED.replace(before, after), "000007", "000006")
    objecting = {name for name, rule in RULES.items() if rule(example)}
    assert objecting == {broken}


def test_helpers_imported_around_op_are_outside_the_vocabulary():
    """A revision cannot bypass ``op.*`` by importing an operation's function from the package."""
    source = WELL_FORMED.replace(
        "from goclaw_db.types import UUID\n",
        "from goclaw_db.types import UUID\nfrom goclaw_db.revision_ops.portable import add_portable_columns\n",
    )
    assert vocabulary_problems(_revision(source, "000007", "000006")) == [
        "line 12 imports from goclaw_db.revision_ops.portable: revisions import sqlalchemy, alembic's op, "
        "goclaw_db.sql, goclaw_db.types and the standard library only"
    ]


def test_every_operation_shows_its_parameters_to_help():
    """Alembic writes ``op.<name>`` as ``(self, *args, **kw)``; a revision's author reads the real ones."""
    from alembic.operations import Operations

    for name in REVISION_OPERATIONS:
        shown = list(inspect.signature(getattr(Operations, name)).parameters)
        assert shown[0] == "self" and shown != ["self", "args", "kw"], name
    assert list(inspect.signature(Operations.create_portable_index).parameters)[:4] == [
        "self", "name", "table", "columns"
    ]  # fmt: skip
