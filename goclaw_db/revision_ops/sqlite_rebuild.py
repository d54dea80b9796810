"""``op.alter_portable_table``: ALTER TABLE on PostgreSQL, a copy that keeps everything on SQLite.

SQLite cannot alter most things in place, so Alembic's ``batch_alter_table``
copies the table into a new one.  The copy loses what SQLAlchemy cannot
reflect (expression indexes, the delete rules and collations written inside a
column definition) and what belongs to the old table (its triggers, its rowids,
which the FTS5 tables point at); the operation here puts all of that back.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.util import CommandError

from goclaw_db.revision_ops._registry import on_postgresql, revision_operation
from goclaw_db.revision_ops.fts5 import has_fts5_index, rebuild_fts5_index


@revision_operation
@contextmanager
def alter_portable_table(operations: Operations, table: str, **kw) -> Iterator:
    """Alembic's ``batch_alter_table``, keeping everything a SQLite table had.

    On PostgreSQL this is plain ``ALTER TABLE``.  On SQLite, where Alembic may
    rebuild the table, the copy is declared as the table was (delete rules,
    CHECKs, collations, defaults, generated columns, its AUTOINCREMENT
    counter), every index and trigger the table had is re-created as it was
    if the rebuild lost or changed it (an index's DESC, which SQLAlchemy's
    SQLite reflection does not read), unless it names a column the batch
    dropped (PostgreSQL drops those with the column), and the table's FTS5 index is rebuilt,
    because the copied rows have new rowids.  It refuses to run with foreign
    keys on, which would make the rebuild delete the rows referring to the table.
    """
    if on_postgresql(operations) or operations.get_context().as_sql:
        with operations.batch_alter_table(table, **kw) as batch:
            yield batch
        return
    _refuse_with_foreign_keys_on(operations, table)
    kept = _sqlite_objects_on(operations, table)
    columns_before = _sqlite_columns(operations, table)
    declared = _sqlite_table_as_declared(operations, table)
    last_key = _sqlite_autoincrement_sequence(operations, table)
    if declared.generated:
        kw["recreate"] = "always"  # the generated columns are re-added in place, which only a copy can do
    with operations.batch_alter_table(table, copy_from=declared.table, **kw) as batch:
        yield batch
        _add_generated_columns(batch, declared)
    if last_key is not None:
        # The copy's counter starts from its highest key; keys already handed out and deleted stay used.
        operations.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :table").bindparams(table=table))
        operations.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :seq)").bindparams(
                table=table, seq=last_key
            )
        )
    present = _sqlite_objects_on(operations, table)
    # A copy re-creates the indexes SQLAlchemy reflects, without their DESC: such an index is changed, not kept.
    lost = {name: sql for name, sql in kept.items() if present.get(name) != sql}
    dropped = columns_before - _sqlite_columns(operations, table)
    for name, sql in lost.items():
        if not dropped & _words(sql):
            if name in present:  # only indexes: a copy never re-creates a trigger
                operations.execute(sa.text(f'DROP INDEX "{name}"'))
            operations.execute(sa.text(sql))
    # Lost objects mean the table was copied; only then have its rows new rowids.
    if lost and has_fts5_index(operations, table):
        rebuild_fts5_index(operations, table)


def _refuse_with_foreign_keys_on(operations: Operations, table: str) -> None:
    """A copied table replaces the old one by dropping it, which with foreign keys on deletes what refers to it."""
    if operations.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise CommandError(
            f"cannot alter table {table} with SQLite foreign keys on: dropping its old copy would delete or "
            "clear every row that refers to it. Run the revisions through goclaw-db or alembic with this "
            "package's env.py, which turns them off before each run."
        )


class _DeclaredTable(NamedTuple):
    table: sa.Table  # without its generated columns: Alembic would copy their values, which SQLite refuses
    generated: list[sa.Column]
    column_order: list[str]


def _sqlite_table_as_declared(operations: Operations, table: str) -> _DeclaredTable:
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
    bind = operations.get_bind()
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
    _set_foreign_key_rules(operations, described)
    for column in described.columns:
        collation = _word_after("COLLATE", definitions[column.name])
        if collation:
            if not isinstance(column.type, sa.String):
                raise CommandError(f"cannot keep COLLATE {collation} of {table}.{column.name}, a non-text column.")
            column.type.collation = collation
        if _word_after("AUTOINCREMENT", definitions[column.name], itself=True):
            described.dialect_options["sqlite"]["autoincrement"] = True
    return _DeclaredTable(
        described, _generated_columns(operations, table, definitions, generated_names), list(definitions)
    )


def _set_foreign_key_rules(operations: Operations, described: sa.Table) -> None:
    rules: dict[int, tuple[str, list[str], str, str]] = {}
    for key_id, _seq, parent, column, _to, on_update, on_delete, _match in operations.get_bind().exec_driver_sql(
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


def _generated_columns(
    operations: Operations, table: str, definitions: dict[str, list], generated_names: list[str]
) -> list[sa.Column]:
    if not generated_names:
        return []
    reflected = {column["name"]: column for column in sa.inspect(operations.get_bind()).get_columns(table)}
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
    Alembic has no public view of that list: pyproject.toml pins the versions
    it was proven on (tests/test_dependency_pins.py).
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


def _sqlite_autoincrement_sequence(operations: Operations, table: str) -> int | None:
    """The last key an AUTOINCREMENT table handed out, if it has one."""
    bind = operations.get_bind()
    if not sa.inspect(bind).has_table("sqlite_sequence"):
        return None
    return bind.scalar(sa.text("SELECT seq FROM sqlite_sequence WHERE name = :table"), {"table": table})


def _sqlite_objects_on(operations: Operations, table: str) -> dict[str, str]:
    rows = operations.get_bind().execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = :table AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL"
        ),
        {"table": table},
    )
    return dict(rows.all())


def _sqlite_columns(operations: Operations, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(operations.get_bind()).get_columns(table)}


def _words(sql: str) -> set[str]:
    return set(re.findall(r"\w+", sql))
