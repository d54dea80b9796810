"""Schema documentation generated from the models and the revision chain.

``goclaw-db docs [--output DIR]`` writes, by default to ``docs/schema/``:

* ``README.md``: the tables grouped by domain (one module of
  :mod:`goclaw_db.models` each) with a Mermaid ER diagram per domain and an
  overview diagram, the extensions and functions, and how PostgreSQL and
  SQLite differ;
* one page per table: its purpose, columns (PostgreSQL and SQLite type,
  nullability, default, description), constraints, foreign keys, indexes,
  SQLite full-text search, triggers and the revisions that created and
  changed it.

Descriptions come from the models (class docstrings, ``info={"doc": ...}`` on
columns, ``Table.info``), SQLite FTS5 indexes from ``Table.info["fts5"]``, and
the history of each table from the revision files themselves, which are read
with :mod:`ast` (never imported or run).  The output is deterministic, so a
test can tell when the committed copy is stale.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import sys
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from goclaw_db.base import table_of
from goclaw_db.bookkeeping import POSTGRES_BOOKKEEPING
from goclaw_db.models import Base, metadata
from goclaw_db.runner import script_location
from goclaw_db.types import is_pg_only

_FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

DEFAULT_OUTPUT = Path("docs/schema")
# Where the revision files are, seen from the committed docs/schema/ pages.
REVISIONS_LINK = "../../alembic/versions"
# The link used while rendering: pages written elsewhere (--output) link to the
# revisions relative to where they are written.
_revisions_link: ContextVar[str] = ContextVar("revisions_link", default=REVISIONS_LINK)

# =============================================================================
# What each revision does, read from its source
# =============================================================================
#
# ``upgrade()`` is followed, together with the module-level helper functions it
# calls (their arguments bound), to find the tables it touches:
#
# * ``op.create_table`` / ``create_table`` create a table, ``op.drop_table``
#   drops one, ``op.rename_table`` renames one;
# * column, index and constraint operations (``op.add_column``, ``add_columns``,
#   ``drop_columns``, ``op.batch_alter_table``, ``op.create_index``,
#   ``create_gin_index``, ``create_hnsw_index``, ``op.create_foreign_key``,
#   ``op.drop_index`` ...) change one;
# * ``sa.update`` / ``sa.insert`` / ``sa.delete`` over ``sa.table(...)`` clauses
#   (and ``table.insert()`` ..., ``delete_rows(table, ...)``) migrate its rows;
# * raw SQL given to ``op.execute`` or ``execute_on_postgresql`` is searched for
#   DDL and DML statements, functions, triggers and extensions.
#
# Table names may be string literals, module-level constants (including tuples
# iterated in ``for`` loops, with tuple unpacking) or helper-function
# parameters.

# --- values the scanner tracks ------------------------------------------------


@dataclass(frozen=True)
class TableRef:
    """A ``sa.table("name", ...)`` clause (or an alias of one)."""

    name: str


@dataclass(frozen=True)
class DictValue:
    """A dict literal, kept as its (key, value) pairs."""

    items: tuple


@dataclass(frozen=True)
class Batch:
    """The ``batch`` of ``with op.batch_alter_table(table) as batch``."""

    tables: frozenset


_UNKNOWN = None  # an element whose value the scanner cannot know


# --- what a revision does -------------------------------------------------------


@dataclass
class RevisionEffects:
    created: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)
    data: set[str] = field(default_factory=set)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    extensions: set[str] = field(default_factory=set)
    functions: dict[str, dict[str, str]] = field(default_factory=dict)
    dropped_functions: set[str] = field(default_factory=set)
    triggers: dict[str, dict[str, str]] = field(default_factory=dict)
    dropped_triggers: set[str] = field(default_factory=set)


# Operations whose first argument is the table.
_CREATE_FIRST = {"create_table", "create_portable_table"}
_DROP_FIRST = {"drop_table"}
_CHANGE_FIRST = {
    "add_column",
    "add_columns",
    "add_portable_columns",
    "drop_column",
    "drop_columns",
    "drop_portable_columns",
    "alter_column",
    "batch_alter_table",
    "alter_portable_table",
    "create_table_comment",
    "drop_table_comment",
}
# Operations whose second argument (or ``table_name=``) is the table.
_CHANGE_SECOND = {
    "create_index",
    "create_pg_index",
    "create_postgresql_index",
    "create_portable_index",
    "create_index_concurrently",
    "create_portable_index_concurrently",
    "create_gin_index",
    "create_hnsw_index",
    "drop_index",
    "drop_pg_index",
    "drop_postgresql_index",
    "drop_portable_index",
    "drop_index_concurrently",
    "create_foreign_key",
    "create_unique_constraint",
    "create_check_constraint",
    "create_primary_key",
    "create_exclude_constraint",
    "drop_constraint",
}
_TABLE_KEYWORDS = ("table_name", "source_table", "table")
_DML = {"insert", "update", "delete"}
# goclaw_db.revision_ops operations that change the rows of the ``sa.table`` they are given first.
_DML_HELPERS = {"delete_rows", "delete_portable_rows"}
_EXECUTE = {"execute", "execute_on_postgresql", "exec_driver_sql"}
_EXTENSION_HELPERS = {
    "create_extension",
    "create_extension_if_offered",
    "create_postgresql_extension",
    "create_postgresql_extension_if_offered",
}

_NAME = r'(?:"?\w+"?\.)?"?(\w+)"?'
_SQL_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("created", re.compile(rf"\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}", re.I)),
    ("dropped", re.compile(rf"\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}", re.I)),
    ("changed", re.compile(rf"\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_NAME}", re.I)),
    (
        "changed",
        re.compile(
            r"\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:\w+\s+)?"
            rf"ON\s+(?:ONLY\s+)?{_NAME}",
            re.I,
        ),
    ),
    ("changed", re.compile(rf"\bTRIGGER\s+(?:IF\s+EXISTS\s+)?\w+\s+.*?\bON\s+{_NAME}", re.I | re.S)),
    ("changed", re.compile(rf"\bCOMMENT\s+ON\s+(?:TABLE|COLUMN)\s+{_NAME}", re.I)),
    ("data", re.compile(rf"\bUPDATE\s+(?:ONLY\s+)?{_NAME}\s+SET\b", re.I)),
    ("data", re.compile(rf"\bINSERT\s+INTO\s+{_NAME}", re.I)),
    ("data", re.compile(rf"\bDELETE\s+FROM\s+(?:ONLY\s+)?{_NAME}", re.I)),
    ("data", re.compile(rf"\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?{_NAME}", re.I)),
)
_RENAME_SQL = re.compile(rf"\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_NAME}\s+RENAME\s+TO\s+{_NAME}", re.I)
_CREATE_FUNCTION = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:\w+\.)?(\w+)\s*\(([^)]*)\)\s*RETURNS\s+(\w+(?:\s*\[\])?)"
    r"(?:.*?\bLANGUAGE\s+(\w+))?",
    re.I | re.S,
)
_DROP_FUNCTION = re.compile(r"\bDROP\s+FUNCTION\s+(?:IF\s+EXISTS\s+)?(?:\w+\.)?(\w+)", re.I)
_CREATE_TRIGGER = re.compile(
    rf"\bCREATE\s+(?:OR\s+REPLACE\s+)?TRIGGER\s+(\w+)\s+(.*?)\bON\s+{_NAME}"
    r".*?\bEXECUTE\s+(?:FUNCTION|PROCEDURE)\s+(\w+)",
    re.I | re.S,
)
_DROP_TRIGGER = re.compile(r"\bDROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?(\w+)", re.I)
_CREATE_EXTENSION = re.compile(r'\bCREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?', re.I)


def _callee(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _from_python(value: Any) -> Any:
    """A literal_eval result in the scanner's hashable form."""
    if isinstance(value, (tuple, list, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return tuple(_from_python(v) for v in items)
    if isinstance(value, dict):
        return DictValue(tuple((_from_python(k), _from_python(v)) for k, v in value.items()))
    return value


class _Scanner:
    """Follows ``upgrade()`` of one revision module and records its effects."""

    MAX_DEPTH = 12

    def __init__(self, tree: ast.Module):
        self.functions: dict[str, _FunctionNode] = {}
        self.constants: dict[str, set] = {}
        self.effects = RevisionEffects()
        self._visited: set = set()
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[stmt.name] = stmt
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign):
                values = self.eval(stmt.value, {})
                for target in stmt.targets:
                    self._bind(target, values, self.constants)
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                self._bind(stmt.target, self.eval(stmt.value, {}), self.constants)

    # -- evaluation of expressions to the sets of values they may have ---------

    def eval(self, node: ast.AST | None, env: dict, depth: int = 0) -> set:
        if node is None or depth > self.MAX_DEPTH:
            return set()
        try:
            return {_from_python(ast.literal_eval(node))}
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            pass
        if isinstance(node, ast.Name):
            if node.id in env:
                return set(env[node.id])
            return set(self.constants.get(node.id, set()))
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return {tuple(self._single(e, env, depth) for e in node.elts)}
        if isinstance(node, ast.Dict):
            return {
                DictValue(
                    tuple(
                        (self._single(k, env, depth), self._single(v, env, depth))
                        for k, v in zip(node.keys, node.values, strict=False)
                    )
                )
            }
        if isinstance(node, ast.IfExp):
            return self.eval(node.body, env, depth + 1) | self.eval(node.orelse, env, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            out = set()
            for left, right in product(self.eval(node.left, env, depth + 1), self.eval(node.right, env, depth + 1)):
                if type(left) is type(right) and isinstance(left, (str, tuple)):
                    out.add(left + right)
            return out
        if isinstance(node, ast.JoinedStr):
            parts = [
                {str(v.value)}  # an f-string's literal parts are str already
                if isinstance(v, ast.Constant)
                else {x for x in self.eval(cast(ast.FormattedValue, v).value, env, depth + 1) if isinstance(x, str)}
                for v in node.values
            ]
            if all(parts):
                return {"".join(combo) for combo in product(*parts)}
            return set()
        if isinstance(node, ast.Call):
            return self._eval_call(node, env, depth)
        return set()

    def _single(self, node: ast.AST | None, env: dict, depth: int) -> Any:
        values = self.eval(node, env, depth + 1)
        return next(iter(values)) if len(values) == 1 else _UNKNOWN

    def _eval_call(self, node: ast.Call, env: dict, depth: int) -> set:
        name = _callee(node)
        func = node.func
        if name in ("table", "Table", "TableClause") and node.args:
            return {TableRef(v) for v in self.eval(node.args[0], env, depth + 1) if isinstance(v, str)}
        if name in ("alias", "subquery") and isinstance(func, ast.Attribute):
            return {v for v in self.eval(func.value, env, depth + 1) if isinstance(v, TableRef)}
        if name == "text" and node.args:
            return {v for v in self.eval(node.args[0], env, depth + 1) if isinstance(v, str)}
        if name in ("reversed", "sorted", "list", "tuple", "set", "frozenset") and isinstance(func, ast.Name):
            return {tuple(seq) for seq in self._iterate(node.args[0], env, depth)} if node.args else set()
        if name in ("items", "keys", "values") and isinstance(func, ast.Attribute):
            out = set()
            for mapping in self.eval(func.value, env, depth + 1):
                if isinstance(mapping, DictValue):
                    pick = {"items": lambda kv: kv, "keys": lambda kv: kv[0], "values": lambda kv: kv[1]}[name]
                    out.add(tuple(pick(kv) for kv in mapping.items))
            return out
        if isinstance(func, ast.Name) and func.id in self.functions:
            return self._returns(self.functions[func.id], node, env, depth)
        return set()

    def _iterate(self, node: ast.AST, env: dict, depth: int) -> list[tuple]:
        """The possible element sequences of an iterable expression."""
        out = []
        for value in self.eval(node, env, depth + 1):
            if isinstance(value, tuple):
                out.append(value)
            elif isinstance(value, DictValue):
                out.append(tuple(k for k, _ in value.items))
            elif isinstance(value, str):
                out.append(tuple(value))
        return out

    def _returns(self, fdef: _FunctionNode, call: ast.Call, env: dict, depth: int) -> set:
        if depth > self.MAX_DEPTH:
            return set()
        local = self._bind_arguments(fdef, call, env, depth)
        self._walk_body(fdef.body, local, depth + 1, collect=False)
        out = set()
        for ret in _own_nodes(fdef, ast.Return):
            out |= self.eval(ret.value, local, depth + 1)
        return out

    # -- binding ------------------------------------------------------------------

    def _bind(self, target: ast.AST, values: set, env: dict) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = set(values)
        elif isinstance(target, (ast.Tuple, ast.List)):
            elts = target.elts
            for i, elt in enumerate(elts):
                if isinstance(elt, ast.Starred):
                    continue
                picked = {v[i] for v in values if isinstance(v, tuple) and len(v) == len(elts) and v[i] is not _UNKNOWN}
                self._bind(elt, picked, env)

    def _bind_arguments(self, fdef: _FunctionNode, call: ast.Call, env: dict, depth: int) -> dict:
        params = [a.arg for a in fdef.args.posonlyargs + fdef.args.args]
        local: dict = {}
        defaults = fdef.args.defaults
        for param, default in zip(params[len(params) - len(defaults) :], defaults, strict=False):
            local[param] = self.eval(default, {}, depth + 1)
        for kwarg, kw_default in zip(fdef.args.kwonlyargs, fdef.args.kw_defaults, strict=False):
            local[kwarg.arg] = self.eval(kw_default, {}, depth + 1) if kw_default is not None else set()
        for param, arg in zip(params, call.args, strict=False):
            if isinstance(arg, ast.Starred):
                break
            local[param] = self.eval(arg, env, depth + 1)
        for kw in call.keywords:
            if kw.arg is not None:
                local[kw.arg] = self.eval(kw.value, env, depth + 1)
        return local

    # -- walking statements -----------------------------------------------------

    def scan(self, entry: str = "upgrade") -> RevisionEffects:
        fdef = self.functions.get(entry)
        if fdef is not None:
            self._walk_body(fdef.body, {}, 0)
        return self.effects

    def _walk_body(self, body: Iterable[ast.stmt], env: dict, depth: int, collect: bool = True) -> None:
        for stmt in body:
            self._walk_stmt(stmt, env, depth, collect)

    def _walk_stmt(self, stmt: ast.stmt, env: dict, depth: int, collect: bool) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            self._calls_in(stmt.iter, env, depth, collect)
            elements = {e for seq in self._iterate(stmt.iter, env, depth) for e in seq if e is not _UNKNOWN}
            inner = dict(env)
            self._bind(stmt.target, elements, inner)
            self._walk_body(stmt.body, inner, depth, collect)
            self._walk_body(stmt.orelse, inner, depth, collect)
            return
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            inner = dict(env)
            for item in stmt.items:
                self._calls_in(item.context_expr, env, depth, collect)
                expr = item.context_expr
                if (
                    isinstance(expr, ast.Call)
                    and _callee(expr) in {"batch_alter_table", "alter_portable_table"}
                    and expr.args
                ):
                    tables = frozenset(v for v in self.eval(expr.args[0], env, depth) if isinstance(v, str))
                    if item.optional_vars is not None:
                        self._bind(item.optional_vars, {Batch(tables)}, inner)
            self._walk_body(stmt.body, inner, depth, collect)
            return
        if isinstance(stmt, (ast.If, ast.While)):
            self._calls_in(stmt.test, env, depth, collect)
            self._walk_body(stmt.body, env, depth, collect)
            self._walk_body(stmt.orelse, env, depth, collect)
            return
        if isinstance(stmt, (ast.Try, ast.TryStar)):
            self._walk_body(stmt.body, env, depth, collect)
            for handler in stmt.handlers:
                self._walk_body(handler.body, env, depth, collect)
            self._walk_body(stmt.orelse, env, depth, collect)
            self._walk_body(stmt.finalbody, env, depth, collect)
            return
        if isinstance(stmt, ast.Match):
            self._calls_in(stmt.subject, env, depth, collect)
            for case in stmt.cases:
                self._walk_body(case.body, env, depth, collect)
            return
        self._calls_in(stmt, env, depth, collect)
        if isinstance(stmt, ast.Assign):
            values = self.eval(stmt.value, env, depth)
            for target in stmt.targets:
                self._bind(target, values, env)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._bind(stmt.target, self.eval(stmt.value, env, depth), env)

    def _calls_in(self, node: ast.AST, env: dict, depth: int, collect: bool) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                self._call(sub, env, depth, collect)

    def _strings(self, node: ast.AST | None, env: dict, depth: int) -> set[str]:
        return {v for v in self.eval(node, env, depth) if isinstance(v, str)}

    def _tables(self, node: ast.AST | None, env: dict, depth: int) -> set[str]:
        return {v.name for v in self.eval(node, env, depth) if isinstance(v, TableRef)}

    def _call(self, node: ast.Call, env: dict, depth: int, collect: bool) -> None:
        name = _callee(node)
        func = node.func
        if isinstance(func, ast.Name) and name in self.functions:
            self._follow(self.functions[name], node, env, depth, collect)
        if not collect or name is None:
            return
        effects = self.effects
        on_batch = isinstance(func, ast.Attribute) and any(
            isinstance(v, Batch) for v in self.eval(func.value, env, depth)
        )
        if on_batch:
            assert isinstance(func, ast.Attribute)
            for batch in (v for v in self.eval(func.value, env, depth) if isinstance(v, Batch)):
                effects.changed |= batch.tables
            return
        args = node.args
        keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}

        def arg(i: int) -> set[str]:
            if len(args) > i:
                return self._strings(args[i], env, depth)
            for key in _TABLE_KEYWORDS:
                if key in keywords:
                    return self._strings(keywords[key], env, depth)
            return set()

        if name in _CREATE_FIRST:
            effects.created |= arg(0)
        elif name in _DROP_FIRST:
            effects.dropped |= arg(0)
        elif name == "rename_table":
            for old, new in product(arg(0), self._strings(args[1], env, depth) if len(args) > 1 else set()):
                effects.renamed.append((old, new))
        elif name in _CHANGE_FIRST:
            effects.changed |= arg(0)
        elif name in _CHANGE_SECOND:
            effects.changed |= arg(1)
        elif name in _EXTENSION_HELPERS:
            effects.extensions |= arg(0)
        elif name in {"drop_function", "drop_postgresql_function"}:
            for signature in arg(0):
                effects.dropped_functions.add(signature.split("(")[0].strip())
        elif name == "bulk_insert" or name in _DML_HELPERS:
            effects.data |= self._tables(args[0], env, depth) if args else set()
        if name in _DML:
            if isinstance(func, ast.Attribute) and not args:
                # table.insert() / table.update() / table.delete()
                effects.data |= self._tables(func.value, env, depth)
            elif args:
                # sa.insert(table) / sa.update(table) / sa.delete(table)
                effects.data |= self._tables(args[0], env, depth)
        if name in _EXECUTE and args:
            for sql in self._strings(args[0], env, depth):
                self._sql(sql)

    def _follow(self, fdef: _FunctionNode, call: ast.Call, env: dict, depth: int, collect: bool) -> None:
        if depth >= self.MAX_DEPTH:
            return
        local = self._bind_arguments(fdef, call, env, depth)
        key = (fdef.name, collect, tuple(sorted((k, tuple(sorted(map(repr, v)))) for k, v in local.items())))
        if key in self._visited:
            return
        self._visited.add(key)
        self._walk_body(fdef.body, local, depth + 1, collect)

    def _sql(self, sql: str) -> None:
        effects = self.effects
        for kind, pattern in _SQL_PATTERNS:
            for match in pattern.finditer(sql):
                getattr(effects, kind).add(match.group(1))
        for match in _RENAME_SQL.finditer(sql):
            effects.renamed.append((match.group(1), match.group(2)))
        for match in _CREATE_FUNCTION.finditer(sql):
            fname, params, returns, language = match.groups()
            effects.functions[fname] = {
                "signature": f"{fname}({' '.join(params.split())})",
                "returns": " ".join(returns.split()).lower(),
                "language": (language or "").lower(),
            }
        for match in _DROP_FUNCTION.finditer(sql):
            effects.dropped_functions.add(match.group(1))
        for match in _CREATE_TRIGGER.finditer(sql):
            tname, timing, table, function = match.groups()
            effects.triggers[tname] = {
                "table": table,
                "timing": " ".join(timing.split()),
                "function": function,
            }
        for match in _DROP_TRIGGER.finditer(sql):
            effects.dropped_triggers.add(match.group(1))
        for match in _CREATE_EXTENSION.finditer(sql):
            effects.extensions.add(match.group(1))


def _own_nodes(fdef: _FunctionNode, kind: type) -> list:
    """Nodes of ``kind`` inside ``fdef`` but not inside functions nested in it."""
    found = []
    stack: list[ast.AST] = list(fdef.body)
    while stack:
        node = stack.pop()
        if isinstance(node, kind):
            found.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def scan_source(source: str, entry: str = "upgrade") -> RevisionEffects:
    """The effects of a revision module's ``upgrade()`` (or another entry point)."""
    effects = _Scanner(ast.parse(source)).scan(entry)
    # A table created by this revision is not also "changed" by it.
    effects.changed -= effects.created
    effects.data -= effects.created
    return effects


def scan_file(path: Path, entry: str = "upgrade") -> RevisionEffects:
    return scan_source(Path(path).read_text(encoding="utf-8"), entry)


# =============================================================================
# The revision chain
# =============================================================================

_REVISION_FILE = re.compile(r"^(\d{6})_(\w+)\.py$")


@dataclass(frozen=True)
class Revision:
    id: str
    slug: str
    file_name: str
    effects: RevisionEffects

    @property
    def title(self) -> str:
        return self.slug.replace("_", " ")

    def link(self) -> str:
        return f"[{self.id}]({_revisions_link.get()}/{self.file_name}) ({self.title})"


def load_revisions(versions_dir: Path | None = None) -> list[Revision]:
    """Every revision file of the chain, oldest first, with what its ``upgrade()`` does."""
    versions_dir = versions_dir or Path(script_location()) / "versions"
    revisions = []
    for path in sorted(versions_dir.glob("*.py")):
        match = _REVISION_FILE.match(path.name)
        if match:
            revisions.append(Revision(match.group(1), match.group(2), path.name, scan_file(path)))
    return revisions


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


@dataclass
class DatabaseObject:
    name: str
    details: dict[str, str]
    created: Revision


def database_objects(revisions: list[Revision]) -> tuple[dict, dict, dict]:
    """Extensions, functions and triggers that exist at the head, with the revision that made them."""
    extensions: dict[str, DatabaseObject] = {}
    functions: dict[str, DatabaseObject] = {}
    triggers: dict[str, DatabaseObject] = {}
    for rev in revisions:
        eff = rev.effects
        for name in eff.dropped_functions:
            functions.pop(name, None)
        for name in eff.dropped_triggers:
            triggers.pop(name, None)
        for name in sorted(eff.extensions):
            extensions.setdefault(name, DatabaseObject(name, {}, rev))
        for name, details in sorted(eff.functions.items()):
            functions[name] = DatabaseObject(name, details, rev)
        for name, details in sorted(eff.triggers.items()):
            triggers[name] = DatabaseObject(name, details, rev)
    return extensions, functions, triggers


# =============================================================================
# The models
# =============================================================================

_PG = postgresql.dialect()
_SQLITE = sqlite.dialect()

# Domains in the order the overview presents them; any other module follows
# in alphabetical order.
DOMAIN_ORDER = (
    "agents",
    "sessions",
    "memory",
    "knowledge_graph",
    "vault",
    "teams",
    "tracing",
    "cron",
    "channels",
    "security",
    "tenants",
    "providers",
    "skills",
    "mcp",
    "bookkeeping",
)
_DOMAIN_TITLES = {"mcp": "MCP", "knowledge_graph": "Knowledge graph"}

# Descriptions of columns that mean the same everywhere, used where a model
# gives none of its own.
_CONVENTIONS = {
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


def json_shape(table: sa.Table, column: sa.Column) -> tuple[str, str]:
    """The TypedDict a JSON column is annotated with in its model: (first docstring line, shape)."""
    from goclaw_db import json_shapes

    model = next((m.class_ for m in Base.registry.mappers if m.local_table is table), None)
    if model is None:
        return "", ""
    prop = next((p for p in sa.inspect(model).column_attrs if column in p.columns), None)
    annotation = str(getattr(model, "__annotations__", {}).get(prop.key, "")) if prop else ""
    names = [n for n in re.findall(r"[A-Za-z_]+", annotation) if n in json_shapes.__all__ and n != "JSONValue"]
    if not names:
        return "", ""
    shape = getattr(json_shapes, names[0])
    return _first_paragraph(shape.__doc__ or ""), _typed_dict_shape(shape, annotation.startswith("Mapped[list["))


def _typed_dict_shape(shape: type, is_list: bool) -> str:
    # The annotations are strings (postponed evaluation): a key is optional when the
    # class is total=False or the key's type is NotRequired[...].
    total = getattr(shape, "__total__", True)

    def optional(annotation: object) -> bool:
        return not total or "NotRequired[" in str(annotation)

    keys = ", ".join(f"`{k}{'?' if optional(a) else ''}`" for k, a in shape.__annotations__.items())
    return f"{'Array of' if is_list else 'Object'} `{shape.__name__}` ({keys})."


@dataclass
class TableDoc:
    table: sa.Table
    domain: str
    model: type | None
    doc: str

    @property
    def name(self) -> str:
        return self.table.name


@dataclass
class Domain:
    name: str
    doc: str
    tables: list[TableDoc]

    @property
    def title(self) -> str:
        return _DOMAIN_TITLES.get(self.name, self.name.replace("_", " ").capitalize())

    @property
    def anchor(self) -> str:
        return re.sub(r"[^a-z0-9 -]", "", self.title.lower()).replace(" ", "-")


def _clean(text: str | None) -> str:
    return inspect.cleandoc(text) if text else ""


def _first_paragraph(text: str | None) -> str:
    return " ".join(_clean(text).split("\n\n")[0].split())


def _modules_of_tables() -> dict[str, ModuleType]:
    """The goclaw_db module that defines each table (model class or plain ``sa.Table``)."""
    found: dict[str, ModuleType] = {}
    for mapper in Base.registry.mappers:
        found[table_of(mapper.class_).name] = sys.modules[mapper.class_.__module__]
    for module_name, module in sorted(sys.modules.items()):
        if module is None or not module_name.startswith("goclaw_db."):
            continue
        for value in vars(module).values():
            if isinstance(value, sa.Table) and value.metadata is metadata:
                found.setdefault(value.name, module)
    return found


def collect_domains() -> list[Domain]:
    """Every table of the metadata, grouped by the module that defines it."""
    models = {table_of(m.class_).name: m.class_ for m in Base.registry.mappers}
    modules = _modules_of_tables()
    grouped: dict[str, list[TableDoc]] = {}
    domain_docs: dict[str, str] = {}
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        module = modules.get(table.name)
        domain = module.__name__.rsplit(".", 1)[-1] if module else "other"
        domain_docs[domain] = _clean(module.__doc__) if module else ""
        model = models.get(table.name)
        doc = _clean(table.info.get("doc") or (model.__doc__ if model is not None else ""))
        grouped.setdefault(domain, []).append(TableDoc(table, domain, model, doc))
    order = {name: i for i, name in enumerate(DOMAIN_ORDER)}
    names = sorted(grouped, key=lambda d: (order.get(d, len(order)), d))
    return [Domain(name, domain_docs[name], grouped[name]) for name in names]


# --- facts about columns, constraints and indexes --------------------------------


def pg_type(column: sa.Column) -> str:
    return column.type.compile(dialect=_PG).lower()


def sqlite_type(column: sa.Column) -> str | None:
    """The SQLite storage type, or None where the desktop schema has no such column."""
    if is_pg_only(column.type):
        return None
    return column.type.compile(dialect=_SQLITE)


def _default(column: sa.Column, dialect) -> str | None:
    if column.server_default is None or isinstance(column.server_default, sa.Computed):
        return None
    return dialect.ddl_compiler(dialect, None).get_column_default_string(column)


def _generated_in_application(column: sa.Column) -> bool:
    default = getattr(column.server_default, "arg", None)
    return getattr(default, "generated_in_application_on_sqlite", False)


def default_text(column: sa.Column) -> str:
    if column.computed is not None:
        return f"generated: {_code(_sql(column.computed.sqltext, _PG))}"
    pg = _default(column, _PG)
    if pg is None:
        return ""
    if sqlite_type(column) is None:
        return _code(pg)
    if _generated_in_application(column):
        return f"{_code(pg)} (SQLite: set by the application)"
    lite = _default(column, _SQLITE)
    if lite == pg:
        return _code(pg)
    return f"{_code(pg)} (SQLite: {_code(lite) if lite else 'none'})"


def _sql(clause, dialect) -> str:
    if isinstance(clause, sa.Column):
        return clause.name
    if isinstance(clause, str):
        return clause
    return str(clause.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _columns_of(constraint) -> list[str]:
    return [c.name for c in constraint.columns]


def _unique_sets(table: sa.Table) -> list[set[str]]:
    """Column sets that are unique: primary key, unique constraints, plain unique indexes."""
    sets = [set(_columns_of(table.primary_key))] if table.primary_key.columns else []
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            sets.append(set(_columns_of(constraint)))
    for index in table.indexes:
        where = index.dialect_options["postgresql"].get("where")
        if index.unique and where is None and all(isinstance(e, sa.Column) for e in index.expressions):
            sets.append({e.name for e in index.expressions if isinstance(e, sa.Column)})
    return sets


def column_keys(table: sa.Table, column: sa.Column) -> list[str]:
    keys = []
    if column.primary_key:
        keys.append("PK")
    if column.foreign_keys:
        keys.append("FK")
    if not column.primary_key and {column.name} in _unique_sets(table):
        keys.append("UK")
    return keys


def _constraint_name(constraint) -> str:
    return str(constraint.name) if constraint.name is not None else ""


def _foreign_keys(table: sa.Table) -> list[sa.ForeignKeyConstraint]:
    return sorted(table.foreign_key_constraints, key=lambda fk: (_columns_of(fk), _constraint_name(fk)))


def _on_delete(fk: sa.ForeignKeyConstraint) -> str:
    return (fk.ondelete or "NO ACTION").upper()


def _index_kind(index: sa.Index) -> str:
    options = index.dialect_options["postgresql"]
    using = (options.get("using") or "btree").lower()
    label = {
        "btree": "btree",
        "gin": "GIN",
        "gist": "GiST",
        "hnsw": "HNSW",
        "ivfflat": "IVFFlat",
        "brin": "BRIN",
        "hash": "hash",
    }.get(using, using)
    extras = []
    ops = options.get("ops") or {}
    if using in ("hnsw", "ivfflat"):
        extras.extend(sorted(set(ops.values())))
    for key, value in sorted((options.get("with") or {}).items()):
        extras.append(f"{key}={value}")
    return f"{label} ({', '.join(extras)})" if extras else label


def _index_columns(index: sa.Index) -> str:
    options = index.dialect_options["postgresql"]
    ops = options.get("ops") or {}
    using = (options.get("using") or "btree").lower()
    parts = []
    for expr in index.expressions:
        text = _sql(expr, _PG)
        if isinstance(expr, sa.Column) and expr.name in ops and using not in ("hnsw", "ivfflat"):
            text = f"{text} {ops[expr.name]}"
        parts.append(_code(text))
    return ", ".join(parts)


def index_purpose(index: sa.Index) -> str:
    """The query an index serves, read from its definition."""
    options = index.dialect_options["postgresql"]
    using = (options.get("using") or "btree").lower()
    texts = [_sql(e, _PG) for e in index.expressions]
    where = options.get("where")
    only = f", among rows where {_sql(where, _PG)}" if where is not None else ""
    if using in ("hnsw", "ivfflat"):
        return f"Nearest-neighbour search: `ORDER BY {texts[0]} <=> :query LIMIT k`{only}."
    if using == "gin":
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


def _pg_only_index(index: sa.Index) -> bool:
    ddl_if = getattr(index, "_ddl_if", None)
    if ddl_if is None:
        return False
    dialects = ddl_if.dialect if isinstance(ddl_if.dialect, (list, tuple, set)) else [ddl_if.dialect]
    return "sqlite" not in dialects


def _index_on_sqlite(index: sa.Index, table: sa.Table) -> str:
    if _pg_only_index(index) or any(isinstance(e, sa.Column) and sqlite_type(e) is None for e in index.expressions):
        return "not created (PostgreSQL only)"
    pg_where = index.dialect_options["postgresql"].get("where")
    lite_where = index.dialect_options["sqlite"].get("where")
    pg_text = _sql(pg_where, _PG) if pg_where is not None else None
    lite_text = _sql(lite_where, _SQLITE) if lite_where is not None else None
    if pg_text == lite_text:
        return "same"
    if lite_text is None:
        return "same, without the condition"
    return f"condition {_code(lite_text)}"


# --- Markdown helpers -----------------------------------------------------------


def _cell(text: str) -> str:
    """Text made safe for a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(text: str) -> str:
    text = " ".join(str(text).split())
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _page(table_name: str) -> str:
    return f"{table_name}.md"


def _link(table_name: str) -> str:
    return f"[{table_name}]({_page(table_name)})"


GENERATED_NOTE = (
    "<!-- Generated by `goclaw-db docs` from goclaw_db.models and the revisions in alembic/versions. "
    "Do not edit by hand: change the models or revisions and run `goclaw-db docs`. -->"
)


# Columns whose meaning their name and the conventions above do not carry.
_COLUMN_DOCS = {
    "agents.emoji": "Emoji shown beside the agent's name.",
    "agents.agent_description": "What the agent is for, as shown to users and other agents.",
    "agents.max_tokens": "Most tokens the model may produce per reply.",
    "agents.skill_evolve": "Whether the agent may improve its own skills.",
    "agents.skill_nudge_interval": "How often (in turns) the agent is reminded to record skills; 0 never.",
    "agents.chatgpt_oauth_routing": "How calls through a ChatGPT account are routed (JSON object).",
    "agents.shell_deny_groups": "Groups of shell commands the agent may not run (JSON object).",
    "agents.kg_dedup_config": "Settings of knowledge-graph duplicate detection (JSON object).",
    "channel_contacts.channel_type": "Kind of channel the contact was seen on.",
    "channel_contacts.channel_instance": "Name of the channel instance the contact was seen on.",
    "channel_contacts.username": "The contact's user name on the channel.",
    "channel_contacts.avatar_url": "Address of the contact's picture.",
    "channel_contacts.thread_type": "Kind of conversation (direct or group).",
    "channel_pending_messages.channel_name": "Channel instance the message arrived on.",
    "channel_pending_messages.sender": "Display name of the sender.",
    "channel_pending_messages.platform_msg_id": "The message's id on the platform.",
    "embedding_cache.embedding": "The cached embedding vector.",
    "mcp_servers.args": "Command-line arguments of a stdio server (JSON array).",
    "mcp_servers.timeout_sec": "How long a tool call may take, in seconds.",
    "paired_devices.paired_by": "User who approved the pairing.",
    "paired_devices.paired_at": "When the device was paired.",
    "pairing_requests.account_id": "Channel account the request came through.",
    "secure_cli_binaries.binary_path": "Absolute path of the executable.",
    "secure_cli_binaries.deny_verbose": "Verbose flags refused for the binary (JSON array).",
    "secure_cli_binaries.tips": "Usage hints shown to the agent.",
    "skills.owner_id": "User who owns the skill.",
    "skills.file_hash": "Hash of the skill's files, for change detection.",
    "subagent_tasks.subject": "Short title of the task.",
    "subagent_tasks.iterations": "Agent-loop iterations the sub-agent used.",
    "subagent_tasks.origin_channel": "Channel of the conversation that spawned the task.",
    "subagent_tasks.origin_chat_id": "Chat of the conversation that spawned the task.",
    "subagent_tasks.origin_peer_kind": "Kind of that chat (direct or group).",
    "subagent_tasks.origin_user_id": "User of the conversation that spawned the task.",
    "subagent_tasks.spawned_by": "Id of the task or run that spawned this one.",
    "subagent_tasks.completed_at": "When the task finished.",
    "usage_snapshots.cache_read_tokens": "Prompt tokens served from the provider's cache.",
    "usage_snapshots.cache_create_tokens": "Prompt tokens written to the provider's cache.",
    "usage_snapshots.thinking_tokens": "Reasoning tokens.",
    "usage_snapshots.total_cost": "Estimated cost in US dollars.",
    "usage_snapshots.request_count": "Agent runs in the hour.",
    "usage_snapshots.error_count": "Runs that failed.",
    "usage_snapshots.avg_duration_ms": "Mean run duration in milliseconds.",
    "usage_snapshots.memory_chunks": "Number of memory chunks when the snapshot was taken.",
    "usage_snapshots.kg_entities": "Number of knowledge-graph entities when the snapshot was taken.",
    "usage_snapshots.kg_relations": "Number of knowledge-graph relations when the snapshot was taken.",
    "agent_config_permissions.config_type": "Which part of the agent's configuration the permission covers.",
    "agent_evolution_metrics.metric_key": "Name of the measured quantity.",
    "agent_evolution_suggestions.suggestion": "The proposed change.",
    "agent_evolution_suggestions.rationale": "Why the change is proposed.",
    "agent_evolution_suggestions.parameters": "Values the change would set (JSON object).",
    "agent_heartbeats.prompt": "Message the agent receives at each heartbeat.",
    "agent_heartbeats.light_context": "Whether heartbeats run with a reduced context.",
    "agent_heartbeats.ack_max_chars": "Longest reply still treated as a plain acknowledgement.",
    "agent_heartbeats.max_retries": "Retries of a failed heartbeat.",
    "agent_heartbeats.active_hours_end": "End of the daily window in which heartbeats run.",
    "agent_heartbeats.run_count": "Heartbeats run so far.",
    "episodic_summaries.turn_count": "Conversation turns the summary covers.",
    "episodic_summaries.token_count": "Tokens of the summarised turns.",
    "mcp_access_requests.reason": "Why access is requested.",
    "mcp_access_requests.tool_allow": "Tools asked for; NULL asks for all (JSON array).",
    "mcp_access_requests.requested_by": "User or agent that asked.",
    "mcp_access_requests.review_note": "The reviewer's note.",
    "mcp_agent_grants.config_overrides": "Server settings overridden for this agent (JSON object).",
    "mcp_user_grants.tool_deny": "Tools the grant withholds (JSON array).",
    "secure_cli_agent_grants.deny_verbose": "Overrides the binary's verbose-flag deny list; NULL keeps it.",
    "secure_cli_agent_grants.timeout_seconds": "Overrides the binary's time limit; NULL keeps it.",
    "secure_cli_agent_grants.tips": "Overrides the binary's usage hints; NULL keeps them.",
    "agent_team_members.joined_at": "When the agent joined the team.",
    "heartbeat_run_logs.status": "Outcome of the heartbeat run.",
    "kg_entities.source_id": "Id of what the entity was extracted from.",
    "sessions.memory_flush_compaction_count": "Compaction count at the last memory flush.",
    "sessions.memory_flush_at": "When memories were last flushed (Unix milliseconds).",
    "sessions.label": "Title of the conversation.",
    "spans.level": "Severity (DEFAULT, DEBUG, WARNING, ERROR).",
    "spans.finish_reason": "Why the model stopped (stop, tool_calls, length).",
    "spans.model_params": "Parameters sent with the LLM call (JSON object).",
    "spans.tool_name": "Tool called, for tool spans.",
    "spans.tool_call_id": "The model's id of the tool call.",
    "spans.input_preview": "Start of the step's input.",
    "spans.output_preview": "Start of the step's output.",
    "team_tasks.priority": "Higher runs first.",
    "team_tasks.result": "What the task produced.",
    "team_tasks.assignee_user_id": "User the task is assigned to, if a person.",
    "team_tasks.locked_at": "When an agent claimed the task.",
    "team_tasks.progress_step": "Description of the current step.",
    "team_tasks.followup_count": "Follow-up reminders sent.",
    "team_tasks.followup_max": "Most follow-up reminders to send.",
    "team_tasks.followup_message": "Text of the follow-up reminder.",
    "team_tasks.followup_channel": "Channel the reminder goes to.",
    "team_tasks.followup_chat_id": "Chat the reminder goes to.",
    "team_tasks.comment_count": "Number of comments.",
    "team_tasks.attachment_count": "Number of attachments.",
    "traces.total_input_tokens": "Input tokens of all LLM calls in the run.",
    "traces.total_output_tokens": "Output tokens of all LLM calls in the run.",
    "traces.span_count": "Number of spans in the run.",
    "vault_documents.title": "Title of the document.",
    "kg_relations.valid_from": "When the relation became true; NULL always.",
    "memory_chunks.path": "Path of the memory document the chunk comes from.",
    "memory_chunks.hash": "Hash of the chunk's text, for change detection.",
    "team_task_attachments.mime_type": "Media type of the file.",
    "team_task_attachments.created_by_sender_id": "Channel sender who attached the file.",
    "team_task_comments.content": "Text of the comment.",
}


def column_doc(table: sa.Table, column: sa.Column) -> str:
    doc = column.info.get("doc") or column.doc or column.comment or _COLUMN_DOCS.get(f"{table.name}.{column.name}")
    shape_doc, shape = json_shape(table, column)
    if shape:
        return " ".join(f"{doc or shape_doc} {shape}".split())
    refers_to_tenants = any(fk.column.table.name == "tenants" for fk in column.foreign_keys)
    if not doc and column.name in _CONVENTIONS and (column.name != "tenant_id" or refers_to_tenants):
        doc = _CONVENTIONS[column.name]
    if not doc and column.foreign_keys:
        targets = sorted(f"{fk.column.table.name}.{fk.column.name}" for fk in column.foreign_keys)
        doc = "References " + ", ".join(targets) + "."
    return " ".join(str(doc or "").split())


def fts5_columns(table: sa.Table) -> list[str]:
    return list(table.info.get("fts5") or [])


def pg_only_tables() -> set[str]:
    return {t.name for t in POSTGRES_BOOKKEEPING}


# =============================================================================
# Mermaid
# =============================================================================


def mermaid_type(type_name: str) -> str:
    """A column type spelled with the characters Mermaid accepts in an attribute type."""
    text = type_name.lower().replace("timestamp with time zone", "timestamptz").replace("[]", " array")
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return text if re.match(r"[a-z_]", text or "") else f"t_{text}"


def _cardinality(fk: sa.ForeignKeyConstraint) -> str:
    table = fk.table
    columns = set(_columns_of(fk))
    nullable = any(c.nullable for c in fk.columns)
    parent = "|o" if nullable else "||"
    child = "o|" if columns in _unique_sets(table) else "o{"
    line = "--" if columns <= set(_columns_of(table.primary_key)) else ".."
    return f"{parent}{line}{child}"


def _relationship(fk: sa.ForeignKeyConstraint) -> str:
    label = ", ".join(_columns_of(fk))
    return f'    {fk.referred_table.name} {_cardinality(fk)} {fk.parent.name} : "{label}"'


def er_domain(domain: Domain) -> list[str]:
    lines = ["erDiagram"]
    for td in domain.tables:
        key_columns = [c for c in td.table.columns if column_keys(td.table, c) or c.info.get("doc") or c.doc]
        if not key_columns:
            lines.append(f"    {td.name}")
            continue
        lines.append(f"    {td.name} {{")
        for column in key_columns:
            keys = ", ".join(column_keys(td.table, column))
            lines.append(f"        {mermaid_type(pg_type(column))} {column.name} {keys}".rstrip())
        lines.append("    }")
    for td in domain.tables:
        for fk in _foreign_keys(td.table):
            lines.append(_relationship(fk))
    return lines


def er_overview(domains: list[Domain]) -> list[str]:
    lines = ["erDiagram"]
    relationships, connected = [], set()
    for domain in domains:
        for td in domain.tables:
            for fk in _foreign_keys(td.table):
                if fk.referred_table.name == "tenants" and domain.name != "tenants":
                    continue
                relationships.append(_relationship(fk))
                connected |= {fk.referred_table.name, td.name}
    for domain in domains:
        for td in domain.tables:
            if td.name not in connected:
                lines.append(f"    {td.name}")
    return lines + relationships


def _generic(type_name: str) -> str:
    """A type with its length or precision replaced by a placeholder: ``varchar(n)``."""
    return re.sub(r"\(\d+, \d+\)", "(p, s)", re.sub(r"\(\d+\)", "(n)", type_name))


def _mermaid_block(lines: list[str]) -> list[str]:
    return ["```mermaid", *lines, "```"]


# =============================================================================
# Pages
# =============================================================================


def render_table(
    td: TableDoc, domains: list[Domain], history: TableHistory | None, triggers: dict[str, DatabaseObject]
) -> str:
    table = td.table
    domain = next(d for d in domains if d.name == td.domain)
    out = [GENERATED_NOTE, "", f"# {table.name}", ""]
    out.append(f"[Schema overview](README.md) · domain: [{domain.title}](README.md#{domain.anchor})")
    out.append("")
    out.append(td.doc or "(no description)")
    out.append("")
    facts = []
    if td.model is not None:
        facts.append(f"- Model: `{td.model.__module__}.{td.model.__qualname__}`")
    else:
        facts.append(f"- Table object: `{_modules_of_tables()[table.name].__name__}.{table.name}`")
    if table.name in pg_only_tables():
        facts.append("- Databases: PostgreSQL only (SQLite keeps its version elsewhere).")
    else:
        facts.append("- Databases: PostgreSQL and SQLite.")
    fts = fts5_columns(table)
    if fts:
        facts.append(f"- SQLite full-text search: FTS5 index over ({', '.join(fts)}).")
    out += [*facts, ""]

    out += ["## Columns", ""]
    rows = []
    for column in table.columns:
        lite = sqlite_type(column)
        rows.append(
            [
                _code(column.name),
                _code(pg_type(column)),
                _code(lite) if lite else "not stored",
                "yes" if column.nullable else "no",
                default_text(column),
                ", ".join(column_keys(table, column)),
                column_doc(table, column),
            ]
        )
    out += [*_table(["Column", "PostgreSQL", "SQLite", "Null", "Default", "Key", "Description"], rows), ""]

    out += ["## Constraints", ""]
    rows = []
    if table.primary_key.columns:
        rows.append(
            [
                "primary key",
                _code(_constraint_name(table.primary_key)),
                ", ".join(_code(c) for c in _columns_of(table.primary_key)),
            ]
        )
    for constraint in sorted(
        (c for c in table.constraints if isinstance(c, sa.UniqueConstraint)), key=_constraint_name
    ):
        rows.append(
            ["unique", _code(_constraint_name(constraint)), ", ".join(_code(c) for c in _columns_of(constraint))]
        )
    for check in sorted((c for c in table.constraints if isinstance(c, sa.CheckConstraint)), key=_constraint_name):
        rows.append(["check", _code(_constraint_name(check)), _code(_sql(check.sqltext, _PG))])
    out += (_table(["Kind", "Name", "Definition"], rows) if rows else ["None."]) + [""]

    out += ["## Foreign keys", ""]
    rows = []
    for fk in _foreign_keys(table):
        referred = fk.referred_table.name
        rows.append(
            [
                _code(_constraint_name(fk)),
                ", ".join(_code(c) for c in _columns_of(fk)),
                f"{_link(referred)} ({', '.join(_code(e.column.name) for e in fk.elements)})",
                _on_delete(fk),
            ]
        )
    out += (_table(["Name", "Columns", "References", "On delete"], rows) if rows else ["None."]) + [""]

    referencing = sorted(
        ((t, fk) for t in metadata.tables.values() for fk in t.foreign_key_constraints if fk.referred_table is table),
        key=lambda pair: (pair[0].name, _columns_of(pair[1])),
    )
    out += ["## Referenced by", ""]
    rows = [[_link(t.name), ", ".join(_code(c) for c in _columns_of(fk)), _on_delete(fk)] for t, fk in referencing]
    out += (_table(["Table", "Columns", "On delete"], rows) if rows else ["None."]) + [""]

    out += ["## Indexes", ""]
    rows = []
    for index in sorted(table.indexes, key=lambda i: str(i.name)):
        where = index.dialect_options["postgresql"].get("where")
        rows.append(
            [
                _code(str(index.name)),
                _index_kind(index),
                _index_columns(index),
                "yes" if index.unique else "no",
                _code(_sql(where, _PG)) if where is not None else "",
                _index_on_sqlite(index, table),
                index_purpose(index),
            ]
        )
    out += _table(["Name", "Kind", "Columns", "Unique", "Condition", "SQLite", "Serves"], rows) if rows else ["None."]
    out += [""]
    if fts:
        out += [
            "On SQLite, full-text search uses an FTS5 index over "
            f"({', '.join(_code(c) for c in fts)}) instead of the tsvector column and GIN index.",
            "",
        ]

    table_triggers = sorted(
        (t for t in triggers.values() if t.details.get("table") == table.name), key=lambda t: t.name
    )
    if table_triggers:
        out += ["## Triggers", ""]
        rows = [
            [_code(t.name), t.details.get("timing", ""), _code(t.details.get("function", "") + "()"), t.created.link()]
            for t in table_triggers
        ]
        out += _table(["Name", "When", "Runs", "Created in"], rows)
        out += ["", "Triggers exist on PostgreSQL only.", ""]

    out += ["## History", ""]
    if history is not None and history.created is not None:
        out.append(f"- Created in {history.created.link()}.")
        if history.former_names:
            out.append(f"- Formerly called {', '.join(_code(n) for n in history.former_names)}.")
        if history.changed:
            out.append(f"- Changed in {', '.join(r.link() for r in history.changed)}.")
        if history.data:
            out.append(f"- Rows migrated in {', '.join(r.link() for r in history.data)}.")
        for created, dropped in history.earlier_lives:
            if created is not None and created is not dropped:
                out.append(
                    f"- An earlier table of this name was created in {created.link()} and replaced in {dropped.link()}."
                )
            elif created is None:
                out.append(f"- An earlier table of this name was dropped in {dropped.link()}.")
    elif table.name in pg_only_tables():
        out.append(
            "- Created before the first revision by every migration run on PostgreSQL "
            "(`goclaw_db.runner.version_table.ensure_bookkeeping`), as golang-migrate does."
        )
    else:
        out.append("- No revision in `alembic/versions` creates this table yet.")
    out.append("")
    return "\n".join(out)


def render_readme(
    domains: list[Domain],
    revisions: list[Revision],
    histories: dict[str, TableHistory],
    objects: tuple[dict, dict, dict],
) -> str:
    extensions, functions, triggers = objects
    tables = [td for d in domains for td in d.tables]
    head = revisions[-1] if revisions else None
    out = [GENERATED_NOTE, "", "# GoClaw database schema", ""]
    out.append(
        f"GoClaw's database at schema version {int(head.id) if head else 0}: "
        f"{len(tables)} tables in {len(domains)} domains, built by the {len(revisions)} revisions in "
        f"[`alembic/versions`]({_revisions_link.get()}) on PostgreSQL (with pgvector) or on SQLite. "
        "Each domain is one module of `goclaw_db.models`; every table has a page with its columns, "
        "constraints, foreign keys, indexes and history."
    )
    out.append("")
    out += ["Regenerate these pages after changing a model or a revision:", "", "    goclaw-db docs", ""]

    out += ["## Contents", ""]
    for domain in domains:
        out.append(f"- [{domain.title}](#{domain.anchor}): {_first_paragraph(domain.doc)}")
    out += [
        "- [Overview diagram](#overview-diagram)",
        "- [Extensions and functions](#extensions-and-functions)",
        "- [PostgreSQL and SQLite](#postgresql-and-sqlite)",
        "",
    ]

    for domain in domains:
        out += [f"## {domain.title}", "", _first_paragraph(domain.doc), ""]
        rows = [[_link(td.name), _first_paragraph(td.doc)] for td in domain.tables]
        out += [*_table(["Table", "What it holds"], rows), ""]
        out += [*_mermaid_block(er_domain(domain)), ""]

    out += ["## Overview diagram", ""]
    out += [
        "Every table and the foreign keys between them. Almost every table also references "
        "[tenants](tenants.md) through `tenant_id`; those links are left out here and shown in "
        "the domain diagrams.",
        "",
    ]
    out += [*_mermaid_block(er_overview(domains)), ""]

    out += ["## Extensions and functions", ""]
    out += ["PostgreSQL only; the SQLite schema needs none of them.", ""]
    rows = [
        [_code(e.name), _EXTENSION_DOCS.get(e.name, ""), e.created.link()]
        for e in sorted(extensions.values(), key=lambda e: e.name)
    ]
    out += [*_table(["Extension", "Used for", "Created in"], rows), ""]
    rows = [
        [
            _code(f.details["signature"]),
            _code(f.details.get("returns", "")),
            f.details.get("language", ""),
            _FUNCTION_DOCS.get(f.name, ""),
            f.created.link(),
        ]
        for f in sorted(functions.values(), key=lambda f: f.name)
    ]
    out += [*_table(["Function", "Returns", "Language", "Purpose", "Created in"], rows), ""]
    if triggers:
        rows = [
            [
                _code(t.name),
                _link(t.details["table"]),
                t.details.get("timing", ""),
                _code(t.details.get("function", "") + "()"),
                t.created.link(),
            ]
            for t in sorted(triggers.values(), key=lambda t: t.name)
        ]
        out += [*_table(["Trigger", "Table", "When", "Runs", "Created in"], rows), ""]

    out += ["## PostgreSQL and SQLite", ""]
    out += [
        "One revision chain builds either database. PostgreSQL gets GoClaw's server schema exactly; "
        "SQLite gets the layout of GoClaw's desktop build. They differ as follows.",
        "",
        "Column types (each portable type of `goclaw_db.types` and what it becomes):",
        "",
    ]
    pairs: dict[tuple[str, str], set[str]] = {}
    for td in tables:
        for column in td.table.columns:
            lite = sqlite_type(column) or "not stored"
            pairs.setdefault((_generic(pg_type(column)), _generic(lite)), set()).add(type(column.type).__name__)
    rows = [
        [_code(pg), _code(lite) if lite != "not stored" else lite, ", ".join(sorted(names))]
        for (pg, lite), names in sorted(pairs.items())
    ]
    out += [*_table(["PostgreSQL", "SQLite", "Type in the models"], rows), ""]
    pg_only_indexes = sorted(
        (i.name, td.name)
        for td in tables
        for i in td.table.indexes
        if _index_on_sqlite(i, td.table).startswith("not created")
    )
    not_stored = sorted((td.name, c.name) for td in tables for c in td.table.columns if sqlite_type(c) is None)
    fts_tables = [(td.name, fts5_columns(td.table)) for td in tables if fts5_columns(td.table)]
    out += [
        f"- Vector (pgvector) and tsvector columns exist on PostgreSQL only ({len(not_stored)} columns: "
        + ", ".join(f"{_link(t)}.{c}" for t, c in not_stored)
        + ").",
        f"- GIN, HNSW and other PostgreSQL-only indexes are not created on SQLite ({len(pg_only_indexes)} "
        "indexes); partial and expression B-tree indexes are created on both.",
        "- UUID keys come from `uuid_generate_v7()` or `gen_random_uuid()` on PostgreSQL; on SQLite the "
        "application sets them. Timestamps default to `now()` on PostgreSQL and to an RFC 3339 UTC text "
        "timestamp on SQLite.",
        "- JSONB, arrays and UUIDs are stored as text on SQLite (JSON text for arrays).",
    ]
    if fts_tables:
        out.append(
            "- Full-text search on SQLite uses FTS5 indexes instead of tsvector columns: "
            + "; ".join(f"{_link(t)} over ({', '.join(cols)})" for t, cols in fts_tables)
            + "."
        )
    out.append(
        "- The bookkeeping tables that GoClaw's binaries read ("
        + ", ".join(_link(t) for t in sorted(pg_only_tables()))
        + ") exist on PostgreSQL only; SQLite records its desktop schema version in `schema_version`."
    )
    out += ["- Extensions, functions and triggers exist on PostgreSQL only.", ""]
    return "\n".join(out)


_EXTENSION_DOCS = {
    "vector": "pgvector: the `vector` type and HNSW indexes for embeddings.",
    "pgcrypto": "Cryptographic functions GoClaw expects; installed where the server offers it.",
}
_FUNCTION_DOCS = {
    "uuid_generate_v7": "Default of most `id` columns: time-ordered UUIDv7 values.",
    "immutable_array_to_string": (
        "`array_to_string` declared immutable, so generated tsvector columns can join a `text[]`."
    ),
    "vault_docs_team_null_scope_fix": "Resets a vault document's scope to `personal` when it loses its team.",
}


# =============================================================================
# Entry points
# =============================================================================


def render(versions_dir: Path | None = None) -> dict[str, str]:
    """Every page of the documentation: file name -> content."""
    domains = collect_domains()
    revisions = load_revisions(versions_dir)
    histories = table_histories(revisions)
    objects = database_objects(revisions)
    pages = {"README.md": render_readme(domains, revisions, histories, objects)}
    for domain in domains:
        for td in domain.tables:
            pages[_page(td.name)] = render_table(td, domains, histories.get(td.name), objects[2])
    return {name: text.rstrip("\n") + "\n" for name, text in sorted(pages.items())}


def write(output: Path = DEFAULT_OUTPUT) -> list[Path]:
    """Write the pages to ``output``; earlier generated pages that no longer apply are removed."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    versions = (Path(script_location()) / "versions").resolve()
    token = _revisions_link.set(Path(os.path.relpath(versions, output.resolve())).as_posix())
    try:
        pages = render()
    finally:
        _revisions_link.reset(token)
    for stale in sorted(output.glob("*.md")):
        if stale.name not in pages and stale.read_text(encoding="utf-8").startswith(GENERATED_NOTE):
            stale.unlink()
    written = []
    for name, text in pages.items():
        path = output / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
