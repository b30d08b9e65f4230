"""Imports are strict and all or nothing, on SQLite and PostgreSQL, from CSV and XLSX."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from onaccount.cli import EXIT_USAGE
from onaccount.ledger._sql_schema import metadata
from onaccount.ledger.sql import connect
from tests.cli._support import (
    build_small_ledger,
    explain,
    invoke,
    open_ledger,
    state_of,
    succeeded,
    write,
)
from tests.cli.conftest import VARIABLES
from tests.conftest import postgres_url

HEADER = "id,account,at,product,quantity,unit_price,vat_rate\n"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """The small ledger in a SQLite file, or in the emptied PostgreSQL test database."""
    if request.param == "sqlite":
        yield build_small_ledger(tmp_path / "small.sqlite")
        return
    url = postgres_url()
    engine = connect(url)
    metadata.drop_all(engine)
    engine.dispose()
    # The CLI and the helpers take the URL where they take a path.
    yield build_small_ledger(url)  # type: ignore[arg-type]  # a URL, which SQLLedger takes


def refused(db: Path, *args: str) -> list[str]:
    """The stderr lines of an import that must exit 2 and change nothing."""
    before = state_of(db)
    result = invoke(db, "import", *args)
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.output
    assert state_of(db) == before
    return result.stderr.splitlines()


def test_rows_sharing_an_id_on_other_accounts_are_refused(db: Path, tmp_path: Path) -> None:
    """m1 on 100 then m1 on 200: the second line is refused, nothing becomes one purchase."""
    path = write(
        tmp_path,
        "shared.csv",
        HEADER + "m1,100,2026-10-03T21:40:00+02:00,Bier,1,2.40,0.21\n"
        "m1,200,2026-10-03T21:40:00+02:00,Wijn,1,4.00,0.21\n",
    )
    lines = refused(db, "transactions", str(path))
    assert lines[0] == (
        f"{path}: line 3: id m1 has account 200 here but 100 on line 2; rows sharing an id "
        "are the lines of one purchase: give this booking its own id"
    )


def test_rows_sharing_an_id_a_month_apart_are_refused(db: Path, tmp_path: Path) -> None:
    """The same id a month later, even far down the file, is refused naming both lines."""
    path = write(
        tmp_path,
        "later.csv",
        HEADER + "m1,100,2026-10-03T21:40:00+02:00,Bier,1,2.40,0.21\n"
        "x1,100,2026-10-04T21:40:00+02:00,Bier,1,2.40,0.21\n"
        "m1,100,2026-11-03T21:40:00+01:00,Bier,1,2.40,0.21\n",
    )
    lines = refused(db, "transactions", str(path))
    assert lines[0].startswith(f"{path}: line 4: id m1 has time 2026-11-03 21:40:00+01:00 here")
    assert "on line 2" in lines[0]


def test_an_unknown_booking_type_is_refused_naming_the_types(db: Path, tmp_path: Path) -> None:
    """A type that is no booking type is named as such, not taken for a credit booking."""
    path = write(
        tmp_path,
        "types.csv",
        "id,account,at,type,product,quantity,unit_price,vat_rate,amount,text\n"
        "b-8,100,2026-10-05T20:00:00+02:00,verkoop,Bier,2,2.80,0.21,,\n",
    )
    lines = refused(db, "transactions", str(path))
    assert lines[0] == (
        f"{path}: line 2: type 'verkoop' is not a booking type; give purchase, top-up, "
        "payment or refund (in Dutch aankoop, opwaardering, betaling or terugbetaling)"
    )


def test_an_unquoted_decimal_comma_is_refused_not_shifted(db: Path, tmp_path: Path) -> None:
    """``2011,A,1,50,leden`` under four columns is refused naming the decimal comma."""
    path = write(tmp_path, "comma.csv", "number,name,limit,group\n2011,A,1,50,leden\n")
    lines = refused(db, "accounts", str(path))
    assert lines[0] == (
        f"{path}: line 2: has 5 fields but the header has 4; a decimal comma splits a value "
        'in two in a comma-separated file: quote it ("1,50") or use decimal points'
    )


def test_too_few_fields_are_refused(db: Path, tmp_path: Path) -> None:
    """A row missing a field is refused rather than read with an empty value."""
    path = write(tmp_path, "short.csv", "number;name;limiet\n2011;A\n")
    lines = refused(db, "accounts", str(path))
    assert lines[0].startswith(f"{path}: line 2: has 2 fields but the header has 3;")


@pytest.mark.parametrize(
    ("given", "meant"), [("limt", "limit"), ("emial", "email"), ("naaam", "naam")]
)
def test_a_misspelt_column_is_refused_with_the_closest_name(
    db: Path, tmp_path: Path, given: str, meant: str
) -> None:
    """A column nobody knows is refused on line 1, suggesting the closest known name."""
    path = write(tmp_path, "typo.csv", f"number,name,{given}\n2011,A,1\n")
    lines = refused(db, "accounts", str(path))
    assert lines[0].startswith(
        f"{path}: line 1: column {given!r} is unknown; did you mean {meant!r}? the columns "
        "are number, name, kind, limit"
    )


def test_several_unknown_columns_list_the_known_ones_once(db: Path, tmp_path: Path) -> None:
    """Three extra columns: each named on its own, the known columns and the way out once."""
    path = write(
        tmp_path, "leden.csv", "number,name,limit,phone,limt,birth day\n2011,A,1,06,x,1990\n"
    )
    lines = refused(db, "accounts", str(path))
    assert lines[:4] == [
        f"{path}: line 1: column 'phone' is unknown",
        f"{path}: line 1: column 'limt' is unknown; did you mean 'limit'?",
        f"{path}: line 1: column 'birth day' is unknown",
        f"{path}: line 1: the columns are number, name, kind, limit, currency, group, tags, "
        "billing_name, email, vat_id, iban, bic, mandate_id, mandate_date, street, "
        "postal_code, city, country, peppol_id, registration (or in Dutch nummer, naam, "
        "soort, limiet, valuta, groep, labels, factuurnaam, e-mail, btw-nummer, iban, bic, "
        "machtigingskenmerk, machtigingsdatum, straat, postcode, plaats, land, peppol-id, "
        "inschrijving); leave out the ones you do not need with --ignore-column phone "
        "--ignore-column 'birth day'",
    ]


def test_missing_required_columns_are_named(db: Path, tmp_path: Path) -> None:
    """A bookings file without account and at columns names both."""
    path = write(tmp_path, "missing.csv", "id,product,quantity,unit_price\nx,Bier,1,2.40\n")
    lines = refused(db, "transactions", str(path))
    assert (
        f"{path}: line 1: the header has no column 'account' (in Dutch 'rekening')" in (lines[0])
    )
    assert "no column 'at' (in Dutch 'tijdstip')" in lines[1]


def test_dutch_headers_import(db: Path, tmp_path: Path) -> None:
    """nummer;naam;limiet and rekening;tijdstip;… import like their English names."""
    accounts = write(
        tmp_path,
        "rekeningen.csv",
        "nummer;naam;limiet;groep;e-mail\n2011;Jan;150,00;leden;j@x.nl\n",
    )
    succeeded(invoke(db, "import", "accounts", str(accounts)))
    sales = write(
        tmp_path,
        "verkopen.csv",
        "kenmerk;rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "v1;2011;03-10-2026 21:40;Koffie;2;2,40;0,09\n",
    )
    succeeded(invoke(db, "import", "transactions", str(sales), "--tz", "Europe/Amsterdam"))
    with open_ledger(db) as ledger:
        state = ledger.states(["2011"])["2011"]
        assert state.limit == Decimal("150.00")
        assert state.account.billing is not None
        assert state.account.billing.email == "j@x.nl"
        assert state.balance == Decimal("-4.80")


def test_unknown_accounts_currencies_and_taken_ids_name_their_lines(
    db: Path, tmp_path: Path
) -> None:
    """Each ledger-level refusal names its own line, and all of them are reported."""
    path = write(
        tmp_path,
        "ledger.csv",
        "id,account,at,product,quantity,unit_price,vat_rate,currency\n"
        "ok,100,2026-10-03T21:40:00+02:00,Bier,1,2.40,0.21,EUR\n"
        "u1,4242,2026-10-03T21:41:00+02:00,Bier,1,2.40,0.21,EUR\n"
        "c1,100,2026-10-03T21:42:00+02:00,Bier,1,2.40,0.21,USD\n",
    )
    lines = refused(db, "transactions", str(path))
    assert lines[0] == (
        f"{path}: line 3: account '4242' does not exist; open it first (import accounts) or "
        "correct the number"
    )
    assert lines[1].startswith(f"{path}: line 4: transaction c1 is in USD but account 100 ")
    # An id the ledger holds for another booking, of another account and day.
    taken = write(
        tmp_path,
        "taken.csv",
        "id,account,at,product,quantity,unit_price,vat_rate,currency\n"
        "ok,100,2026-10-03T21:40:00+02:00,Bier,1,2.40,0.21,EUR\n"
        "top-up-900,100,2026-10-03T21:43:00+02:00,Bier,1,2.40,0.21,EUR\n",
    )
    assert refused(db, "transactions", str(taken))[0] == (
        f"{taken}: line 3: transaction 'top-up-900' is recorded already for another booking "
        "(a top-up, another account, another instant); give every booking its own id"
    )


def test_a_file_without_vat_columns_says_so(db: Path, tmp_path: Path) -> None:
    """No vat_rate or vat_category column: one message saying to add one, not 'rate 0'."""
    rows = "".join(f",100,2026-10-03T21:4{i}:00+02:00,Bier,1,2.40\n" for i in range(5))
    path = write(tmp_path, "novat.csv", "id,account,at,product,quantity,unit_price\n" + rows)
    lines = refused(db, "transactions", str(path))
    assert lines[0] == (
        f"{path}: 5 rows are purchases in a file without VAT columns: add vat_rate (the "
        "standard rate as a fraction, e.g. 0.21) or vat_category (Z, E, … with vat_reason) "
        "(lines 2, 3, 4, …)"
    )
    assert not any("between 0 and 1" in line for line in lines)


def test_rows_without_an_id_import_once_and_never_collide_by_file_name(
    db: Path, tmp_path: Path
) -> None:
    """Re-importing a file is a no-op; another file of the same name imports its own rows."""
    body = HEADER + (
        ",100,2026-10-03T21:40:00+02:00,Bier,1,2.40,0.21\n"
        ",100,2026-10-03T21:40:00+02:00,Bier,1,2.40,0.21\n"
    )
    path = write(tmp_path, "sales.csv", body)
    # Two equal rows, kept as two sales: each import counts them apart.
    first = succeeded(invoke(db, "import", "transactions", str(path), "--keep-repeats"))
    assert first.stdout.strip() == f"imported 2 bookings from {path} for business day 2026-10-03"
    again = succeeded(invoke(db, "import", "transactions", str(path), "--keep-repeats"))
    assert again.stdout.strip() == (
        f"imported 0 bookings from {path} for business day 2026-10-03; 2 bookings were "
        "there already"
    )
    other_dir = tmp_path / "november"
    other_dir.mkdir()
    other = write(
        other_dir, "sales.csv", HEADER + ",100,2026-11-03T21:40:00+01:00,Wijn,1,4,0.21\n"
    )
    assert succeeded(invoke(db, "import", "transactions", str(other))).stdout.startswith(
        "imported 1 booking "
    )
    with open_ledger(db) as ledger:
        mine = [t for t in ledger.transactions(["100"]) if t.id.startswith("import-")]
    assert len(mine) == 3
    assert len({t.id for t in mine}) == 3


def test_one_mistake_on_many_rows_is_reported_once(db: Path, tmp_path: Path) -> None:
    """5,000 times of the hour that repeats: one line with the count and how to fix them."""
    rows = "".join(
        f"n{i},100,2026-10-25 02:{i % 60:02d}:00,Bier,1,2.40,0.21\n" for i in range(5000)
    )
    path = write(tmp_path, "local.csv", HEADER + rows)
    lines = refused(db, "transactions", str(path))
    mistake = (
        "5,000 rows are at times that happened twice in Europe/Amsterdam, the night the "
        "clocks went back: add the UTC offset, e.g. 2026-10-25T02:00:00+02:00 for the first "
        "time, +01:00 for the second (or pass --tz with the till's zone) (lines 2, 3, 4, …)"
    )
    assert lines == [
        f"{path}: {mistake}",
        f"error: {path}: 5,000 bad rows, nothing imported; fix them and import the file again",
    ]


def test_many_bookings_on_one_unknown_account_are_reported_once(db: Path, tmp_path: Path) -> None:
    """The ledger's refusal of 300 rows on account 4242 is one line with the count."""
    rows = "".join(f"u{i},4242,2026-10-03T21:40:00+02:00,Bier,1,2.40,0.21\n" for i in range(300))
    lines = refused(db, "transactions", str(write(tmp_path, "lost.csv", HEADER + rows)))
    assert lines[0].endswith(
        ": 300 rows are on account '4242', which does not exist; open it first (import "
        "accounts) or correct the number (lines 2, 3, 4, …)"
    )
    assert len(lines) == 2


def test_many_accounts_held_with_other_details_are_reported_once(db: Path, tmp_path: Path) -> None:
    """Re-importing 50 renamed accounts without --update is one line that names --update."""
    first = "number,name,limit\n" + "".join(f"{5000 + i},Lid {i},50\n" for i in range(50))
    succeeded(invoke(db, "import", "accounts", str(write(tmp_path, "a.csv", first))))
    renamed = write(tmp_path, "b.csv", first.replace("Lid", "Member"))
    lines = refused(db, "accounts", str(renamed))
    assert lines[0] == (
        f"{renamed}: 50 rows are accounts the ledger holds already, with other details: "
        "import with --update to update their details, or pick other numbers (lines 2, 3, "
        "4, …)"
    )
    assert len(lines) == 2


def test_many_ids_held_for_other_bookings_are_reported_once(db: Path, tmp_path: Path) -> None:
    """A sales file changed and imported again: its 50 reused ids are one line."""
    rows = "".join(f"r{i},100,2026-10-03T21:40:00+02:00,Bier,1,2.40,0.21\n" for i in range(50))
    succeeded(invoke(db, "import", "transactions", str(write(tmp_path, "a.csv", HEADER + rows))))
    changed = write(tmp_path, "b.csv", HEADER + rows.replace("Bier", "Cola"))
    lines = refused(db, "transactions", str(changed))
    assert lines[0] == (
        f"{changed}: 50 rows have ids the ledger holds for other bookings: give each booking "
        "its own id (lines 2, 3, 4, …)"
    )
    assert len(lines) == 2


def test_many_different_mistakes_are_capped(db: Path, tmp_path: Path) -> None:
    """Thirty distinct bad rows print at most 20 lines, the last counting the rest."""
    rows = "".join(f"b{i},100,2026-10-03T21:40:00+02:00,Bier,x{i},2.40,0.21\n" for i in range(30))
    lines = refused(db, "transactions", str(write(tmp_path, "many.csv", HEADER + rows)))
    assert len(lines) == 21
    assert lines[19].endswith("… and 11 more mistakes")


def test_an_over_long_field_names_its_line(db: Path, tmp_path: Path) -> None:
    """A field past the CSV field limit (an unclosed quote, mostly) is refused on its line."""
    path = write(tmp_path, "long.csv", "number,name\n1,Jan\n2," + "x" * 140_000 + "\n")
    lines = refused(db, "accounts", str(path))
    assert lines[0].startswith(f"{path}: line 3: the file cannot be read from here (field ")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("1e30,2.40", "line 2: quantity 1E+30 is too large"),
        ("0,2.40", "line 2: quantity 0 makes an empty line"),
        ("1,1e30", "line 2: unit price 1E+30 is too large"),
        ("2,9999999999999.99", "10000000000000.00 EUR"),
    ],
)
def test_extreme_values_in_a_file_are_named_refusals(
    db: Path, tmp_path: Path, row: str, expected: str
) -> None:
    """Huge numbers and quantity 0 are refused with their line, never an internal error."""
    path = write(tmp_path, "x.csv", HEADER + f"e,100,2026-10-03T21:40:00Z,Bier,{row},0.21\n")
    lines = refused(db, "transactions", str(path))
    assert expected in lines[0]


def test_an_instant_outside_1900_to_9999_is_refused(db: Path, tmp_path: Path) -> None:
    """Year 1 and year 1899 are refused with their lines."""
    path = write(
        tmp_path,
        "old.csv",
        HEADER + "y1,100,0001-01-01T00:30:00+01:00,Bier,1,2.40,0.21\n"
        "y2,100,1899-12-31T23:00:00Z,Bier,1,2.40,0.21\n",
    )
    lines = refused(db, "transactions", str(path))
    assert lines[0].startswith(
        f"{path}: line 2: transaction instant 'at' 0001-01-01T00:30:00+01:00"
    )
    assert "between 1900-01-01 and 9999-12-30" in lines[1]


def test_a_sale_with_a_date_but_no_time_is_refused(db: Path, tmp_path: Path) -> None:
    """A date alone in 'at' (text or a date cell) is refused, not read as midnight."""
    path = write(
        tmp_path,
        "dates.csv",
        HEADER + "d1,100,2026-10-01,Bier,1,2.40,0.21\nd2,100,20261002,Bier,1,2.40,0.21\n"
        "d3,100,2026-W40-5,Bier,1,2.40,0.21\n",
    )
    said = (
        "at '2026-10-01' is a date without a time; give the time of the booking, such as "
        "2026-10-01 21:40, so that it falls on the right business day"
    )
    lines = refused(db, "transactions", str(path))
    assert lines[0] == f"{path}: line 2: {said}"
    assert lines[1].startswith(f"{path}: line 3: at '20261002' is a date without a time")
    assert lines[2].startswith(f"{path}: line 4: at '2026-W40-5' is a date without a time")
    book = _workbook(
        tmp_path / "dates.xlsx",
        [
            ["id", "account", "at", "product", "quantity", "unit_price", "vat_rate"],
            ["d1", 100, dt.date(2026, 10, 1), "Bier", 1, 2.4, 0.21],
        ],
    )
    assert refused(db, "transactions", str(book))[0] == f"{book}: row 2: {said}"


def test_a_workbook_time_of_midnight_is_a_time(db: Path, tmp_path: Path) -> None:
    """A cell formatted with a time that shows 00:00 is the booking's midnight, not a date."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "account", "at", "product", "quantity", "unit_price", "vat_rate"])
    sheet.append(["m1", 100, dt.datetime(2026, 10, 2, 0, 0), "Bier", 1, 2.4, 0.21])
    sheet["C2"].number_format = "d-m-yyyy h:mm"
    book.save(tmp_path / "middernacht.xlsx")
    succeeded(invoke(db, "import", "transactions", str(tmp_path / "middernacht.xlsx")))
    with open_ledger(db) as ledger:
        (sale,) = [t for t in ledger.transactions(["100"]) if t.id == "m1"]
    assert sale.at == dt.datetime(2026, 10, 1, 22, 0, tzinfo=dt.UTC)


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    """``rows`` written as the first sheet of an XLSX file by openpyxl."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_files_import_with_typed_cells(db: Path, tmp_path: Path) -> None:
    """Accounts and sales from .xlsx: numbers, dates and times as Excel keeps them."""
    accounts = _workbook(
        tmp_path / "rekeningen.xlsx",
        [
            ["nummer", "naam", "limiet", "machtigingskenmerk", "machtigingsdatum", "iban"],
            [2011, "Jan", 150.5, "M-1", dt.datetime(2024, 9, 1), "NL91ABNA0417164300"],
        ],
    )
    succeeded(invoke(db, "import", "accounts", str(accounts)))
    sales = _workbook(
        tmp_path / "verkopen.xlsx",
        [
            ["id", "account", "at", "product", "quantity", "unit_price", "vat_rate"],
            ["x1", 2011, dt.datetime(2026, 10, 3, 21, 40), "Koffie", 2, 2.4, 0.09],
            ["x1", 2011, dt.datetime(2026, 10, 3, 21, 40), "Kaas", 0.35, 18.995, 0.09],
        ],
    )
    succeeded(invoke(db, "import", "transactions", str(sales), "--tz", "Europe/Amsterdam"))
    with open_ledger(db) as ledger:
        state = ledger.states(["2011"])["2011"]
        assert state.limit == Decimal("150.50")
        assert state.account.billing is not None
        assert state.account.billing.mandate_date == dt.date(2024, 9, 1)
        (purchase,) = ledger.transactions(["2011"])
    assert purchase.amount == Decimal("-4.80") - Decimal("6.65")
    assert purchase.at == dt.datetime(2026, 10, 3, 19, 40, tzinfo=dt.UTC)


def test_a_number_cell_shown_with_leading_zeros_is_read_as_shown(db: Path, tmp_path: Path) -> None:
    """A cell holding 42 in the number format 0000 shows 0042: that is the number read."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["nummer", "naam", "limiet"])
    sheet.append([42, "Jan", 150])
    sheet.append([7, "Piet", 50])
    sheet["A2"].number_format = "0000"
    sheet["A3"].number_format = "000000"
    book.save(tmp_path / "leden.xlsx")
    succeeded(invoke(db, "import", "accounts", str(tmp_path / "leden.xlsx")))
    with open_ledger(db) as ledger:
        assert sorted(ledger.states(["0042", "000007", "42", "7"])) == ["000007", "0042"]


def test_xlsx_files_are_refused_with_row_numbers(db: Path, tmp_path: Path) -> None:
    """The same strict rules in a workbook: a misspelt header, then bad rows by row number."""
    typo = _workbook(tmp_path / "typo.xlsx", [["number", "name", "limt"], [1, "A", 5]])
    assert refused(db, "accounts", str(typo))[0].startswith(
        f"{typo}: row 1: column 'limt' is unknown; did you mean 'limit'?"
    )
    bad = _workbook(
        tmp_path / "bad.xlsx",
        [
            ["id", "account", "at", "product", "quantity", "unit_price", "vat_rate"],
            ["ok", 100, "2026-10-03T21:40:00+02:00", "Bier", 1, 2.4, 0.21],
            [],
            ["b1", 100, "2026-10-03T21:40:00+02:00", "Bier", "twee", 2.4, 0.21],
            ["b2", 100, "2026-10-03T21:40:00+02:00", "Bier", 1, 2.4, 0.21, "extra"],
            ["b3", 100, "2026-10-03T21:40:00+02:00", "Bier", 1, "2,40", 0.21],
        ],
    )
    lines = refused(db, "transactions", str(bad))
    assert lines[0] == f"{bad}: row 4: quantity 'twee' is not a number"
    assert lines[1].startswith(f"{bad}: row 5: has a value in column 8 but the header names 7")
    assert lines[2] == (
        f"{bad}: row 6: unit_price '2,40' is not a number; write it with a decimal point, 2.40"
    )


def test_a_file_that_is_not_a_workbook_is_refused(db: Path, tmp_path: Path) -> None:
    """A CSV renamed to .xlsx is a usage error saying so, not an internal error."""
    path = write(tmp_path, "fake.xlsx", "number,name\n1,A\n")
    lines = refused(db, "accounts", str(path))
    assert lines == [
        f"error: {path} is not an Excel workbook (File is not a zip file); save it as .xlsx"
    ]


def test_the_installed_script_imports_a_workbook_and_refuses_a_bad_file(
    small_db: Path, tmp_path: Path
) -> None:
    """The real ``onaccount`` process: an .xlsx imports once; a misspelt CSV exits 2 by line."""
    script = Path(sys.executable).with_name("onaccount")
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), "--db", str(small_db), "--role", "superuser", "import", *args],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    sales = _workbook(
        tmp_path / "sales.xlsx",
        [
            ["account", "at", "product", "quantity", "unit_price", "vat_rate"],
            [100, "2026-10-03T21:40:00+02:00", "Koffie", 2, 2.4, 0.09],
        ],
    )
    first = run("transactions", str(sales))
    assert (first.returncode, first.stderr) == (0, ""), first.stderr
    assert first.stdout == f"imported 1 booking from {sales} for business day 2026-10-03\n"
    again = run("transactions", str(sales))
    assert again.stdout.endswith("; 1 booking was there already\n")
    typo = write(tmp_path, "typo.csv", "number,naam,limt\n5,A,1\n")
    refused_run = run("accounts", str(typo))
    assert refused_run.returncode == EXIT_USAGE
    assert refused_run.stderr.splitlines()[0].startswith(
        f"{typo}: line 1: column 'limt' is unknown; did you mean 'limit'?"
    )
    assert refused_run.stdout == ""


def test_a_misspelt_dutch_column_is_answered_with_a_name_the_reader_accepts(
    db: Path, tmp_path: Path
) -> None:
    """'E-mailadres' suggests 'e-mail' as Dutch headers write it, never the inner 'e_mail'."""
    path = write(
        tmp_path,
        "h.csv",
        "Nummer;Naam;Limiet (€);E-mailadres;Telefoon\n2050;Test;150,00;a@b.nl;0612345678\n",
    )
    lines = refused(db, "accounts", str(path))
    assert "column 'E-mailadres' is unknown; did you mean 'e-mail'?" in lines[1], lines
    assert "e_mail" not in "\n".join(lines)
    accepted = write(tmp_path, "ok.csv", "Nummer;Naam;e-mail\n2050;Test;a@b.nl\n")
    succeeded(invoke(db, "import", "accounts", str(accepted)))


def test_a_header_mistake_is_counted_as_the_headers_not_as_bad_rows(
    db: Path, tmp_path: Path
) -> None:
    """Unknown or missing columns are the header's: the summary names them, not 'bad rows'."""
    unknown = write(
        tmp_path, "h.csv", "Nummer;Naam;Limiet (€);E-mailadres;Telefoon\n2050;Test;150,00;a;0\n"
    )
    assert refused(db, "accounts", str(unknown))[-1] == (
        f"error: {unknown}: the header has 3 unknown columns, nothing imported; fix them and "
        "import the file again"
    )
    mixed = write(tmp_path, "m.csv", "nummer;limt;;limiet;limit\n1;1;1;1;1\n")
    assert refused(db, "accounts", str(mixed))[-1] == (
        f"error: {mixed}: the header has 1 unknown column, 1 column without a name and 1 "
        "repeated column, and lacks column 'name', nothing imported; fix them and import the "
        "file again"
    )
    lacking = write(tmp_path, "l.csv", "id,product\nx,Bier\n")
    assert refused(db, "transactions", str(lacking))[-1] == (
        f"error: {lacking}: the header lacks columns 'account' and 'at', nothing imported; fix "
        "them and import the file again"
    )


def test_an_empty_file_is_refused_as_empty_not_as_a_bad_row(db: Path, tmp_path: Path) -> None:
    """A file without a header is said to be empty, in one line, and no row is counted."""
    for name in ("empty.csv", "blank.csv"):
        path = write(tmp_path, name, "" if name == "empty.csv" else "\n,,\n\n")
        assert refused(db, "accounts", str(path)) == [
            f"error: {path} is empty; give it a header row naming its columns, then its rows"
        ]
