"""Databases at a GoClaw version, built by the chain once per test session and copied for each test.

Replaying N revisions for every test that only needs "a database at version N"
was most of the suite's time. The first request for a version builds a
template, starting from a copy of the nearest lower template so that the
session walks the chain about once; every request copies the template:
``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, a file copy on SQLite.

Tests of the chain itself (upgrades, the runner, locking, adoption) keep
building their databases revision by revision.
"""

from __future__ import annotations

import shutil
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from tests.support import HEAD, admin_url_with_database, sqlite_file, upgrade

BACKENDS = ["postgresql", "sqlite"]
_FIXTURE_OF_BACKEND = {"postgresql": "postgres_templates", "sqlite": "sqlite_templates"}


def templates_of(request: pytest.FixtureRequest, backend: str) -> VersionTemplates:
    """The session's templates of ``backend`` ("postgresql" or "sqlite"), from the fixture that owns them."""
    return request.getfixturevalue(_FIXTURE_OF_BACKEND[backend])


class VersionTemplates(ABC):
    """One template per GoClaw version for one backend; subclasses make, seal, copy and drop databases."""

    def __init__(self) -> None:
        self._templates: dict[int, str] = {}

    def template_url(self, version: int | str) -> str:
        """The URL of the template at ``version`` (an int or "head"); build it on first use. Never write to it."""
        number = HEAD if version == "head" else int(version)
        if number not in self._templates:
            nearest = max((built for built in self._templates if built < number), default=None)
            url = self._new_template(number, self._templates.get(nearest))
            upgrade(url, number)
            self._seal(url)
            self._templates[number] = url
        return self._templates[number]

    def copy(self, version: int | str) -> str:
        """A new database of its own at ``version``; returns its URL. ``discard`` it after use."""
        return self._copy_of(self.template_url(version))

    @contextmanager
    def copy_at(self, version: int | str) -> Iterator[str]:
        url = self.copy(version)
        try:
            yield url
        finally:
            self.discard(url)

    def drop_templates(self) -> None:
        for url in self._templates.values():
            self.discard(url)
        self._templates.clear()

    @abstractmethod
    def _new_template(self, version: int, start: str | None) -> str:
        """An empty database, or a copy of the template ``start``, to be upgraded to ``version``."""

    @abstractmethod
    def _seal(self, url: str) -> None:
        """Keep the finished template as it is while it is being copied."""

    @abstractmethod
    def _copy_of(self, url: str) -> str:
        """A new database with the content of ``url``; returns its URL."""

    @abstractmethod
    def discard(self, url: str) -> None:
        """Remove a database this object made."""


class PostgresTemplates(VersionTemplates):
    """Template databases on one server, named for this session so that sessions sharing the server never meet."""

    def __init__(self, server_url: str, session_tag: str) -> None:
        super().__init__()
        self.server_url = server_url
        self.session_tag = session_tag

    def _new_template(self, version: int, start: str | None) -> str:
        name = f"goclaw_tmpl_{self.session_tag}_{version:02d}"
        return create_postgres_database(self.server_url, name=name, template=start)

    def _seal(self, url: str) -> None:
        # CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template:
        # nobody may connect from now on.
        name = _database_name(url)
        _run_on_server(
            self.server_url,
            f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false',
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        )

    def _copy_of(self, url: str) -> str:
        return create_postgres_database(self.server_url, template=url)

    def discard(self, url: str) -> None:
        drop_postgres_database(self.server_url, url)


class SqliteTemplates(VersionTemplates):
    """Template files in a folder of the session; copies go beside them."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    def _new_template(self, version: int, start: str | None) -> str:
        return self._file_url(f"goclaw_v{version:02d}.db", start)

    def _seal(self, url: str) -> None:
        """Nothing to do: the chain's runs leave the file closed, in rollback-journal mode, copied whole."""

    def _copy_of(self, url: str) -> str:
        return self._file_url(f"goclaw_{uuid.uuid4().hex[:12]}.db", url)

    def discard(self, url: str) -> None:
        path = sqlite_file(url)
        for file in path.parent.glob(f"{path.name}*"):  # with its -wal, -shm and .migrate-lock
            file.unlink()

    def _file_url(self, name: str, start: str | None) -> str:
        path = self.directory / name
        if start:
            shutil.copyfile(sqlite_file(start), path)
        return f"sqlite:///{path}"


def create_postgres_database(server_url: str, *, name: str | None = None, template: str | None = None) -> str:
    """A new database on the server, empty or a copy of the database at URL ``template``; returns its URL."""
    name = name or f"t_{uuid.uuid4().hex[:12]}"
    source = f' TEMPLATE "{_database_name(template)}"' if template else ""
    _run_on_server(server_url, f'CREATE DATABASE "{name}"{source}')
    return admin_url_with_database(server_url, name)


def drop_postgres_database(server_url: str, url: str) -> None:
    _run_on_server(server_url, f'DROP DATABASE IF EXISTS "{_database_name(url)}" WITH (FORCE)')


def _run_on_server(server_url: str, *statements: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _database_name(url: str) -> str:
    return sa.make_url(url).database
