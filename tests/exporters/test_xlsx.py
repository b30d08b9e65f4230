"""The xlsx exporter: sheets, typed cells, row cap, golden file and openpyxl round trips."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest
from hypothesis import given, settings

from onaccount import (
    Account,
    AccountInvoice,
    InvoiceRun,
    InvoiceState,
    Line,
    MemoryLedger,
    Purchase,
    Vat,
    commit_run,
    minor_unit,
    open_account,
    plan_run,
)
from onaccount.exporting import EXCEL_MAX_ROWS, clean_text, sheet_title, vat_label
from onaccount.ledger import Ledger
from onaccount.testing import SAMPLE_PERIOD, strategies
from onaccount.testing._golden import assert_golden
from onaccount.testing._samples import (
    FORMULA_PRODUCT,
    sample_ledger,
    sample_plan,
    sample_run,
    sample_statement,
)
from onaccount_exporters import XlsxExporter
from onaccount_exporters._tables import DAY_COLUMNS, LINE_COLUMNS
from tests.exporters._billing import ADMIN, AMS, RUN_AT, zero_run
from tests.exporting.test_xlsx import libreoffice_sheets

GOLDEN = Path(__file__).parent / "golden"
XLSX = XlsxExporter()
# The samples' statement, plan and run all read their purchases back from this one.
SAMPLES = sample_ledger()


def written(source: Any, options: Any = None, *, ledger: Ledger = SAMPLES) -> bytes:
    """What the exporter writes of ``source``, its purchases read back from ``ledger``."""
    return XLSX.export_bytes(source, options, ledger=ledger)


EN = {"language": "en"}
EUR = '#,##0.00 "EUR"_-'
# Beside a currency column, as in the lines, days and summary sheets.
EUR_BESIDE = "#,##0.00_-"


def load(data: bytes) -> Any:
    """The workbook, read back with openpyxl."""
    return openpyxl.load_workbook(io.BytesIO(data))


def records(book: Any, sheet: str) -> list[dict[str, Any]]:
    """The rows of a sheet and its continuation sheets, as dicts under the field names.

    Headers are read back to field names through the English labels; a blank row ends
    the data (the totals row follows it).
    """
    names = {c.label("en"): c.name for c in (*LINE_COLUMNS, *DAY_COLUMNS)}
    names.update({"Account": "account", "Name": "account_name", "Total": "total"})
    rows: list[dict[str, Any]] = []
    for ws in book.worksheets:
        if ws.title == sheet or ws.title.startswith(f"{sheet} ("):
            values = list(ws.iter_rows(values_only=True))
            header = [names.get(str(h), str(h)) for h in values[0]]
            for row in values[1:]:
                if all(v is None for v in row):
                    break
                rows.append(dict(zip(header, row, strict=True)))
    return rows


def cents(value: float | int, currency: str) -> Decimal:
    """A number cell read back as the exact amount it stands for."""
    return Decimal(repr(value)).quantize(minor_unit(currency))


def test_sample_run_matches_its_golden_file() -> None:
    """The sample run's workbook holds the reviewed content, member by member."""
    assert_golden(written(sample_run()), GOLDEN / "run.xlsx")


def test_sheets_are_dutch_by_default_and_english_on_request() -> None:
    """A run gives Overzicht, Regels, Dagen (Summary, Lines, Days); options leave some out."""
    assert load(written(sample_run())).sheetnames == ["Overzicht", "Regels", "Dagen"]
    assert load(written(sample_run(), EN)).sheetnames == ["Summary", "Lines", "Days"]
    assert load(written(sample_run(), {"lines": False, **EN})).sheetnames == [
        "Summary",
        "Days",
    ]
    only = load(written(sample_plan(), {"lines": False, "days": False, **EN}))
    assert only.sheetnames == ["Summary"]


def test_labels_are_the_languages_and_dates_follow_it() -> None:
    """Headers are labels in the language; dates are dd-mm-yyyy in Dutch and ISO in English."""
    dutch = load(written(sample_statement()))["Regels"]
    assert [c.value for c in dutch[1]] == [c.label("nl") for c in LINE_COLUMNS]
    assert dutch["A2"].number_format == "dd-mm-yyyy_-"
    english = load(written(sample_statement(), EN))["Lines"]
    assert [c.value for c in english[1]] == [c.label("en") for c in LINE_COLUMNS]
    assert english["A2"].number_format == "yyyy-mm-dd_-"


def test_the_summary_shows_state_and_strategy_in_words_of_its_language() -> None:
    """A run's accounts are 'gefactureerd' under 'saldo op nul', or 'invoiced', 'zero balance'."""
    dutch = list(load(written(sample_run()))["Overzicht"].iter_rows(values_only=True))
    header = dutch[0]
    first = dict(zip(header, dutch[1], strict=True))
    assert (first["Status"], first["Strategie"]) == ("gefactureerd", "saldo op nul")
    english = list(load(written(sample_run(), EN))["Summary"].iter_rows(values_only=True))
    first = dict(zip(english[0], english[1], strict=True))
    assert (first["State"], first["Strategy"]) == ("invoiced", "zero balance")


def test_every_number_column_has_its_format() -> None:
    """Money in its currency, unit price with its places, quantity, VAT % and counts formatted."""
    book = load(written(sample_statement(), EN))
    first = dict(zip([c.name for c in LINE_COLUMNS], book["Lines"][2], strict=True))
    assert first["business_date"].is_date
    assert first["business_date"].value == dt.datetime(2026, 10, 3)
    assert first["sale_time"].value == dt.time(21, 0)
    assert (first["amount"].value, first["amount"].number_format) == (11.2, EUR_BESIDE)
    assert (first["unit_price"].value, first["unit_price"].number_format) == (2.8, "#,##0.00##_-")
    assert (first["quantity"].value, first["quantity"].number_format) == (4, "#,##0_-")
    assert (first["vat_percent"].value, first["vat_percent"].number_format) == (21, '0"%"_-')
    day = book["Days"][2]
    assert (day[3].value, day[3].number_format) == (2, "#,##0_-")


def test_number_date_and_time_headers_stand_right_above_their_values() -> None:
    """Every header is aligned as its column: right above numbers, money, dates and times."""
    book = load(written(sample_run(), EN))
    for ws in book.worksheets:
        for column in ws.iter_cols(max_row=ws.max_row - 2):
            header, *cells = column
            value = next(cell for cell in cells if cell.value is not None)
            right = isinstance(value.value, (int, float, dt.date, dt.time))
            assert header.alignment.horizontal == ("right" if right else None), header.value


def test_headers_are_frozen_filtered_printed_on_every_page_and_columns_fit() -> None:
    """Bold frozen header with a filter, repeated when printed; widths fit with room."""
    book = load(written(sample_statement(), EN))
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.b
        assert ws.auto_filter.ref.startswith("A1:")
        assert ws.print_title_rows == "$1:$1"
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(8 <= w <= 60 for w in widths)
        assert all(w >= len(str(c.value or "")) + 2 for c, w in zip(ws[1], widths, strict=True))


def test_pages_are_landscape_fit_to_width_with_header_and_page_numbers() -> None:
    """Print set-up: landscape, one page wide, the account and period on top, page numbers."""
    ws = load(written(sample_statement(), EN))["Lines"]
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddHeader.center.text == "1042 Team A · 2026-10"
    assert ws.oddFooter.right.text == "&P / &N"
    margins = ws.page_margins
    # Excel's Normal margins: the header and footer 0.3 in from the edge, within them.
    assert (margins.top, margins.bottom, margins.header, margins.footer) == (0.75, 0.75, 0.3, 0.3)


def test_sheets_are_printed_on_a4_and_on_letter_when_the_option_says() -> None:
    """Every sheet's paper is A4 by default; paper=letter asks for US Letter."""
    for options, size in ((EN, 9), ({**EN, "paper": "letter"}, 1)):
        book = load(written(sample_statement(), options))
        assert {ws.page_setup.paperSize for ws in book.worksheets} == {size}, options


def test_every_printed_page_names_the_club_the_account_and_the_period() -> None:
    """The page header names the club (seller_name) and the account and period; pages count."""
    club = {"language": "en", "layout": "statement", "seller_name": "VV De Bal & Co"}
    book = load(written(sample_statement(), club))
    for ws in book.worksheets:
        assert ws.oddHeader.left.text == "VV De Bal && Co"
        assert ws.oddHeader.center.text == "1042 Team A · 2026-10"
        assert ws.oddFooter.right.text == "&P / &N"
    run = load(written(sample_run(), {"seller_name": "VV De Bal"}))
    assert {ws.oddHeader.left.text for ws in run.worksheets} == {"VV De Bal"}
    # In the workbook's language: a Dutch one says what the document is in Dutch.
    assert {ws.oddHeader.center.text for ws in run.worksheets} == {"facturatie 2026-10"}
    english = load(written(sample_run(), {"seller_name": "VV De Bal", **EN}))
    assert {ws.oddHeader.center.text for ws in english.worksheets} == {"run 2026-10"}


def test_without_a_club_name_the_page_header_names_the_account_and_period() -> None:
    """No seller_name: no left header, the account and period still in the middle."""
    ws = load(written(sample_statement(), EN))["Lines"]
    assert ws.oddHeader.left.text is None
    assert ws.oddHeader.center.text == "1042 Team A · 2026-10"


def test_each_sheet_ends_with_a_totals_row_of_values_or_formulas() -> None:
    """The totals row sums amount columns per currency, not quantities; SUBTOTAL on request."""
    statement = sample_statement()
    ws = load(written(statement, EN))["Lines"]
    last = [c.value for c in ws[ws.max_row]]
    amount = [c.name for c in LINE_COLUMNS].index("amount")
    assert last[0] == "Total"
    assert Decimal(repr(last[amount])) == statement.total
    assert ws[ws.max_row][amount].font.b
    # Pieces, kilos and litres of different products add up to nothing.
    assert last[[c.name for c in LINE_COLUMNS].index("quantity")] is None
    data = written(statement, {"totals": "formulas", **EN})
    ws = load(data)["Lines"]
    formula = ws[ws.max_row][amount]
    assert formula.value.startswith("=SUBTOTAL(109,K2:K")
    assert formula.data_type == "f"
    assert formula.number_format == EUR_BESIDE
    none = load(written(statement, {"totals": "none", **EN}))["Lines"]
    assert none[none.max_row][0].value != "Total"


def test_libreoffice_sums_the_formula_totals_to_the_statement_total(tmp_path: Path) -> None:
    """LibreOffice computes the totals row's formulas: the amount shown is the total."""
    statement = sample_statement()
    workbook = tmp_path / "statement.xlsx"
    workbook.write_bytes(written(statement, {"totals": "formulas", "lines": True, **EN}))
    shown = libreoffice_sheets(workbook, tmp_path)["Lines"]
    amount = [c.name for c in LINE_COLUMNS].index("amount")
    quantity = [c.name for c in LINE_COLUMNS].index("quantity")
    assert shown[-1][0] == "Total"
    # The formats end in room for the next column's text, shown as a space.
    assert shown[-1][amount] == f"{statement.total:,.2f} "
    # Six beers and 0.35 kg of cheese add up to nothing: quantities are not totalled.
    assert shown[-1][quantity] == ""


def test_filters_cover_the_data_rows_not_the_totals_row() -> None:
    """Sorting or filtering the data leaves the totals row where it is, below the data."""
    ws = load(written(sample_statement(), EN))["Lines"]
    last_data = (
        next(row for row in range(ws.max_row, 1, -1) if all(c.value is None for c in ws[row])) - 1
    )
    assert ws.auto_filter.ref == f"A1:N{last_data}"
    assert ws[ws.max_row][0].value == "Total"


def test_a_runs_totals_are_what_it_still_bills_its_undone_invoices_left_out() -> None:
    """Every sheet's totals row is the run's standing total; undone accounts are not listed."""
    run = sample_run()
    assert run.standing_totals != run.totals
    book = load(written(run, EN))
    amount = {"Summary": 4, "Lines": 10, "Days": 4}
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        totals = {
            r[0].removeprefix("Total "): r[amount[ws.title]]
            for r in rows
            if r[0] and str(r[0]).startswith("Total ")
        }
        assert {c: Decimal(repr(v)) for c, v in totals.items()} == run.standing_totals, ws.title
        listed = {r[[c.value for c in ws[1]].index("Account")] for r in rows[1:]}
        assert "-7" not in listed, ws.title


def test_a_run_in_two_currencies_has_a_totals_row_per_currency() -> None:
    """Euro and yen amounts are never added: one totals row each."""
    ws = load(written(sample_run(), EN))["Summary"]
    totals = [row for row in ws.iter_rows(values_only=True) if str(row[0]).startswith("Total ")]
    assert [row[0] for row in totals] == ["Total EUR", "Total JPY"]
    assert [row[4] for row in totals] == [
        float(sample_run().standing_totals["EUR"]),
        int(sample_run().standing_totals["JPY"]),
    ]


def test_the_statement_layout_is_the_account_view() -> None:
    """Per account: balance for the period on top, then days with purchases; then products."""
    book = load(written(sample_statement(), {"layout": "statement", **EN}))
    assert book.sheetnames == ["Days", "Products"]
    days = book["Days"]
    top = [row[:2] for row in days.iter_rows(max_row=3, values_only=True)]
    assert top[0] == ("Account", "1042 Team A")
    assert top[1] == ("Period", "2026-10")
    header = next(
        i for i, row in enumerate(days.iter_rows(values_only=True), 1) if row[0] == "Business date"
    )
    assert days.freeze_panes == f"A{header + 1}"
    assert days.print_title_rows == f"${header}:${header}"
    products = records(book, "Products")
    assert {r["product"] for r in products} >= {"Beer", "'" + FORMULA_PRODUCT}
    run = load(written(sample_run(), {"layout": "statement"}))
    assert run.sheetnames[:2] == ["1042 Dagen", "1042 Producten"]


def test_yen_amounts_have_no_decimals() -> None:
    """A JPY account's amounts use a format without decimal places."""
    summary = records(load(written(sample_run(), EN)), "Summary")
    yen = next(r for r in summary if r["account"] == "3003")
    assert yen["total"] == 1700
    book = load(written(sample_run(), EN))
    (cell,) = [r[4] for r in book["Summary"].iter_rows(min_row=2) if r[0].value == "3003"]
    assert cell.number_format == "#,##0_-"


def test_formula_names_are_text_not_formulas() -> None:
    """The =SUM(A1) product and formula-like account names are text cells with an apostrophe."""
    data = written(sample_plan(), EN)
    book = load(data)
    lines = records(book, "Lines")
    assert "'" + FORMULA_PRODUCT in {r["product"] for r in lines}
    assert all(c.data_type != "f" for ws in book.worksheets for row in ws for c in row)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in xml or b"<f " in xml for xml in sheets)
    names = {r["account_name"] for r in records(book, "Summary")}
    assert {"'@admin", 'Café Zoë; "quoted"'} <= names


def test_same_input_gives_the_same_bytes_with_the_run_time_as_document_time() -> None:
    """Two exports are identical; core.xml carries the run's commit time, zips fixed times."""
    first = written(sample_run())
    assert written(sample_run()) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    props = load(first).properties
    assert props.created == props.modified == dt.datetime(2026, 11, 1, 9, 0)
    assert props.title == "run 2026-10"


def test_the_default_row_cap_is_excels() -> None:
    """Without a cap the exporter continues sheets only past 1,048,576 rows."""
    assert XlsxExporter().max_rows == EXCEL_MAX_ROWS == 1_048_576


def test_lines_past_the_row_cap_continue_on_new_sheets() -> None:
    """With a cap of 3 rows the sample's 9 lines fill Lines to Lines (5), in place, all kept."""
    book = load(
        XlsxExporter(max_rows=3).export_bytes(
            sample_plan(), {"totals": "none", **EN}, ledger=SAMPLES
        )
    )
    assert book.sheetnames == [
        "Summary",
        "Summary (2)",
        "Lines",
        "Lines (2)",
        "Lines (3)",
        "Lines (4)",
        "Lines (5)",
        "Days",
        "Days (2)",
        "Days (3)",
    ]
    assert all(ws.max_row <= 3 for ws in book.worksheets)
    assert all(ws["A1"].value in {"Account", "Business date"} for ws in book.worksheets)
    lines = records(book, "Lines")
    assert len(lines) == 9
    euros = sum(cents(r["amount"], r["currency"]) for r in lines if r["currency"] == "EUR")
    assert euros == sample_plan().totals["EUR"]


def _expected_totals(run: InvoiceRun) -> dict[str, Decimal]:
    return {clean_text(i.account.number): i.total for i in _standing(run)}


def _standing(run: InvoiceRun) -> list[AccountInvoice]:
    return [i for i in run.invoices if i.state is InvoiceState.ACTIVE]


# Each example writes a workbook and reads it back with openpyxl.
@settings(max_examples=15)
@given(generated=strategies.generated_runs())
def test_xlsx_read_back_sums_to_the_run_per_account(generated: strategies.GeneratedRun) -> None:
    """Lines, days and summary read back with openpyxl sum to each account's total."""
    run, ledger = generated.run, generated.generated.ledger
    expected = _expected_totals(run)
    currencies = {clean_text(i.account.number): i.account.currency for i in run.invoices}
    for exporter in (XLSX, XlsxExporter(max_rows=8)):
        book = load(exporter.export_bytes(run, EN, ledger=ledger))
        for sheet in ("Lines", "Days"):
            sums = dict.fromkeys(expected, Decimal(0))
            for row in records(book, sheet):
                account = row["account"]
                sums[account] += cents(row["amount"], currencies[account])
                assert row["business_date"].date() in run.period.days()
            assert sums == expected
        summary = records(book, "Summary")
        assert {
            r["account"]: cents(r["total"], currencies[r["account"]]) for r in summary
        } == expected
        # A name of nothing but characters XML forbids is left empty, and reads back None.
        assert {r["account_name"] or "" for r in summary} == {
            clean_text(i.account.name) for i in _standing(run)
        }


def test_the_statement_layout_gives_the_vat_in_the_total_per_rate() -> None:
    """Above the days: per rate the net and the VAT, which add up to the invoiced total."""
    run = sample_run()
    invoice = run.invoice_for("1042")
    book = load(written(run, {"layout": "statement", **EN}))
    top = {
        row[0]: row[1]
        for row in book["1042 Days"].iter_rows(max_row=14, values_only=True)
        if row[0] is not None
    }
    labels = {vat_label(row.vat.category, row.vat.rate) for row in invoice.statement.vat}
    parts = [Decimal(repr(top[f"{kind} {label}"])) for label in labels for kind in ("Net", "VAT")]
    assert sum(parts) == invoice.total == Decimal(repr(top["Invoiced"]))
    for row in invoice.statement.vat:
        label = vat_label(row.vat.category, row.vat.rate)
        assert Decimal(repr(top[f"VAT {label}"])) == row.tax
    dutch = load(written(run, {"layout": "statement"}))["1042 Dagen"]
    shown = [row[0] for row in dutch.iter_rows(max_row=14, values_only=True)]
    assert {f"Netto {label}" for label in labels} | {f"Btw {label}" for label in labels} <= set(
        shown
    )


def test_sheet_titles_turn_what_excel_refuses_into_dashes_and_keep_the_label() -> None:
    """Account numbers with slashes or of any length give titles Excel takes, label kept."""
    assert sheet_title("12/10", "Dagen") == "12-10 Dagen"
    assert sheet_title("[a]*?:b\\", "Days") == "-a----b- Days"
    long = sheet_title("x" * 200, "Producten")
    assert long.endswith(" Producten")
    assert len(long) == 25
    assert sheet_title("'", "Days") == "Days"


def test_the_statement_layout_writes_accounts_whose_numbers_excel_refuses_in_titles() -> None:
    """Two accounts whose numbers hold a slash and share a long prefix get their own sheets."""
    run = sample_run()
    first, second, *rest = _standing(run)
    renamed = attrs.evolve(
        run,
        invoices=(
            _renumbered(first, "12/10" + "9" * 30 + "1"),
            _renumbered(second, "12/10" + "9" * 30 + "2"),
            *rest,
        ),
    )
    book = load(written(renamed, {"layout": "statement"}))
    titles = book.sheetnames
    assert len(titles) == len(set(titles)) == 2 * len(_standing(renamed))
    assert all("/" not in t and len(t) <= 25 for t in titles)


def _renumbered(invoice: Any, number: str) -> Any:
    account = attrs.evolve(invoice.account, number=number)
    return attrs.evolve(invoice, statement=attrs.evolve(invoice.statement, account=account))


def test_a_long_account_name_after_the_first_rows_is_not_cut() -> None:
    """The name column fits every billed account's name, not only those of the first rows."""
    ledger = MemoryLedger()
    long_name = "Bouwbedrijf Van Dam en Zonen B.V."
    numbers = [str(1000 + index) for index in range(250)]
    start = dt.datetime(2026, 10, 1, 8, tzinfo=AMS)
    for index, number in enumerate(numbers):
        name = long_name if number == numbers[-1] else "Jan"
        open_account(ledger, Account(number=number, name=name, limit=10**6), actor=ADMIN)
        ledger.record(
            Purchase(
                id=f"p{index}",
                account=number,
                at=start + dt.timedelta(minutes=index),
                lines=[
                    Line(product="Koffie", quantity=1, unit_price="2.40", vat=Vat.standard("0.09"))
                ],
            )
        )
    plan = plan_run(ledger, SAMPLE_PERIOD, numbers, "none", actor=ADMIN)
    run = commit_run(ledger, plan, actor=ADMIN, at=RUN_AT)
    book = openpyxl.load_workbook(io.BytesIO(written(run, ledger=ledger)))
    for title in ("Regels", "Dagen", "Overzicht"):
        ws = book[title]
        column = [c.value for c in ws[1]].index("Naam") + 1
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(column)].width
        assert width >= len(long_name) + 1, (title, width)


def test_a_runs_account_view_names_the_invoice_it_goes_with() -> None:
    """Attached to an invoice, the sheet gives its number and date; a statement has none."""
    run = sample_run()
    top = {
        row[0]: row[1]
        for row in load(written(run, {"layout": "statement", **EN}))["1042 Days"].iter_rows(
            max_row=6, values_only=True
        )
    }
    assert top["Invoice"] == f"{run.key or run.id}-1042"
    assert top["Invoice date"] == dt.datetime(2026, 11, 1)
    dutch = {
        row[0]
        for row in load(written(run, {"layout": "statement"}))["1042 Dagen"].iter_rows(
            max_row=6, values_only=True
        )
    }
    assert {"Factuur", "Factuurdatum"} <= dutch
    alone = load(written(sample_statement(), {"layout": "statement", **EN}))["Days"]
    assert "Invoice" not in {row[0] for row in alone.iter_rows(max_row=8, values_only=True)}
    # A zero total is no invoice the journal, UBL or SEPA issue: it names none either.
    zero = load(written(zero_run(), {"layout": "statement", **EN}))
    shown = {
        ws.title: {row[0] for row in ws.iter_rows(max_row=8, values_only=True)} for ws in zero
    }
    assert "Invoice" not in shown["1042 Days"]
    assert "Invoice" in shown["2001 Days"]


@pytest.mark.parametrize(("options", "shown"), [({}, "dd-mm-yyyy"), (EN, "yyyy-mm-dd")])
def test_dates_above_a_table_are_written_as_its_columns_write_dates(
    options: dict[str, str], shown: str
) -> None:
    """The invoice date at the top reads dd-mm-yyyy in Dutch, like the days under it."""
    book = load(written(sample_run(), {"layout": "statement", **options}))
    ws = next(ws for ws in book if ws.title.startswith("1042 "))
    dates = [c for row in ws.iter_rows() for c in row if isinstance(c.value, dt.datetime)]
    assert len(dates) > 1, "the invoice date above, the days below"
    assert {c.number_format.removesuffix("_-") for c in dates} == {shown}


def test_amounts_beside_a_currency_column_do_not_repeat_its_code() -> None:
    """A sheet with a currency column writes 9.50 beside EUR, not 9.50 EUR beside EUR."""
    book = load(written(sample_run(), EN))
    lines = book["Lines"]
    names = [c.name for c in LINE_COLUMNS]
    first = dict(zip(names, lines[2], strict=True))
    assert first["currency"].value == "EUR"
    assert first["amount"].number_format == EUR_BESIDE
    summary = book["Summary"]
    header = [c.value for c in summary[1]]
    yen = next(row for row in summary.iter_rows(min_row=2) if row[0].value == "3003")
    cells = dict(zip(header, yen, strict=True))
    assert (cells["Currency"].value, cells["Total"].number_format) == ("JPY", "#,##0_-")
    # The account's own view has no currency column: its amounts keep their code.
    view = load(written(sample_statement(), {"layout": "statement", **EN}))["Days"]
    formats = {
        c.number_format for row in view.iter_rows() for c in row if isinstance(c.value, float)
    }
    assert formats == {EUR}
