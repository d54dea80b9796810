"""What importing the models costs every process that uses them (issue 25).

Every GoClaw job written in Python (an application process, a cron task, a test)
builds the 62 mapped classes at import.  Declarative reads each attribute's
``Mapped[...]`` annotation; a string annotation (``from __future__ import
annotations``) is evaluated again by SQLAlchemy and scanned by ``dataclasses``
for each of the ~1,000 attributes, a sixth of the import.  The model modules
therefore leave annotations to Python, and only relationship targets, which may
live in a module imported later, are quoted.
"""

import pytest

from goclaw_db import models
from goclaw_db.base import Base

MAPPED_CLASSES = sorted(
    (mapper.class_ for mapper in Base.registry.mappers if mapper.class_.__module__.startswith("goclaw_db.models.")),
    key=lambda class_: class_.__name__,
)


def test_every_model_is_checked():
    assert {c.__name__ for c in MAPPED_CLASSES} == {
        n for n in models.__all__ if isinstance(getattr(models, n), type)
    } - {"Base"}


@pytest.mark.parametrize("model", MAPPED_CLASSES, ids=lambda model: model.__name__)
def test_model_annotations_are_built_by_python_not_evaluated_from_strings(model):
    strings = sorted(key for key, annotation in vars(model)["__annotations__"].items() if isinstance(annotation, str))
    assert strings == [], f"{model.__name__}: string annotations {strings} (a `from __future__ import annotations`?)"
