#!/usr/bin/env python3
"""Rebuild ``goclaw_db/desktop_columns.json``: GoClaw's desktop column orders and indexes per ``schema_version``.

    python -m tests.reference.desktop_schemas

For each released desktop version with a reference catalog here and a file in
``tests/desktop_files/``: the column order from the catalog's ``position``s,
and each index from the file GoClaw's ``schema.sql`` made (the catalog does not
record which keys sort descending). Expression indexes are left out: the
table rebuild keeps them as written. A version no release shipped takes the
column order of the next released one (GoClaw's steps to it append columns
where that release's ``schema.sql`` has them) and the indexes that the released
versions on either side define alike.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "goclaw_db" / "desktop_columns.json"
REFERENCE = ROOT / "tests" / "reference"
FILES = ROOT / "tests" / "desktop_files"
RELEASED = {12: "sqlite_goclaw.json", 15: "sqlite_goclaw_v15.json"}
UNRELEASED = {13: (12, 15), 14: (12, 15)}


def released_schema(version: int, catalog_name: str) -> dict[str, Any]:
    catalog = json.loads((REFERENCE / catalog_name).read_text())
    columns = {
        table: [name for name, _ in sorted(spec["columns"].items(), key=lambda item: item[1]["position"])]
        for table, spec in catalog["tables"].items()
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "goclaw.db"
        path.write_bytes(gzip.decompress((FILES / f"goclaw_desktop_v{version}.db.gz").read_bytes()))
        conn = sqlite3.connect(path)
        try:
            indexes = {
                name: index
                for table, spec in catalog["tables"].items()
                for name, declared in sorted(spec["indexes"].items())
                if not name.startswith("<") and (index := _index(conn, table, name, declared)) is not None
            }
        finally:
            conn.close()
    return {"columns": columns, "indexes": dict(sorted(indexes.items()))}


def _index(conn: sqlite3.Connection, table: str, name: str, declared: dict[str, Any]) -> dict[str, Any] | None:
    keys = [key for key in conn.execute(f'PRAGMA index_xinfo("{name}")') if key[5]]
    if any(key[2] is None for key in keys):  # an expression
        return None
    columns = [f"{key[2]} DESC" if key[3] else key[2] for key in keys]
    return {"table": table, "columns": columns, "unique": declared["unique"], "where": declared["where"]}


def main() -> None:
    schemas = {version: released_schema(version, name) for version, name in RELEASED.items()}
    for version, (before, after) in UNRELEASED.items():
        older, newer = schemas[before]["indexes"], schemas[after]["indexes"]
        schemas[version] = {
            "columns": schemas[after]["columns"],
            "indexes": {name: index for name, index in newer.items() if older.get(name) == index},
        }
    OUTPUT.write_text(json.dumps({str(v): schemas[v] for v in sorted(schemas)}, indent=1) + "\n")
    print(f"desktop versions {', '.join(map(str, sorted(schemas)))} -> {OUTPUT}")


if __name__ == "__main__":
    main()
