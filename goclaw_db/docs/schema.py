"""Facts about the tables, read from the models: domains, column types, defaults, keys, indexes."""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from goclaw_db.base import table_of
from goclaw_db.bookkeeping import POSTGRES_BOOKKEEPING
from goclaw_db.docs.markdown import code
from goclaw_db.models import Base, metadata
from goclaw_db.types import is_pg_only

PG: Dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
SQLITE: Dialect = sqlite.dialect()

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


def clean(text: str | None) -> str:
    return inspect.cleandoc(text) if text else ""


def first_paragraph(text: str | None) -> str:
    return " ".join(clean(text).split("\n\n")[0].split())


def modules_of_tables() -> dict[str, ModuleType]:
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


def model_of(table: sa.Table) -> type | None:
    return next((m.class_ for m in Base.registry.mappers if m.local_table is table), None)


def collect_domains() -> list[Domain]:
    """Every table of the metadata, grouped by the module that defines it."""
    modules = modules_of_tables()
    grouped: dict[str, list[TableDoc]] = {}
    domain_docs: dict[str, str] = {}
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        module = modules.get(table.name)
        domain = module.__name__.rsplit(".", 1)[-1] if module else "other"
        domain_docs[domain] = clean(module.__doc__) if module else ""
        model = model_of(table)
        doc = clean(table.info.get("doc") or (model.__doc__ if model is not None else ""))
        grouped.setdefault(domain, []).append(TableDoc(table, domain, model, doc))
    order = {name: i for i, name in enumerate(DOMAIN_ORDER)}
    names = sorted(grouped, key=lambda d: (order.get(d, len(order)), d))
    return [Domain(name, domain_docs[name], grouped[name]) for name in names]


def pg_only_tables() -> set[str]:
    return {t.name for t in POSTGRES_BOOKKEEPING}


def fts5_columns(table: sa.Table) -> list[str]:
    return list(table.info.get("fts5") or [])


# --- columns ------------------------------------------------------------------------


def pg_type(column: sa.Column[Any]) -> str:
    return column.type.compile(dialect=PG).lower()


def sqlite_type(column: sa.Column[Any]) -> str | None:
    """The SQLite storage type, or None where the desktop schema has no such column."""
    if is_pg_only(column.type):
        return None
    return column.type.compile(dialect=SQLITE)


def generic_type(type_name: str) -> str:
    """A type with its length or precision replaced by a placeholder: ``varchar(n)``."""
    return re.sub(r"\(\d+, \d+\)", "(p, s)", re.sub(r"\(\d+\)", "(n)", type_name))


def _default(column: sa.Column[Any], dialect: Dialect) -> str | None:
    if column.server_default is None or isinstance(column.server_default, sa.Computed):
        return None
    compiler = dialect.ddl_compiler(dialect, None)  # type: ignore[arg-type]
    return compiler.get_column_default_string(column)


def _generated_in_application(column: sa.Column[Any]) -> bool:
    default = getattr(column.server_default, "arg", None)
    return bool(getattr(default, "generated_in_application_on_sqlite", False))


def default_text(column: sa.Column[Any]) -> str:
    if column.computed is not None:
        return f"generated: {code(sql_text(column.computed.sqltext, PG))}"
    pg = _default(column, PG)
    if pg is None:
        return ""
    if sqlite_type(column) is None:
        return code(pg)
    if _generated_in_application(column):
        return f"{code(pg)} (SQLite: set by the application)"
    lite = _default(column, SQLITE)
    if lite == pg:
        return code(pg)
    return f"{code(pg)} (SQLite: {code(lite) if lite else 'none'})"


def sql_text(clause: Any, dialect: Dialect) -> str:
    if isinstance(clause, sa.Column):
        return clause.name
    if isinstance(clause, str):
        return clause
    return str(clause.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def columns_of(constraint: Any) -> list[str]:
    return [c.name for c in constraint.columns]


def unique_sets(table: sa.Table) -> list[set[str]]:
    """Column sets that are unique: primary key, unique constraints, plain unique indexes."""
    sets = [set(columns_of(table.primary_key))] if table.primary_key.columns else []
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            sets.append(set(columns_of(constraint)))
    for index in table.indexes:
        where = index.dialect_options["postgresql"].get("where")
        if index.unique and where is None and all(isinstance(e, sa.Column) for e in index.expressions):
            sets.append({e.name for e in index.expressions if isinstance(e, sa.Column)})
    return sets


def column_keys(table: sa.Table, column: sa.Column[Any]) -> list[str]:
    keys = []
    if column.primary_key:
        keys.append("PK")
    if column.foreign_keys:
        keys.append("FK")
    if not column.primary_key and {column.name} in unique_sets(table):
        keys.append("UK")
    return keys


# --- constraints and foreign keys -------------------------------------------------------


def constraint_name(constraint: sa.Constraint | sa.Index) -> str:
    return str(constraint.name) if constraint.name is not None else ""


def foreign_keys(table: sa.Table) -> list[sa.ForeignKeyConstraint]:
    return sorted(table.foreign_key_constraints, key=lambda fk: (columns_of(fk), constraint_name(fk)))


def on_delete(fk: sa.ForeignKeyConstraint) -> str:
    return (fk.ondelete or "NO ACTION").upper()


def referencing(table: sa.Table) -> list[tuple[sa.Table, sa.ForeignKeyConstraint]]:
    """The foreign keys of other tables (or of the table itself) that point at ``table``."""
    return sorted(
        ((t, fk) for t in metadata.tables.values() for fk in t.foreign_key_constraints if fk.referred_table is table),
        key=lambda pair: (pair[0].name, columns_of(pair[1])),
    )


# --- indexes --------------------------------------------------------------------------------

_INDEX_KINDS = {
    "btree": "btree",
    "gin": "GIN",
    "gist": "GiST",
    "hnsw": "HNSW",
    "ivfflat": "IVFFlat",
    "brin": "BRIN",
    "hash": "hash",
}


def _using(index: sa.Index) -> str:
    return str(index.dialect_options["postgresql"].get("using") or "btree").lower()


def pg_where(index: sa.Index) -> str | None:
    where = index.dialect_options["postgresql"].get("where")
    return sql_text(where, PG) if where is not None else None


def index_kind(index: sa.Index) -> str:
    options = index.dialect_options["postgresql"]
    using = _using(index)
    extras = []
    ops = options.get("ops") or {}
    if using in ("hnsw", "ivfflat"):
        extras.extend(sorted(set(ops.values())))
    for key, value in sorted((options.get("with") or {}).items()):
        extras.append(f"{key}={value}")
    label = _INDEX_KINDS.get(using, using)
    return f"{label} ({', '.join(extras)})" if extras else label


def index_columns(index: sa.Index) -> str:
    ops = index.dialect_options["postgresql"].get("ops") or {}
    using = _using(index)
    parts = []
    for expr in index.expressions:
        text = sql_text(expr, PG)
        if isinstance(expr, sa.Column) and expr.name in ops and using not in ("hnsw", "ivfflat"):
            text = f"{text} {ops[expr.name]}"
        parts.append(code(text))
    return ", ".join(parts)


def index_expressions(index: sa.Index) -> list[str]:
    return [sql_text(e, PG) for e in index.expressions]


def is_vector_index(index: sa.Index) -> bool:
    return _using(index) in ("hnsw", "ivfflat")


def is_gin_index(index: sa.Index) -> bool:
    return _using(index) == "gin"


def _pg_only_index(index: sa.Index) -> bool:
    ddl_if = getattr(index, "_ddl_if", None)
    if ddl_if is None:
        return False
    dialects = ddl_if.dialect if isinstance(ddl_if.dialect, (list, tuple, set)) else [ddl_if.dialect]
    return "sqlite" not in dialects


def index_on_sqlite(index: sa.Index) -> str:
    if _pg_only_index(index) or any(isinstance(e, sa.Column) and sqlite_type(e) is None for e in index.expressions):
        return "not created (PostgreSQL only)"
    lite_where = index.dialect_options["sqlite"].get("where")
    pg_text = pg_where(index)
    lite_text = sql_text(lite_where, SQLITE) if lite_where is not None else None
    if pg_text == lite_text:
        return "same"
    if lite_text is None:
        return "same, without the condition"
    return f"condition {code(lite_text)}"
