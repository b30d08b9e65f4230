"""What the accounting exporters refuse, and the errors they raise.

::

    OnAccountError
    └── ExportError                              (onaccount.exporting)
        ├── ExportRefused                        an export refused account invoices
        └── ExtraNotInstalled (ImportError)      an exporter's optional packages are missing

An `ExportRefusal` (from `onaccount.exporting`, where every exporter's report lists them)
names one account invoice that an exporter will not write (or, with
``account`` None, an option the whole export lacks), the field at fault and what to do.
Exporters with an ``on_refusal`` option either leave refused account invoices out and list
them in the output (``"list"``) or raise `ExportRefused` before writing a byte
(``"raise"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from onaccount.exporting import ExportError, ExportRefusal

__all__ = ["ExportRefusal", "ExportRefused", "ExtraNotInstalled"]


class ExportRefused(ExportError):
    """An exporter refused account invoices (or its options); nothing was written.

    ``refusals`` lists every refusal, options first, then accounts in number order.
    """

    def __init__(self, message: str, *, refusals: Sequence[ExportRefusal] = ()) -> None:
        listed = tuple(refusals)
        fields = {r.field for r in listed}
        super().__init__(
            message,
            value=tuple(r.account for r in listed),
            field=fields.pop() if len(fields) == 1 else "refusals",
        )
        #: What was refused, and why.
        self.refusals = listed

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_refused, (self.message, self.refusals))


def _rebuild_refused(message: str, refusals: tuple[ExportRefusal, ...]) -> ExportRefused:
    return ExportRefused(message, refusals=refusals)


class ExtraNotInstalled(ExportError, ImportError):
    """An exporter needs packages of an extra that is not installed.

    The message names the command that installs them, e.g. ``pip install
    'onaccount[sepa]'``.
    """
