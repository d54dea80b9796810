"""The README's model example runs as written against a database at head."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support import HEAD

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example() -> str:
    text = README.read_text()
    match = re.search(r"<!-- example:[^>]*-->\s*```python\n(.*?)```", text, re.S)
    assert match, "README lost its executed example"
    return match.group(1)


def test_readme_example_stores_and_searches_memory(make_database_at):
    url = make_database_at(HEAD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    env["GOCLAW_POSTGRES_DSN"] = url
    result = subprocess.run(
        [sys.executable, "-c", readme_example()], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["high tide at dawn", "['the pilot boards at the outer buoy']"]
