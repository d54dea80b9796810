#!/usr/bin/env python3
"""Rebuild GoClaw's reference catalogs ``pg_vNN.json`` (and the desktop's) from GoClaw's own SQL at a commit.

    python -m tests.reference.build [--goclaw GIT_DIR] [--commit C] [--dsn URL] [--output DIR] VERSION...
    python -m tests.reference.build --desktop NAME.json [--goclaw GIT_DIR] [--commit C] [--output DIR]

Each version's database is made as ``tests/goclaw_databases/build.py`` makes
it (GoClaw's migrations applied as golang-migrate applies them, pgcrypto from
the server or the stand-in) and catalogued with the catalog tool
(``tests/schema_catalog.py``), as the tool writes it.  The catalogs of
versions 0 to 44 were written before the tool recorded the extensions the
server offers: ``--no-server-offers`` leaves them out, as there.

``--desktop`` catalogs instead the file GoClaw's desktop build starts from
``schema.sql`` at the commit, made as ``tests/desktop_files/build.py`` makes
it, without rows: ``sqlite_goclaw.json`` (8f56ddaa, ``schema_version`` 12)
and ``sqlite_goclaw_v49.json`` (ce7681c2).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from tests import schema_catalog
from tests.desktop_files.build import fresh_desktop_file, schema_sql
from tests.goclaw_databases.build import arguments, goclaw_database, server


def write_catalog(catalog: dict[str, Any], target: Path) -> None:
    target.write_text(json.dumps(catalog, indent=1, sort_keys=True))  # as the reference files are written
    print(target)


def desktop_catalog(goclaw: Path, commit: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="goclaw-desktop-") as folder:
        path = Path(folder) / "goclaw.db"
        fresh_desktop_file(path, schema_sql(goclaw, commit)).close()
        return schema_catalog.dump(f"sqlite:///{path}")


def main() -> None:
    parser = arguments(__doc__ or "", Path(__file__).parent)
    parser.add_argument("--no-server-offers", action="store_true", help="leave out what the server offers")
    parser.add_argument("--desktop", metavar="NAME.json", help="write the desktop schema's catalog instead")
    args = parser.parse_args()
    if args.desktop:
        write_catalog(desktop_catalog(args.goclaw, args.commit), args.output / args.desktop)
        return
    if not args.versions:
        parser.error("give the GoClaw versions to catalog, or --desktop NAME.json")
    with server(args.dsn) as server_url:
        for version in args.versions:
            with goclaw_database(server_url, args.goclaw, args.commit, version) as url:
                found = schema_catalog.dump(url)
            if args.no_server_offers:
                found.pop("server_offers", None)
            write_catalog(found, args.output / f"pg_v{version:02d}.json")


if __name__ == "__main__":
    main()
