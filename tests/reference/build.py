#!/usr/bin/env python3
"""Rebuild GoClaw's reference catalogs ``pg_vNN.json`` from GoClaw's own SQL at a commit.

    python -m tests.reference.build [--goclaw GIT_DIR] [--commit C] [--dsn URL] [--output DIR] VERSION...

Each version's database is made as ``tests/goclaw_databases/build.py`` makes
it (GoClaw's migrations applied as golang-migrate applies them, pgcrypto from
the server or the stand-in) and catalogued with the catalog tool
(``tests/schema_catalog.py``), as the tool writes it.  The catalogs of
versions 0 to 44 were written before the tool recorded the extensions the
server offers: ``--no-server-offers`` leaves them out, as there.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests import schema_catalog
from tests.goclaw_databases.build import arguments, goclaw_database, server


def main() -> None:
    parser = arguments(__doc__ or "", Path(__file__).parent)
    parser.add_argument("--no-server-offers", action="store_true", help="leave out what the server offers")
    args = parser.parse_args()
    with server(args.dsn) as server_url:
        for version in args.versions:
            with goclaw_database(server_url, args.goclaw, args.commit, version) as url:
                found = schema_catalog.dump(url)
            if args.no_server_offers:
                found.pop("server_offers", None)
            target = args.output / f"pg_v{version:02d}.json"
            target.write_text(json.dumps(found, indent=1, sort_keys=True))  # as the reference files are written
            print(target)


if __name__ == "__main__":
    main()
