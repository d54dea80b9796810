"""A compact catalog of a live schema, and the one the revision chain builds at a version.

A catalog maps each kind of object (table, column, index, constraint,
function, trigger, view) to ``{name: definition}``; two catalogs differ where a
name is missing, extra, or defined otherwise.  The chain's bookkeeping tables
are left out (their own check covers them), and so are objects that belong to
an extension (pgvector's operators and functions, pgcrypto's
``gen_random_bytes()``: they live in the same schema) and the side tables of
embeddings this package makes on a desktop file when it is first asked to.

Two functions are the same when their definitions read the same token for
token (``same_function``): the header PostgreSQL prints (arguments, result,
language, volatility, strictness, parallel safety, security, settings) and the
body, whitespace, comments and the letter case of unquoted words aside.  The
definition may be the chain's own or the one GoClaw's own migrations leave at
that version, recorded in ``GOCLAW_FUNCTION_FORMS`` as a digest of its tokens.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa

from goclaw_db import ownership
from goclaw_db.config import driver_reason
from goclaw_db.runner import alembic_config
from goclaw_db.vector_side_tables import is_side_table_object

Catalog = dict[str, dict[str, str]]
KINDS = ("table", "column", "index", "constraint", "function", "trigger", "view")

_NOT_EXTENSION_MEMBER = "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
_POSTGRES_QUERIES = {
    "table": "SELECT c.relname, c.relkind::text FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
    " AND c.relkind IN ('r', 'p') AND " + _NOT_EXTENSION_MEMBER.format(oid="c.oid"),
    "view": "SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c"
    " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('v', 'm')",
    "column": "SELECT c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod)"
    " || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
    " || COALESCE(CASE WHEN a.attgenerated <> '' THEN ' GENERATED ' ELSE ' DEFAULT ' END"
    "             || pg_get_expr(d.adbin, d.adrelid), '')"
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')"
    " AND a.attnum > 0 AND NOT a.attisdropped",
    "index": "SELECT t.relname || '.' || i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
    " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
    " WHERE t.relnamespace = current_schema()::regnamespace",
    "constraint": "SELECT t.relname || '.' || con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con"
    " JOIN pg_class t ON t.oid = con.conrelid"
    " WHERE con.connamespace = current_schema()::regnamespace AND con.contype <> 'n'",
    "function": "SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc p"
    " WHERE p.pronamespace = current_schema()::regnamespace AND p.prokind IN ('f', 'p') AND "
    + _NOT_EXTENSION_MEMBER.format(oid="p.oid"),
    "trigger": "SELECT t.relname || '.' || tg.tgname, pg_get_triggerdef(tg.oid) FROM pg_trigger tg"
    " JOIN pg_class t ON t.oid = tg.tgrelid"
    " WHERE NOT tg.tgisinternal AND t.relnamespace = current_schema()::regnamespace",
}


# The forms GoClaw's own migrations give the functions they create, each as
# (the GoClaw version whose migration creates it, function_digest() of its
# definition).  ``python -m tests.goclaw_databases.build --forms VERSION...``
# prints them for a GoClaw-made database; a migration that replaces a function
# adds a form with its version.
GOCLAW_FUNCTION_FORMS: dict[str, tuple[tuple[int, str], ...]] = {
    "uuid_generate_v7()": ((1, "e2317e76fd2521d0"),),
    "immutable_array_to_string(text[],text)": ((40, "840c3529257e9dba"),),
    "vault_docs_team_null_scope_fix()": ((43, "27a538819f3efbb3"),),
    "vault_docs_agent_null_scope_fix()": ((46, "69aceb3a534f44ed"),),
}
_SQL_TOKEN = re.compile(r"""--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|"(?:[^"]|"")*"|\$\w*\$|\w+|\S""", re.DOTALL)
_CREATE_OR_REPLACE = ["create", "or", "replace"]


def function_tokens(definition: str) -> list[str]:
    """A function's definition as its tokens: no whitespace or comments, unquoted words in lower case.

    The schema that qualifies the function's name is left out: the same
    function is the same in any schema.
    """
    tokens = [
        token if token[0] in "'\"" else token.lower()
        for token in _SQL_TOKEN.findall(definition)
        if not token.startswith(("--", "/*"))
    ]
    if tokens[:3] == _CREATE_OR_REPLACE and tokens[3:4] in (["function"], ["procedure"]) and tokens[5:6] == ["."]:
        del tokens[4:6]
    return tokens


def function_digest(definition: str) -> str:
    return hashlib.sha256(" ".join(function_tokens(definition)).encode()).hexdigest()[:16]


def goclaw_form(signature: str, version: int) -> str | None:
    """The digest of the form GoClaw's own migrations leave ``signature`` in at ``version``."""
    forms = [digest for since, digest in GOCLAW_FUNCTION_FORMS.get(signature, ()) if since <= version]
    return forms[-1] if forms else None


def same_function(signature: str, expected: str, found: str, version: int) -> bool:
    """``found`` is the chain's definition of the function at ``version``, or GoClaw's own."""
    return function_tokens(found) == function_tokens(expected) or function_digest(found) == goclaw_form(
        signature, version
    )


def _normal(sql: str | None) -> str:
    """SQLite keeps statements as written: compare them without quotes and spacing."""
    text = re.sub(r"\s+", " ", (sql or "").replace('"', "").replace("`", "")).strip()
    return re.sub(r"(?i)\bIF NOT EXISTS\b ?", "", text)


def _table_of(kind: str, name: str) -> str:
    return name if kind in ("table", "view") else name.split(".", 1)[0]


def read(connection: sa.Connection) -> Catalog:
    is_postgres = connection.dialect.name == "postgresql"
    catalog = _read_postgres(connection) if is_postgres else _read_sqlite(connection)
    return {
        kind: {
            name: definition
            for name, definition in items.items()
            if _table_of(kind, name) not in ownership.BOOKKEEPING_TABLES
            and not _table_of(kind, name).endswith("alembic_version")
            and (is_postgres or not is_side_table_object(kind, name))  # PostgreSQL keeps embeddings in columns
        }
        for kind, items in catalog.items()
    }


def _read_postgres(connection: sa.Connection) -> Catalog:
    return {
        kind: {name: _as_restored(definition) for name, definition in connection.execute(sa.text(query))}
        for kind, query in _POSTGRES_QUERIES.items()
    }


_VARCHAR_LIST = re.compile(r"\(\(ARRAY\[((?:'(?:[^']|'')*'::character varying(?:, )?)+)\]\)::text\[\]\)")
_VARCHAR_ITEM = re.compile(r"'(?:[^']|'')*'::character varying")


def _as_restored(definition: str) -> str:
    """A definition as PostgreSQL prints it once pg_dump's text of it is restored.

    ``status IN ('a', 'b')`` on a varchar column is kept as one array cast to
    ``text[]``; restored from a dump, the same condition keeps a cast on each
    item instead.  Both mean the same, so a restored database is not drift.
    """
    return _VARCHAR_LIST.sub(
        lambda match: "(ARRAY[" + ", ".join(f"({item})::text" for item in _VARCHAR_ITEM.findall(match[1])) + "])",
        definition,
    )


def _read_sqlite(connection: sa.Connection) -> Catalog:
    catalog: Catalog = {kind: {} for kind in KINDS}
    objects = connection.exec_driver_sql(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).all()
    quote = connection.dialect.identifier_preparer.quote
    for kind, name, table, sql in objects:
        if kind == "table":
            catalog["table"][name] = "virtual" if (sql or "").upper().startswith("CREATE VIRTUAL") else "table"
            for _cid, column, type_, notnull, default, pk, hidden in connection.exec_driver_sql(
                f"PRAGMA table_xinfo({quote(name)})"
            ):
                catalog["column"][f"{name}.{column}"] = " ".join(
                    filter(
                        None,
                        [
                            type_,
                            "NOT NULL" if notnull else "",
                            f"DEFAULT {default}" if default is not None else "",
                            f"PRIMARY KEY {pk}" if pk else "",
                            "GENERATED" if hidden in (2, 3) else "",
                        ],
                    )
                )
            keys: dict[int, list[tuple[str, str, str, str, str]]] = {}
            for key_id, _seq, target, source, to, on_update, on_delete, _match in connection.exec_driver_sql(
                f"PRAGMA foreign_key_list({quote(name)})"
            ):
                keys.setdefault(key_id, []).append((source, target, to, on_update, on_delete))
            for parts in keys.values():
                sources = ", ".join(p[0] for p in parts)
                catalog["constraint"][f"{name}.fk({sources})"] = (
                    f"({sources}) -> {parts[0][1]}({', '.join(str(p[2]) for p in parts)}) "
                    f"ON UPDATE {parts[0][3]} ON DELETE {parts[0][4]}"
                )
            for _seq, index, _unique, origin, _partial in connection.exec_driver_sql(
                f"PRAGMA index_list({quote(name)})"
            ):
                if origin in ("u", "pk"):  # constraints written in the table: named by their columns
                    columns = [row[2] for row in connection.exec_driver_sql(f"PRAGMA index_info({quote(index)})")]
                    kind_name = "primary key" if origin == "pk" else "unique"
                    catalog["constraint"][f"{name}.{kind_name}({', '.join(columns)})"] = kind_name
        elif kind == "index" and sql:
            catalog["index"][f"{table}.{name}"] = _normal(sql)
        elif kind in ("trigger", "view"):
            catalog[kind][f"{table}.{name}" if kind == "trigger" else name] = _normal(sql)
    return catalog


def differences(expected: Catalog, actual: Catalog, version: int) -> list[str]:
    """Every missing, extra or different object at ``version``, named; a missing or extra table stands for all it holds.

    A different object is shown whole, both ways: a function as a diff of
    its two definitions, anything else on one line.
    """
    lines: list[str] = []
    whole = set()
    for kind in KINDS:
        want, have = expected.get(kind, {}), actual.get(kind, {})
        for name in sorted(want.keys() | have.keys()):
            if kind not in ("table", "view") and _table_of(kind, name) in whole:
                continue
            if name not in have:
                lines.append(f"missing {kind} {name}")
            elif name not in want:
                lines.append(f"extra {kind} {name}")
            elif kind == "function" and not same_function(name, want[name], have[name], version):
                lines.append(_function_difference(name, want[name], have[name], version))
            elif kind != "function" and want[name] != have[name]:
                lines.append(
                    f"different {kind} {name}: expected {_one_line(want[name])}, found {_one_line(have[name])}"
                )
            else:
                continue
            if kind == "table" and (name not in have or name not in want):
                whole.add(name)
    return lines


def _one_line(definition: str) -> str:
    return re.sub(r"\s+", " ", definition).strip()


def _function_difference(signature: str, expected: str, found: str, version: int) -> str:
    """The two definitions as a unified diff, under a line naming the function."""
    diff = difflib.unified_diff(
        expected.strip().splitlines(),
        found.strip().splitlines(),
        f"what version {version} creates",
        "what this database has",
        lineterm="",
    )
    also = " (nor GoClaw's own form of it)" if goclaw_form(signature, version) else ""
    return "\n".join([f"different function {signature}: not the definition version {version} creates{also}", *diff])


class ScratchDatabaseRefused(Exception):
    """The role may not create the scratch database the reference is built in."""


class References:
    """Catalogs that the revision chain builds at given versions, in a scratch database of its own.

    One scratch database (PostgreSQL, on the same server) or file (SQLite)
    walks up the chain as higher versions are asked for, and is rebuilt only
    for a lower one; each version's catalog is kept for the run.  Use it as a
    context manager: leaving drops the scratch database, which would otherwise
    stay on the operator's server.
    """

    def __init__(self, live_url: sa.URL):
        self.live_url = live_url
        self.cache: dict[int, Catalog] = {}
        self.version: int | None = None
        self.folder: Path | None = None
        self.scratch_name: str | None = None
        self.url: sa.URL | None = None

    def __enter__(self) -> References:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def catalog_at(self, version: int) -> Catalog:
        if version not in self.cache:
            if self.version is None or version < self.version:
                self._fresh()
            assert self.url is not None, "_fresh() made the reference database"
            if version > 0 and version != self.version:
                from alembic import command  # only doctor's drift check replays the chain

                command.upgrade(alembic_config(self.url, compare_with_models=False), f"{version:06d}")
            self.version = version
            engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
            try:
                with engine.connect() as connection:
                    self.cache[version] = read(connection)
            finally:
                engine.dispose()
        return self.cache[version]

    def _fresh(self) -> None:
        self.close()
        if self.live_url.get_backend_name() == "sqlite":
            self.folder = Path(tempfile.mkdtemp(prefix="goclaw-doctor-"))
            self.url = sa.URL.create("sqlite", database=str(self.folder / "reference.db"))
        else:
            name = f"goclaw_doctor_{uuid.uuid4().hex[:12]}"
            try:
                self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
            except sa.exc.DBAPIError as exc:
                reason = driver_reason(exc)
                raise ScratchDatabaseRefused(reason) from None
            self.scratch_name = name
            self.url = self.live_url.set(database=name)
        self.version = 0

    def _admin(self, statement: str) -> None:
        engine = sa.create_engine(self.live_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def close(self) -> None:
        if self.scratch_name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.scratch_name}" WITH (FORCE)')
            self.scratch_name = None
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        self.version = None
