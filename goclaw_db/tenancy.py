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
* a new object gets the tenant's ``tenant_id`` when it has none; an object of
  another tenant is refused (:class:`CrossTenantError`) at flush, before the
  database sees it;
* an object that points at a parent row (``agent_id``, ``team_id``, ...) of
  another tenant, or at one that does not exist for this tenant, is refused at
  flush the same way.

What is not scoped: Core statements run on the session or connection
(``db.execute(text(...))``, ``insert(Model).values(...)``, statements on
``Table`` objects), and rows reached through tables that have no
``tenant_id`` (``builtin_tools``, the bookkeeping tables).  Pass
``execution_options(goclaw_all_tenants=True)`` to an ORM statement to see every
tenant's rows on purpose.
"""

from __future__ import annotations

import uuid
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

__all__ = ["ALL_TENANTS", "TENANT_KEY", "CrossTenantError", "TenantSession", "tenant_for", "tenant_of"]

# Where a session keeps the tenant it is scoped to (Session.info).
TENANT_KEY = "goclaw_tenant_id"
# Execution option that lifts the scoping for one statement.
ALL_TENANTS = "goclaw_all_tenants"


class CrossTenantError(sa.exc.InvalidRequestError):
    """A write in a tenant-scoped session would touch or reference another tenant's row."""


class TenantSession(Session):
    """A session whose ORM reads and writes are limited to ``info["goclaw_tenant_id"]``."""


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


@event.listens_for(TenantSession, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    tenant_id = tenant_of(state.session)
    if tenant_id is None or state.execution_options.get(ALL_TENANTS):
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(*_criteria(tenant_id))


def _refuse(message: str) -> CrossTenantError:
    return CrossTenantError(f"{message}; a session scoped to one tenant writes only that tenant's rows")


def _check_parents(session: Session, state: InstanceState[Any], tenant_id: uuid.UUID, is_new: bool) -> None:
    mapper: Mapper[Any] = state.mapper
    obj = state.obj()
    for rel in mapper.relationships:
        if rel.direction is not RelationshipDirection.MANYTOONE or "tenant_id" not in rel.mapper.columns:
            continue
        if rel.key in state.dict and state.dict[rel.key] is not None:
            parent = state.dict[rel.key]
            parent_tenant = getattr(parent, "tenant_id", None)
            if parent_tenant is not None and parent_tenant != tenant_id:
                raise _refuse(f"{mapper.class_.__name__}.{rel.key} is a row of tenant {parent_tenant}")
            continue
        local = list(rel.local_columns)
        if len(local) != 1 or len(rel.mapper.primary_key) != 1:
            continue
        key = mapper.get_property_by_column(local[0]).key
        value = state.dict.get(key)
        if value is None or (not is_new and not get_history(obj, key).added):
            continue
        with session.no_autoflush:
            if session.get(rel.mapper.class_, value) is None:
                raise _refuse(
                    f"{mapper.class_.__name__}.{key}={value} names no {rel.mapper.class_.__name__} "
                    f"of tenant {tenant_id}"
                )


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
