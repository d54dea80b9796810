"""The one kind of failure the runner raises: Alembic's ``CommandError``, one line that says what to do.

``alembic upgrade``, ``goclaw-db`` and callers of ``alembic.command`` all
expect it.  It is imported when a refusal is made, so that the commands that
only read a version never load Alembic.
"""

from __future__ import annotations

import sys

from goclaw_db.config import ConfigurationError


def refusal(message: str) -> Exception:
    """A ``CommandError`` carrying ``message``, to raise."""
    from alembic.util import CommandError

    return CommandError(message)


def one_line_failures() -> tuple[type[Exception], ...]:
    """What the command line reports in one line: bad settings, and refusals.

    Where Alembic was never loaded, no ``CommandError`` can have been raised.
    """
    alembic_util = sys.modules.get("alembic.util")
    return (ConfigurationError, alembic_util.CommandError) if alembic_util else (ConfigurationError,)
