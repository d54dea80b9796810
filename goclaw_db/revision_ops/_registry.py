"""Registering a function as an Alembic operation, so that revisions call it as ``op.<name>``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from alembic.operations import MigrateOperation, Operations

_F = TypeVar("_F", bound=Callable[..., Any])

# The names of the operations registered here, in the order they were registered.
REVISION_OPERATIONS: list[str] = []


def revision_operation(implementation: _F) -> _F:
    """Register ``implementation(operations, ...)`` as the operation ``op.<its name>``.

    Alembic's operation plugins (``Operations.register_operation`` and
    ``Operations.implementation_for``) want an operation class holding the
    arguments and a class method building it; every operation here has the
    same shape, so it is made here once.  The arguments reach
    ``implementation`` as the revision passed them.
    """
    name = implementation.__name__
    assert not hasattr(Operations, name), f"op.{name} is Alembic's own; give the operation a name of its own"

    def build_and_invoke(cls: type[_Arguments], operations: Operations, *args: Any, **kw: Any) -> Any:
        return operations.invoke(cls(args, kw))

    build_and_invoke.__name__ = name
    build_and_invoke.__doc__ = implementation.__doc__
    operation = type(
        "".join(word.title() for word in name.split("_")) + "Op",
        (_Arguments,),
        {"__doc__": implementation.__doc__, name: classmethod(build_and_invoke)},
    )
    Operations.register_operation(name)(operation)
    # Alembic writes ``op.<name>`` with build_and_invoke's ``(self, *args, **kw)``; help() and
    # inspect.signature() read the implementation's own parameters from here instead.
    implementation_parameters = list(inspect.signature(implementation).parameters.values())
    self = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    getattr(Operations, name).__signature__ = inspect.signature(implementation).replace(
        parameters=[self, *implementation_parameters[1:]]
    )
    REVISION_OPERATIONS.append(name)

    @Operations.implementation_for(operation)
    def run(operations: Operations, invoked: _Arguments) -> Any:
        return implementation(operations, *invoked.args, **invoked.kw)

    return implementation


class _Arguments(MigrateOperation):
    def __init__(self, args: tuple[Any, ...], kw: dict[str, Any]) -> None:
        self.args = args
        self.kw = kw


def on_postgresql(operations: Operations) -> bool:
    return operations.get_context().dialect.name == "postgresql"
