"""The table base: one table description written as CSV and XLSX, rows checked alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import attrs
import openpyxl
import pytest

from onaccount import InvalidValue
from onaccount.exporting import (
    Cell,
    Column,
    CsvTableExporter,
    CsvTableOptions,
    ExportDocument,
    ExportFailed,
    ExportOptions,
    ExportProgress,
    ExportRefusal,
    InvalidExporter,
    Money,
    Table,
    TableExporter,
    TableOptions,
    XlsxTableExporter,
    XlsxTableOptions,
    export_document,
    export_files,
    tracked,
    validate_exporter,
)
from onaccount.testing import isolated_registry, sample_ledger, sample_run, sample_statement
from onaccount_exporters import CsvExporter, XlsxExporter

_COLUMNS = (Column(name="a", labels={"nl": "A"}), Column(name="b", labels={"nl": "B"}))


def _exporters(rows: Iterable[Sequence[Cell]], columns: Sequence[Column] = _COLUMNS) -> list[Any]:
    """A CSV and an XLSX table exporter writing ``rows`` under ``columns`` (two by default)."""
    table = Table(titles={"nl": "T"}, columns=columns, rows=rows)

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


class _FailingRows:
    """Rows whose making fails at the second, as a plugin's generator may; each time anew."""

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        yield ("ok", 1)
        raise InvalidValue("cell value 'x' cannot be priced", value="x", field="cell")


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


def test_codes_are_shown_as_their_labels_to_people_and_as_codes_to_programs() -> None:
    """Workbooks and labelled CSV show a code's label in the language; field names keep codes."""
    state = Column(
        name="state",
        labels={"nl": "Status", "en": "State"},
        value_labels={"active": {"nl": "gefactureerd", "en": "invoiced"}, "undone": {}},
    )
    rows = [("active", 1), ("undone", 2), ("custom", 3), (None, 4)]
    csv_exporter, xlsx_exporter = _exporters(rows, (state, _COLUMNS[1]))

    def csv_lines(options: dict[str, str]) -> list[str]:
        data = csv_exporter.export_bytes(sample_statement(), options)
        return data.decode("utf-8-sig").splitlines()

    assert csv_lines({}) == ["Status;B", "gefactureerd;1", "undone;2", "custom;3", ";4"]
    assert csv_lines({"language": "en"})[:2] == ["State;b", "invoiced;1"]
    assert csv_lines({"header": "names"})[:2] == ["state;b", "active;1"]
    assert csv_lines({"header": "none"})[0] == "active;1"
    for language, shown in [("nl", "gefactureerd"), ("en", "invoiced")]:
        data = xlsx_exporter.export_bytes(sample_statement(), {"language": language})
        ws = openpyxl.load_workbook(io.BytesIO(data))["T"]
        assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == [
            shown,
            "undone",
            "custom",
            None,
        ]


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


def _failure(exporter: Any) -> str:
    """The message of the export failure ``exporter`` raises on the sample statement."""
    with pytest.raises(ExportFailed) as caught:
        exporter.export_bytes(sample_statement())
    return caught.value.message


def test_a_bad_cell_names_the_exporter_the_table_the_row_and_the_column() -> None:
    """A float in row 2 is refused naming exporter, table or sheet, row and column."""
    csv_exporter, xlsx_exporter = _exporters([("ok", 1), ("x", 1.5)])
    said = "InvalidValue: {} 'T', row 2, column {!r}: cell value 1.5 is a float; write str"
    assert f"exporter 't-csv' of class {__name__}" in _failure(csv_exporter)
    # A CSV table names the column by its field name, a sheet by its header.
    assert said.format("table", "b") in _failure(csv_exporter)
    assert said.format("sheet", "B") in _failure(xlsx_exporter)
    assert _failure(xlsx_exporter).endswith("; fix the exporter")


def test_a_row_the_generator_fails_to_make_is_the_row_named() -> None:
    """A refusal raised while making row 2 names row 2, not row 1 written before it."""
    for exporter, where in zip(_exporters(_FailingRows()), ("table", "sheet"), strict=True):
        said = _failure(exporter)
        assert f"InvalidValue: {where} 'T', row 2: cell value 'x' cannot be priced" in said


@pytest.mark.parametrize(
    ("money", "said"),
    [
        (
            Money(Decimal("1.005"), "EUR"),
            "money cell 1.005 has more places than EUR allows; round it to 1.01",
        ),
        (
            Money(Decimal("1.00"), "ZZZ"),
            "money cell currency 'ZZZ' is not an ISO 4217 currency code",
        ),
        (
            Money(1.5, "EUR"),  # type: ignore[arg-type]  # the mistake under test
            "money cell amount 1.5 is a float, which cannot hold money exactly",
        ),
        (
            Money(Decimal("NaN"), "EUR"),
            "money cell amount Decimal('NaN') is not a finite number",
        ),
    ],
    ids=["places", "currency", "float", "nan"],
)
def test_money_cells_are_checked_alike_in_csv_and_xlsx(money: Money, said: str) -> None:
    """Amounts past the currency's cents, unknown currencies and floats are refused by both."""
    for exporter, column in zip(_exporters([("ok", 1), ("x", money)]), "bB", strict=True):
        assert f"row 2, column {column!r}: {said}" in _failure(exporter)


def test_a_money_cell_is_blamed_not_an_earlier_cell_holding_its_amount() -> None:
    """The same Decimal as a plain cell and inside a bad Money: the Money's column is named."""
    amount = Decimal("1.005")
    for exporter, column in zip(_exporters([(amount, Money(amount, "EUR"))]), "bB", strict=True):
        assert f"row 1, column {column!r}: money cell 1.005" in _failure(exporter)


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (
            lambda: Table(
                titles={"nl": "T"}, columns=[Column(name="a"), Column(name="a")], rows=[]
            ),
            "table 'T' has two columns named 'a'; give each column its own name",
        ),
        (
            lambda: Column(name="a", width=-3),
            "column width -3 of 'a' is not a number of characters above 0 and at most 255",
        ),
        (
            lambda: Column(name="a", labels={"nl": 3}),
            "column 'a' has label 3 for 'nl'; give each label as text",
        ),
        (
            lambda: Column(name="a", total=True),
            "column 'a' of kind 'text' cannot be summed; set total only on integer, "
            "quantity and money columns",
        ),
        (
            lambda: Column(name="a", value_labels={"x": {"nl": 3}}),
            "column 'a' has label 3 for code 'x' in 'nl'; give each label as text",
        ),
        (
            lambda: Column(name="a", value_labels={"x": "y"}),
            "column 'a' labels code 'x' with 'y'; give a label per language, such as "
            "{'nl': 'actief', 'en': 'active'}",
        ),
        (
            lambda: Column(name="a", kind="integer", value_labels={"x": {"nl": "y"}}),
            "column 'a' of kind 'integer' holds no codes; give value_labels only to text columns",
        ),
    ],
    ids=["duplicate-name", "width", "label", "total", "value-label", "value-labels", "kind"],
)
def test_a_table_is_checked_when_it_is_described(make: Any, said: str) -> None:
    """Mistakes in the columns are refused where they are made, for CSV as for XLSX."""
    with pytest.raises(InvalidExporter) as caught:
        make()
    assert caught.value.message.startswith(said)


def test_a_table_exporter_needs_the_table_options() -> None:
    """A table exporter with plain ExportOptions breaks the contract, naming the base."""
    csv_exporter = _exporters([("ok", 1)])[0]

    class Plain(type(csv_exporter)):  # type: ignore[misc]  # a subclass made for the test
        Options = ExportOptions
        title = "Plain"
        description = "Options without a language."

    with pytest.raises(InvalidExporter) as caught:
        validate_exporter(Plain())
    assert caught.value.message.startswith(
        "exporter Plain has Options ExportOptions; a CsvTableExporter's Options extend "
        "onaccount.exporting.CsvTableOptions"
    )


def test_a_table_reports_the_accounts_it_leaves_out() -> None:
    """Refusals a row generator adds to its table's list reach the report, in both formats."""
    refused: list[ExportRefusal] = []

    def rows(document: ExportDocument) -> Iterable[tuple[Cell, ...]]:
        first, *others = document.billed
        refused.append(
            ExportRefusal(
                account=first.account.number,
                field="billing.iban",
                message=f"account {first.account.number} has no IBAN; add it, then export again",
            )
        )
        for entry in others:
            yield (entry.account.number, entry.total)

    class Refusing:
        def tables(
            self, document: ExportDocument, options: Any, progress: ExportProgress | None
        ) -> list[Table]:
            refused.clear()
            table = Table(
                titles={"nl": "T"}, columns=_COLUMNS, rows=rows(document), refusals=refused
            )
            return [table]

    class Csv(Refusing, CsvTableExporter[CsvTableOptions]):
        identifier: ClassVar[str] = "r-csv"
        Options = CsvTableOptions

    class Xlsx(Refusing, XlsxTableExporter[XlsxTableOptions]):
        identifier: ClassVar[str] = "r-xlsx"
        Options = XlsxTableOptions

    run = sample_run()
    billed = [e.account.number for e in export_document(run, sample_ledger()).billed]
    for exporter in (Csv(), Xlsx()):
        report = exporter.export(run, io.BytesIO(), ledger=sample_ledger())
        assert report.refused_accounts() == (billed[0],)
        assert [r.field for r in report.refusals] == ["billing.iban"]
        assert report.written == report.accounts == len(billed) - 1


def test_a_currency_column_is_one_for_workbooks_and_is_neither_summed_nor_labelled() -> None:
    """kind='currency' marks the workbook column; totals and value labels are refused on it."""
    column = Column(name="currency", labels={"nl": "Valuta", "en": "Currency"}, kind="currency")
    assert column.xlsx("en").currency
    assert not Column(name="total", labels={"en": "Total"}, kind="money").xlsx("en").currency
    with pytest.raises(InvalidExporter, match="cannot be summed"):
        Column(name="currency", labels={"en": "Currency"}, kind="currency", total=True)
    with pytest.raises(InvalidExporter, match="holds no codes"):
        Column(
            name="currency",
            labels={"en": "Currency"},
            kind="currency",
            value_labels={"EUR": {"en": "euro"}},
        )


_TOTALS_COLUMNS = (
    Column(name="account", labels={"nl": "Rekening", "en": "Account"}),
    Column(name="currency", labels={"nl": "Valuta", "en": "Currency"}, kind="currency"),
    Column(name="total", labels={"nl": "Totaal", "en": "Total"}, kind="money", total=True),
)


class _TotalsTable:
    """The one table description a CSV and an XLSX exporter share, as the guide shows."""

    def tables(
        self, document: ExportDocument, options: TableOptions, progress: ExportProgress | None
    ) -> list[Table]:
        rows = [
            (entry.account.number, entry.currency, Money(entry.total, entry.currency))
            for entry in tracked(document.billed, progress)
        ]
        return [
            Table(titles={"nl": "Totalen", "en": "Totals"}, columns=_TOTALS_COLUMNS, rows=rows)
        ]


class _TotalsCsv(_TotalsTable, CsvTableExporter[CsvTableOptions]):
    identifier = "acme-totals-csv"
    title = "Totals (CSV)"
    description = "One row per account with its total."
    Options = CsvTableOptions


class _TotalsXlsx(_TotalsTable, XlsxTableExporter[XlsxTableOptions]):
    identifier = "acme-totals-xlsx"
    title = "Totals (Excel)"
    description = "One row per account with its total."
    Options = XlsxTableOptions


def test_a_table_shared_through_a_mixin_registers_as_csv_and_xlsx_with_the_same_rows() -> None:
    """A mixin's tables() makes two exporters that register and write the same rows."""
    registry = isolated_registry(_TotalsCsv(), _TotalsXlsx())
    csv_exporter, xlsx_exporter = registry.get("acme-totals-csv"), registry.get("acme-totals-xlsx")
    # The bases give the media type and the extension.
    assert [(e.media_type, e.extension) for e in (csv_exporter, xlsx_exporter)] == [
        ("text/csv", "csv"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ]
    run = sample_run()
    data = csv_exporter.export_bytes(run, {"dialect": "rfc4180"}).decode()
    header, *rows = list(csv.reader(io.StringIO(data)))
    book = openpyxl.load_workbook(io.BytesIO(xlsx_exporter.export_bytes(run, {"totals": "none"})))
    sheet = [list(row) for row in book["Totalen"].iter_rows(values_only=True)]
    assert header == sheet[0] == ["Rekening", "Valuta", "Totaal"]
    assert [(a, c, Decimal(t)) for a, c, t in rows] == [
        (a, c, Decimal(str(t))) for a, c, t in sheet[1:]
    ]
    assert [row[0] for row in rows] == ["1042", "2001", "3003"]


def test_the_csv_base_writes_no_totals_row_while_the_workbook_does() -> None:
    """Summed columns get a totals row in the workbook only: a CSV file holds data rows."""
    run = sample_run()
    data = _TotalsCsv().export_bytes(run, {"dialect": "rfc4180", "header": "none"}).decode()
    assert [row[0] for row in csv.reader(io.StringIO(data))] == ["1042", "2001", "3003"]
    book = openpyxl.load_workbook(io.BytesIO(_TotalsXlsx().export_bytes(run)))
    firsts = [row[0] for row in book["Totalen"].iter_rows(values_only=True)]
    assert firsts[-2:] == ["Totaal EUR", "Totaal JPY"]


def test_the_file_names_file_label_shows_are_the_names_written(tmp_path: Path) -> None:
    """TableExporter.file_label's example names are what export_files writes, run key and all."""

    class Boekhoud(_TotalsXlsx):
        identifier = "boekhoud-xlsx"

    run = attrs.evolve(sample_run(), key="demo-2026-10")
    names = [
        path.name
        for exporter in (Boekhoud(), XlsxExporter())
        for path in export_files(exporter, run, tmp_path, ledger=sample_ledger()).paths
    ]
    assert names == [
        "run-2026-10-demo-2026-10-boekhoud-xlsx.xlsx",
        "run-2026-10-demo-2026-10.xlsx",
    ]
    shown = " ".join((TableExporter.file_label.__doc__ or "").split())
    for name in names:
        assert f"``{name}``" in shown, shown
