"""The ``onaccount`` command line (needs the ``cli`` extra)."""

from __future__ import annotations

# The command modules add their commands to the group when imported.
from . import _invoicing, _looking, _setup  # noqa: F401 (imported for their commands)
from ._group import EXIT_INTERNAL, EXIT_REFUSED, EXIT_USAGE, cli, main

__all__ = ["EXIT_INTERNAL", "EXIT_REFUSED", "EXIT_USAGE", "cli", "main"]
