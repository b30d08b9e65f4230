"""The hook that adds the built-in exporters to a registry."""

from __future__ import annotations

from onaccount.exporting import Registrar, hookimpl

from ._csv import CsvExporter
from ._debtors import DebtorsExporter
from ._journal import JournalExporter
from ._sepa import SepaExporter
from ._ubl import UblExporter
from ._xaf import XafExporter
from ._xlsx import XlsxExporter


@hookimpl
def onaccount_register_exporters(registry: Registrar) -> None:
    """Add the CSV, XLSX, UBL, SEPA, journal, debtors and XAF exporters."""
    registry.add(
        CsvExporter(),
        XlsxExporter(),
        UblExporter(),
        SepaExporter(),
        JournalExporter(),
        DebtorsExporter(),
        XafExporter(),
    )
