"""Small ``op`` helpers for the revisions: the one place that knows the dialects.

A revision says what GoClaw's version changes; these helpers decide what that
means on each backend.  PostgreSQL gets everything.  GoClaw's desktop (SQLite)
schema has no vectors, no tsvector, no GIN/HNSW indexes and no PL/pgSQL, so
those parts are left out there; in their place SQLite gets FTS5 search tables
(``create_fts5_index``), which PostgreSQL does without.

SQLite cannot alter most things in place, so ``batch_alter_table`` copies the
table into a new one.  The copy loses what SQLAlchemy cannot reflect
(expression indexes, the delete rules and collations written inside a column
definition) and what belongs to the old table (its triggers, its rowids, which
the FTS5 tables point at); the helper here puts all of that back.  The
revisions run on SQLite with foreign keys off (``goclaw_db.runner.sqlite_foreign_keys``), so
``delete_rows`` applies the delete rules of the rows it removes itself.
"""

from __future__ import annotations

import itertools
import logging
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic.operations import Operations, ops, toimpl
from alembic.util import CommandError

from alembic import op
from goclaw_db.locking import kept_outside_transaction
from goclaw_db.types import is_pg_only


def on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


# --- where GoClaw's desktop schema is not its PostgreSQL schema --------------
# The desktop build wrote its SQLite schema by hand, and a few details came out
# differently from the PostgreSQL one.  The helpers below (create_table,
# add_columns, create_index, drop_index) apply these on SQLite, so the
# revisions describe each change once.

# Column attributes the desktop declares differently, by "table.column".
DESKTOP_COLUMNS: dict[str, dict] = {
    "episodic_summaries.key_topics": {"nullable": False},
    "team_tasks.blocked_by": {"nullable": False},
    "subagent_tasks.created_at": {"nullable": True},
    "subagent_tasks.updated_at": {"nullable": True},
    # Flags the desktop declares INTEGER (0/1) rather than BOOLEAN.
    "cron_jobs.stateless": {"type": sa.Integer()},
    "cron_jobs.deliver": {"type": sa.Integer()},
    "cron_jobs.wake_heartbeat": {"type": sa.Integer()},
    # The desktop's own key default: 32 hex digits from SQLite's random source.
    "usage_snapshots.id": {"server_default": sa.DefaultClause(sa.text("lower(hex(randomblob(16)))"))},
}
# Indexes the desktop names differently.
DESKTOP_INDEX_NAMES = {"uq_vault_docs_agent_team_scope_path": "idx_vault_docs_unique_path"}
# Partial indexes on PostgreSQL that cover every row on the desktop.
DESKTOP_WHOLE_TABLE_INDEXES = frozenset({"idx_subagent_tasks_session", "idx_vault_docs_team"})
# Index columns the desktop wraps in COALESCE(column, '') (it stores no NULL keys).
DESKTOP_COALESCED_INDEX_COLUMNS = {"idx_usage_snapshots_unique": frozenset({"provider", "model", "channel"})}


def _portable(table: str, items: Sequence) -> list:
    """The columns as the database in use holds them (see ``DESKTOP_COLUMNS``)."""
    if on_postgresql():
        return list(items)
    kept = [i for i in items if not (isinstance(i, sa.Column) and is_pg_only(i.type))]
    for item in kept:
        if isinstance(item, sa.Column):
            for attribute, value in DESKTOP_COLUMNS.get(f"{table}.{item.name}", {}).items():
                setattr(item, attribute, value)
    return kept


def create_table(name: str, *items, **kw) -> sa.Table:
    """``op.create_table``; vector and tsvector columns exist on PostgreSQL only."""
    return op.create_table(name, *_portable(name, items), **kw)


@contextmanager
def batch_alter_table(table: str, **kw) -> Iterator:
    """``op.batch_alter_table`` that keeps everything a SQLite table had.

    On PostgreSQL this is plain ``ALTER TABLE``.  On SQLite, where Alembic may
    rebuild the table, the copy is declared as the table was (delete rules,
    CHECKs, collations, defaults, generated columns, its AUTOINCREMENT
    counter), every index and trigger the table had is re-created if the
    rebuild lost it (unless it names a column the batch dropped: PostgreSQL
    drops those with the column), and the table's FTS5 index is rebuilt,
    because the copied rows have new rowids.  It refuses to run with foreign
    keys on, which would make the rebuild delete the rows referring to the table.
    """
    if on_postgresql() or op.get_context().as_sql:
        with op.batch_alter_table(table, **kw) as batch:
            yield batch
        return
    _refuse_with_foreign_keys_on(table)
    kept = _sqlite_objects_on(table)
    columns_before = _sqlite_columns(table)
    declared = _sqlite_table_as_declared(table)
    last_key = _sqlite_autoincrement_sequence(table)
    if declared.generated:
        kw["recreate"] = "always"  # the generated columns are re-added in place, which only a copy can do
    with op.batch_alter_table(table, copy_from=declared.table, **kw) as batch:
        yield batch
        _add_generated_columns(batch, declared)
    if last_key is not None:
        # The copy's counter starts from its highest key; keys already handed out and deleted stay used.
        op.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :table").bindparams(table=table))
        op.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :seq)").bindparams(
                table=table, seq=last_key
            )
        )
    present = _sqlite_objects_on(table)
    lost = {name: sql for name, sql in kept.items() if name not in present}
    dropped = columns_before - _sqlite_columns(table)
    for sql in lost.values():
        if not dropped & _words(sql):
            op.execute(sa.text(sql))
    # Lost triggers mean the table was copied; only then have its rows new rowids.
    if lost and _has_fts5_index(table):
        _rebuild_fts5_index(table)


def _refuse_with_foreign_keys_on(table: str) -> None:
    """A copied table replaces the old one by dropping it, which with foreign keys on deletes what refers to it."""
    if op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise CommandError(
            f"cannot alter table {table} with SQLite foreign keys on: dropping its old copy would delete or "
            "clear every row that refers to it. Run the revisions through goclaw-db or alembic with this "
            "package's env.py, which turns them off before each run."
        )


class _DeclaredTable(NamedTuple):
    table: sa.Table  # without its generated columns: Alembic would copy their values, which SQLite refuses
    generated: list[sa.Column]
    column_order: list[str]


def _sqlite_table_as_declared(table: str) -> _DeclaredTable:
    """The table as its CREATE TABLE statement declares it, for Alembic to copy.

    SQLAlchemy's SQLite reflection reads ON DELETE / ON UPDATE only from
    table-level FOREIGN KEY clauses, so the delete rules of a column's own
    ``REFERENCES t(id) ON DELETE CASCADE`` (GoClaw's desktop schema writes all
    its keys so) come back without them, and it does not read COLLATE or
    AUTOINCREMENT at all; Alembic's copy of a reflected table leaves out
    unnamed CHECKs and cannot copy generated columns.  So: the delete and
    update rules come from ``PRAGMA foreign_key_list``, the rest from the
    column definitions in the CREATE TABLE text, and the result goes to
    Alembic as ``copy_from``, which keeps every constraint it is given.
    """
    bind = op.get_bind()
    definitions = _column_definitions(
        bind.scalar(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": table})
    )
    generated_names = [name for name, definition in definitions.items() if _generated_expression(definition)]
    with warnings.catch_warnings():
        # SQLAlchemy cannot reflect expression indexes on SQLite; batch_alter_table re-creates them.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        # resolve_fks=False: Alembic stubs the tables a foreign key refers to;
        # reflecting them too (recursively) was most of a SQLite run.
        described = sa.Table(
            table,
            sa.MetaData(),
            autoload_with=bind,
            resolve_fks=False,
            include_columns=[name for name in definitions if name not in generated_names],
        )
    _set_foreign_key_rules(described)
    for column in described.columns:
        collation = _word_after("COLLATE", definitions[column.name])
        if collation:
            if not isinstance(column.type, sa.String):
                raise CommandError(f"cannot keep COLLATE {collation} of {table}.{column.name}, a non-text column.")
            column.type.collation = collation
        if _word_after("AUTOINCREMENT", definitions[column.name], itself=True):
            described.dialect_options["sqlite"]["autoincrement"] = True
    return _DeclaredTable(described, _generated_columns(table, definitions, generated_names), list(definitions))


def _set_foreign_key_rules(described: sa.Table) -> None:
    rules: dict[int, tuple[str, list[str], str, str]] = {}
    for key_id, _seq, parent, column, _to, on_update, on_delete, _match in op.get_bind().exec_driver_sql(
        f'PRAGMA foreign_key_list("{described.name}")'
    ):
        rules.setdefault(key_id, (parent, [], on_update, on_delete))[1].append(column)
    by_columns = {
        (parent, tuple(columns)): (on_update, on_delete) for parent, columns, on_update, on_delete in rules.values()
    }
    for key in described.foreign_key_constraints:
        parent = key.elements[0].target_fullname.rpartition(".")[0]
        on_update, on_delete = by_columns[(parent, tuple(key.column_keys))]
        key.onupdate = None if on_update == "NO ACTION" else on_update
        key.ondelete = None if on_delete == "NO ACTION" else on_delete


def _generated_columns(table: str, definitions: dict[str, list], generated_names: list[str]) -> list[sa.Column]:
    if not generated_names:
        return []
    reflected = {column["name"]: column for column in sa.inspect(op.get_bind()).get_columns(table)}
    columns = []
    for name in generated_names:
        generated = _generated_expression(definitions[name])
        assert generated is not None, "generated_names holds only columns with a generation expression"
        expression, stored = generated
        columns.append(
            sa.Column(
                name,
                reflected[name]["type"],
                sa.Computed(sa.text(expression), persisted=stored),
                nullable=reflected[name]["nullable"],
            )
        )
    return columns


def _add_generated_columns(batch, declared: _DeclaredTable) -> None:
    """Add the generated columns back where they stood, between the columns the batch keeps.

    Placed after the batch's own operations (``batch.impl.batch``, Alembic's
    list of them), so that a neighbour it drops does not take the position
    with it; a generated column the batch drops itself is simply not added.
    """
    operations = batch.impl.batch
    dropped = {arguments[1].name for name, arguments, _kw in operations if name == "drop_column"}
    operations[:] = [
        (name, arguments, kw)
        for name, arguments, kw in operations
        if not (name == "drop_column" and arguments[1].name not in declared.table.c)
    ]
    generated = {column.name for column in declared.generated}
    added = [
        arguments[1].name
        for name, arguments, kw in operations
        if name == "add_column" and not {"insert_before", "insert_after"} & set(kw)
    ]
    order = [name for name in declared.column_order if name not in dropped] + added
    for column in declared.generated:
        if column.name in dropped:
            continue
        position = order.index(column.name)
        following = [name for name in order[position + 1 :] if name not in generated]
        place = {"insert_before": following[0]} if following else {}  # else: after the last column
        if following and position:
            place["insert_after"] = order[position - 1]
        batch.add_column(column, **place)


# SQL as SQLite reads it: quoted strings and names, comments, parentheses,
# commas and runs of anything else.
_SQL_TOKEN = re.compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|--[^\n]*|/\*.*?(?:\*/|$)|[(),]|[^\s'"`\[(),]+""",
    re.DOTALL,
)
# Words that open a table constraint rather than a column definition.
_TABLE_CONSTRAINT_WORDS = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"})


def _column_definitions(create_sql: str) -> dict[str, list[re.Match]]:
    """Each column definition of a CREATE TABLE statement, as its tokens after the name, by column name."""
    tokens = [t for t in _SQL_TOKEN.finditer(create_sql) if not t.group().startswith(("--", "/*"))]
    start = next(i for i, t in enumerate(tokens) if t.group() == "(")
    items: list[list[re.Match]] = [[]]
    depth = 0
    for token in tokens[start + 1 :]:
        text = token.group()
        if text == ")" and depth == 0:
            break
        depth += {"(": 1, ")": -1}.get(text, 0)
        if text == "," and depth == 0:
            items.append([])
        else:
            items[-1].append(token)
    return {
        _unquote(item[0].group()): item[1:] for item in items if item[0].group().upper() not in _TABLE_CONSTRAINT_WORDS
    }


def _unquote(name: str) -> str:
    if name[:1] in "\"`'[":
        return name[1:-1].replace(name[0] * 2, name[0]) if name[0] != "[" else name[1:-1]
    return name


def _outer_tokens(tokens: list[re.Match]) -> Iterator[tuple[int, str]]:
    """(position, upper-case text) of the tokens outside any parentheses."""
    depth = 0
    for position, token in enumerate(tokens):
        text = token.group()
        if text == ")":
            depth -= 1
        if depth == 0:
            yield position, text.upper()
        if text == "(":
            depth += 1


def _word_after(keyword: str, tokens: list[re.Match], itself: bool = False) -> str | None:
    """The name following ``keyword`` in a column definition (or the keyword, when ``itself``)."""
    for position, text in _outer_tokens(tokens):
        if text == keyword:
            return keyword if itself else _unquote(tokens[position + 1].group())
    return None


def _generated_expression(tokens: list[re.Match]) -> tuple[str, bool] | None:
    """(expression, stored) of a generated column's ``[GENERATED ALWAYS] AS (...) [STORED|VIRTUAL]``."""
    outer = list(_outer_tokens(tokens))
    for (_position, text), (after, following) in itertools.pairwise(outer):
        if text == "AS" and following == "(":
            close = next(p for p, t in outer if p > after and t == ")")
            source = tokens[after].string
            expression = source[tokens[after].end() : tokens[close].start()].strip()
            stored = close + 1 < len(tokens) and tokens[close + 1].group().upper() == "STORED"
            return expression, stored
    return None


def _sqlite_autoincrement_sequence(table: str) -> int | None:
    """The last key an AUTOINCREMENT table handed out, if it has one."""
    bind = op.get_bind()
    if not sa.inspect(bind).has_table("sqlite_sequence"):
        return None
    return bind.scalar(sa.text("SELECT seq FROM sqlite_sequence WHERE name = :table"), {"table": table})


def _sqlite_objects_on(table: str) -> dict[str, str]:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = :table AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL"
        ),
        {"table": table},
    )
    return dict(rows.all())


def _sqlite_columns(table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(op.get_bind()).get_columns(table)}


def _words(sql: str) -> set[str]:
    return set(re.findall(r"\w+", sql))


def add_columns(table: str, *columns: sa.Column) -> None:
    """Add columns in order (GoClaw's column order is part of the schema)."""
    with batch_alter_table(table) as batch:
        for column in _portable(table, columns):
            batch.add_column(column)


def drop_columns(table: str, *names: str, pg_only: Sequence[str] = ()) -> None:
    """Drop columns; those named in ``pg_only`` exist on PostgreSQL only."""
    with batch_alter_table(table) as batch:
        for name in names:
            if name in pg_only and not on_postgresql():
                continue
            batch.drop_column(name)


def create_index(name: str, table: str, columns: Sequence, where: str | sa.ClauseElement | None = None, **kw) -> None:
    """An index on both databases, partial where ``where`` is given, in the desktop's form on SQLite.

    Write a condition on booleans as an expression (``sa.column("enabled") ==
    sa.true()``): it renders ``true`` on PostgreSQL and ``1`` on SQLite, as
    each of GoClaw's schemas has it.
    """
    columns = list(columns)
    if not on_postgresql():
        coalesced = DESKTOP_COALESCED_INDEX_COLUMNS.get(name, frozenset())
        columns = [sa.text(f"COALESCE({c}, '')") if c in coalesced else c for c in columns]
        where = None if name in DESKTOP_WHOLE_TABLE_INDEXES else where
        name = DESKTOP_INDEX_NAMES.get(name, name)
    if where is not None:
        condition = sa.text(where) if isinstance(where, str) else where
        kw.update(postgresql_where=condition, sqlite_where=condition)
    op.create_index(name, table, columns, **kw)


def drop_index(name: str, table: str) -> None:
    """Drop an index made by ``create_index`` (under its desktop name on SQLite)."""
    op.drop_index(name if on_postgresql() else DESKTOP_INDEX_NAMES.get(name, name), table_name=table)


def drop_unique(batch, table: str, name: str) -> None:
    """Drop a unique constraint inside ``batch_alter_table``, or the unique index named like it.

    GoClaw's own PostgreSQL downgrades sometimes restore a dropped unique
    constraint as a unique index of the same name (version 43's does), so a
    database they left has the index where the chain has the constraint.
    """
    if on_postgresql():
        op.drop_constraint(name, table, type_="unique", if_exists=True)
        op.drop_index(name, table_name=table, if_exists=True)
    else:
        batch.drop_constraint(name, type_="unique")


def create_pg_index(name: str, table: str, columns: Sequence, **kw) -> None:
    """An index that only PostgreSQL has (GIN, HNSW, expression indexes on tsvector)."""
    if on_postgresql():
        op.create_index(name, table, list(columns), **kw)


def create_hnsw_index(
    name: str,
    table: str,
    column: str = "embedding",
    *,
    m: int | None = None,
    ef_construction: int | None = None,
    where: str | None = None,
) -> None:
    """A pgvector HNSW index for cosine distance, with GoClaw's build options when it sets them."""
    options = {k: v for k, v in (("m", m), ("ef_construction", ef_construction)) if v is not None}
    create_pg_index(
        name,
        table,
        [column],
        postgresql_using="hnsw",
        postgresql_ops={column: "vector_cosine_ops"},
        postgresql_with=options or None,
        postgresql_where=sa.text(where) if where else None,
    )


def create_gin_index(name: str, table: str, column, *, where: str | None = None) -> None:
    """A GIN index over a tsvector, jsonb or array column (or an expression)."""
    create_pg_index(
        name,
        table,
        [column],
        postgresql_using="gin",
        postgresql_where=sa.text(where) if where else None,
    )


def drop_pg_index(name: str, table: str | None = None) -> None:
    if on_postgresql():
        op.drop_index(name, table_name=table)


def execute_on_postgresql(statement) -> None:
    """DDL that has no desktop equivalent: functions, triggers, extensions."""
    if on_postgresql():
        op.execute(statement)


def create_extension(name: str) -> None:
    execute_on_postgresql(sa.text(f'CREATE EXTENSION IF NOT EXISTS "{name}"'))


def create_extension_if_offered(name: str) -> None:
    """Create an extension only where the server ships it (some, e.g. embedded builds, lack pgcrypto)."""
    if not on_postgresql():
        return
    if op.get_context().as_sql:
        op.execute(
            sa.text(
                f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = '{name}') "
                f'THEN CREATE EXTENSION IF NOT EXISTS "{name}"; END IF; END $$'
            )
        )
        return
    offered = op.get_bind().scalar(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = :name"), {"name": name})
    if offered:
        create_extension(name)


def drop_extension(name: str) -> None:
    execute_on_postgresql(sa.text(f'DROP EXTENSION IF EXISTS "{name}"'))


def drop_function(signature: str) -> None:
    execute_on_postgresql(sa.text(f"DROP FUNCTION IF EXISTS {signature}"))


def create_index_concurrently(name: str, table: str, columns: Sequence, where: str | None = None, **kw) -> None:
    """Build an index without locking writers, outside the revision's transaction.

    ``CREATE INDEX CONCURRENTLY`` cannot run in a transaction, so this runs in
    an autocommit block.  A build that was interrupted leaves an INVALID index
    behind; it is dropped and rebuilt, so a rerun finishes the job.
    """
    if where is not None:
        kw.update(postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    context = op.get_context()
    if not on_postgresql() or context.opts.get("in_caller_transaction"):
        # In a transaction the caller owns, no autocommit block: a plain build inside it.
        op.create_index(name, table, list(columns), if_not_exists=True, **kw)
        return
    with kept_outside_transaction(context), context.autocommit_block():
        if not context.as_sql:
            invalid = op.get_bind().scalar(
                sa.text(
                    "SELECT 1 FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                    "WHERE i.relname = :name AND NOT x.indisvalid"
                ),
                {"name": name},
            )
            if invalid:
                op.drop_index(name, table_name=table, postgresql_concurrently=True)
        op.create_index(name, table, list(columns), postgresql_concurrently=True, if_not_exists=True, **kw)


def delete_rows(table: sa.TableClause, condition: sa.ColumnElement) -> None:
    """``DELETE FROM table WHERE condition``, with the delete rules of the rows that refer to the deleted ones.

    PostgreSQL follows the rules itself.  On SQLite the revisions run with
    foreign keys off (a table rebuild would otherwise delete through them), so
    the rules are followed here, before the rows go: a referring row goes too
    (ON DELETE CASCADE, and so on down) or loses its reference (SET NULL).  A
    reference with no such rule is left for the foreign-key check that ends
    every revision, which then refuses it, as PostgreSQL refuses the delete.
    """
    if on_postgresql():
        op.execute(sa.delete(table).where(condition))
        return
    _delete_following_rules(table, condition, through=())


def _delete_following_rules(table: sa.TableClause, condition: sa.ColumnElement, through: tuple[str, ...]) -> None:
    for child, columns, keys, on_delete in _sqlite_references_to(table.name):
        referring_table = sa.table(child, *map(sa.column, columns))
        referred: sa.Select[*tuple[Any, ...]] = sa.select(*map(sa.column, keys)).select_from(table).where(condition)
        references = list(referring_table.c)
        referring = (references[0] if len(references) == 1 else sa.tuple_(*references)).in_(referred)
        if on_delete == "CASCADE":
            path = (*through, table.name, child)
            if child in path[:-1]:
                raise CommandError(f"cannot follow the ON DELETE CASCADE cycle {' -> '.join(path)}.")
            _delete_following_rules(referring_table, referring, path[:-1])
        elif on_delete == "SET NULL":
            op.execute(sa.update(referring_table).where(referring).values(dict.fromkeys(columns)))
    op.execute(sa.delete(table).where(condition))


def _sqlite_references_to(table: str) -> list[tuple[str, list[str], list[str], str]]:
    """(referring table, its columns, the referred key columns, ON DELETE rule) of every foreign key to ``table``."""
    rows = (
        op.get_bind()
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
    primary_key = sa.inspect(op.get_bind()).get_pk_constraint(table)["constrained_columns"]
    references: dict[tuple[str, int], tuple[str, list[str], list[str], str]] = {}
    for child, key_id, column, key, on_delete in rows:
        reference = references.setdefault((child, key_id), (child, [], [], on_delete))
        reference[1].append(column)
        reference[2].append(key or primary_key[len(reference[2])])
    return list(references.values())


# --- FTS5 search on SQLite ---------------------------------------------------
# PostgreSQL searches a generated tsvector column; the desktop file gets an
# external-content FTS5 table instead: ``<table>_fts`` indexes the table's text
# columns by rowid and stores no copy of them; three triggers keep it in step
# with every insert, update and delete.  Rank matches with ``bm25(<table>_fts)``.


def _fts(table: str) -> str:
    return f"{table}_fts"


def create_fts5_index(table: str, columns: Sequence[str]) -> None:
    """Full-text search over ``columns`` of ``table`` on SQLite; nothing on PostgreSQL (it has tsvector)."""
    if on_postgresql():
        return
    fts, names = _fts(table), ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    forget = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.rowid, {old});"
    learn = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.rowid, {new});"
    for statement in (
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='rowid')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {learn} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {forget} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} BEGIN {forget} {learn} END",
    ):
        op.execute(sa.text(statement))
    _rebuild_fts5_index(table)


def drop_fts5_index(table: str) -> None:
    """Remove the search table of ``table`` and its triggers (SQLite only)."""
    if on_postgresql():
        return
    fts = _fts(table)
    for trigger in ("insert", "delete", "update"):
        op.execute(sa.text(f"DROP TRIGGER IF EXISTS {fts}_{trigger}"))
    op.execute(sa.text(f"DROP TABLE IF EXISTS {fts}"))


def _has_fts5_index(table: str) -> bool:
    return (
        op.get_bind().scalar(
            sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": _fts(table)}
        )
        is not None
    )


def _rebuild_fts5_index(table: str) -> None:
    """Index the table's current rows afresh (after a copy gave them new rowids)."""
    op.execute(rebuild_fts5_index_statement(table))


def rebuild_fts5_index_statement(table: str) -> sa.TextClause:
    """The statement that fills ``table``'s FTS5 index from its current rows (on any SQLite connection)."""
    return sa.text(f"INSERT INTO {_fts(table)}({_fts(table)}) VALUES ('rebuild')")


# --- saying what a step does to rows before it does it -----------------------
# Revisions that delete or rewrite rows, and drops of tables and columns that
# hold values, would otherwise lose an operator's data without a word.  The
# runner (env.py sets ``announce_data_changes``) wraps Alembic's own
# implementations of these operations: before each one runs, a line says what
# it changes and how many rows; in ``--sql`` mode the line says what would.

data_log = logging.getLogger("goclaw_db.data")


def _announcing(op_class: type[ops.MigrateOperation], default_implementation, describe) -> None:
    @Operations.implementation_for(op_class, replace=True)
    def announce_then_run(operations: Operations, operation) -> None:
        context = operations.migration_context
        if context.opts.get("announce_data_changes"):
            line = describe(context, operation)
            if line:
                data_log.info(line)
        default_implementation(operations, operation)


def _count(context, statement) -> int | None:
    """Rows a statement would touch, or None in ``--sql`` mode (no database to ask)."""
    return None if context.as_sql else context.bind.scalar(statement)


def _rows_changed(context, operation: ops.ExecuteSQLOp) -> str | None:
    statement = operation.sqltext
    if not isinstance(statement, (sa.Delete, sa.Update)):
        return None
    table = statement.table
    assert not isinstance(table, sa.Join), "the revisions delete from and update one table at a time"
    # The same WHERE in a SELECT picks the same rows: its subqueries correlate
    # with the target table as they do in the DELETE or UPDATE.
    counting = sa.select(sa.func.count()).select_from(table)
    if statement.whereclause is not None:
        counting = counting.where(statement.whereclause)
    count = _count(context, counting)
    verb = "deleting" if isinstance(statement, sa.Delete) else "rewriting"
    if count is None:
        return f"{verb} rows of {table.name} (counted when run)"
    return f"{verb} {count} rows of {table.name}" if count else None


def _table_dropped(context, operation: ops.DropTableOp) -> str | None:
    if operation.if_exists and not context.as_sql and not sa.inspect(context.bind).has_table(operation.table_name):
        return None  # GoClaw's own downgrade may have dropped it already
    count = _count(context, sa.select(sa.func.count()).select_from(sa.table(operation.table_name)))
    if count is None:
        return f"dropping table {operation.table_name} with its rows (counted when run)"
    return f"dropping table {operation.table_name} with its {count} rows" if count else None


def _column_dropped(context, operation: ops.DropColumnOp) -> str | None:
    column: sa.ColumnClause[Any] = sa.column(operation.column_name)
    holding = sa.select(sa.func.count()).select_from(sa.table(operation.table_name, column)).where(column.is_not(None))
    count = _count(context, holding)
    where = f"{operation.table_name}.{operation.column_name}"
    if count is None:
        return f"dropping column {where} with its values (counted when run)"
    return f"dropping column {where}: {count} rows hold a value that goes with it" if count else None


_announcing(ops.ExecuteSQLOp, toimpl.execute_sql, _rows_changed)
_announcing(ops.DropTableOp, toimpl.drop_table, _table_dropped)
_announcing(ops.DropColumnOp, toimpl.drop_column, _column_dropped)
