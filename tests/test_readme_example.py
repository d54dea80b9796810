"""The README's model examples run as written against a database at head, given GoClaw's own DSN."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.support import HEAD

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example(name: str) -> str:
    text = README.read_text()
    match = re.search(rf"<!-- example: {name},[^>]*-->\s*```python\n(.*?)```", text, re.S)
    assert match, f"README lost its executed {name} example"
    return match.group(1)


def run_with_goclaws_dsn(url: str, program: str) -> subprocess.CompletedProcess:
    """``program`` with GOCLAW_POSTGRES_DSN written as GoClaw's compose files write it (postgres://...?sslmode=disable)."""
    dsn = sa.make_url(url).set(drivername="postgres").update_query_dict({"sslmode": "disable", "connect_timeout": "10"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
    env["GOCLAW_POSTGRES_DSN"] = dsn.render_as_string(hide_password=False)
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=120)


def test_readme_examples_store_and_search_memory_then_read_it_under_asyncio(make_database_at):
    url = make_database_at(HEAD)
    result = run_with_goclaws_dsn(url, readme_example("models"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["high tide at dawn", "['the pilot boards at the outer buoy']"]
    result = run_with_goclaws_dsn(url, readme_example("async"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "agent:scout:main 0"
    assert sorted(lines[1:]) == ["high tide at dawn 1536", "the pilot boards at the outer buoy 1536"]
