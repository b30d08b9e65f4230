"""The exporters that ship with onaccount, registered through the ``onaccount`` entry point.

They go through the same plugin path as third-party exporters: the entry point
``builtin = "onaccount_exporters"`` names this module, whose hook adds them.
"""

from __future__ import annotations

from onaccount.exporting import Registrar, hookimpl

from ._csv import CsvExporter, CsvOptions
from ._xlsx import XlsxExporter, XlsxOptions

__all__ = [
    "CsvExporter",
    "CsvOptions",
    "XlsxExporter",
    "XlsxOptions",
    "onaccount_register_exporters",
]


@hookimpl
def onaccount_register_exporters(registry: Registrar) -> None:
    """Add the CSV and XLSX exporters."""
    registry.add(CsvExporter(), XlsxExporter())
