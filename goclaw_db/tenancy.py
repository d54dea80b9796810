"""Sessions scoped to one tenant.

GoClaw is multi-tenant: almost every table has a ``tenant_id``, and every
query GoClaw makes names it.  A tenant-scoped session does that for the
application::

    Session = session_factory(engine, tenant_id=acme_id)
    with Session() as db:
        db.scalars(select(Agent)).all()      # only Acme's agents
        db.get(Agent, other_tenants_agent)   # None
        db.add(Agent(agent_key="a", owner_id="o", model="m"))  # tenant_id = acme_id

What is scoped, in a session made by ``session_factory(engine, tenant_id=...)``
or ``async_session_factory(engine, tenant_id=...)``:

* every ORM ``SELECT`` (``select(Model)``, ``Session.get``, ``scalars``),
  every relationship and deferred-column load, and ORM-enabled
  ``update(Model)``/``delete(Model)`` statements see only rows of the tenant
  (``tenants`` itself: only the tenant's own row);
* every ORM write: objects at flush, ORM-enabled ``insert(Model)`` and
  ``update(Model)`` statements (their ``values()`` and their parameter sets,
  ORM bulk INSERT and bulk UPDATE by primary key included), ``bulk_save_objects``,
  ``bulk_insert_mappings``, ``bulk_update_mappings`` and
  ``goclaw_db.bulk.write_memory_chunks`` given the session.  A new row gets the
  tenant's ``tenant_id`` when it has none; a row of another tenant, a row that
  points at a parent row (``agent_id``, ``team_id``, ...) of another tenant or at
  one that does not exist for this tenant, an update by primary key of another
  tenant's row, and a value that cannot be checked (an SQL expression for
  ``tenant_id`` or a parent's id, ``INSERT ... SELECT``) are refused
  (:class:`CrossTenantError`) before the database sees them; the UPDATE of an
  ``INSERT ... ON CONFLICT DO UPDATE`` is checked the same way and changes the
  row in conflict only when it is the tenant's.

What is not scoped: Core statements run on the session or connection
(``db.execute(text(...))``, statements on ``Table`` objects), and rows reached
through tables that have no ``tenant_id`` (``builtin_tools``, the bookkeeping
tables).  Pass ``execution_options(goclaw_all_tenants=True)`` to an ORM
statement to read or write every tenant's rows on purpose.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import (
    InstanceState,
    Mapper,
    ORMExecuteState,
    RelationshipDirection,
    Session,
    UOWTransaction,
    with_loader_criteria,
)
from sqlalchemy.orm.attributes import get_history

from goclaw_db.base import Base

__all__ = [
    "ALL_TENANTS",
    "TENANT_KEY",
    "CrossTenantError",
    "TenantSession",
    "scoped_rows",
    "tenant_for",
    "tenant_of",
]

# Where a session keeps the tenant it is scoped to (Session.info).
TENANT_KEY = "goclaw_tenant_id"
# Execution option that lifts the scoping for one statement.
ALL_TENANTS = "goclaw_all_tenants"


class CrossTenantError(sa.exc.InvalidRequestError):
    """A write in a tenant-scoped session would touch or reference another tenant's row."""


class TenantSession(Session):
    """A session whose ORM reads and writes are limited to ``info["goclaw_tenant_id"]``.

    The legacy bulk methods write without a flush or an ORM statement, so they
    are checked here, before they run."""

    def bulk_save_objects(
        self,
        objects: Iterable[object],
        return_defaults: bool = False,
        update_changed_only: bool = True,
        preserve_order: bool = True,
    ) -> None:
        objects = list(objects)
        tenant_id = tenant_of(self)
        if tenant_id is not None:
            _scope_objects(self, objects, tenant_id)
        super().bulk_save_objects(objects, return_defaults, update_changed_only, preserve_order)

    def bulk_insert_mappings(
        self,
        mapper: Any,
        mappings: Iterable[dict[str, Any]],
        return_defaults: bool = False,
        render_nulls: bool = False,
    ) -> None:
        rows = [dict(row) for row in scoped_rows(self, mapper, mappings)]
        super().bulk_insert_mappings(mapper, rows, return_defaults, render_nulls)

    def bulk_update_mappings(self, mapper: Any, mappings: Iterable[dict[str, Any]]) -> None:
        rows = list(mappings)
        tenant_id = tenant_of(self)
        if tenant_id is not None:
            _check_rows(self, _rules(sa.inspect(mapper)), rows, tenant_id, by_primary_key=True)
        super().bulk_update_mappings(mapper, rows)


def tenant_of(session: Session) -> uuid.UUID | None:
    """The tenant a session is scoped to, or None."""
    value = session.info.get(TENANT_KEY)
    return value if isinstance(value, uuid.UUID) else None


def tenant_for(session: Session, given: uuid.UUID | None) -> uuid.UUID | None:
    """The tenant a call made in ``session`` works on: in a scoped session the session's own (another
    given one is refused), else ``given``."""
    scoped = tenant_of(session)
    if scoped is None:
        return given
    if given is not None and given != scoped:
        raise _refuse(f"tenant_id {given} is not the session's tenant {scoped}")
    return scoped


def scoped_rows(session: Session, model: Any, rows: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    """Rows (by attribute name) to insert into ``model``'s table in ``session``: in a scoped session each
    gets the tenant's ``tenant_id`` when it has none, and a row crossing tenants is refused (before
    any is written); in another session ``rows`` as they are."""
    tenant_id = tenant_of(session)
    if tenant_id is None:
        return rows
    rules = _rules(sa.inspect(model))
    key = rules.mapper.get_property_by_column(rules.tenant).key if rules.tenant is not None else None
    written = [row if key is None or row.get(key) is not None else {**row, key: tenant_id} for row in rows]
    _check_rows(session, rules, written, tenant_id)
    return written


@cache
def _tenant_models() -> tuple[type[Any], ...]:
    sa.orm.configure_mappers()
    return tuple(m.class_ for m in Base.registry.mappers if "tenant_id" in m.columns)


def _criteria(tenant_id: uuid.UUID) -> list[Any]:
    from goclaw_db.models.tenants import Tenant

    options = [
        with_loader_criteria(model, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
        for model in _tenant_models()
    ]
    options.append(with_loader_criteria(Tenant, lambda cls: cls.id == tenant_id, include_aliases=True))
    return options


def _refuse(message: str) -> CrossTenantError:
    return CrossTenantError(f"{message}; a session scoped to one tenant reads and writes only that tenant's rows")


# --- what a write to one model must respect -----------------------------------------


@dataclass(frozen=True)
class _Rules:
    mapper: Mapper[Any]
    tenant: Any  # the tenant_id column (a Column), when the table has one
    references: Mapping[Any, Mapper[Any]]  # a column holding the id of a tenant's row, and that row's model
    scoped: bool  # reads of the table are limited to the tenant (it has tenant_id, or is tenants)

    @property
    def name(self) -> str:
        return self.mapper.class_.__name__

    def column(self, key: Any) -> Any:
        """The table column a key of a row or of ``values()`` names: an attribute or column name, a
        ``Column`` or a mapped attribute; None for any other key (a bound parameter's name)."""
        table: Any = self.mapper.local_table
        if isinstance(key, str):
            prop = self.mapper.attrs.get(key)
            if isinstance(prop, sa.orm.ColumnProperty):
                key = prop.columns[0]
            else:
                return table.c.get(key)
        elif hasattr(key, "__clause_element__"):
            key = key.__clause_element__()
        if isinstance(key, sa.Column) and isinstance(key.table, sa.Table) and key.table.name == table.name:
            return table.c.get(key.key)
        return None


@cache
def _rules(mapper: Mapper[Any]) -> _Rules:
    from goclaw_db.models.tenants import Tenant

    references = {}
    for rel in mapper.relationships:
        local = list(rel.local_columns)
        if (
            rel.direction is RelationshipDirection.MANYTOONE
            and "tenant_id" in rel.mapper.columns
            and len(local) == 1
            and len(rel.mapper.primary_key) == 1
        ):
            references[local[0]] = rel.mapper
    tenant = mapper.local_table.c.get("tenant_id")
    return _Rules(mapper, tenant, references, tenant is not None or mapper.class_ is Tenant)


# A value that only the database knows: an SQL expression in values().
_UNCHECKABLE = object()


def _plain(value: Any) -> Any:
    if isinstance(value, sa.BindParameter):
        return value.effective_value
    if isinstance(value, sa.sql.elements.Null):
        return None
    return _UNCHECKABLE if isinstance(value, sa.ClauseElement) else value


def _by_column(rules: _Rules, row: Mapping[Any, Any]) -> dict[Any, Any]:
    columns = ((rules.column(key), value) for key, value in row.items())
    return {column: _plain(value) for column, value in columns if column is not None}


def _check_rows(
    session: Session,
    rules: _Rules,
    rows: Sequence[Mapping[Any, Any]],
    tenant_id: uuid.UUID,
    *,
    by_primary_key: bool = False,
) -> None:
    """Refuse ``rows`` written to ``rules.mapper``'s table when one is another tenant's, names a parent
    row that is not this tenant's, or (``by_primary_key``: rows updated by their key) is not a row of
    this tenant."""
    columns = [_by_column(rules, row) for row in rows]
    for row in columns:
        if rules.tenant in row:
            value = row[rules.tenant]
            if value is _UNCHECKABLE:
                raise _refuse(f"{rules.name}.tenant_id is set to an SQL expression, which cannot be checked")
            if value != tenant_id:
                raise _refuse(f"{rules.name} has tenant_id {value}, not {tenant_id}")
    for column, parent in rules.references.items():
        named = {row[column] for row in columns if row.get(column) is not None}
        if _UNCHECKABLE in named:
            raise _refuse(f"{rules.name}.{column.key} is set to an SQL expression, which cannot be checked")
        missing = _missing(session, parent, named, tenant_id)
        if missing:
            raise _refuse(
                f"{rules.name}.{column.key}={missing} names no {parent.class_.__name__} of tenant {tenant_id}"
            )
    if by_primary_key and rules.scoped:
        (key,) = rules.mapper.primary_key
        missing = _missing(session, rules.mapper, {row.get(key) for row in columns}, tenant_id)
        if missing:
            raise _refuse(f"the {rules.name} to update with id {missing} is not a row of tenant {tenant_id}")


def _missing(session: Session, mapper: Mapper[Any], ids: Collection[Any], tenant_id: uuid.UUID) -> Any:
    """One of ``ids`` that names no row of ``mapper``'s table this tenant sees, or None."""
    owned = "tenant_id" in mapper.columns
    wanted = []
    for value in sorted({i for i in ids if i is not None}, key=str):
        known = session.identity_map.get(mapper.identity_key_from_primary_key((value,)))
        if not (owned and known is not None and known.tenant_id == tenant_id):  # loaded: no query
            wanted.append(value)
    (key,) = mapper.primary_key
    attribute = getattr(mapper.class_, mapper.get_property_by_column(key).key)
    found: set[Any] = set()
    with session.no_autoflush:  # the session's scoped SELECT: another tenant's row is not found
        for start in range(0, len(wanted), 500):  # within every SQLite's limit of bound values
            found.update(session.scalars(sa.select(attribute).where(attribute.in_(wanted[start : start + 500]))))
    return next((i for i in wanted if i not in found), None)


# --- the write paths -----------------------------------------------------------------


@event.listens_for(TenantSession, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    tenant_id = tenant_of(state.session)
    if tenant_id is None or state.execution_options.get(ALL_TENANTS):
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(*_criteria(tenant_id))
    if (state.is_insert or state.is_update) and state.is_orm_statement and state.bind_mapper is not None:
        _scope_write_statement(state, _rules(state.bind_mapper), tenant_id)


def _scope_write_statement(state: ORMExecuteState, rules: _Rules, tenant_id: uuid.UUID) -> None:
    """An ORM INSERT or UPDATE: its ``values()`` and parameter sets checked, a missing tenant_id given."""
    statement: Any = state.statement
    if state.is_insert and statement._select_names is not None:
        raise _refuse(f"INSERT INTO {rules.name} ... SELECT writes rows that cannot be checked")
    multi = getattr(statement, "_multi_values", ())
    given = [*multi[0]] if multi else [statement._values] if statement._values else []
    params: Any = state.parameters
    rows: list[Mapping[str, Any]] = params if isinstance(params, list) else [params] if params else []
    if state.is_insert and rules.tenant is not None:
        if multi:
            if not all(_names(rules, row, rules.tenant) for row in given):
                raise _refuse(f"a row of INSERT INTO {rules.name} VALUES has no tenant_id: give it in every row")
        elif not _names(rules, statement._values or {}, rules.tenant):
            if rows:
                key = rules.mapper.get_property_by_column(rules.tenant).key
                rows = [row if row.get(key) is not None else {**row, key: tenant_id} for row in rows]
                state.parameters = rows if isinstance(params, list) else rows[0]
            else:
                state.statement = statement = statement.values({rules.tenant: tenant_id})
                given = [statement._values]
    _check_rows(state.session, rules, [*given, *rows], tenant_id)
    if state.is_update and isinstance(params, list):  # ORM bulk UPDATE by primary key
        _check_rows(state.session, rules, rows, tenant_id, by_primary_key=True)
    conflict = getattr(statement, "_post_values_clause", None)
    if state.is_insert and hasattr(conflict, "update_values_to_set"):
        state.statement = _upsert_in_tenant(state.session, statement, conflict, rules, tenant_id)


def _upsert_in_tenant(session: Session, statement: Any, conflict: Any, rules: _Rules, tenant_id: uuid.UUID) -> Any:
    """``INSERT ... ON CONFLICT DO UPDATE``: its SET checked like a row, and the row in conflict
    updated only when it is the tenant's (as a scoped UPDATE leaves another tenant's row alone)."""
    _check_rows(session, rules, [dict(conflict.update_values_to_set)], tenant_id)
    if not rules.scoped:
        return statement
    table = rules.mapper.local_table
    own = table.c.tenant_id == tenant_id if rules.tenant is not None else table.c.id == tenant_id
    scoped = copy.copy(conflict)
    scoped.update_whereclause = (
        own if conflict.update_whereclause is None else sa.and_(conflict.update_whereclause, own)
    )
    upsert = statement._generate()
    upsert._post_values_clause = scoped
    return upsert


def _names(rules: _Rules, row: Mapping[Any, Any], column: Any) -> bool:
    return any(rules.column(key) is column for key in row)


def _scope_objects(session: Session, objects: Sequence[object], tenant_id: uuid.UUID) -> None:
    """``bulk_save_objects``: new objects get the tenant; the others must be rows of it."""
    for obj in objects:
        state: InstanceState[Any] = sa.inspect(obj)
        rules = _rules(state.mapper)
        if state.key is None and rules.tenant is not None and getattr(obj, "tenant_id", None) is None:
            obj.tenant_id = tenant_id  # type: ignore[attr-defined]
        row: dict[Any, Any] = dict(state.dict)
        if state.key is not None:
            row.update(zip(state.mapper.primary_key, state.key[1]))
        _check_rows(session, rules, [row], tenant_id, by_primary_key=state.key is not None)


def _check_parents(session: Session, state: InstanceState[Any], tenant_id: uuid.UUID, is_new: bool) -> None:
    """A new or changed object's parents (the objects it holds, else the ids it names) are the tenant's."""
    mapper: Mapper[Any] = state.mapper
    rules = _rules(mapper)
    by_id = dict(rules.references)
    for rel in mapper.relationships:
        parent = state.dict.get(rel.key)
        if (
            rel.direction is RelationshipDirection.MANYTOONE
            and "tenant_id" in rel.mapper.columns
            and parent is not None
        ):
            parent_tenant = getattr(parent, "tenant_id", None)
            if parent_tenant is not None and parent_tenant != tenant_id:
                raise _refuse(f"{rules.name}.{rel.key} is a row of tenant {parent_tenant}")
            for column in rel.local_columns:
                by_id.pop(column, None)
    keys = {column: mapper.get_property_by_column(column).key for column in by_id}
    named = {
        column: state.dict.get(key) for column, key in keys.items() if is_new or get_history(state.obj(), key).added
    }
    _check_rows(session, rules, [named], tenant_id)


@event.listens_for(TenantSession, "before_flush")
def _scope_writes(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    tenant_id = tenant_of(session)
    if tenant_id is None:
        return
    for obj, is_new in [(o, True) for o in session.new] + [(o, False) for o in session.dirty]:
        state = sa.inspect(obj)
        if "tenant_id" in state.mapper.columns:
            if is_new and obj.tenant_id is None:
                obj.tenant_id = tenant_id
            elif obj.tenant_id != tenant_id:
                raise _refuse(f"{type(obj).__name__} has tenant_id {obj.tenant_id}, not {tenant_id}")
        _check_parents(session, state, tenant_id, is_new)
    for obj in session.deleted:
        owner = getattr(obj, "tenant_id", tenant_id)
        if owner != tenant_id:
            raise _refuse(f"{type(obj).__name__} to delete belongs to tenant {owner}")
