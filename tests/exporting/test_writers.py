"""The shared CSV writer, and atomic file and directory exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onaccount import InvalidValue, InvoiceState, commit_run, plan_run
from onaccount.exporting import (
    EXCEL_NL,
    RFC4180,
    Cell,
    CsvDialect,
    CsvWriter,
    ExportDocument,
    ExportFailed,
    ExportTargetExists,
    Money,
    clean_text,
    default_stem,
    export_files,
    export_to_directory,
    export_to_file,
    split_by_account,
    write_atomically,
)
from onaccount.testing import SAMPLE_PERIOD, strategies
from onaccount.testing._samples import sample_ledger, sample_plan, sample_run, sample_statement
from onaccount_exporters import CsvExporter, CsvOptions, UblExporter, XlsxExporter
from tests.exporters._billing import ADMIN, RUN_AT, SELLER, billed_ledger

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


# The samples' statement, plan and run read their purchases back from this ledger.
SAMPLES = sample_ledger()


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
    """Cells must be text, int, Decimal, Money, date, time or None; the refusal names the type."""
    said = rf"is a {type(value).__name__}; write str, int, Decimal, Money, date, time or None"
    with pytest.raises(InvalidValue, match=said):
        _csv(RFC4180, [(value,)])


def test_negative_zero_is_written_without_a_sign() -> None:
    """Decimal('-0.00') is written as 0.00."""
    assert _csv(RFC4180, [(Decimal("-0.00"),)]) == b"0.00\r\n"


# -- files -------------------------------------------------------------------------------


class FailingCsv(CsvExporter):
    """A CSV exporter that writes its output and then fails when account 2001 is in it."""

    def write(self, document: ExportDocument, stream: BinaryIO, options: CsvOptions) -> None:
        """Write, then raise if account 2001 is exported."""
        super().write(document, stream, options)
        if any(e.account.number == "2001" for e in document.accounts):
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
    path = export_to_file(
        CsvExporter(), sample_run(), tmp_path / "run.csv", {"layout": "days"}, ledger=SAMPLES
    )
    assert path.read_bytes() == CsvExporter().export_bytes(
        sample_run(), {"layout": "days"}, ledger=SAMPLES
    )


def test_export_to_directory_writes_one_file_per_run(tmp_path: Path) -> None:
    """Per run, one file named after the run's period and key."""
    (path,) = export_to_directory(
        CsvExporter(), sample_run(), tmp_path / "exports", ledger=SAMPLES
    )
    assert path == tmp_path / "exports" / "run-2026-10-2026-10-lines.csv"
    assert path.read_bytes() == CsvExporter().export_bytes(sample_run(), ledger=SAMPLES)
    assert default_stem(sample_plan()) == "plan 2026-10"
    assert default_stem(sample_statement()) == "1042 Team A 2026-10"


def test_export_to_directory_writes_one_safely_named_file_per_account(tmp_path: Path) -> None:
    """Per standing account invoice, one file each, named from number, name and period, safe."""
    paths = export_to_directory(
        CsvExporter(), sample_run(), tmp_path, per="account", ledger=SAMPLES
    )
    # Account -7's invoice is undone: it bills nothing, and gets no (blank) file.
    assert [p.name for p in paths] == [
        "1042-Team-A-run-2026-10-2026-10-lines.csv",
        "2001-Café-Zoë;-_quoted_-run-2026-10-2026-10-lines.csv",
        "3003-東京-Bar-run-2026-10-2026-10-lines.csv",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    one = split_by_account(sample_run())[0][1]
    assert paths[0].read_bytes() == CsvExporter().export_bytes(one, ledger=SAMPLES)


def test_files_per_account_name_their_run_so_a_later_run_or_a_preview_keeps_its_own(
    tmp_path: Path,
) -> None:
    """Per account, a plan's, a run's and a redo run's files differ in name: none is refused."""
    run = sample_run()
    redo = attrs.evolve(run, id="redo", key="2026-10-redo")
    written = [
        export_to_directory(CsvExporter(), source, tmp_path, per="account", ledger=SAMPLES)
        for source in (sample_plan(), run, redo)
    ]
    names = [[p.name for p in paths if p.name.startswith("1042-")] for paths in written]
    assert names == [
        ["1042-Team-A-plan-2026-10-lines.csv"],
        ["1042-Team-A-run-2026-10-2026-10-lines.csv"],
        ["1042-Team-A-run-2026-10-2026-10-redo-lines.csv"],
    ]
    (statement,) = export_to_directory(
        CsvExporter(), sample_statement(), tmp_path, per="account", ledger=SAMPLES
    )
    assert statement.name == "1042-Team-A-2026-10-lines.csv"


def test_file_names_carry_the_layout_so_layouts_never_overwrite_each_other(
    tmp_path: Path,
) -> None:
    """Exports of one run in two layouts get two names; a third export of one is refused."""
    run = sample_run()
    (lines,) = export_to_directory(CsvExporter(), run, tmp_path, ledger=SAMPLES)
    (days,) = export_to_directory(CsvExporter(), run, tmp_path, {"layout": "days"}, ledger=SAMPLES)
    (book,) = export_to_directory(XlsxExporter(), run, tmp_path, ledger=SAMPLES)
    assert [lines.name, days.name, book.name] == [
        "run-2026-10-2026-10-lines.csv",
        "run-2026-10-2026-10-days.csv",
        "run-2026-10-2026-10.xlsx",
    ]
    assert lines.read_bytes() == CsvExporter().export_bytes(run, ledger=SAMPLES)
    days.write_bytes(b"edited")
    with pytest.raises(ExportTargetExists, match=r"run-2026-10-2026-10-days\.csv exists already"):
        export_to_directory(CsvExporter(), run, tmp_path, {"layout": "days"}, ledger=SAMPLES)
    assert days.read_bytes() == b"edited"


def test_a_file_left_of_an_invoice_undone_since_is_named_in_the_report(tmp_path: Path) -> None:
    """Per account, an earlier export's file of an invoice undone since is noted, not kept."""
    run = sample_run()
    undone = next(i for i in run.invoices if i.state is InvoiceState.UNDONE)
    before = attrs.evolve(
        run,
        invoices=tuple(
            attrs.evolve(i, state=InvoiceState.ACTIVE) if i is undone else i for i in run.invoices
        ),
    )
    earlier = export_files(CsvExporter(), before, tmp_path, per="account", ledger=SAMPLES)
    report = export_files(CsvExporter(), run, tmp_path, per="account", ledger=SAMPLES)
    (left,) = set(earlier.paths) - set(report.paths)
    assert report.notes == (
        f"{left.name} is left from an earlier export: it holds account "
        f"{undone.account.label}, whose invoice was undone since; remove it before sending "
        "these files",
    )
    left.unlink()
    assert export_files(CsvExporter(), run, tmp_path, per="account", ledger=SAMPLES).notes == ()


def test_an_export_of_a_run_says_which_invoices_undone_since_it_leaves_out(
    tmp_path: Path,
) -> None:
    """A run's export names the undone invoices it leaves out, which an earlier one held."""
    run = sample_run()
    undone = next(i for i in run.invoices if i.state is InvoiceState.UNDONE)
    report = export_files(CsvExporter(), run, tmp_path, ledger=SAMPLES)
    assert report.notes == (
        f"left out the undone invoice of account {undone.account.label} ("
        f"{undone.total} {undone.account.currency}); an export of this run made before it "
        "was undone still holds it: book or send its reversal where that export went",
    )
    active = attrs.evolve(
        run,
        invoices=tuple(attrs.evolve(i, state=InvoiceState.ACTIVE) for i in run.invoices),
    )
    assert export_files(CsvExporter(), active, tmp_path / "all", ledger=SAMPLES).notes == ()


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
            state=InvoiceState.ACTIVE,
        )
        for n, invoice in zip(["x/1", "x:1", "x?1"], run.invoices, strict=False)
    ]
    paths = export_to_directory(
        CsvExporter(),
        attrs.evolve(run, invoices=tuple(same)),
        tmp_path,
        per="account",
        ledger=SAMPLES,
    )
    assert [p.name for p in paths] == [
        "x_1-A_B-run-2026-10-2026-10-lines.csv",
        "x_1-A_B-run-2026-10-2026-10-lines-2.csv",
        "x_1-A_B-run-2026-10-2026-10-lines-3.csv",
    ]


def test_an_exporter_failing_on_one_account_leaves_no_file_behind(tmp_path: Path) -> None:
    """When the export of one account fails, no account's file or temporary file remains."""
    target = tmp_path / "exports"
    with pytest.raises(ExportFailed, match="OSError: disk full"):
        export_to_directory(FailingCsv(), sample_run(), target, per="account", ledger=SAMPLES)
    assert not target.exists()
    tmp_path.joinpath("kept").mkdir()
    with pytest.raises(ExportFailed, match="OSError: disk full"):
        export_to_directory(
            FailingCsv(), sample_run(), tmp_path / "kept", per="account", ledger=SAMPLES
        )
    assert list((tmp_path / "kept").iterdir()) == []
    with pytest.raises(ExportFailed, match="OSError: disk full"):
        export_to_directory(FailingCsv(), sample_run(), tmp_path / "kept", ledger=SAMPLES)
    assert list((tmp_path / "kept").iterdir()) == []


def test_repeating_an_export_keeps_the_files_that_hold_its_bytes_already(
    tmp_path: Path,
) -> None:
    """A repeated export leaves files with the same bytes as they are and reports them."""
    first = export_files(CsvExporter(), sample_run(), tmp_path, per="account", ledger=SAMPLES)
    assert first.unchanged == ()
    (tmp_path / "1042-Team-A-run-2026-10-2026-10-lines.csv").unlink()
    kept = {p.name: os.stat(p).st_ino for p in first.paths if p.exists()}
    again = export_files(CsvExporter(), sample_run(), tmp_path, per="account", ledger=SAMPLES)
    assert again.paths == first.paths
    assert {p.name for p in again.unchanged} == set(kept)
    assert {p.name: os.stat(p).st_ino for p in again.unchanged} == kept
    assert (tmp_path / "1042-Team-A-run-2026-10-2026-10-lines.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in first.paths)
    assert write_atomically(tmp_path / "same.txt", lambda s: s.write(b"x")).read_bytes() == b"x"
    assert write_atomically(tmp_path / "same.txt", lambda s: s.write(b"x")).read_bytes() == b"x"


def test_directory_export_refuses_other_bytes_before_changing_a_file(tmp_path: Path) -> None:
    """An existing file with other bytes stops the export before any file is changed."""
    (tmp_path / "1042-Team-A-run-2026-10-2026-10-lines.csv").write_bytes(b"old")
    with pytest.raises(ExportTargetExists, match=r"1042-Team-A-run-2026-10-2026-10-lines\.csv"):
        export_to_directory(CsvExporter(), sample_run(), tmp_path, per="account", ledger=SAMPLES)
    assert [p.name for p in tmp_path.iterdir()] == ["1042-Team-A-run-2026-10-2026-10-lines.csv"]
    paths = export_to_directory(
        CsvExporter(), sample_run(), tmp_path, per="account", overwrite=True, ledger=SAMPLES
    )
    assert len(paths) == 3
    assert (tmp_path / "1042-Team-A-run-2026-10-2026-10-lines.csv").read_bytes() != b"old"


def test_an_export_refused_whole_lists_its_refusals_and_leaves_no_file_in_the_way(
    tmp_path: Path,
) -> None:
    """Nothing written: only a refusals list is left, and the mended export needs no force."""
    ledger = billed_ledger()
    plan = plan_run(ledger, SAMPLE_PERIOD, ["1042", "2001", "3003"], "zero-balance", actor=ADMIN)
    run = commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)
    refused = export_files(UblExporter(), run, tmp_path, ledger=ledger)
    assert refused.nothing_written
    (listed,) = refused.paths
    assert listed.name == "run-2026-10-2026-10.ubl.zip.refused.txt"
    assert refused.refusals_listed_in == listed.name
    assert [p.name for p in tmp_path.iterdir()] == [listed.name]
    header, *rows = listed.read_text(encoding="utf-8").splitlines()
    assert header == "account\tfield\twhat to do"
    assert len(rows) == len(refused.refusals)
    again = export_files(UblExporter(), run, tmp_path, ledger=ledger)
    assert again.paths == again.unchanged == (listed,)
    mended = export_files(UblExporter(), run, tmp_path, SELLER, ledger=ledger)
    assert mended.written
    (archive,) = mended.paths
    assert [p.name for p in tmp_path.iterdir()] == [archive.name]
    assert archive.name == "run-2026-10-2026-10.ubl.zip"


def test_directory_export_refuses_an_unknown_split() -> None:
    """Per must be 'run' or 'account'."""
    with pytest.raises(InvalidValue, match="use 'run'"):
        export_to_directory(CsvExporter(), sample_run(), ".", per="day", ledger=SAMPLES)  # type: ignore[arg-type]  # wrong on purpose


# -- CSV fields ----------------------------------------------------------------------------

TEXTS = st.text(max_size=30) | st.sampled_from(strategies.HOSTILE_TEXTS)


def _stdlib(dialect: CsvDialect, rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=dialect.delimiter, lineterminator=dialect.line_terminator
    )
    writer.writerows(rows)
    return (("\ufeff" if dialect.bom else "") + buffer.getvalue()).encode("utf-8")


# Cheap examples, and the texts that need quoting are a small share of the draws.
@settings(max_examples=200)
@given(
    dialect=st.sampled_from([EXCEL_NL, RFC4180]),
    rows=st.lists(st.lists(TEXTS, min_size=1, max_size=5), max_size=8),
)
def test_csv_quotes_text_exactly_as_the_csv_module_does(
    dialect: CsvDialect, rows: list[list[str]]
) -> None:
    """Cleaned text is quoted byte for byte as csv.writer quotes it, and reads back the same."""
    cleaned = [[clean_text(text) for text in row] for row in rows]
    written = _csv(dialect, rows)  # type: ignore[arg-type]  # lists of str are rows
    assert written == _stdlib(dialect, cleaned)
    text = written.decode("utf-8-sig" if dialect.bom else "utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter)
    assert list(reader) == cleaned


def test_a_delimiter_that_numbers_contain_makes_numbers_quoted() -> None:
    """With '.' or '-' between fields, numbers, dates and times are quoted and read back."""
    for delimiter in (".", "-", ":"):
        dialect = CsvDialect(name="odd", delimiter=delimiter, decimal=".", bom=False, dates="iso")
        data = _csv(dialect, [(Decimal("-2.50"), dt.date(2026, 10, 3), dt.time(1, 30), 7)])
        fields = next(csv.reader(io.StringIO(data.decode(), newline=""), delimiter=delimiter))
        assert fields == ["-2.50", "2026-10-03", "01:30:00", "7"]


def test_the_writer_counts_its_rows() -> None:
    """Rows counts every row written, the header too."""
    buffer = io.BytesIO()
    with CsvWriter(buffer, RFC4180) as writer:
        writer.writerow(("a", "b"))
        writer.writerows([("1", Decimal(2)), ("3", None)])
    assert writer.rows == 3


def test_a_lone_empty_field_is_quoted_so_the_row_is_not_blank() -> None:
    """A row of one empty field is written as "" (as csv.writer does); an empty row is blank."""
    assert _csv(RFC4180, [("",), (None,), ()]) == b'""\r\n""\r\n\r\n'


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Money(1.5, "EUR")])  # type: ignore[arg-type]  # a float on purpose
def test_csv_refuses_numbers_that_are_not_finite_decimals(value: Any) -> None:
    """NaN, infinities and float money are refused rather than written as text."""
    with pytest.raises(InvalidValue, match=r"finite|float"):
        _csv(RFC4180, [(value,)])


def test_a_closed_csv_writer_refuses_more_rows() -> None:
    """Rows after close() are refused, not dropped without a word."""
    writer = CsvWriter(io.BytesIO(), RFC4180)
    writer.writerow(("a",))
    writer.close()
    with pytest.raises(InvalidValue, match="was closed"):
        writer.writerow(("b",))


@pytest.mark.parametrize(
    "change",
    [{"delimiter": ";;"}, {"delimiter": '"'}, {"decimal": ""}, {"line_terminator": "|"}],
)
def test_csv_dialects_that_cannot_work_are_refused(change: dict[str, str]) -> None:
    """Delimiters and decimal marks are one character, not a quote; lines end in a break."""
    spelled = {"name": "x", "delimiter": ";", "decimal": ",", "bom": False, "dates": "iso"}
    with pytest.raises(InvalidValue, match="CSV dialect 'x'"):
        CsvDialect(**{**spelled, **change})  # type: ignore[arg-type]  # wrong on purpose


def test_equal_numbers_keep_their_own_spelling_row_after_row() -> None:
    """1, 1.0 and 1.00 are equal Decimals but each is written as given, however often."""
    one, one_point, one_cents = Decimal("1"), Decimal("1.0"), Decimal("1.00")
    rows = [(one, one_point, one_cents, one)] * 3 + [(Decimal("1.0"), 1, Decimal("1"), None)]
    assert _csv(RFC4180, rows) == b"1,1.0,1.00,1\r\n" * 3 + b"1.0,1,1,\r\n"


def test_a_float_equal_to_a_number_written_before_is_still_refused() -> None:
    """A float after an equal Decimal, or True after 1, is refused, not taken for it."""
    for value in (1.5, True):
        with pytest.raises(InvalidValue, match=f"is a {type(value).__name__}; write str"):
            _csv(RFC4180, [(Decimal("1.5"), 1), (value, value)])


def test_an_unhashable_value_is_refused_by_name() -> None:
    """A list in a row is no cell, refused like any other value that is not one."""
    with pytest.raises(InvalidValue, match=r"\[1\] is a list"):
        _csv(RFC4180, [("a", [1])])


def test_repeated_text_is_cleaned_every_time() -> None:
    """Text seen before is neutralised again when it comes back, with other values between."""
    rows = [("=1+1", dt.date(2026, 10, 1), dt.time(4, 0))] * 2
    assert _csv(RFC4180, rows) == b"'=1+1,2026-10-01,04:00:00\r\n" * 2
