"""The exit codes of the command line; importable without the ``cli`` extra."""

from __future__ import annotations

__all__ = ["EXIT_COMMITTED_EXPORT_EMPTY", "EXIT_INTERNAL", "EXIT_REFUSED", "EXIT_USAGE"]

#: An unexpected failure: a bug, or the database went away.
EXIT_INTERNAL = 1
#: Wrong options or input: fix the command line or the file (or install the ``cli`` extra),
#: including a ``--db`` that is not a database and a path that cannot be written.
EXIT_USAGE = 2
#: The library refused: permission, a credit account, a conflict, an undone invoice.
EXIT_REFUSED = 3
#: ``invoice --commit --export``: the run is committed and stands, but an export asked
#: for with it wrote nothing (every document refused); write it again with ``export``.
EXIT_COMMITTED_EXPORT_EMPTY = 4
