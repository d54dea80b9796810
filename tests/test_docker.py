"""The Docker files for users: checked by reading them (no Docker engine needed)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from goclaw_db.config import resolve_url

yaml = pytest.importorskip("yaml", reason="pip install -e '.[test]' installs PyYAML")

DOCKER = Path(__file__).resolve().parent.parent / "docker"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "docker-compose.yml").read_text(encoding="utf-8"))


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def _expand(text: str, values: dict[str, str] | None = None) -> str:
    """Compose's ${VAR:-default} interpolation, with the defaults (or the given values)."""
    values = values or {}
    return re.sub(r"\$\{(\w+)(?::?-([^}]*))?\}", lambda m: values.get(m.group(1), m.group(2) or ""), text)


def _command(value) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def test_services(compose):
    assert {"db", "upgrade"} <= set(compose["services"])


def test_database_service(compose):
    db = compose["services"]["db"]
    assert db["image"] == "pgvector/pgvector:pg18"
    health = db["healthcheck"]
    test = " ".join(_command(health["test"]))
    assert "pg_isready" in test
    if isinstance(health["test"], list):
        assert health["test"][0] in ("CMD", "CMD-SHELL")
    for key in ("interval", "timeout", "retries"):
        assert key in health
    env = _environment(db)
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} <= set(env)


def test_named_volume_holds_the_data(compose):
    db = compose["services"]["db"]
    named = set(compose.get("volumes") or {})
    assert named, "declare a named volume at the top level"
    mounts = []
    for volume in db["volumes"]:
        if isinstance(volume, str):
            source, _, target = volume.partition(":")
            mounts.append((source, target.split(":")[0]))
        else:
            mounts.append((volume.get("source"), volume.get("target")))
    data = [(s, t) for s, t in mounts if s in named]
    assert data, "mount a named volume into the database container"
    # PostgreSQL 18 images keep PGDATA below /var/lib/postgresql.
    assert any(t.rstrip("/").startswith("/var/lib/postgresql") for _, t in data)


def test_upgrade_service(compose):
    upgrade = compose["services"]["upgrade"]
    assert upgrade["depends_on"]["db"]["condition"] == "service_healthy"
    build = upgrade["build"]
    context = (DOCKER / build["context"]).resolve()
    dockerfile = context / build.get("dockerfile", "Dockerfile")
    assert dockerfile == (DOCKER / "Dockerfile").resolve()
    assert (context / "pyproject.toml").exists()
    command = _command(upgrade.get("entrypoint")) or _dockerfile_instruction("ENTRYPOINT")
    command += _command(upgrade.get("command")) or _dockerfile_instruction("CMD")
    assert command[:2] == ["goclaw-db", "upgrade"]


def test_upgrade_reaches_the_database_service_through_the_dsn(compose):
    upgrade = compose["services"]["upgrade"]
    env = _environment(upgrade)
    assert "GOCLAW_POSTGRES_DSN" in env
    # goclaw-db reads the service's environment exactly as it would inside the container.
    url = resolve_url(environ={k: _expand(v) for k, v in env.items()})
    assert url.get_backend_name() == "postgresql"
    assert url.host == "db"
    assert (url.port or 5432) == 5432
    db_env = {k: _expand(v) for k, v in _environment(compose["services"]["db"]).items()}
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == db_env["POSTGRES_PASSWORD"]
    assert url.database == db_env["POSTGRES_DB"]
    # The same settings follow a user's overrides.
    custom = {"POSTGRES_USER": "u", "POSTGRES_PASSWORD": "p", "POSTGRES_DB": "d"}
    assert _expand(env["GOCLAW_POSTGRES_DSN"], custom).startswith("postgres://u:p@db:5432/d")


def _dockerfile_instruction(name: str) -> list[str]:
    """The last ENTRYPOINT or CMD of the Dockerfile, as a list."""
    found = []
    for line in _dockerfile_lines():
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == name:
            rest = rest.strip()
            found = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
    return found


def _dockerfile_lines() -> list[str]:
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_dockerfile_installs_the_package_and_runs_upgrade():
    lines = _dockerfile_lines()
    assert lines[0].upper().startswith("FROM PYTHON:3.1")
    copied = " ".join(line for line in lines if line.upper().startswith("COPY"))
    for needed in ("pyproject.toml", "goclaw_db", "alembic"):
        assert needed in copied
    assert any(line.upper().startswith("RUN") and re.search(r"pip install (\S+ )*\.(\s|$)", line) for line in lines)
    assert _dockerfile_instruction("ENTRYPOINT") + _dockerfile_instruction("CMD") == ["goclaw-db", "upgrade"]
    assert any(line.upper().startswith("USER") for line in lines), "run as an unprivileged user"


def test_readme_exists():
    text = (DOCKER / "README.md").read_text(encoding="utf-8")
    assert "docker compose" in text and "GOCLAW_POSTGRES_DSN" in text
