"""Operations that make one change on both databases, in the desktop's form on SQLite.

GoClaw's desktop (SQLite) schema has no vectors, no tsvector, no GIN/HNSW
indexes and no PL/pgSQL, and its hand-written SQL came out differently in a
few details.  A revision states such a difference where it makes the column
or index, and the operations here apply it on SQLite:

* a column: ``sqlite_nullable=`` and ``sqlite_server_default=`` on the
  ``sa.Column`` (a different type: ``type.with_variant(..., "sqlite")``);
  vector and tsvector columns are left out there;
* an index: ``where=`` makes it partial on both, ``postgresql_where=`` on
  PostgreSQL only; ``sqlite_name=`` and ``sqlite_columns=`` give the desktop's
  name and key columns.

The revisions run on SQLite with foreign keys off (see ``goclaw_db.runner.sqlite_foreign_keys``),
so ``op.delete_portable_rows`` applies the delete rules of the rows it removes itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.util import CommandError

from goclaw_db.revision_ops._registry import on_postgresql, revision_operation
from goclaw_db.revision_ops.sqlite_rebuild import alter_portable_table
from goclaw_db.runner.locking import kept_outside_transaction
from goclaw_db.runner.safe_path import goclaw_schema
from goclaw_db.types import is_pg_only

# A column's desktop differences, as dialect arguments of sa.Column (None: as on PostgreSQL).
sa.Column.argument_for("sqlite", "nullable", None)
sa.Column.argument_for("sqlite", "server_default", None)


def _in_desktop_form(operations: Operations, items: Sequence[Any]) -> list[Any]:
    """The revision's columns as the database in use holds them.

    On SQLite the revision's own, fresh columns take the desktop's
    nullability and default, and PostgreSQL-only columns are left out.
    """
    if on_postgresql(operations):
        return list(items)
    kept = [item for item in items if not (isinstance(item, sa.Column) and is_pg_only(item.type))]
    for item in kept:
        if not isinstance(item, sa.Column):
            continue
        desktop = item.dialect_options["sqlite"]
        if desktop["nullable"] is not None:
            item.nullable = desktop["nullable"]
        if desktop["server_default"] is not None:
            item.server_default = sa.DefaultClause(desktop["server_default"])
    return kept


@revision_operation
def create_portable_table(operations: Operations, name: str, *items: Any, **kw: Any) -> sa.Table:
    """Alembic's ``create_table``, with each column in the desktop's form on SQLite."""
    return operations.create_table(name, *_in_desktop_form(operations, items), **kw)


@revision_operation
def add_portable_columns(operations: Operations, table: str, *columns: sa.Column[Any]) -> None:
    """Add columns in order (GoClaw's column order is part of the schema), in the desktop's form on SQLite."""
    with alter_portable_table(operations, table) as batch:
        for column in _in_desktop_form(operations, columns):
            batch.add_column(column)


@revision_operation
def drop_portable_columns(operations: Operations, table: str, *names: str, postgresql_only: Sequence[str] = ()) -> None:
    """Drop columns; those named in ``postgresql_only`` exist on PostgreSQL only."""
    with alter_portable_table(operations, table) as batch:
        for name in names:
            if name in postgresql_only and not on_postgresql(operations):
                continue
            batch.drop_column(name)


def _index_arguments(
    operations: Operations,
    name: str,
    columns: Sequence[Any],
    where: str | sa.ColumnElement[bool] | None,
    sqlite_name: str | None,
    sqlite_columns: Sequence[Any] | None,
    kw: dict[str, Any],
) -> tuple[str, list[Any], dict[str, Any]]:
    if not on_postgresql(operations):
        name = sqlite_name or name
        columns = sqlite_columns if sqlite_columns is not None else columns
    if where is not None:
        condition = sa.text(where) if isinstance(where, str) else where
        kw = {**kw, "postgresql_where": condition, "sqlite_where": condition}
    return name, list(columns), kw


@revision_operation
def create_portable_index(
    operations: Operations,
    name: str,
    table: str,
    columns: Sequence[Any],
    where: str | sa.ColumnElement[bool] | None = None,
    *,
    sqlite_name: str | None = None,
    sqlite_columns: Sequence[Any] | None = None,
    **kw: Any,
) -> None:
    """An index on both databases; partial on both where ``where`` is given.

    Write a condition on booleans as an expression (``sa.column("enabled") ==
    sa.true()``): it renders ``true`` on PostgreSQL and ``1`` on SQLite, as
    each of GoClaw's schemas has it.  ``postgresql_where=`` alone makes an
    index partial on PostgreSQL and whole on the desktop; ``sqlite_name`` and
    ``sqlite_columns`` are the desktop's name and key columns where they differ.
    """
    name, columns, kw = _index_arguments(operations, name, columns, where, sqlite_name, sqlite_columns, kw)
    operations.create_index(name, table, columns, **kw)


@revision_operation
def drop_portable_index(operations: Operations, name: str, table: str, *, sqlite_name: str | None = None) -> None:
    """Drop an index made by ``op.create_portable_index`` (give the same ``sqlite_name``)."""
    operations.drop_index(name if on_postgresql(operations) else sqlite_name or name, table_name=table)


@revision_operation
def drop_portable_unique_constraint(operations: Operations, batch: Any, name: str) -> None:
    """Drop a unique constraint inside ``op.alter_portable_table``, or the unique index named like it.

    GoClaw's own PostgreSQL downgrades sometimes restore a dropped unique
    constraint as a unique index of the same name (version 43's does), so a
    database they left has the index where the chain has the constraint.
    """
    if on_postgresql(operations):
        table = batch.impl.table_name
        operations.drop_constraint(name, table, type_="unique", if_exists=True)
        operations.drop_index(name, table_name=table, if_exists=True)
    else:
        batch.drop_constraint(name, type_="unique")


@revision_operation
def create_portable_index_concurrently(
    operations: Operations,
    name: str,
    table: str,
    columns: Sequence[Any],
    where: str | None = None,
    **kw: Any,
) -> None:
    """Build an index without locking writers, outside the revision's transaction.

    ``CREATE INDEX CONCURRENTLY`` cannot run in a transaction, so this runs in
    an autocommit block.  A build that was interrupted leaves an INVALID index
    behind; it is dropped and rebuilt, so a rerun finishes the job.  On SQLite,
    and in a transaction the caller owns, it is a plain build.
    """
    if where is not None:
        kw.update(postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    context = operations.get_context()
    if not on_postgresql(operations) or context.opts.get("in_caller_transaction"):
        operations.create_index(name, table, list(columns), if_not_exists=True, **kw)
        return
    with kept_outside_transaction(context), context.autocommit_block():
        # No transaction pins the search path here: online, the schema is named (goclaw_db.runner.safe_path).
        schema = None
        if not context.as_sql:
            bind = operations.get_bind()
            schema = goclaw_schema(bind)
            invalid = bind.scalar(
                sa.text(
                    "SELECT 1 FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i"
                    " ON i.oid OPERATOR(pg_catalog.=) x.indexrelid"
                    " WHERE i.relname OPERATOR(pg_catalog.=) :name AND NOT x.indisvalid"
                ),
                {"name": name},
            )
            if invalid:
                operations.drop_index(name, table_name=table, schema=schema, postgresql_concurrently=True)
        operations.create_index(
            name, table, list(columns), schema=schema, postgresql_concurrently=True, if_not_exists=True, **kw
        )


@revision_operation
def delete_portable_rows(operations: Operations, table: sa.TableClause, condition: sa.ColumnElement[bool]) -> None:
    """``DELETE FROM table WHERE condition``, with the delete rules of the rows that refer to the deleted ones.

    PostgreSQL follows the rules itself.  On SQLite the revisions run with
    foreign keys off (a table rebuild would otherwise delete through them), so
    the rules are followed here, before the rows go: a referring row goes too
    (ON DELETE CASCADE, and so on down) or loses its reference (SET NULL).  A
    reference with no such rule is left for the foreign-key check that ends
    every revision, which then refuses it, as PostgreSQL refuses the delete.
    """
    if on_postgresql(operations):
        operations.execute(sa.delete(table).where(condition))
        return
    _delete_following_rules(operations, table, condition, through=())


def _delete_following_rules(
    operations: Operations, table: sa.TableClause, condition: sa.ColumnElement, through: tuple[str, ...]
) -> None:
    for child, columns, keys, on_delete in _sqlite_references_to(operations, table.name):
        referring_table = sa.table(child, *map(sa.column, columns))
        referred: sa.Select[*tuple[Any, ...]] = sa.select(*map(sa.column, keys)).select_from(table).where(condition)
        references = list(referring_table.c)
        referring = (references[0] if len(references) == 1 else sa.tuple_(*references)).in_(referred)
        if on_delete == "CASCADE":
            path = (*through, table.name, child)
            if child in path[:-1]:
                raise CommandError(f"cannot follow the ON DELETE CASCADE cycle {' -> '.join(path)}.")
            _delete_following_rules(operations, referring_table, referring, path[:-1])
        elif on_delete == "SET NULL":
            operations.execute(sa.update(referring_table).where(referring).values(dict.fromkeys(columns)))
    operations.execute(sa.delete(table).where(condition))


def _sqlite_references_to(operations: Operations, table: str) -> list[tuple[str, list[str], list[str], str]]:
    """(referring table, its columns, the referred key columns, ON DELETE rule) of every foreign key to ``table``."""
    rows = (
        operations.get_bind()
        .execute(
            sa.text(
                'SELECT m.name, f.id, f."from", f."to", f.on_delete FROM sqlite_master AS m, '
                "pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table' AND f.\"table\" = :table "
                "ORDER BY m.name, f.id, f.seq"
            ),
            {"table": table},
        )
        .all()
    )
    primary_key = sa.inspect(operations.get_bind()).get_pk_constraint(table)["constrained_columns"]
    references: dict[tuple[str, int], tuple[str, list[str], list[str], str]] = {}
    for child, key_id, column, key, on_delete in rows:
        reference = references.setdefault((child, key_id), (child, [], [], on_delete))
        reference[1].append(column)
        reference[2].append(key or primary_key[len(reference[2])])

    return list(references.values())
