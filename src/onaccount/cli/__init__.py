"""The ``onaccount`` command line (needs the ``cli`` extra).

Importing this package needs nothing beyond onaccount itself, so that the console script
can say which extra to install instead of failing with a traceback: the command group and
its commands are imported when `main` runs or one of its names is first used.
"""

import importlib as _importlib
import sys as _sys
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from ._exits import EXIT_COMMITTED_EXPORT_EMPTY, EXIT_INTERNAL, EXIT_REFUSED, EXIT_USAGE

if _TYPE_CHECKING:
    from ._group import cli

__all__ = [
    "EXIT_COMMITTED_EXPORT_EMPTY",
    "EXIT_INTERNAL",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "cli",
    "main",
]

#: The packages the ``cli`` extra brings, as the command line imports them.
_EXTRA_MODULES = frozenset({"babel", "click", "rich", "sqlalchemy"})


def _commands() -> _Any:  # Any: the _group module, which needs click to import
    """The command group with every command added; the command modules add themselves."""
    group = _importlib.import_module("._group", __name__)
    for name in ("._setup", "._looking", "._managing", "._invoicing"):
        _importlib.import_module(name, __name__)
    return group


def main() -> None:
    """Run the command line; without the ``cli`` extra, say how to install it and exit 2."""
    try:
        group = _commands()
    except ImportError as error:
        # A submodule's name (sqlalchemy.engine) counts for its package.
        missing = (error.name or "").partition(".")[0]
        if missing not in _EXTRA_MODULES:
            raise
        from onaccount._install import extra_missing

        print(f"onaccount: {extra_missing('the command line', 'cli', error)}", file=_sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    group.main()


def __getattr__(name: str) -> _Any:  # Any: the group's names, typed above for checkers
    if name == "cli":
        return _commands().cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
