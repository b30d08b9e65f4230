"""The ``onaccount`` command line (needs the ``cli`` extra)."""

from __future__ import annotations

from ._app import EXIT_INTERNAL, EXIT_REFUSED, EXIT_USAGE, cli, main

__all__ = ["EXIT_INTERNAL", "EXIT_REFUSED", "EXIT_USAGE", "cli", "main"]
