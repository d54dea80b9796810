"""The revision chain: where it lives, its head, and Alembic's handles on it.

Revision ids are GoClaw's version numbers ('000027' is version 27) and every
file in ``versions/`` is named after its revision, so the head is known from
the file names: finding it through Alembic would load Alembic and execute every
revision module, a cost the commands that only read a version do not pay.
Alembic is imported here only by the functions that hand it out.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

_REVISION_FILE = re.compile(r"^(\d{6})_\w+\.py$")


def checkout_chain() -> Path | None:
    """The checkout's alembic/ folder, when this package runs from a checkout (or an editable install of one)."""
    checkout = Path(__file__).resolve().parent.parent.parent / "alembic"
    return checkout if (checkout / "env.py").exists() else None


def script_location() -> Path:
    """The revision chain: the checkout's alembic/ folder, or the copy inside the wheel."""
    return checkout_chain() or Path(__file__).resolve().parent.parent / "_alembic"


def version_number(revision: str | None) -> int:
    """Revision ids are GoClaw's version numbers: '000027' is version 27."""
    return int(revision) if revision else 0


def revision_id(version: int) -> str:
    """The revision that is GoClaw's ``version``; version 0, the empty database, is Alembic's 'base'."""
    return f"{version:06d}" if version else "base"


@cache
def chain_versions() -> tuple[int, ...]:
    """Every GoClaw schema version the chain has a revision for, in order, from the revision files' names.

    GoClaw's numbers are not contiguous (80 is followed by 99000), so what lies
    between two versions is read from here, never counted.
    """
    return tuple(
        sorted(
            int(match.group(1))
            for path in (script_location() / "versions").iterdir()
            if (match := _REVISION_FILE.match(path.name))
        )
    )


def head_version() -> int:
    """The newest GoClaw schema version the chain reaches."""
    return chain_versions()[-1] if chain_versions() else 0


def alembic_config(url: sa.URL | str, *, compare_with_models: bool = True) -> Config:
    """An Alembic Config for the revision chain, pointed at one database.

    ``compare_with_models=False`` is for callers that only apply revisions:
    env.py then leaves the models unloaded (autogenerate would need them).
    """
    from alembic.config import Config

    if isinstance(url, sa.URL):
        url = url.render_as_string(hide_password=False)
    config = Config(attributes={"compare_with_models": compare_with_models})
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def script_directory() -> ScriptDirectory:
    """Alembic's view of the chain (reading a revision's details executes its module)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(script_location()))
