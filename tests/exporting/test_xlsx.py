"""The streaming XLSX writer: typed cells, safe text, continuation sheets, the same bytes.

What it writes is read back with openpyxl, and, where LibreOffice is installed (CI
installs it), opened in a real spreadsheet program.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from onaccount import InvalidValue
from onaccount.exporting import (
    EXCEL_MAX_ROWS,
    Money,
    XlsxColumn,
    XlsxWorkbook,
    clean_text,
)
from onaccount.testing import strategies

SPREADSHEET_VARIABLE = "ONACCOUNT_TEST_LIBREOFFICE"


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
    assert (eur.value, eur.number_format) == (-12.6, '#,##0.00 "EUR"_-')
    assert (jpy.value, jpy.number_format) == (1700, '#,##0 "JPY"_-')
    assert (kwd.value, kwd.number_format) == (1.25, '#,##0.000 "KWD"_-')
    assert number.value == 0.35
    assert (error_like.value, error_like.data_type) == ("#N/A", "s")
    time_cell, *_, long_text = ws[3]
    assert time_cell.value == dt.time(1, 30)
    assert len(long_text.value) == 32_767
    assert long_text.value.endswith("…")
    assert ws.column_dimensions["A"].width == 30


def test_numbers_dates_and_times_keep_room_on_their_right() -> None:
    """Right-aligned cells end in room (``_-``), so left-aligned text after them stands apart."""
    book = XlsxWorkbook()
    sheet = book.sheet("Room", ["date", "time", "amount", "account"])
    sheet.append((dt.date(2026, 10, 3), dt.time(1, 18), Money(Decimal("9.50"), "EUR"), "1001"))
    date, time, amount, account = _book(_save(book))["Room"][2]
    assert date.number_format == "yyyy-mm-dd_-"
    assert time.number_format == "hh:mm:ss_-"
    assert amount.number_format == '#,##0.00 "EUR"_-'
    assert account.number_format == "General"


def test_a_header_is_aligned_as_its_values() -> None:
    """Headers stand right above numbers, money, dates and times, left above text."""
    book = XlsxWorkbook(max_rows=3)
    columns = ["date", "time", "n", "amount", "product", "empty"]
    sheet = book.sheet("Align", columns)
    for _ in range(3):
        sheet.append(
            (dt.date(2026, 10, 3), dt.time(1, 18), 3, Money(Decimal("9.50"), "EUR"), "Cola", None)
        )
    wb = _book(_save(book))
    assert wb.sheetnames == ["Align", "Align (2)"]
    for ws in wb.worksheets:
        aligned = [cell.alignment.horizontal for cell in ws[1]]
        assert aligned == ["right", "right", "right", "right", None, None]
        # The header ends in the room its values end in, so their right edges line up.
        assert [cell.number_format for cell in ws[1]] == ["@_-"] * 4 + ["General"] * 2


def test_column_widths_follow_the_header_and_first_rows_within_bounds() -> None:
    """Widths fit the header or the widest early value with room, between 8 and 60 characters."""
    book = XlsxWorkbook()
    sheet = book.sheet("W", ["a", "a longer header", "text"])
    sheet.append(("x", "y", "z" * 30))
    sheet.append(("x", "y", "z" * 300))
    ws = _book(_save(book))["W"]
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    assert widths == [8, len("a longer header") + 3, 60]


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


@pytest.mark.parametrize(
    "title", ["", "a/b", "x[1]", "what?", "x" * 26, "Lines", "'quoted'", "tab\there"]
)
def test_sheet_titles_excel_refuses_are_refused(title: str) -> None:
    """Empty, too long, forbidden characters, apostrophes at the ends or taken are refused."""
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
    """A workbook abandoned mid-write (with or save failing) removes its temporary files."""
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


def test_every_part_is_well_formed_xml_and_listed_in_the_package() -> None:
    """Each member parses as XML; content types and relationships name every worksheet."""
    book = XlsxWorkbook(max_rows=2)
    sheet = book.sheet("A & <B>", ["x"])
    for n in range(2):
        sheet.append((n,))
    book.sheet("It's", ["y"]).append(("z",))
    with zipfile.ZipFile(io.BytesIO(_save(book))) as archive:
        names = archive.namelist()
        for name in names:
            etree.fromstring(archive.read(name))
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        workbook = archive.read("xl/workbook.xml").decode()
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/"))
    assert sheets == [f"xl/worksheets/sheet{n}.xml" for n in (1, 2, 3)]
    assert all(f'PartName="/{n}"' in types and f'Target="/{n}"' in rels for n in sheets)
    assert "'A &amp; &lt;B&gt; (2)'!$A$1:$A$2" in workbook
    assert "'It''s'!$A$1:$A$2" in workbook
    assert "'It''s'!$1:$1" in workbook


def test_text_keeps_spaces_line_breaks_and_markup_characters() -> None:
    """Leading and trailing spaces, CR, LF, tabs and & < > come back as written."""
    texts = ["  padded  ", "two\r\nlines", "a\tb", "<b>&amp;</b>", "x\ry", "é 東京 🍺"]
    book = XlsxWorkbook()
    sheet = book.sheet("T", ["text"])
    for text in texts:
        sheet.append((text,))
    ws = _book(_save(book))["T"]
    assert [row[0].value for row in ws.iter_rows(min_row=2)] == texts


def test_dates_near_excels_epoch_are_the_right_days() -> None:
    """1900 dates around Excel's phantom 29 February read back right; earlier ones as text."""
    days = [dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(2026, 3, 29)]
    book = XlsxWorkbook()
    sheet = book.sheet("D", ["date"])
    for day in [*days, dt.date(1899, 12, 31)]:
        sheet.append((day,))
    ws = _book(_save(book))["D"]
    values = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert values == [dt.datetime.combine(d, dt.time()) for d in days] + ["1899-12-31"]


def test_numbers_are_written_exactly_as_their_digits() -> None:
    """Decimals keep their digits (no exponent for whole numbers); -0 loses its sign."""
    book = XlsxWorkbook()
    sheet = book.sheet("N", ["n"])
    for value in (Decimal("0.125"), Decimal("1E+3"), Decimal("-0.00"), Decimal("-2.80")):
        sheet.append((value,))
    with zipfile.ZipFile(io.BytesIO(_save(book))) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r"<v>([^<]*)</v>", xml) == ["0.125", "1000", "0", "-2.8"]


@given(
    rows=st.lists(
        st.tuples(
            st.text(max_size=40) | st.sampled_from(strategies.HOSTILE_TEXTS),
            st.decimals(places=3, min_value=-(10**9), max_value=10**9),
            st.dates(min_value=dt.date(1900, 3, 1)),
            st.times(min_value=dt.time(0, 0, 1)),
            st.none() | st.integers(-(10**12), 10**12),
        ),
        max_size=30,
    )
)
def test_any_rows_read_back_as_what_was_written(
    rows: list[tuple[str, Decimal, dt.date, dt.time, int | None]],
) -> None:
    """Text (cleaned), numbers, dates, times and gaps read back with openpyxl as written."""
    book = XlsxWorkbook()
    sheet = book.sheet("P", ["text", "number", "date", "time", "int"])
    for row in rows:
        sheet.append(row)
    back = list(_book(_save(book))["P"].iter_rows(min_row=2, values_only=True))
    assert len(back) == len(rows)
    for (text, number, day, time, integer), (t, n, d, tm, i) in zip(rows, back, strict=True):
        assert (t or "") == clean_text(text)
        assert Decimal(repr(n)) == number
        assert d == dt.datetime.combine(day, dt.time())
        # A time is a fraction of a day, a float: equal to well within a millisecond.
        seconds = dt.datetime.combine(day, tm) - dt.datetime.combine(day, time)
        assert abs(seconds.total_seconds()) < 0.001
        assert i == integer


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get(SPREADSHEET_VARIABLE) or os.environ.get("CI"):
        pytest.fail(
            "LibreOffice (soffice) is not installed but must run here: .ci/run installs "
            "Debian's libreoffice-calc-nogui"
        )
    pytest.skip("LibreOffice (soffice) is not installed; install it to open workbooks for real")


def libreoffice_sheets(workbook: Path, workdir: Path) -> dict[str, list[list[str]]]:
    """Every sheet of ``workbook`` as LibreOffice shows it, read back from its CSV."""
    soffice = _soffice()
    # Every sheet to its own CSV: comma-separated, UTF-8, cells as shown (token 9), so
    # the number formats we wrote are the ones LibreOffice applies, formulas computed.
    to_csv = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{workdir / 'profile'}",
         "--convert-to", to_csv, "--outdir", str(workdir), str(workbook)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return {
        path.stem.removeprefix(f"{workbook.stem}-"): list(
            csv.reader(io.StringIO(path.read_text("utf-8")))
        )
        for path in workdir.glob(f"{workbook.stem}-*.csv")
    }


def test_libreoffice_opens_the_workbook_and_reads_every_sheet(tmp_path: Path) -> None:
    """A real spreadsheet program opens what we wrote: every sheet, typed values, text kept."""
    book = XlsxWorkbook(max_rows=3, title="run 2026-10")
    lines = book.sheet("Lines", ["date", "time", "product", "amount", "n"])
    lines.append(
        (dt.date(2026, 10, 3), dt.time(1, 30), "=SUM(A1)", Money(Decimal("-2.80"), "EUR"), 3)
    )
    lines.append(
        (dt.date(2026, 10, 25), dt.time(2, 30, 15), 'Café; "Zoë" & <co>', None, Decimal("0.350"))
    )
    lines.append(
        (dt.date(2026, 10, 31), dt.time(23, 59), "東京 Bar", Money(Decimal("1700"), "JPY"), -1)
    )
    book.sheet("It's", ["x"]).append(("y",))
    workbook = tmp_path / "book.xlsx"
    workbook.write_bytes(_save(book))
    read = libreoffice_sheets(workbook, tmp_path)
    assert sorted(read) == ["It's", "Lines", "Lines (2)"]
    # Dates, times and money end in room for the text after them, and so do the headers
    # standing right above them; LibreOffice shows the room as a space.
    header = ["date ", "time ", "product", "amount ", "n "]
    assert read["Lines"] == [
        header,
        ["2026-10-03 ", "01:30:00 ", "'=SUM(A1)", "-2.80 EUR ", "3"],
        ["2026-10-25 ", "02:30:15 ", 'Café; "Zoë" & <co>', "", "0.35"],
    ]
    assert read["Lines (2)"] == [
        header,
        ["2026-10-31 ", "23:59:00 ", "東京 Bar", "1,700 JPY ", "-1"],
    ]
    assert read["It's"] == [["x"], ["y"]]


def libreoffice_pdf(workbook: Path, workdir: Path) -> Path:
    """``workbook`` printed by LibreOffice to a PDF file in ``workdir``."""
    soffice = _soffice()
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{workdir / 'profile'}",
         "--convert-to", "pdf", "--outdir", str(workdir), str(workbook)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return workdir / f"{workbook.stem}.pdf"


def libreoffice_page_sizes(workbook: Path, workdir: Path) -> list[tuple[int, int]]:
    """The size in points of each page LibreOffice prints of ``workbook``, to PDF."""
    pdf = libreoffice_pdf(workbook, workdir).read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(round(float(width)), round(float(height))) for width, height in boxes]


def libreoffice_page_texts(workbook: Path, workdir: Path) -> list[str]:
    """The text of each page LibreOffice prints of ``workbook``, read by poppler."""
    pdf = libreoffice_pdf(workbook, workdir)
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        if os.environ.get(SPREADSHEET_VARIABLE) or os.environ.get("CI"):
            pytest.fail(
                "pdftotext is not installed but must run here: .ci/run installs poppler-utils"
            )
        pytest.skip("pdftotext (poppler-utils) is not installed; install it to read printed pages")
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")
    # Each page ends in a form feed.
    return text.split("\f")[:-1]


def test_sheets_are_printed_on_a4_unless_letter_is_asked() -> None:
    """Paper is A4 (openpyxl's paperSize 9) by default, US Letter (1) when asked."""
    for paper, size in ((None, 9), ("a4", 9), ("letter", 1)):
        book = XlsxWorkbook() if paper is None else XlsxWorkbook(paper=paper)
        book.sheet("Lines", ["x"]).append(("y",))
        ws = openpyxl.load_workbook(io.BytesIO(_save(book)))["Lines"]
        assert ws.page_setup.paperSize == size, paper
        assert ws.page_setup.orientation == "landscape"


@pytest.mark.parametrize("paper", ["A5", "", "legal", 9])
def test_paper_the_workbook_does_not_know_is_refused_by_name(paper: Any) -> None:
    """An unknown paper is refused naming it and the papers there are."""
    with pytest.raises(InvalidValue, match=r"paper .* is not one of 'a4', 'letter'") as caught:
        XlsxWorkbook(paper=paper)
    assert caught.value.value == paper


def test_libreoffice_prints_the_sheets_on_landscape_a4(tmp_path: Path) -> None:
    """Printed to PDF by LibreOffice, every page is A4 across (842 by 595 points)."""
    book = XlsxWorkbook()
    lines = book.sheet("Lines", ["date", "product", "amount"])
    for day in range(1, 32):
        lines.append((dt.date(2026, 10, day), "Koffie", Money(Decimal("2.80"), "EUR")))
    workbook = tmp_path / "book.xlsx"
    workbook.write_bytes(_save(book))
    sizes = libreoffice_page_sizes(workbook, tmp_path)
    assert sizes, "LibreOffice printed no page"
    assert set(sizes) == {(842, 595)}, sizes


def test_a_sheet_the_save_hook_adds_is_written_with_its_rows_and_totals() -> None:
    """A sheet made by the hook (as style_workbook may) is finished like the others."""
    book = XlsxWorkbook()
    book.sheet("Data", ["n"]).append((1,))

    def hook(book: XlsxWorkbook) -> None:
        extra = book.sheet("Extra", ["note", XlsxColumn("amount", total=True)], totals="values")
        extra.append(("=danger", Money(Decimal("2.50"), "EUR")))

    buffer = io.BytesIO()
    book.save(buffer, hook=hook)
    rows = list(_book(buffer.getvalue())["Extra"].iter_rows(values_only=True))
    assert rows == [("note", "amount"), ("'=danger", 2.5), (None, None), ("Total", 2.5)]


def test_bold_headers_and_totals_keep_the_body_font_name_and_size() -> None:
    """The block above, the header and the totals row are the body font in bold, no other."""
    book = XlsxWorkbook()
    sheet = book.sheet(
        "S",
        ["product", XlsxColumn("amount", total=True)],
        above=[("Team A", "2026-10")],
        totals="values",
    )
    sheet.append(("Cola", Money(Decimal("2.50"), "EUR")))
    ws = _book(_save(book))["S"]
    body = ws["A4"].font
    assert (ws["A4"].value, body.b) == ("Cola", False)
    assert None not in (body.name, body.sz)
    bold = {"above": ws["A1"], "header": ws["A3"], "total": ws["A6"], "summed": ws["B6"]}
    assert [cell.value for cell in bold.values()] == ["Team A", "product", "Total", 2.5]
    for where, cell in bold.items():
        font = cell.font
        assert (font.name, font.sz, font.b) == (body.name, body.sz, True), where
        assert (font.family, font.scheme, font.color) == (body.family, body.scheme, body.color)


def test_a_summed_column_is_wide_enough_for_its_total() -> None:
    """A total is longer than the amounts it sums: its column leaves room so it shows, not ###."""
    book = XlsxWorkbook()
    sheet = book.sheet("S", ["product", XlsxColumn("amount", total=True)], totals="values")
    for _ in range(3000):
        sheet.append(("Cola", Money(Decimal("11.20"), "EUR")))
    ws = _book(_save(book))["S"]
    total = ws[ws.max_row][1]
    assert total.value == 33600
    shown = len("33,600.00 EUR")
    assert ws.column_dimensions["B"].width >= shown + 2


def test_a_whole_total_takes_the_whole_number_format_its_cells_take() -> None:
    """Whole quantities summed to a whole total are written without a trailing point."""
    book = XlsxWorkbook()
    column = XlsxColumn("n", number_format="#,##0.###", total=True)
    sheet = book.sheet("S", ["product", column], totals="values")
    for value in (Decimal(3), Decimal("0.5"), Decimal("0.5")):
        sheet.append(("Cola", value))
    ws = _book(_save(book))["S"]
    assert [(c.value, c.number_format) for _, c in ws.iter_rows(min_row=2)] == [
        (3, "#,##0"),
        (0.5, "#,##0.###"),
        (0.5, "#,##0.###"),
        (None, "General"),
        (4, "#,##0"),
    ]


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (Decimal("NaN"), "not a finite number"),
        (Decimal("-Infinity"), "not a finite number"),
        (Money(1.5, "EUR"), "is a float"),  # type: ignore[arg-type]  # a float on purpose
        (Money(Decimal("1.50"), 'EU"R'), "not an ISO 4217 currency code"),
    ],
)
def test_values_a_cell_cannot_hold_exactly_are_refused(value: Any, match: str) -> None:
    """NaN, infinities, float money and made-up currencies are refused, naming the value."""
    book = XlsxWorkbook()
    book.sheet("S", ["a"]).append((value,))
    with pytest.raises(InvalidValue, match=match):
        _save(book)


def test_a_sheet_past_zips_4_gb_limit_gets_zip64_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worksheet too big for plain zip headers is written with ZIP64 ones, and reads back."""
    # 4 GB of rows would take minutes; lower zip's limit instead, as it reads it per entry.
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 5_000)
    book = XlsxWorkbook()
    sheet = book.sheet("Big", ["n", "text"])
    for n in range(300):
        sheet.append((n, f"row {n}"))
    data = _save(book)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        big = archive.getinfo("xl/worksheets/sheet1.xml")
        assert big.file_size > 5_000
        assert big.extra[:2] == b"\x01\x00"  # the ZIP64 extra field's header id
    monkeypatch.undo()
    rows = list(_book(data)["Big"].iter_rows(min_row=2, values_only=True))
    assert rows == [(n, f"row {n}") for n in range(300)]


@pytest.mark.parametrize("first", ["Lines", "Lines (2)"])
def test_continuation_sheets_never_take_a_title_already_used(first: str) -> None:
    """A sheet named like a continuation and the continuation each get a title of their own."""
    book = XlsxWorkbook(max_rows=2)
    other = "Lines (2)" if first == "Lines" else "Lines"
    sheets = [book.sheet(first, ["n"]), book.sheet(other, ["n"])]
    for sheet in sheets:
        sheet.append((1,))
        sheet.append((2,))
    names = _book(_save(book)).sheetnames
    assert len({name.casefold() for name in names}) == len(names) == 4
    assert names[0] == first


def test_a_continuation_title_cannot_be_taken_by_a_new_sheet() -> None:
    """Once Lines (2) continues Lines, a new sheet of that name is refused, ignoring case."""
    book = XlsxWorkbook(max_rows=2)
    sheet = book.sheet("Lines", ["n"])
    for n in range(201):  # past the rows kept back to size the columns
        sheet.append((n,))
    assert "Lines (2)" in sheet.part_titles
    with pytest.raises(InvalidValue, match="taken already"):
        book.sheet("LINES (2)", ["n"])
    book.discard()


def test_many_continuations_close_as_they_fill_and_stay_within_31_characters() -> None:
    """A thousand parts of a 25-character sheet keep Excel's title limit; full parts close."""
    book = XlsxWorkbook(max_rows=2)
    sheet = book.sheet("x" * 25, ["n"])
    for n in range(1_000):
        sheet.append((n,))
    # Each full part is closed, so its temporary file is not held open.
    assert all(ws.closed for ws in sheet.worksheets[:-1])
    data = _save(book)
    titles = sheet.part_titles
    assert (titles[1], titles[998], titles[999]) == (
        "x" * 25 + " (2)",
        "x" * 25 + " (999)",
        "x" * 24 + " (1000)",
    )
    assert all(len(title) <= 31 for title in titles)
    wb = _book(data)
    assert [wb[t]["A2"].value for t in (titles[0], titles[500], titles[999])] == [0, 500, 999]


def test_empty_text_is_a_blank_cell() -> None:
    """Text that cleans to nothing leaves the cell blank, as spreadsheets keep blanks."""
    book = XlsxWorkbook()
    book.sheet("B", ["", "b"]).append(("", "\x00"))
    ws = _book(_save(book))["B"]
    assert [c.value for c in ws[1]] == [None, "b"]
    assert [c.value for c in ws[2]] == [None, None]


@pytest.mark.parametrize("width", [0, -1, 256, float("nan"), True, "12"])
def test_column_widths_excel_cannot_show_are_refused(width: Any) -> None:
    """A width must be a number of characters above 0 and at most 255."""
    with pytest.raises(InvalidValue, match="column width"):
        XlsxColumn("amount", width=width)


def test_more_columns_than_excel_holds_are_refused() -> None:
    """A sheet of more than 16,384 columns is refused, saying to split it."""
    with pytest.raises(InvalidValue, match="at most 16384"):
        XlsxWorkbook().sheet("Wide", [f"c{n}" for n in range(16_385)])


def test_repeated_values_read_back_the_same_in_every_row() -> None:
    """Values that come back row after row are written each time, formatted per column."""
    book = XlsxWorkbook(max_rows=4)
    columns = [
        XlsxColumn("date", number_format="dd-mm-yyyy"),
        XlsxColumn("quantity", number_format="#,##0.###", total=True),
        XlsxColumn("amount", total=True),
        XlsxColumn("text"),
    ]
    sheet = book.sheet("Repeat", columns, totals="values")
    day, two, cash = dt.date(2026, 10, 25), Decimal("2"), Money(Decimal("4.80"), "EUR")
    for _ in range(5):
        sheet.append((day, two, cash, "#N/A"))
    sheet.append((day, Decimal("2.5"), cash, "Pils"))
    wb = _book(_save(book))
    rows = [row for ws in wb.worksheets for row in ws.iter_rows(min_row=2, values_only=False)]
    data = [row for row in rows if row[0].value not in (None, "Totaal", "Total")]
    assert len(data) == 6
    for date, _, amount, text in data:
        assert (date.value, date.number_format) == (dt.datetime(2026, 10, 25), "dd-mm-yyyy")
        assert (amount.value, amount.number_format) == (4.8, '#,##0.00 "EUR"_-')
        assert text.data_type == "s"
    assert [q.number_format for _, q, _, _ in data] == ["#,##0"] * 5 + ["#,##0.###"]
    *_, totals = rows
    assert [cell.value for cell in totals[:3]] == ["Total", 12.5, 28.8]


def test_a_float_after_an_equal_decimal_is_still_refused() -> None:
    """A float equal to a number written before in its column is refused, not taken for it."""
    book = XlsxWorkbook()
    sheet = book.sheet("S", ["a"])
    sheet.append((Decimal("1.5"),))
    sheet.append((1.5,))  # type: ignore[arg-type]  # a float on purpose
    with pytest.raises(InvalidValue, match="floats cannot hold money exactly"):
        _save(book)


def test_an_unhashable_cell_is_refused_by_name() -> None:
    """A list in a row is refused like any other value that is no cell."""
    with XlsxWorkbook() as book:
        sheet = book.sheet("S", ["a", "b"])
        for _ in range(199):
            sheet.append(("a", "b"))
        # The 200th row fixes the widths and writes the rows kept so far.
        with pytest.raises(InvalidValue, match=r"\[1\] is a list"):
            sheet.append(("a", [1]))  # type: ignore[list-item]  # a list on purpose


def test_amounts_beside_a_currency_column_leave_the_code_to_it() -> None:
    """Beside a currency column amounts and totals show no code; the block above keeps its own."""
    book = XlsxWorkbook()
    columns = ["product", XlsxColumn("amount", total=True), XlsxColumn("currency", currency=True)]
    sheet = book.sheet(
        "S", columns, above=[("Opening", Money(Decimal("5"), "USD"))], totals="values"
    )
    sheet.append(("Cola", Money(Decimal("2.50"), "EUR"), "EUR"))
    sheet.append(("Sake", Money(Decimal("850"), "JPY"), "JPY"))
    plain = XlsxWorkbook()
    alone = plain.sheet("S", ["product", XlsxColumn("amount", total=True)], totals="values")
    alone.append(("Cola", Money(Decimal("2.50"), "EUR")))
    ws, other = _book(_save(book))["S"], _book(_save(plain))["S"]
    assert ws["B1"].number_format == '#,##0.00 "USD"_-'
    assert [ws["B4"].number_format, ws["B5"].number_format] == ["#,##0.00_-", "#,##0_-"]
    totals = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=7)]
    assert totals == [("Total EUR", 2.5, "EUR"), ("Total JPY", 850, "JPY")]
    assert ws["B7"].number_format == "#,##0.00_-"
    assert other["B2"].number_format == '#,##0.00 "EUR"_-'


@pytest.mark.parametrize("totals", ["values", "formulas"])
def test_the_totals_label_goes_beside_a_summed_first_column_not_over_its_total(
    totals: Literal["values", "formulas"],
) -> None:
    """With the first column summed, the label takes the first column without a total."""
    book = XlsxWorkbook()
    columns = [XlsxColumn("amount", total=True), "note", XlsxColumn("count", total=True)]
    sheet = book.sheet("S", columns, totals=totals)
    sheet.append((Money(Decimal("1.00"), "EUR"), "p", 2))
    sheet.append((Money(Decimal("2.50"), "EUR"), "q", 3))
    ws = _book(_save(book))["S"]
    last = [cell.value for cell in ws[ws.max_row]]
    if totals == "values":
        assert last == [3.5, "Total", 5]
    else:
        assert last == ["=SUBTOTAL(109,A2:A3)", "Total", "=SUBTOTAL(109,C2:C3)"]


def test_a_sheet_summing_every_column_is_refused_for_want_of_a_label_column() -> None:
    """A totals row needs a column for its label; a sheet with none is refused, saying so."""
    book = XlsxWorkbook()
    with pytest.raises(InvalidValue) as refused:
        book.sheet("Sums", [XlsxColumn("amount", total=True)], totals="values")
    assert str(refused.value) == (
        "sheet 'Sums' sums or names the currency in every column, which leaves none for the "
        "totals row's label ('Total'); add a column without a total or currency, or ask for "
        "no totals row"
    )
    assert book.sheet("Alone", [XlsxColumn("amount", total=True)]).title == "Alone"


def test_a_workbook_date_format_applies_where_no_column_gives_one() -> None:
    """Dates above the header take the workbook's date format; a blank format is refused."""
    book = XlsxWorkbook(date_format="dd-mm-yyyy")
    sheet = book.sheet("S", ["product"], above=[("Factuurdatum", dt.date(2026, 11, 1))])
    sheet.append(("Cola",))
    ws = _book(_save(book))["S"]
    assert ws["B1"].number_format == "dd-mm-yyyy"
    with pytest.raises(InvalidValue, match="date format '' is no number format"):
        XlsxWorkbook(date_format="")


def test_a_column_is_wide_enough_for_the_amounts_above_its_header() -> None:
    """An invoiced total in the block above shows whole, not as ###, over a column of counts."""
    book = XlsxWorkbook()
    above = [("Gefactureerd", Money(Decimal("-2131.55"), "EUR"))]
    sheet = book.sheet("S", ["datum", "aankopen"], above=above)
    sheet.append((dt.date(2026, 10, 3), 2))
    ws = _book(_save(book))["S"]
    assert ws.column_dimensions["B"].width >= len("-2,131.55 EUR") + 2
