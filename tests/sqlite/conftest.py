"""SQLite files built by the revision chain: GoClaw's desktop database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support import upgrade


@pytest.fixture(scope="session")
def desktop_database_template(tmp_path_factory) -> Path:
    """One SQLite file upgraded to head, built once per session; tests get copies."""
    path = tmp_path_factory.mktemp("desktop") / "goclaw.db"
    upgrade(f"sqlite:///{path}", "head")
    return path


@pytest.fixture
def desktop_database(desktop_database_template, tmp_path) -> Path:
    """A SQLite file of its own at head (a copy of the session's template)."""
    path = tmp_path / "goclaw.db"
    shutil.copyfile(desktop_database_template, path)
    return path
