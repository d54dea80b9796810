"""The README's "Searching" examples run as written, on PostgreSQL and on a desktop SQLite file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support import HEAD, sqlite_file

README = Path(__file__).resolve().parents[2] / "README.md"


def example(database: str) -> tuple[str, list[str]]:
    """The example's code, and the output its closing comments promise."""
    text = README.read_text()
    match = re.search(rf"<!-- search-example: {database}[^>]*-->\s*```python\n(.*?)```", text, re.DOTALL)
    assert match, f"README lost its {database} search example"
    code = match.group(1)
    promised = [line[2:] for line in code.splitlines() if line.startswith("# ")]
    return code, promised


def run(code: str, **environment: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")} | environment
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_postgresql_example_prints_what_it_promises(make_database_at):
    code, promised = example("postgresql")
    assert run(code, GOCLAW_POSTGRES_DSN=make_database_at(HEAD)) == promised


def test_sqlite_example_prints_what_it_promises(make_database_at):
    path = sqlite_file(make_database_at(HEAD, "sqlite"))
    code, promised = example("sqlite")
    assert run(code, GOCLAW_SQLITE_PATH=str(path), GOCLAW_STORAGE_BACKEND="sqlite") == promised
