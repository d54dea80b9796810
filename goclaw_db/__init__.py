"""goclaw-db: GoClaw's database as SQLAlchemy models, Alembic revisions and the ``goclaw-db`` command."""

from __future__ import annotations

_DISTRIBUTION = "goclaw-db"
# A checkout on sys.path that pip never installed has no metadata to read.
_UNINSTALLED_VERSION = "0+unknown"


def __getattr__(name: str) -> str:
    # ``__version__`` is read from the installed metadata when asked for, so
    # that importing the models does not pay for importlib.metadata.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(_DISTRIBUTION)
    except PackageNotFoundError:
        return _UNINSTALLED_VERSION
