"""The table base: one table description written as CSV and XLSX, rows checked alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from onaccount import InvalidValue
from onaccount.exporting import (
    Cell,
    Column,
    CsvTableExporter,
    CsvTableOptions,
    ExportDocument,
    ExportFailed,
    ExportProgress,
    Table,
    XlsxTableExporter,
    XlsxTableOptions,
    export_files,
)
from onaccount.testing import sample_ledger, sample_run, sample_statement
from onaccount_exporters import CsvExporter, XlsxExporter

_COLUMNS = (Column(name="a", labels={"nl": "A"}), Column(name="b", labels={"nl": "B"}))


def _exporters(rows: Iterable[Sequence[Cell]]) -> list[Any]:
    """A CSV and an XLSX table exporter writing ``rows`` under two columns."""
    table = Table(titles={"nl": "T"}, columns=_COLUMNS, rows=list(rows))

    class OneTable:
        def tables(
            self, document: ExportDocument, options: Any, progress: ExportProgress | None
        ) -> list[Table]:
            return [table]

    class Csv(OneTable, CsvTableExporter[CsvTableOptions]):
        identifier: ClassVar[str] = "t-csv"
        Options = CsvTableOptions

    class Xlsx(OneTable, XlsxTableExporter[XlsxTableOptions]):
        identifier: ClassVar[str] = "t-xlsx"
        Options = XlsxTableOptions

    return [Csv(), Xlsx()]


@pytest.mark.parametrize(
    ("row", "match"),
    [
        (("x",), r"row \('x',\) has 1 cells but (table|sheet) 'T' has 2 columns"),
        (("x", 1, "extra"), r"has 3 cells but (table|sheet) 'T' has 2 columns"),
        ("ab", r"row 'ab' is a str, not a sequence of cells"),
    ],
)
def test_a_row_of_another_width_is_refused_in_csv_as_in_xlsx(row: Any, match: str) -> None:
    """Both writers refuse a row with too few or too many cells, or a text as a row."""
    for exporter in _exporters([("ok", 1), row]):
        with pytest.raises((InvalidValue, ExportFailed), match=match):
            exporter.export_bytes(sample_statement())


def test_a_plugins_table_files_carry_its_name_beside_the_built_in_ones(tmp_path: Path) -> None:
    """A table exporter's file names end in its identifier, so it never takes xlsx's file."""
    csv_exporter, xlsx_exporter = _exporters([("ok", 1)])
    run = sample_run()
    written = [
        path.name
        for exporter in (csv_exporter, xlsx_exporter, XlsxExporter(), CsvExporter())
        for path in export_files(exporter, run, tmp_path, ledger=sample_ledger()).paths
    ]
    assert written == [
        "run-2026-10-2026-10-t-csv.csv",
        "run-2026-10-2026-10-t-xlsx.xlsx",
        "run-2026-10-2026-10.xlsx",
        "run-2026-10-2026-10-lines.csv",
    ]
