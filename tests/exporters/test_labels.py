"""File labels: an export with other options never takes another export's file name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onaccount import commit_run, plan_run
from onaccount.exporting import Exporter, export_files
from onaccount.testing import SAMPLE_PERIOD
from onaccount_exporters import JournalExporter, XafExporter, XlsxExporter
from tests.exporters._billing import ADMIN, RUN_AT, SELLER, billed_ledger

#: What the auditfile needs of the seller to write one.
_XAF_SELLER = {k: v for k, v in SELLER.items() if k != "credit_note_reference"}


@pytest.mark.parametrize(
    ("exporter", "given", "label"),
    [
        (JournalExporter(), {"entry_date": "period-end"}, "-period-end"),
        (JournalExporter(), {"language": "en"}, "-en"),
        (XafExporter(), {"entry_date": "period-end"}, "-period-end"),
        (XafExporter(), {"language": "en"}, "-en"),
        (XlsxExporter(), {"layout": "statement"}, "-statement"),
        (XlsxExporter(), {"language": "en", "lines": False}, "-en-no-lines"),
        (XlsxExporter(), {"layout": "statement", "lines": False}, "-statement"),
    ],
    ids=str,
)
def test_an_export_with_other_options_gets_a_file_of_its_own(
    exporter: Exporter[Any], given: dict[str, object], label: str, tmp_path: Path
) -> None:
    """A period-end journal, an English auditfile, a statement workbook: never one name."""
    ledger = billed_ledger()
    plan = plan_run(ledger, SAMPLE_PERIOD, ["1042", "2001"], "none", actor=ADMIN)
    run = commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)
    base: dict[str, object] = dict(_XAF_SELLER) if exporter.identifier == "xaf" else {}
    (plain,) = export_files(exporter, run, tmp_path, base, ledger=ledger).paths
    (other,) = export_files(exporter, run, tmp_path, {**base, **given}, ledger=ledger).paths
    stem, _, extension = plain.name.partition(".")
    assert other.name == f"{stem}{label}.{extension}"
