"""What importing the models costs every process that uses them (issue 25).

Every GoClaw job written in Python (an application process, a cron task, a test)
builds the 62 mapped classes at import.  Declarative reads each attribute's
``Mapped[...]`` annotation; a string annotation (``from __future__ import
annotations``) is evaluated again by SQLAlchemy and scanned by ``dataclasses``
for each of the ~1,000 attributes, a sixth of the import.  The model modules
therefore leave annotations to Python, and only relationship targets, which may
live in a module imported later, are quoted; and the ~44,000 objects the mapping
makes are made with the garbage collector paused, since they all live on.
"""

import json
import os
import subprocess
import sys

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


# Counts the collections that start once the package's own modules are built (goclaw_db.base
# is among the first); one the import machinery sets off before is not the mapping's.
_COLLECTIONS_DURING_IMPORT = """
import gc, json, sys
import sqlalchemy.orm, sqlalchemy.dialects.postgresql
if sys.argv[1] == "disabled":
    gc.disable()
while_building = []
gc.callbacks.append(lambda phase, info: phase == "start" and while_building.append("goclaw_db.base" in sys.modules))
import goclaw_db.models
print(json.dumps({"collections": sum(while_building), "enabled": gc.isenabled()}))
"""


@pytest.mark.parametrize("collector", ["enabled", "disabled"])
def test_building_the_models_runs_no_garbage_collection_and_leaves_the_collector_as_it_was(collector):
    run = subprocess.run(
        [sys.executable, "-c", _COLLECTIONS_DURING_IMPORT, collector],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")},
    )
    report = json.loads(run.stdout)
    # The collector, back on, runs once over what the import made (75 times before).
    assert report["collections"] <= (1 if collector == "enabled" else 0)
    assert report["enabled"] is (collector == "enabled")
