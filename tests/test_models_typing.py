"""Type checkers see the models as users write them.

An application using goclaw-db (tests/typing/typed_example.py) and the
README's example check clean under ``mypy --strict`` and ``pyright --strict``;
the mistakes in tests/typing/misuse.py (a wrong type, an unknown column, a
missing required column, a misspelt JSON key) are each reported on their line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_readme_example import readme_example

ROOT = Path(__file__).resolve().parent.parent
TYPING = ROOT / "tests" / "typing"
EXPECTED = re.compile(r"# expect: (\w+)")  # the name the error is about


def expected_errors() -> dict[int, str]:
    lines = (TYPING / "misuse.py").read_text().splitlines()
    return {n: m.group(1) for n, line in enumerate(lines, 1) if (m := EXPECTED.search(line))}


def checked_by_mypy(tmp_path: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "cache"),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def error_lines(output: str, file: Path) -> dict[int, str]:
    found: dict[int, str] = {}
    for line in output.splitlines():
        match = re.match(rf".*{re.escape(file.name)}:(\d+):.*?error: (.*)", line.strip())
        if match:
            found.setdefault(int(match.group(1)), "")
            found[int(match.group(1))] += match.group(2)
    return found


@pytest.fixture(scope="module")
def readme_scripts(tmp_path_factory) -> list[Path]:
    """The README's executed examples, each a file of its own, as a user would paste them."""
    folder = tmp_path_factory.mktemp("readme")
    paths = []
    for name in ("models", "async"):
        path = folder / f"readme_{name}_example.py"
        path.write_text(readme_example(name))
        paths.append(path)
    return paths


def test_mypy_strict_accepts_the_typed_example_and_the_readme(tmp_path, readme_scripts):
    result = checked_by_mypy(tmp_path, TYPING / "typed_example.py", *readme_scripts)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_reports_each_misuse_on_its_line(tmp_path):
    result = checked_by_mypy(tmp_path, TYPING / "misuse.py")
    reported = error_lines(result.stdout, TYPING / "misuse.py")
    assert sorted(reported) == sorted(expected_errors()), result.stdout


def run_pyright(tmp_path: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("pyright", reason="pyright is in the test extras; it needs Node.js")
    config = tmp_path / "pyrightconfig.json"
    config.write_text(
        json.dumps(
            {
                "typeCheckingMode": "strict",
                "pythonVersion": "3.11",
                "extraPaths": [str(ROOT)],
            }
        )
    )
    return subprocess.run(
        [sys.executable, "-m", "pyright", "-p", str(config), "--pythonpath", sys.executable, *map(str, files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_pyright_strict_accepts_the_typed_example_and_the_readme(tmp_path, readme_scripts):
    result = run_pyright(tmp_path, TYPING / "typed_example.py", *readme_scripts)
    assert "0 errors" in result.stdout, result.stdout + result.stderr


def test_pyright_strict_reports_each_misuse_on_its_line(tmp_path):
    result = run_pyright(tmp_path, TYPING / "misuse.py")
    reported = error_lines(result.stdout, TYPING / "misuse.py")
    assert sorted(reported) == sorted(expected_errors()), result.stdout
