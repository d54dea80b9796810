#!/usr/bin/env python3
"""Build the desktop fixture files: GoClaw's desktop schema at each released version, with our rows.

    python tests/desktop_files/build.py [--goclaw GIT_DIR] [--output DIR] [VERSION...]

For each released desktop ``schema_version`` it reads ``schema.sql`` from
GoClaw's git history at the commit that released it and makes a file the way
GoClaw's desktop build makes a fresh one: the schema script (which seeds
the master tenant), then the ``schema_version`` row.  Then it puts rows of our own
into every table, each foreign key pointing at a row that exists, with values
that exercise the data changes GoClaw's desktop ladder makes on the way to 12.

Each file is written gzipped (``goclaw_desktop_v<N>.db.gz``: the schema's
empty pages pack well).  Only this script needs GoClaw's history; the tests
use the committed files.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

DEFAULT_GOCLAW = Path("/work/.mirror/x-project-coding+goclaw/repo")
SCHEMA_PATH = "internal/store/sqlitestore/schema.sql"
# schema_version -> the GoClaw commits whose desktop build released it.
RELEASES: dict[int, tuple[str, ...]] = {
    1: ("e183b459",),
    2: ("21b6c454",),
    3: ("24717b0f",),
    4: ("d8fc97ec",),
    5: ("67000065",),
    6: ("156b2dd9", "0e2282be"),  # the same schema.sql; checked below
    12: ("8f56ddaa",),
    15: ("1296cdbf", "3105a7c8"),  # v3.2.0 and lite-v3.1.0; lite-v3.1.1
}
FIXTURE_IDS = uuid.UUID("5d1c7e0a-3f4b-4c6e-9a51-0c1a2d3e4f50")
TIMESTAMP = "2026-03-{day:02d}T09:30:00.000Z"

# Rows beyond the one every table gets, and values that the ladder's data
# changes read.  Columns a version lacks are skipped.
OTHER_CONFIG = (
    '{"emoji": "🦉", "description": "Finds and summarises papers", "thinking_level": "high", '
    '"max_tokens": 4096, "self_evolve": true, "skill_evolve": false, "skill_nudge_interval": 5, '
    '"reasoning": {"effort": "medium"}, "workspace_sharing": {"mode": "team"}, '
    '"chatgpt_oauth_routing": {"enabled": true}, "shell_deny_groups": {"network": true}, '
    '"kg_dedup_config": {"threshold": 0.9}, "voice": "calm"}'
)
ROWS: dict[str, list[dict]] = {
    "agents": [
        {
            "agent_key": "researcher",
            "display_name": "Owl Researcher",
            "other_config": OTHER_CONFIG,
            "frontmatter": "reads papers about nocturnal birds",
        },
        {"agent_key": "writer", "display_name": "Quill Writer", "other_config": "{}", "frontmatter": "drafts articles"},
        {
            "agent_key": "retired",
            "display_name": "Retired Helper",
            "other_config": '{"emoji": "x"}',
            "deleted_at": TIMESTAMP.format(day=20),
        },
    ],
    "agent_links": [{"source_agent_id": 0, "target_agent_id": 1, "description": "researcher hands drafts over"}],
    "agent_context_files": [
        {"agent_id": 0, "file_name": "AGENTS_MINIMAL.md", "content": "short rules, retired at 12"},
        {"agent_id": 0, "file_name": "AGENTS_CORE.md", "content": "the operator's own core rules"},
        {"agent_id": 1, "file_name": "SOUL.md", "content": "writes plainly"},
    ],
    "cron_jobs": [
        {
            "name": "morning digest",
            "schedule_kind": "cron",
            "cron_expression": "0 7 * * *",
            "payload": '{"kind": "agent_turn", "message": "send the digest", "deliver": true, '
            '"channel": "telegram", "to": "chat-42", "wake_heartbeat": true}',
        },
        {
            "name": "tidy up",
            "schedule_kind": "every",
            "interval_ms": 3600000,
            "payload": '{"kind": "agent_turn", "message": "tidy the workspace"}',
        },
    ],
    "channel_contacts": [{"channel_type": "telegram", "sender_id": "sender-7", "display_name": "Ada"}],
    "secure_cli_binaries": [
        {"binary_name": "gh", "agent_id": None},
        {
            "binary_name": "aws",
            "agent_id": 0,
            "deny_args": '["s3 rb"]',
            "timeout_seconds": 90,
            "tips": "read-only profile",
        },
    ],
    "kg_entities": [
        {"name": "Barn owl", "description": "a nocturnal bird of prey", "external_id": "owl"},
        {"name": "Field mouse", "description": "what the owl hunts", "external_id": "mouse"},
    ],
    "kg_relations": [{"source_entity_id": 0, "target_entity_id": 1, "relation_type": "hunts"}],
    "memory_chunks": [{"text": "the zebra migration crosses the river in July"}],
    "episodic_summaries": [{"summary": "talked about the heron nesting season", "key_topics": '["heron"]'}],
    "team_tasks": [{"subject": "compile the kestrel report", "description": "gather sightings"}],
    "vault_documents": [{"title": "Falcon notes", "path": "notes/falcon.md", "summary": "peregrine speed"}],
    "vault_links": [{"from_doc_id": 0, "to_doc_id": 0}],
    "team_task_comments": [{"content": "looks good"}],
}
# As GoClaw's desktop build opens its file: so the fixtures are WAL files, as real ones are.
GOCLAW_CONNECTION_PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON")
VALUES_BY_NAME = {"progress_percent": 40, "confidence": 0.75, "similarity": 0.93, "version": 1}
JSON_NAMES = ("metadata", "settings", "payload", "properties", "config", "params", "scopes", "value")


def schema_sql(goclaw: Path, commit: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(goclaw), "show", f"{commit}:{SCHEMA_PATH}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def fixture_id(*parts) -> str:
    return str(uuid.uuid5(FIXTURE_IDS, "/".join(map(str, parts))))


def tables_in_dependency_order(conn: sqlite3.Connection) -> list[str]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'schema_version' ORDER BY name"
        )
    ]
    refs = {t: {r[2] for r in conn.execute(f"PRAGMA foreign_key_list({t})") if r[2] != t} for t in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [t for t in names if t not in ordered and refs[t] <= set(ordered)]
        if not ready:
            raise SystemExit(f"foreign keys form a cycle among {sorted(set(names) - set(ordered))}")
        ordered.extend(ready)
    return ordered


def constant_default(default: str | None):
    """The value of a constant column default, or None for an expression."""
    if default is None or default.startswith("("):
        return None
    if default.startswith("'"):
        return default[1:-1].replace("''", "'")
    try:
        return int(default)
    except ValueError:
        try:
            return float(default)
        except ValueError:
            return None


def generated_value(table: str, column: str, declared: str, default: str | None, n: int):
    declared = declared.upper()
    if column in VALUES_BY_NAME:
        return VALUES_BY_NAME[column]
    if column == "deleted_at":
        return None  # live rows, unless a row above says otherwise
    if column.endswith("_at") or column in ("run_at", "expires", "last_seen", "first_seen"):
        return TIMESTAMP.format(day=1 + n)
    literal = constant_default(default)
    if literal is not None:
        return literal
    if "BLOB" in declared or "BYTEA" in declared:
        return f"{table}.{column}".encode()
    if "INT" in declared or "BOOL" in declared:
        return 1
    if any(word in declared for word in ("REAL", "FLOA", "DOUB", "NUMERIC")):
        return 0.5
    if any(column == name or column.endswith("_" + name) for name in JSON_NAMES):
        return "{}"
    return f"{table} {column} {n}"


def rows_for(table: str) -> Iterator[tuple[int, dict]]:
    return enumerate(ROWS.get(table, [{}]))


def fill(conn: sqlite3.Connection) -> None:
    """One row or more in every table, each foreign key pointing at a row that exists."""
    ids: dict[str, list[dict]] = {}
    for table in tables_in_dependency_order(conn):
        columns = conn.execute(f"PRAGMA table_info({table})").fetchall()
        references = {r[3]: (r[2], r[4]) for r in conn.execute(f"PRAGMA foreign_key_list({table})")}
        seeded = conn.execute(f"SELECT * FROM {table}")
        ids[table] = [dict(zip([d[0] for d in seeded.description], r)) for r in seeded]
        if ids[table]:
            continue  # GoClaw's schema script seeded it (the master tenant)
        for n, given in rows_for(table):
            row: dict = {}
            for _cid, name, declared, _notnull, default, pk in columns:
                if name in given and name not in references:
                    row[name] = given[name]
                elif name in references:
                    parent, parent_column = references[name]
                    index = given.get(name, 0)
                    if index is None or parent == table:
                        row[name] = None
                    else:
                        row[name] = ids[parent][index][parent_column or "id"]
                elif name == "id" and pk:
                    row[name] = fixture_id(table, n)
                else:
                    row[name] = generated_value(table, name, declared or "", default, n)
            placeholders = ", ".join("?" for _ in row)
            conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({placeholders})", list(row.values()))
            ids[table].append(row)


def fresh_desktop_file(path: Path, script: str) -> sqlite3.Connection:
    """A new file at ``path`` as GoClaw's desktop build starts one: its connection settings, the
    ``schema_version`` table, then the schema script; returns the open connection (autocommit)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in GOCLAW_CONNECTION_PRAGMAS:
        conn.execute(pragma)
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY)")
    conn.executescript(script)
    return conn


def build(goclaw: Path, version: int, commits: tuple[str, ...], output: Path) -> Path:
    scripts = {schema_sql(goclaw, commit) for commit in commits}
    if len(scripts) != 1:
        raise SystemExit(f"the commits {commits} released different schema.sql files for version {version}")
    path = output / f"goclaw_desktop_v{version}.db"
    conn = fresh_desktop_file(path, scripts.pop())
    try:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        fill(conn)
        conn.execute("COMMIT")
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise SystemExit(f"version {version}: rows break foreign keys: {problems}")
        conn.execute("VACUUM")
    finally:
        conn.close()
    packed = path.with_name(path.name + ".gz")
    with open(path, "rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    path.unlink()
    return packed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--goclaw", type=Path, default=DEFAULT_GOCLAW, help="GoClaw's git directory")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent)
    parser.add_argument("versions", nargs="*", type=int, metavar="VERSION", help="default: every released one")
    args = parser.parse_args()
    for version in args.versions or RELEASES:
        print(build(args.goclaw, version, RELEASES[version], args.output))


if __name__ == "__main__":
    main()
