"""Day-to-day operations on a GoClaw database: ``prune``, ``backup``/``restore``, ``doctor``, ``tune``.

The command line adds these parsers and hands the parsed arguments to ``run``.
"""

from __future__ import annotations

import argparse

import sqlalchemy as sa

COMMANDS = ("prune", "backup", "restore", "doctor", "tune")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from goclaw_db.operations import backup, doctor, prune, tune

    prune.add_parser(sub)
    backup.add_parsers(sub)
    doctor.add_parser(sub)
    tune.add_parser(sub)


def run(args: argparse.Namespace, url: sa.URL) -> None:
    """Run one of ``COMMANDS``; a failure raises CommandError with its one line."""
    from goclaw_db.operations import backup, doctor, prune, tune

    handlers = {
        "prune": prune.run,
        "backup": backup.run_backup,
        "restore": backup.run_restore,
        "doctor": doctor.run,
        "tune": tune.run,
    }
    handlers[args.command](args, url)
