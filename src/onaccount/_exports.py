"""How a public package presents what it re-exports from its private modules.

Every package ``__init__`` ends with ``export(__name__, globals(), __all__)``: each class
and function it exports from a private module (``onaccount._period``) then reports the
package (``onaccount``) as its module, as httpx and attrs do. Reprs, tracebacks, error
messages and the reference show the name users import, and pickles name it too, so
they keep loading when a private module is renamed.

A name exported by two packages keeps the first public one: ``Ledger`` stays
``onaccount.ledger.Ledger`` although ``onaccount`` re-exports it.
"""

from __future__ import annotations

import functools
import importlib.metadata
import inspect
import typing
from collections.abc import Iterable, Mapping


def _is_private(module: str) -> bool:
    return any(part.startswith("_") for part in module.split("."))


def export(module: str, namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Make the classes and functions ``names`` of ``namespace`` report ``module``.

    Only those defined in a private module and exported under their own name change:
    an alias keeps its home, since pickle finds a class by its module and name. Names
    the namespace does not hold (a lazy ``__version__``) are left to the module.
    """
    for name in names:
        value = namespace.get(name)
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            continue
        if value.__qualname__ == name and _is_private(value.__module__):
            if inspect.isclass(value):
                _resolve_annotations(value)
            value.__module__ = module


def _resolve_annotations(cls: type) -> None:
    """Replace ``cls``'s own annotation strings by what they name in its defining module.

    ``typing.get_type_hints`` evaluates a class's string annotations (``from __future__
    import annotations``) in the module the class reports, where ``dt`` or ``Decimal``
    may not be defined; resolved here, while the defining module is still known, they
    keep working for hosts (cattrs, Hypothesis's ``st.builds``).
    """
    own = inspect.get_annotations(cls)
    if not own:
        return
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except NameError:  # pragma: no cover - a name imported only for type checkers
        return
    cls.__annotations__ = {name: hints.get(name, hint) for name, hint in own.items()}


@functools.cache
def distribution_version(distribution: str) -> str:
    """The installed version of ``distribution``, read from its metadata once."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a bare source tree
        return "0+unknown"
