"""Day-to-day operations on a GoClaw database: ``prune``, ``backup``/``restore``, ``doctor``.

The command line adds these parsers and hands the parsed arguments to ``run``.
"""

from __future__ import annotations

import argparse

import sqlalchemy as sa

COMMANDS = ("prune",)


def add_parsers(sub) -> None:
    from goclaw_db.operations import prune

    prune.add_parser(sub)


def run(args: argparse.Namespace, url: sa.URL) -> None:
    """Run one of ``COMMANDS``; a failure raises CommandError with its one line."""
    from goclaw_db.operations import prune

    handlers = {"prune": prune.run}
    handlers[args.command](args, url)
