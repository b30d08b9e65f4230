"""The shared CSV and XLSX writers, and atomic file and directory exports."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import attrs
import openpyxl
import pytest

from onaccount import InvalidValue
from onaccount.exporting import (
    EXCEL_MAX_ROWS,
    EXCEL_NL,
    RFC4180,
    Cell,
    CsvWriter,
    Exportable,
    ExportTargetExists,
    Money,
    XlsxColumn,
    XlsxWorkbook,
    default_stem,
    export_document,
    export_to_directory,
    export_to_file,
    split_by_account,
    write_atomically,
)
from onaccount.testing._samples import sample_plan, sample_run, sample_statement
from onaccount_exporters import CsvExporter, CsvOptions

ROW: tuple[Cell, ...] = (
    "=SUM(A1)",
    'Café; "Zoë"\nline',
    -2,
    Decimal("-5.60"),
    Money(Decimal("1234.50"), "EUR"),
    dt.date(2026, 10, 3),
    dt.time(1, 30),
    None,
    "a\x00b",
)


def _csv(dialect: Any, rows: list[tuple[Cell, ...]]) -> bytes:
    buffer = io.BytesIO()
    with CsvWriter(buffer, dialect) as writer:
        writer.writerows(rows)
    assert not buffer.closed
    return buffer.getvalue()


def test_excel_nl_csv_is_semicolons_decimal_commas_bom_crlf_and_dutch_dates() -> None:
    """excel-nl writes ';', '5,60', a UTF-8 BOM, CRLF and dd-mm-yyyy; text is neutralised."""
    assert (
        _csv(EXCEL_NL, [ROW])
        == (
            '\ufeff\'=SUM(A1);"Café; ""Zoë""\nline";-2;-5,60;1234,50;03-10-2026;01:30:00;;ab\r\n'
        ).encode()
    )


def test_rfc4180_csv_is_commas_decimal_points_no_bom_crlf_and_iso_dates() -> None:
    """rfc4180 writes ',', '5.60', no BOM, CRLF and ISO dates; text is neutralised."""
    assert (
        _csv(RFC4180, [ROW])
        == (
            '\'=SUM(A1),"Café; ""Zoë""\nline",-2,-5.60,1234.50,2026-10-03,01:30:00,,ab\r\n'
        ).encode()
    )


@pytest.mark.parametrize("value", [1.5, True, dt.datetime(2026, 1, 1), object()])
def test_csv_refuses_floats_booleans_datetimes_and_other_values(value: Any) -> None:
    """Cells must be text, int, Decimal, Money, date, time or None."""
    with pytest.raises(InvalidValue, match="floats cannot hold money exactly"):
        _csv(RFC4180, [(value,)])


def test_negative_zero_is_written_without_a_sign() -> None:
    """Decimal('-0.00') is written as 0.00."""
    assert _csv(RFC4180, [(Decimal("-0.00"),)]) == b"0.00\r\n"


def _book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def _save(book: XlsxWorkbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_sheet_past_the_row_cap_continues_on_new_sheets_in_place() -> None:
    """With a cap of 3 rows, 5 rows fill Lines, Lines (2), Lines (3), each with a header."""
    book = XlsxWorkbook(max_rows=3)
    lines = book.sheet("Lines", ["n", "text"])
    days = book.sheet("Days", ["n"])
    for n in range(5):
        lines.append((n, f"row {n}"))
    days.append((9,))
    data = _save(book)
    assert lines.part_titles == ("Lines", "Lines (2)", "Lines (3)")
    wb = _book(data)
    assert wb.sheetnames == ["Lines", "Lines (2)", "Lines (3)", "Days"]
    values = [[list(r) for r in wb[name].iter_rows(values_only=True)] for name in wb.sheetnames]
    assert values == [
        [["n", "text"], [0, "row 0"], [1, "row 1"]],
        [["n", "text"], [2, "row 2"], [3, "row 3"]],
        [["n", "text"], [4, "row 4"]],
        [["n"], [9]],
    ]
    assert [wb[name].auto_filter.ref for name in wb.sheetnames] == [
        "A1:B3",
        "A1:B3",
        "A1:B2",
        "A1:A2",
    ]
    assert {wb[name].freeze_panes for name in wb.sheetnames} == {"A2"}
    assert all(c.font.b for name in wb.sheetnames for c in wb[name][1])


def test_a_sheet_exactly_at_the_cap_needs_no_continuation() -> None:
    """Header plus max_rows - 1 rows fit on one sheet."""
    book = XlsxWorkbook(max_rows=4)
    sheet = book.sheet("Lines", ["n"])
    for n in range(3):
        sheet.append((n,))
    assert _book(_save(book)).sheetnames == ["Lines"]


def test_xlsx_cells_are_typed() -> None:
    """Dates are dates, times times, money numbers in the currency's format, text text."""
    book = XlsxWorkbook()
    sheet = book.sheet("Types", [XlsxColumn("all", width=30), "eur", "jpy", "kwd", "n", "x"])
    sheet.append(
        (
            dt.date(2026, 10, 3),
            Money(Decimal("-12.60"), "EUR"),
            Money(Decimal("1700"), "JPY"),
            Money(Decimal("1.250"), "KWD"),
            Decimal("0.350"),
            "#N/A",
        )
    )
    sheet.append((dt.time(1, 30), None, None, None, 4, "x" * 40_000))
    ws = _book(_save(book))["Types"]
    date, eur, jpy, kwd, number, error_like = ws[2]
    assert date.is_date
    assert date.value == dt.datetime(2026, 10, 3)
    assert (eur.value, eur.number_format) == (-12.6, '#,##0.00 "EUR"')
    assert (jpy.value, jpy.number_format) == (1700, '#,##0 "JPY"')
    assert (kwd.value, kwd.number_format) == (1.25, '#,##0.000 "KWD"')
    assert number.value == 0.35
    assert (error_like.value, error_like.data_type) == ("#N/A", "s")
    time_cell, *_, long_text = ws[3]
    assert time_cell.value == dt.time(1, 30)
    assert len(long_text.value) == 32_767
    assert long_text.value.endswith("…")
    assert ws.column_dimensions["A"].width == 30


def test_column_widths_follow_the_header_and_first_rows_within_bounds() -> None:
    """Widths fit the header or the widest early value, between 8 and 60 characters."""
    book = XlsxWorkbook()
    sheet = book.sheet("W", ["a", "a longer header", "text"])
    sheet.append(("x", "y", "z" * 30))
    sheet.append(("x", "y", "z" * 300))
    ws = _book(_save(book))["W"]
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    assert widths == [8, len("a longer header") + 2, 60]


def test_xlsx_bytes_are_the_same_whenever_they_are_written() -> None:
    """Equal workbooks give equal bytes, with fixed zip times and document timestamps."""
    stamp = dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))

    def build() -> bytes:
        book = XlsxWorkbook(timestamp=stamp, title="=run")
        book.sheet("S", ["a"]).append(("b",))
        return _save(book)

    first = build()
    assert build() == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2026-11-01T09:00:00Z") == 2
    props = _book(first).properties
    assert (props.created, props.modified) == (
        dt.datetime(2026, 11, 1, 9),
        dt.datetime(2026, 11, 1, 9),
    )
    assert props.title == "'=run"
    assert props.creator == "onaccount"


def test_a_workbook_without_sheets_still_opens() -> None:
    """Saving a workbook with no sheets gives one empty sheet rather than a broken file."""
    assert _book(_save(XlsxWorkbook())).sheetnames == ["Sheet"]


@pytest.mark.parametrize("cap", [1, 0, True, "10", EXCEL_MAX_ROWS + 1])
def test_row_caps_that_cannot_work_are_refused(cap: Any) -> None:
    """A cap below 2, above Excel's limit or not an int is refused."""
    with pytest.raises(InvalidValue, match="row cap"):
        XlsxWorkbook(max_rows=cap)


@pytest.mark.parametrize("title", ["", "a/b", "x[1]", "what?", "x" * 26, "Lines"])
def test_sheet_titles_excel_refuses_are_refused(title: str) -> None:
    """Empty, too long (no room for ' (n)'), forbidden characters or taken titles are refused."""
    with XlsxWorkbook() as book:
        book.sheet("LINES", ["a"])
        with pytest.raises(InvalidValue, match="sheet title"):
            book.sheet(title, ["a"])
        with pytest.raises(InvalidValue, match="no columns"):
            book.sheet("Empty", [])


def test_misuse_of_the_workbook_is_refused() -> None:
    """A row of the wrong length, a float, or a second save is refused with what to do."""
    book = XlsxWorkbook()
    sheet = book.sheet("S", ["a", "b"])
    with pytest.raises(InvalidValue, match="has 1 cells but sheet 'S' has 2 columns"):
        sheet.append(("x",))
    sheet.append((1.5, None))  # type: ignore[arg-type]  # a float on purpose
    with pytest.raises(InvalidValue, match="is a float"):
        _save(book)
    again = XlsxWorkbook()
    _save(again)
    with pytest.raises(InvalidValue, match="saved already"):
        _save(again)


def test_a_failed_workbook_leaves_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workbook abandoned mid-write (with or save failing) removes openpyxl's temp files."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def abandon() -> None:
        with XlsxWorkbook(max_rows=2) as book:
            sheet = book.sheet("S", ["a"])
            for n in range(300):
                sheet.append((n,))
            assert len(sheet.part_titles) > 1
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        abandon()
    failing = XlsxWorkbook()
    failing.sheet("S", ["a"]).append((0.5,))  # type: ignore[arg-type]  # a float on purpose
    with pytest.raises(InvalidValue):
        failing.save(io.BytesIO())
    assert list(tmp_path.iterdir()) == []


# -- files -------------------------------------------------------------------------------


class FailingCsv(CsvExporter):
    """A CSV exporter that writes its output and then fails when account 2001 is in it."""

    def write(self, source: Exportable, stream: BinaryIO, options: CsvOptions) -> None:
        """Write, then raise if account 2001 is exported."""
        super().write(source, stream, options)
        if any(e.account.number == "2001" for e in export_document(source).accounts):
            raise OSError("disk full")


def test_write_atomically_moves_a_finished_file_into_place(tmp_path: Path) -> None:
    """The written bytes land at the path; nothing else is left in the folder."""
    target = tmp_path / "out.bin"
    assert write_atomically(target, lambda s: s.write(b"done")) == target
    assert target.read_bytes() == b"done"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_failing_write_leaves_no_file_behind(tmp_path: Path) -> None:
    """If the callback raises midway, neither the file nor a temporary file exists."""

    def half(stream: BinaryIO) -> None:
        stream.write(b"half a file")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(tmp_path / "out.csv", half)
    assert list(tmp_path.iterdir()) == []


def test_existing_files_are_kept_unless_overwrite_is_asked(tmp_path: Path) -> None:
    """An existing target is refused (and left as it was) unless overwrite=True."""
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    with pytest.raises(ExportTargetExists, match="pass overwrite=True") as caught:
        write_atomically(target, lambda s: s.write(b"new"))
    assert isinstance(caught.value, FileExistsError)
    assert target.read_bytes() == b"old"
    write_atomically(target, lambda s: s.write(b"new"), overwrite=True)
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_export_to_file_writes_an_export(tmp_path: Path) -> None:
    """export_to_file writes what export_bytes gives, with options as a JSON object."""
    path = export_to_file(CsvExporter(), sample_run(), tmp_path / "run.csv", {"layout": "days"})
    assert path.read_bytes() == CsvExporter().export_bytes(sample_run(), {"layout": "days"})


def test_export_to_directory_writes_one_file_per_run(tmp_path: Path) -> None:
    """Per run, one file named after the run's period and key."""
    (path,) = export_to_directory(CsvExporter(), sample_run(), tmp_path / "exports")
    assert path == tmp_path / "exports" / "run 2026-10 2026-10.csv"
    assert path.read_bytes() == CsvExporter().export_bytes(sample_run())
    assert default_stem(sample_plan()) == "plan 2026-10"
    assert default_stem(sample_statement()) == "1042 Team A 2026-10"


def test_export_to_directory_writes_one_safely_named_file_per_account(tmp_path: Path) -> None:
    """Per account, one file each, named from number, name and period, made safe."""
    paths = export_to_directory(CsvExporter(), sample_run(), tmp_path, per="account")
    assert [p.name for p in paths] == [
        "_7 @admin 2026-10.csv",
        "1042 Team A 2026-10.csv",
        "2001 Café Zoë; _quoted_ 2026-10.csv",
        "3003 東京 Bar 2026-10.csv",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    one = split_by_account(sample_run())[1][1]
    assert paths[1].read_bytes() == CsvExporter().export_bytes(one)


def test_clashing_file_names_get_numbered(tmp_path: Path) -> None:
    """Accounts whose names sanitise to the same file name get -2, -3 in account order."""
    run = sample_run()
    same = [
        attrs.evolve(
            invoice,
            statement=attrs.evolve(
                invoice.statement,
                account=attrs.evolve(invoice.account, number=f"{n}", name="A/B"),
            ),
        )
        for n, invoice in zip(["x/1", "x:1", "x?1"], run.invoices, strict=False)
    ]
    paths = export_to_directory(
        CsvExporter(), attrs.evolve(run, invoices=tuple(same)), tmp_path, per="account"
    )
    assert [p.name for p in paths] == [
        "x_1 A_B 2026-10.csv",
        "x_1 A_B 2026-10-2.csv",
        "x_1 A_B 2026-10-3.csv",
    ]


def test_an_exporter_failing_on_one_account_leaves_no_file_behind(tmp_path: Path) -> None:
    """When the export of one account fails, no account's file or temporary file remains."""
    target = tmp_path / "exports"
    with pytest.raises(OSError, match="disk full"):
        export_to_directory(FailingCsv(), sample_run(), target, per="account")
    assert not target.exists()
    tmp_path.joinpath("kept").mkdir()
    with pytest.raises(OSError, match="disk full"):
        export_to_directory(FailingCsv(), sample_run(), tmp_path / "kept", per="account")
    assert list((tmp_path / "kept").iterdir()) == []
    with pytest.raises(OSError, match="disk full"):
        export_to_directory(FailingCsv(), sample_run(), tmp_path / "kept")
    assert list((tmp_path / "kept").iterdir()) == []


def test_directory_export_refuses_existing_files_before_writing(tmp_path: Path) -> None:
    """An existing file among the targets stops the export before anything is written."""
    (tmp_path / "1042 Team A 2026-10.csv").write_bytes(b"old")
    with pytest.raises(ExportTargetExists, match=r"1042 Team A 2026-10\.csv"):
        export_to_directory(CsvExporter(), sample_run(), tmp_path, per="account")
    assert [p.name for p in tmp_path.iterdir()] == ["1042 Team A 2026-10.csv"]
    paths = export_to_directory(
        CsvExporter(), sample_run(), tmp_path, per="account", overwrite=True
    )
    assert len(paths) == 4
    assert (tmp_path / "1042 Team A 2026-10.csv").read_bytes() != b"old"


def test_directory_export_refuses_an_unknown_split() -> None:
    """Per must be 'run' or 'account'."""
    with pytest.raises(InvalidValue, match="use 'run'"):
        export_to_directory(CsvExporter(), sample_run(), ".", per="day")  # type: ignore[arg-type]  # wrong on purpose
