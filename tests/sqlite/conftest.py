"""SQLite files built by the revision chain: GoClaw's desktop database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support import HEAD, sqlite_file


@pytest.fixture
def desktop_database(sqlite_templates, tmp_path) -> Path:
    """A SQLite file of its own at head (a copy of the session's template)."""
    path = tmp_path / "goclaw.db"
    shutil.copyfile(sqlite_file(sqlite_templates.template_url(HEAD)), path)
    return path
