"""Importing accounts and bookings from CSV: both dialects, every bad row, all or nothing."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

import onaccount as oa
from onaccount.cli import EXIT_REFUSED, EXIT_USAGE
from onaccount.cli._importing import _CREDIT_MEANS, BadRow, ImportFailed, read_accounts
from onaccount.ledger.sql import upgrade
from tests.cli._support import (
    explain,
    invoke,
    json_of,
    local,
    open_ledger,
    state_of,
    succeeded,
    write,
)

ACCOUNTS = {
    "excel-nl": (
        "number;name;kind;limit;currency;group;tags;billing_name;email;iban;mandate_id;"
        "mandate_date;street;postal_code;city\n"
        "1001;de Vries, Jan;limit;1.250,50;EUR;leden;senior|bestuur;J. de Vries;"
        "jan@example.org;NL91ABNA0417164300;CLUB-1001;01-09-2024;Sportlaan 1;3511 AB;Utrecht\n"
        "\n"
        "9001;Kantinekaart 1;credit;;;kaarten;;;;;;;;;\n"
    ),
    "rfc4180": (
        "number,name,kind,limit,currency,group,tags,billing_name,email,iban,mandate_id,"
        "mandate_date,street,postal_code,city\n"
        '1001,"de Vries, Jan",limit,1250.50,EUR,leden,senior|bestuur,J. de Vries,'
        "jan@example.org,NL91ABNA0417164300,CLUB-1001,2024-09-01,Sportlaan 1,3511 AB,Utrecht\n"
        "9001,Kantinekaart 1,credit,,,kaarten,,,,,,,,,\n"
    ),
}

# The same bookings in both spellings. The excel-nl file gives local times, read in the
# default zone, Europe/Amsterdam; the rfc4180 file gives UTC offsets. k1 is one purchase
# over two rows.
TRANSACTIONS = {
    "excel-nl": (
        "id;account;at;type;product;code;quantity;unit_price;vat_category;vat_rate;amount;text;"
        "vat_reason\n"
        "t1;9001;30-09-2026 18:00;top-up;;;;;;;50,00;opgewaardeerd;\n"
        "k1;1001;03-10-2026 21:40;purchase;Koffie;101;2;2,40;S;0,09;;;\n"
        "k1;1001;03-10-2026 21:40;purchase;Pils;301;3;3,10;S;0,21;;;\n"
        "k2;1001;04-10-2026 01:30:00;;Tosti;401;1;3,75;S;0,09;;;\n"
        "k3;9001;10-10-2026 20:15;purchase;Koffie;101;2;2,40;S;0,09;;;\n"
        "k4;1001;05-10-2026 12:00;purchase;Statiegeld;901;-1;3,90;O;;;;Deposit\n"
    ),
    "rfc4180": (
        "id,account,at,type,product,code,quantity,unit_price,vat_category,vat_rate,amount,text,"
        "vat_reason\n"
        "t1,9001,2026-09-30T18:00:00+02:00,top-up,,,,,,,50.00,opgewaardeerd,\n"
        "k1,1001,2026-10-03T21:40:00+02:00,purchase,Koffie,101,2,2.40,S,0.09,,,\n"
        "k1,1001,2026-10-03T21:40:00+02:00,purchase,Pils,301,3,3.10,S,0.21,,,\n"
        "k2,1001,2026-10-03T23:30:00Z,,Tosti,401,1,3.75,S,0.09,,,\n"
        "k3,9001,2026-10-10T20:15:00+02:00,purchase,Koffie,101,2,2.40,S,0.09,,,\n"
        "k4,1001,2026-10-05T12:00:00+02:00,purchase,Statiegeld,901,-1,3.90,O,,,,Deposit\n"
    ),
}


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    """A SQLite file with the schema and nothing in it."""
    db = tmp_path / "import.sqlite"
    upgrade(db)
    return db


@pytest.mark.parametrize(
    ("kind", "header", "what"),
    [
        ("accounts", "nummer;naam;limiet\n\n", "accounts"),
        ("transactions", "id,account,at,product,quantity,unit_price,vat_rate\n", "bookings"),
    ],
)
def test_a_file_with_only_its_header_says_it_holds_no_rows(
    empty_db: Path, tmp_path: Path, kind: str, header: str, what: str
) -> None:
    """A header and nothing below it imports nothing, and says the file has no rows."""
    path = write(tmp_path, "empty.csv", header)
    result = succeeded(invoke(empty_db, "import", kind, str(path)))
    assert result.stdout.strip() == (
        f"imported 0 {what} from {path}: it holds a header and no rows below it"
    )


@pytest.mark.parametrize("dialect", ["excel-nl", "rfc4180"])
@pytest.mark.parametrize("named", [True, False], ids=["named", "auto"])
def test_good_files_import_the_same_ledger_in_either_dialect(
    empty_db: Path, tmp_path: Path, dialect: str, named: bool
) -> None:
    """Both dialects, named or detected, give the same accounts, bookings and balances."""
    choose = ("--dialect", dialect) if named else ()
    accounts = write(tmp_path, "accounts.csv", ACCOUNTS[dialect])
    result = succeeded(invoke(empty_db, "import", "accounts", str(accounts), *choose))
    assert result.stdout.strip() == f"imported 2 accounts from {accounts}"
    bookings = write(tmp_path, "bookings.csv", TRANSACTIONS[dialect])
    result = succeeded(invoke(empty_db, "import", "transactions", str(bookings), *choose))
    assert result.stdout.strip() == (
        f"imported 5 bookings from {bookings} for business days 2026-09-30 to 2026-10-10"
    )
    with open_ledger(empty_db) as ledger:
        jan = ledger.get_account("1001")
        assert jan.name == "de Vries, Jan"
        assert jan.tags == frozenset({"senior", "bestuur"})
        assert jan.billing is not None
        assert jan.billing.mandate_date == dt.date(2024, 9, 1)
        assert jan.billing.iban == "NL91ABNA0417164300"
        assert ledger.get_account("9001").kind is oa.AccountKind.CREDIT
        states = ledger.states(["1001", "9001"])
        assert states["1001"].limit == Decimal("1250.50")
        assert states["1001"].balance == Decimal("-14.10") - Decimal("3.75") + Decimal("3.90")
        assert states["9001"].balance == Decimal("45.20")
        bookings_of = {t.id: t for t in ledger.transactions(["1001", "9001"])}
    assert sorted(bookings_of) == ["k1", "k2", "k3", "k4", "t1"]
    k1 = bookings_of["k1"]
    assert isinstance(k1, oa.Purchase)
    assert [line.product for line in k1.lines] == ["Koffie", "Pils"]
    assert [line.vat.rate for line in k1.lines] == [Decimal("0.09"), Decimal("0.21")]
    assert bookings_of["k2"].at == local(2026, 10, 4, 1, 30)
    # A sale at 01:30 belongs to the business day before when days start at 04:00.
    statement = json_of(
        invoke(
            empty_db, "statement", "1001", "--period", "2026-10", "--day-starts-at", "04:00",
            "--json",
        )
    )  # fmt: skip
    assert [(d["date"], d["total"]) for d in statement["days"]] == [
        ("2026-10-03", "17.85"),
        ("2026-10-05", "-3.90"),
    ]


def test_bad_rows_in_an_accounts_file_are_all_reported_and_none_imported(
    small_db: Path, tmp_path: Path
) -> None:
    """Every bad account row is named with its line on stderr; exit 2; nothing is opened."""
    before = state_of(small_db)
    path = write(
        tmp_path,
        "accounts.csv",
        "number,name,kind,limit,currency,mandate_date,iban\n"
        "1,Jan,limit,150.00,EUR,,\n"
        "2,Piet,weird,150.00,EUR,,\n"
        "3,,limit,150.00,EUR,,\n"
        "4,Klaas,limit,veel,EUR,,\n"
        "5,Mies,limit,10,XYZ,,\n"
        "1,Jan again,limit,10,EUR,,\n"
        "6,Kees,limit,10,EUR,31-12-2024,NL91ABNA0417164300\n",
    )
    result = invoke(small_db, "import", "accounts", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    reported = [line for line in result.stderr.splitlines() if line.startswith(f"{path}: ")]
    assert [line.split(":")[1].strip() for line in reported] == [
        f"line {n}" for n in (3, 4, 5, 6, 7, 8)
    ]
    assert "kind 'weird'" in reported[0]
    assert "account name '' is empty" in reported[1]
    assert "limit 'veel' is not a number" in reported[2]
    assert "'XYZ'" in reported[3]
    assert "account 1 appears already on line 2" in reported[4]
    assert "mandate_date '31-12-2024'" in reported[5]
    assert result.stderr.splitlines()[-1].startswith(f"error: {path}: 6 bad rows, nothing")
    assert "Traceback" not in result.output
    assert state_of(small_db) == before


BAD_BOOKINGS = {
    "excel-nl": (
        "id;account;at;product;quantity;unit_price;vat_category;vat_rate\n"
        "ok1;100;2026-10-03T21:40:00+02:00;Koffie;2;2,40;S;0,09\n"
        "b1;100;2026-10-03T21:41:00+02:00;Koffie;twee;2,40;S;0,09\n"
        "b2;100;2026-10-03T21:42:00+02:00;;1;2,40;S;0,09\n"
        "b3;100;25-10-2026 02:30;Thee;1;2,10;S;0,09\n"
        "b4;100;2026-10-03T21:44:00+02:00;Thee;1;2,10;XX;0,09\n"
        "ok1;100;2026-10-03T21:45:00+02:00;Thee;1;2,10;S;0,09\n"
        "m1;100;2026-10-03T21:46:00+02:00;Koffie;1;2,40;S;0,09\n"
        "m1;100;2026-10-03T21:46:00+02:00;Cola;1;twee euro;S;0,09\n"
    ),
    "rfc4180": (
        "id,account,at,product,quantity,unit_price,vat_category,vat_rate\n"
        "ok1,100,2026-10-03T21:40:00+02:00,Koffie,2,2.40,S,0.09\n"
        "b1,100,2026-10-03T21:41:00+02:00,Koffie,twee,2.40,S,0.09\n"
        "b2,100,2026-10-03T21:42:00+02:00,,1,2.40,S,0.09\n"
        "b3,100,2026-10-25 02:30:00,Thee,1,2.10,S,0.09\n"
        "b4,100,2026-10-03T21:44:00+02:00,Thee,1,2.10,XX,0.09\n"
        "ok1,100,2026-10-03T21:45:00+02:00,Thee,1,2.10,S,0.09\n"
        "m1,100,2026-10-03T21:46:00+02:00,Koffie,1,2.40,S,0.09\n"
        "m1,100,2026-10-03T21:46:00+02:00,Cola,1,twee euro,S,0.09\n"
    ),
}


@pytest.mark.parametrize("dialect", ["excel-nl", "rfc4180"])
def test_bad_rows_in_a_bookings_file_are_all_reported_and_none_imported(
    small_db: Path, tmp_path: Path, dialect: str
) -> None:
    """Bad number, no product, a time twice, unknown VAT, duplicate id: each line named; exit 2."""
    before = state_of(small_db)
    path = write(tmp_path, f"{dialect}.csv", BAD_BOOKINGS[dialect])
    result = invoke(small_db, "import", "transactions", str(path), "--dialect", dialect)
    assert result.exit_code == EXIT_USAGE, explain(result)
    stderr = result.stderr.splitlines()
    reported = {int(line.split(": line ")[1].split(":")[0]): line for line in stderr[:-1]}
    # Lines 2 and 8 are good; line 9 is the second row of purchase m1.
    assert sorted(reported) == [3, 4, 5, 6, 7, 9]
    assert all(line.startswith(f"{path}: line ") for line in reported.values())
    assert "quantity 'twee' is not a number" in reported[3]
    assert "line product '' is empty" in reported[4]
    assert "happened twice in Europe/Amsterdam, the night the clocks went back" in reported[5]
    assert "VAT category 'XX' is unknown" in reported[6]
    assert (
        "id ok1 has time 2026-10-03 21:45:00+02:00 here but 2026-10-03 21:40:00+02:00 on line 2"
        in (reported[7])
    )
    assert "unit_price 'twee euro' is not a number" in reported[9]
    assert stderr[-1].startswith(f"error: {path}: 6 bad rows, nothing imported")
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert state_of(small_db) == before


def test_local_times_are_read_in_amsterdam_unless_tz_names_another_zone(
    small_db: Path, tmp_path: Path
) -> None:
    """A time without offset is Amsterdam's by default; --tz UTC reads it as UTC."""
    path = write(
        tmp_path,
        "local.csv",
        "id,account,at,product,quantity,unit_price,vat_rate\n"
        "n1,100,2026-10-03 21:40:00,Koffie,1,2.40,0.09\n"
        "n2,100,2026-10-03T21:40:00+01:00,Koffie,1,2.40,0.09\n",
    )
    succeeded(invoke(small_db, "import", "transactions", str(path)))
    copy = write(tmp_path, "utc.csv", path.read_text().replace("n1,", "u1,").replace("n2,", "u2,"))
    succeeded(invoke(small_db, "import", "transactions", str(copy), "--tz", "UTC"))
    with open_ledger(small_db) as ledger:
        at = {t.id: t.at for t in ledger.transactions(["100"])}
    assert at["n1"] == dt.datetime(2026, 10, 3, 19, 40, tzinfo=dt.UTC)
    assert at["u1"] == dt.datetime(2026, 10, 3, 21, 40, tzinfo=dt.UTC)
    # A time with its offset is that instant, whatever --tz says.
    assert at["n2"] == at["u2"] == dt.datetime(2026, 10, 3, 20, 40, tzinfo=dt.UTC)


def test_the_zone_comes_from_onaccount_tz(small_db: Path, tmp_path: Path) -> None:
    """$ONACCOUNT_TZ sets the zone of times without offset, as for every other command."""
    path = write(
        tmp_path,
        "local.csv",
        "id,account,at,product,quantity,unit_price,vat_rate\n"
        "e1,100,2026-10-03 21:40:00,Koffie,1,2.40,0.09\n",
    )
    succeeded(invoke(small_db, "import", "transactions", str(path), env={"ONACCOUNT_TZ": "UTC"}))
    with open_ledger(small_db) as ledger:
        [at] = [t.at for t in ledger.transactions(["100"]) if t.id == "e1"]
    assert at == dt.datetime(2026, 10, 3, 21, 40, tzinfo=dt.UTC)


def test_times_the_clocks_skipped_or_showed_twice_are_refused_by_line(
    small_db: Path, tmp_path: Path
) -> None:
    """02:30 on the nights clocks change is refused in Amsterdam, saying how to fix it."""
    before = state_of(small_db)
    path = write(
        tmp_path,
        "dst.csv",
        "id,account,at,product,quantity,unit_price,vat_rate\n"
        "ok,100,2026-10-25 01:30:00,Koffie,1,2.40,0.09\n"
        "twice,100,2026-10-25 02:30:00,Koffie,1,2.40,0.09\n"
        "gone,100,2026-03-29 02:30:00,Koffie,1,2.40,0.09\n",
    )
    refused = invoke(small_db, "import", "transactions", str(path))
    assert refused.exit_code == EXIT_USAGE, explain(refused)
    assert refused.stderr.splitlines()[:2] == [
        f"{path}: line 3: at '2026-10-25 02:30:00' happened twice in Europe/Amsterdam, the "
        "night the clocks went back; add the UTC offset: +02:00 for the first time, +01:00 "
        "for the second (or pass --tz with the till's zone)",
        f"{path}: line 4: at '2026-03-29 02:30:00' does not exist in Europe/Amsterdam: the "
        "clocks went forward past it; correct the time, or add the UTC offset the till used, "
        "e.g. 2026-03-29T02:30:00+01:00 (or pass --tz with the till's zone)",
    ]
    assert state_of(small_db) == before
    # New York changes its clocks on other nights: there every one of these times exists once.
    succeeded(invoke(small_db, "import", "transactions", str(path), "--tz", "America/New_York"))
    with open_ledger(small_db) as ledger:
        at = {t.id: t.at for t in ledger.transactions(["100"])}
    assert at["twice"] == dt.datetime(2026, 10, 25, 6, 30, tzinfo=dt.UTC)
    assert at["gone"] == dt.datetime(2026, 3, 29, 6, 30, tzinfo=dt.UTC)


def test_a_dutch_time_in_the_repeated_hour_takes_the_offset_the_refusal_advises(
    small_db: Path, tmp_path: Path
) -> None:
    """25-10-2026 02:30+01:00, as a Dutch file writes the date, is the second 02:30."""
    path = write(
        tmp_path,
        "dst.csv",
        "kenmerk;rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "eerst;100;25-10-2026 02:30+02:00;Koffie;1;2,40;0,09\n"
        "daarna;100;25-10-2026 2:30:00+01:00;Koffie;1;2,40;0,09\n",
    )
    succeeded(invoke(small_db, "import", "transactions", str(path)))
    with open_ledger(small_db) as ledger:
        at = {t.id: t.at for t in ledger.transactions(["100"])}
    assert at["eerst"] == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert at["daarna"] == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)


def test_the_business_days_of_the_bookings_follow_day_starts_at(
    small_db: Path, tmp_path: Path
) -> None:
    """A sale at 01:30 is on the day before when days start at 04:00; --json gives both days."""
    path = write(
        tmp_path,
        "night.csv",
        "id,account,at,product,quantity,unit_price,vat_rate\n"
        "d1,100,2026-10-03 21:40:00,Koffie,1,2.40,0.09\n"
        "d2,100,2026-10-04 01:30:00,Koffie,1,2.40,0.09\n",
    )
    args = ("import", "transactions", str(path), "--day-starts-at", "04:00")
    shown = succeeded(invoke(small_db, *args, env={"ONACCOUNT_LOCALE": "nl_NL"})).stdout.strip()
    assert shown == f"imported 2 bookings from {path} for business day 03-10-2026"
    again = json_of(invoke(small_db, *args, "--json"))
    assert again == {
        "file": str(path),
        "added": 0,
        "present": 2,
        "dry_run": False,
        "over_limit": [],
        "business_days": ["2026-10-03", "2026-10-03"],
    }


def test_a_decimal_point_in_a_decimal_comma_file_is_refused(
    small_db: Path, tmp_path: Path
) -> None:
    """In excel-nl 2.40 is refused rather than read as 240; 1.234,50 groups thousands."""
    before = state_of(small_db)
    path = write(
        tmp_path,
        "points.csv",
        "id;account;at;product;quantity;unit_price;vat_rate\n"
        "d1;200;2026-10-03T21:40:00+02:00;Feestzaal;1;1.234,50;0,21\n"
        "d2;100;2026-10-03T21:41:00+02:00;Koffie;1;2.40;0,09\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert f"{path}: line 3: unit_price '2.40' has a decimal point, but this file writes" in (
        result.stderr
    )
    assert f"{path}: line 2" not in result.stderr
    assert state_of(small_db) == before
    path.write_text(path.read_text().replace("2.40", "2,40"), encoding="utf-8")
    succeeded(invoke(small_db, "import", "transactions", str(path)))
    with open_ledger(small_db) as ledger:
        amounts = {t.id: t.amount for t in ledger.transactions(["100", "200"])}
    assert amounts["d1"] == Decimal("-1234.50")
    assert amounts["d2"] == Decimal("-2.40")


def test_money_that_could_mean_thousands_is_refused_in_a_file_with_decimal_points(
    empty_db: Path, tmp_path: Path
) -> None:
    """A limit or amount of '1.500' in a comma-separated file is refused, not read as 1.5."""
    accounts = write(tmp_path, "leden.csv", "number,name,limit\n1001,Anna,1.500\n1002,Jan,2.5\n")
    result = invoke(empty_db, "import", "accounts", str(accounts))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{accounts}: line 2: limit '1.500' is ambiguous: three digits after a point read as "
        "thousands in Dutch; write 1500 or 1.50, whichever you mean"
    )
    assert len(result.stderr.splitlines()) == 2
    sales = write(
        tmp_path,
        "sales.csv",
        "account,at,type,amount\n1002,2026-10-03T21:40:00+02:00,top-up,2.000\n",
    )
    good = write(tmp_path, "leden-2.csv", "number,name,kind\n1002,Jan,credit\n")
    succeeded(invoke(empty_db, "import", "accounts", str(good)))
    result = invoke(empty_db, "import", "transactions", str(sales))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert f"{sales}: line 2: amount '2.000' is ambiguous" in result.stderr


@pytest.mark.parametrize(
    ("column", "text", "choice"),
    [
        ("unit_price", "1.500", "1500 or 1.50"),
        ("quantity", "1.500", "1500 or 1.50"),
        ("unit_price", "1.859", "1859 or 1.8590"),
    ],
)
def test_prices_and_quantities_that_could_mean_thousands_are_refused_too(
    small_db: Path, tmp_path: Path, column: str, text: str, choice: str
) -> None:
    """'1.500' as a unit price or quantity is refused as it is for money, not read as 1.5."""
    before = state_of(small_db)
    cells = {"quantity": "2", "unit_price": "2.40", column: text}
    path = write(
        tmp_path,
        "sales.csv",
        "id,account,at,product,quantity,unit_price,vat_rate\n"
        f"q1,100,2026-10-03T21:40:00+02:00,Bier,{cells['quantity']},{cells['unit_price']},0.21\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{path}: line 2: {column} {text!r} is ambiguous: three digits after a point read "
        f"as thousands in Dutch; write {choice}, whichever you mean"
    )
    assert state_of(small_db) == before
    unambiguous = text.replace("1.500", "1.50").replace("1.859", "1.8590")
    succeeded(
        invoke(
            small_db,
            "import",
            "transactions",
            str(write(tmp_path, "sales.csv", path.read_text().replace(text, unambiguous))),
        )
    )


def test_numbers_with_a_point_in_a_dutch_file_are_answered_in_its_own_style(
    small_db: Path, tmp_path: Path
) -> None:
    """In a ';' file a rate of 0.21 or 21 is answered with 0,21 or 21%, never another dialect."""
    path = write(
        tmp_path,
        "verkopen.csv",
        "id;account;at;product;quantity;unit_price;vat_rate\n"
        "v1;100;2026-10-03T21:40:00+02:00;Bier;1;2,40;0.21\n"
        "v2;100;2026-10-03T21:41:00+02:00;Bier;1;2,40;21\n"
        "v3;100;2026-10-03T21:42:00+02:00;Koffie;1;2,40;9,5\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[:3] == [
        f"{path}: line 2: vat_rate '0.21' has a decimal point, but this file writes "
        "decimal commas; write 0,21",
        f"{path}: line 3: vat_rate '21' reads as a percentage without its sign: write 21% or 0,21",
        f"{path}: line 4: vat_rate '9,5' reads as a percentage without its sign: write "
        "9,5% or 0,095",
    ]
    assert "rfc4180" not in result.stderr


@pytest.mark.parametrize(
    ("header", "rates", "dutch"),
    [
        ("id;account;at;product;quantity;unit_price;vat_rate", ("21%", "9,5 %"), True),
        ("id,account,at,product,quantity,unit_price,vat_rate", ("21 %", "9.5%"), False),
    ],
)
def test_a_rate_with_a_percent_sign_is_read_as_the_percentage_it_says(
    small_db: Path, tmp_path: Path, header: str, rates: tuple[str, str], dutch: bool
) -> None:
    """'21%' and '9,5 %' (as Excel saves a percentage cell) are the rates 0.21 and 0.095."""
    sep = ";" if dutch else ","
    price = "2,40" if dutch else "2.40"
    path = write(
        tmp_path,
        "sales.csv",
        f"{header}\n"
        f"v1{sep}100{sep}2026-10-03T21:40:00+02:00{sep}Bier{sep}1{sep}{price}{sep}{rates[0]}\n"
        f"v2{sep}100{sep}2026-10-03T21:41:00+02:00{sep}Koffie{sep}1{sep}{price}{sep}{rates[1]}\n",
    )
    succeeded(invoke(small_db, "import", "transactions", str(path)))
    with open_ledger(small_db) as ledger:
        found = {tx.id: tx for tx in ledger.purchases(["v1", "v2"])}
    assert [found["v1"].lines[0].vat, found["v2"].lines[0].vat] == [
        oa.Vat.standard(Decimal("0.21")),
        oa.Vat.standard(Decimal("0.095")),
    ]
    assert [str(found[i].lines[0].vat.rate) for i in ("v1", "v2")] == ["0.21", "0.095"]


def test_vat_mistakes_in_a_file_are_told_in_the_files_columns(
    small_db: Path, tmp_path: Path
) -> None:
    """A 0 standard rate and an O row without a reason name the columns, not the library."""
    path = write(
        tmp_path,
        "verkopen.csv",
        "id;account;at;product;quantity;unit_price;vat_rate;vat_category\n"
        "v1;100;2026-10-03T21:40:00+02:00;Krat retour;-1;3,90;0;\n"
        "v2;100;2026-10-03T21:41:00+02:00;Statiegeld;1;0,10;;O\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[:2] == [
        f"{path}: line 2: VAT rate 0 for category S must be above 0 and below 1; for a rate "
        "of 0 % use vat_category Z",
        f"{path}: line 3: VAT category O needs an exemption reason that invoices state: give "
        "vat_reason, such as 'Exempt under article 11 of the VAT Act'",
    ]
    assert "Vat.zero" not in result.stderr
    assert "exemption_reason" not in result.stderr


def test_mistakes_in_a_dutch_file_name_its_columns_as_its_header_does(
    small_db: Path, tmp_path: Path
) -> None:
    """Under a Dutch header a refusal says 'aantal' and 'btw-reden', not 'quantity'."""
    path = write(
        tmp_path,
        "verkopen.csv",
        "Kenmerk;Rekening;Tijdstip;Product;Aantal;Stukprijs;BTW-tarief;BTW-categorie\n"
        "v1;100;2026-10-03T21:40:00+02:00;Bier;twee;2,40;0,21;\n"
        "v2;100;2026-10-03T21:41:00+02:00;Bier;1;2,40;21;\n"
        "v3;100;2026-10-03T21:42:00+02:00;Statiegeld;1;0,10;;O\n"
        "v4;100;2026-10-03T21:43:00+02:00;Krat retour;-1;3,90;0;\n"
        "v5;4242;2026-10-03T21:44:00+02:00;Bier;1;2,40;0,21;\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    # Line 6 is on an unknown account: the ledger's refusal joins the report once.
    assert result.stderr.splitlines()[:5] == [
        f"{path}: line 2: Aantal 'twee' is not a number",
        f"{path}: line 3: BTW-tarief '21' reads as a percentage without its sign: write 21% "
        "or 0,21",
        f"{path}: line 4: VAT category O needs an exemption reason that invoices state: give "
        "btw-reden, such as 'Exempt under article 11 of the VAT Act'",
        f"{path}: line 5: VAT rate 0 for category S must be above 0 and below 1; for a rate "
        "of 0 % use BTW-categorie Z",
        f"{path}: line 6: account '4242' does not exist; open it first (import accounts) or "
        "correct the number",
    ]
    members = write(tmp_path, "leden.csv", "nummer;naam;limiet\n1001;Jan;veel\n")
    result = invoke(small_db, "import", "accounts", str(members))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == f"{members}: line 2: limiet 'veel' is not a number"


def test_a_till_header_with_date_and_time_apart_is_told_to_join_them(
    small_db: Path, tmp_path: Path
) -> None:
    """'datum' and 'tijd' apart: the refusal says to give one column, and offers no way out."""
    path = write(
        tmp_path,
        "kassa.csv",
        "rekening;datum;tijd;product;aantal;stukprijs;btw\n100;03-10-2026;21:40;Bier;1;2,40;21%\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert (
        f"{path}: line 1: the header has no column 'at' (in Dutch 'tijdstip'); it is "
        "required: give each booking's date and time in one column, such as 03-10-2026 "
        "21:40, where 'datum' and 'tijd' give them apart"
    ) in result.stderr.splitlines()
    # Leaving out the date, or the VAT, would not mend the header.
    assert "--ignore-column" not in result.stderr
    comma = write(tmp_path, "till.csv", "account,date,time,product,quantity,unit_price,vat_rate\n")
    said = invoke(small_db, "import", "transactions", str(comma)).stderr
    assert "such as 2026-10-03 21:40, where 'date' and 'time' give them apart" in said


def test_many_decimal_points_in_a_dutch_file_name_the_column_and_a_value(
    small_db: Path, tmp_path: Path
) -> None:
    """Prices written 2.80 on many rows of a ';' file: one line naming stukprijs and 2,80."""
    rows = "".join(f"v{i};100;03-10-2026 21:{i:02d};Bier;1;2.80;0,21\n" for i in range(5))
    path = write(
        tmp_path,
        "verkopen.csv",
        "kenmerk;rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n" + rows,
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{path}: 5 rows have 'stukprijs' values with a decimal point, such as '2.80', in a "
        "file that writes decimal commas: write 2,80 (lines 2, 3, 4, …)"
    )


def test_rates_no_vat_has_are_refused_as_the_file_writes_them(
    small_db: Path, tmp_path: Path
) -> None:
    """210%, 0,21% and NaN are no VAT rates: each refused in the file's words, none crashes."""
    path = write(
        tmp_path,
        "verkopen.csv",
        "kenmerk;rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "v1;100;03-10-2026 21:40;Bier;1;2,40;210%\n"
        "v2;100;03-10-2026 21:41;Bier;1;2,40;0,21%\n"
        "v3;100;03-10-2026 21:42;Bier;1;2,40;NaN\n"
        "v4;100;03-10-2026 21:43;Bier;1;2,40;\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[:4] == [
        f"{path}: line 2: btw-tarief '210%' is 100 % or more, which no VAT rate is: write "
        "21% or 0,21",
        f"{path}: line 3: btw-tarief '0,21%' is a fraction with a % sign: write 21% or 0,21",
        f"{path}: line 4: btw-tarief 'NaN' is not a number",
        f"{path}: line 5: btw-tarief is empty for standard-rated VAT; give the rate, 21% or "
        "0,21, or another btw-categorie",
    ]


def test_an_english_header_with_e_mail_is_answered_in_english(
    small_db: Path, tmp_path: Path
) -> None:
    """'e-mail' is spelt alike in both languages: it makes no English header Dutch."""
    path = write(tmp_path, "members.csv", "number,name,e-mail,mandate_id\n1,A,a@example.org,M1\n")
    result = invoke(small_db, "import", "accounts", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "mandate_date" in result.stderr
    assert "machtigingsdatum" not in result.stderr


def test_a_percentage_that_does_not_read_is_named_as_the_file_writes_it(
    small_db: Path, tmp_path: Path
) -> None:
    """'9.5%' in a ';' file is answered with 9,5%; a bare '%' is asked for its number."""
    path = write(
        tmp_path,
        "verkopen.csv",
        "id;account;at;product;quantity;unit_price;vat_rate\n"
        "v1;100;2026-10-03T21:44:00+02:00;Koffie;1;2,40;9.5%\n"
        "v2;100;2026-10-03T21:45:00+02:00;Koffie;1;2,40;%\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[:2] == [
        f"{path}: line 2: vat_rate '9.5%' has a decimal point, but this file writes "
        "decimal commas; write 9,5%",
        f"{path}: line 3: vat_rate '%' has no number: write the rate as 21% or 0,21",
    ]


#: A sales file of one row in each spelling, its time left to fill in.
_ONE_SALE = {
    ";": "id;account;at;product;quantity;unit_price;vat_rate\nv1;100;{at};Bier;1;2,40;0,21\n",
    ",": "id,account,at,product,quantity,unit_price,vat_rate\nv1,100,{at},Beer,1,2.40,0.21\n",
}


@pytest.mark.parametrize(
    ("separator", "at", "said"),
    [
        (
            ";",
            "31-09-2026 20:00",
            "at '31-09-2026 20:00' is a date and time that does not exist; check the day "
            "and the time",
        ),
        (
            ";",
            "2026-13-01 20:00",
            "at '2026-13-01 20:00' is a date and time that does not exist; check the day "
            "and the time",
        ),
        (
            ";",
            "10/03/2026 20:00",
            "at '10/03/2026 20:00' is not a date and time like 03-10-2026 21:40 or "
            "2026-10-03T21:40:00+02:00",
        ),
        (
            ",",
            "05-10-2026 12:00",
            "at '05-10-2026 12:00' writes the day first, as files with ';' do; this file "
            "separates with ',': write the year first, 2026-10-05 12:00",
        ),
        (
            ",",
            "5-10-2026 9:40",
            "at '5-10-2026 9:40' writes the day first, as files with ';' do; this file "
            "separates with ',': write the year first, 2026-10-05 09:40",
        ),
        (",", "31-09-2026 12:00", "at '31-09-2026 12:00' is a date and time that does not exist"),
        (",", "2026-09-31 12:00", "at '2026-09-31 12:00' is a date and time that does not exist"),
    ],
)
def test_a_time_that_does_not_exist_or_does_not_read_is_named_for_what_it_is(
    small_db: Path, tmp_path: Path, separator: str, at: str, said: str
) -> None:
    """A 31 September is no day; another spelling is shown the file's own, day first or not."""
    path = write(tmp_path, "sales.csv", _ONE_SALE[separator].format(at=at))
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0].startswith(f"{path}: line 2: {said}")


def test_many_rows_with_one_mistake_are_summed_up_as_a_sentence(
    small_db: Path, tmp_path: Path
) -> None:
    """Repeated mistakes collapse into one line that reads: rows, what is wrong, where."""
    rows = "".join(f"p{i},100,2026-10-03T21:{i:02d}:00+02:00,Bier,1,2.40,21\n" for i in range(6))
    path = write(
        tmp_path, "sales.csv", "id,account,at,product,quantity,unit_price,vat_rate\n" + rows
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{path}: 6 rows have VAT rates in percent without a % sign: write 21% or 0.21 "
        "(lines 2, 3, 4, …)"
    )


@pytest.mark.parametrize(
    ("option", "value"), [("--tz", "Nowhere/Land"), ("--day-starts-at", "25:00")]
)
def test_an_unknown_zone_or_day_start_is_a_usage_error(
    small_db: Path, tmp_path: Path, option: str, value: str
) -> None:
    """A --tz or --day-starts-at that makes no sense exits 2 naming the flag and the value."""
    path = write(tmp_path, "any.csv", TRANSACTIONS["rfc4180"])
    result = invoke(small_db, "import", "transactions", str(path), option, value)
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.startswith(f"error: invalid value for {option}: ")
    assert value in result.stderr
    assert "Traceback" not in result.output


def test_a_booking_on_an_unknown_account_sinks_the_whole_file(
    small_db: Path, tmp_path: Path
) -> None:
    """Good rows are not recorded when one row names an account the ledger does not know."""
    before = state_of(small_db)
    path = write(
        tmp_path,
        "unknown.csv",
        "id,account,at,product,quantity,unit_price,vat_rate\n"
        "u1,100,2026-10-03T21:40:00+02:00,Koffie,1,2.40,0.09\n"
        "u2,4242,2026-10-03T21:41:00+02:00,Koffie,1,2.40,0.09\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "'4242'" in result.stderr
    assert state_of(small_db) == before


def test_bad_rows_and_unknown_accounts_are_reported_together(
    small_db: Path, tmp_path: Path
) -> None:
    """A row that does not read and a row on an unknown account are named in one go."""
    before = state_of(small_db)
    path = write(
        tmp_path,
        "both.csv",
        "id,account,at,product,quantity,unit_price,vat_rate\n"
        "b1,100,2026-10-03T21:40:00+02:00,Koffie,twee,2.40,0.09\n"
        "b2,4242,2026-10-03T21:41:00+02:00,Koffie,1,2.40,0.09\n"
        "b3,100,2026-10-03T21:42:00+02:00,Koffie,1,2.40,0.09\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    stderr = result.stderr.splitlines()
    assert stderr[0] == f"{path}: line 2: quantity 'twee' is not a number"
    assert stderr[1] == (
        f"{path}: line 3: account '4242' does not exist; open it first (import accounts) or "
        "correct the number"
    )
    assert stderr[2].startswith(f"error: {path}: 2 bad rows, nothing imported")
    assert state_of(small_db) == before


def test_an_account_file_that_lost_its_leading_zeros_opens_no_second_account(
    empty_db: Path, tmp_path: Path
) -> None:
    """A members' list saving 0042 as 42 is refused, not opened as new accounts beside them."""
    with open_ledger(empty_db) as ledger:
        ledger.open_accounts(
            [oa.Account(number=f"00{n}", name=f"Lid {n}", limit=200) for n in range(41, 46)]
        )
    before = state_of(empty_db)
    one = write(tmp_path, "one.csv", "number,name\n42,Lid 42\n77,Nieuw lid\n")
    result = invoke(empty_db, "import", "accounts", str(one))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{one}: line 2: account '42' would be new, but account 0042 'Lid 42' is held: a "
        "spreadsheet may have dropped its leading zeros: give the number column the number "
        "format 0000, a zero for each digit, or correct the number"
    )
    many = write(
        tmp_path, "leden.csv", "number,name\n" + "".join(f"{n},Lid {n}\n" for n in range(41, 46))
    )
    result = invoke(empty_db, "import", "accounts", str(many))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{many}: 5 rows are new accounts that the ledger holds with leading zeros (41 is "
        "0041 'Lid 41'): a spreadsheet may have dropped their leading zeros: give the number "
        "column the number format 0000, a zero for each digit, or correct the numbers "
        "(lines 2, 3, 4, …)"
    )
    dutch = write(tmp_path, "leden-nl.csv", "nummer;naam\n42;Lid 42\n")
    result = invoke(empty_db, "import", "accounts", str(dutch))
    assert "give the nummer column the number format 0000" in result.stderr
    assert state_of(empty_db) == before


def test_a_number_that_lost_its_leading_zeros_names_the_account_it_was(
    empty_db: Path, tmp_path: Path
) -> None:
    """Sales on 42 where the ledger holds 0042 say a spreadsheet may have dropped the zeros."""
    with open_ledger(empty_db) as ledger:
        ledger.open_accounts(
            [
                oa.Account(number="0042", name="Anna Jansen", limit=200),
                oa.Account(number="0007", name="Bert Smit", limit=200),
            ]
        )
    header = "id,account,at,product,quantity,unit_price,vat_rate\n"
    many = "".join(f"s{i},7,2026-10-03T21:4{i}:00+02:00,Koffie,1,2.40,0.09\n" for i in range(5))
    path = write(
        tmp_path,
        "sales.csv",
        header + "s9,42,2026-10-03T21:30:00+02:00,Koffie,1,2.40,0.09\n" + many,
    )
    result = invoke(empty_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[:2] == [
        f"{path}: line 2: account '42' does not exist, but account 0042 'Anna Jansen' does: "
        "a spreadsheet may have dropped its leading zeros: give the account column the "
        "number format 0000, a zero for each digit, or correct the number",
        f"{path}: 5 rows are on account '7', which does not exist, but account 0007 'Bert "
        "Smit' does: a spreadsheet may have dropped its leading zeros: give the account "
        "column the number format 0000, a zero for each digit, or correct the number "
        "(lines 3, 4, 5, …)",
    ]


def test_a_dry_run_says_what_an_import_would_do_and_changes_nothing(
    small_db: Path, tmp_path: Path
) -> None:
    """--dry-run checks the whole file as an import does and reports it in the conditional."""
    before = state_of(small_db)
    sales = write(
        tmp_path,
        "sales.csv",
        "id,account,at,product,quantity,unit_price,vat_rate\n"
        "d1,100,2026-11-03T21:40:00+01:00,Koffie,1,2.40,0.09\n",
    )
    done = succeeded(invoke(small_db, "import", "transactions", str(sales), "--dry-run"))
    assert done.stdout == (
        f"would import 1 booking from {sales} for business day 2026-11-03; nothing "
        "changed (--dry-run)\n"
    )
    members = write(tmp_path, "leden.csv", "number,name\n500,Nieuw lid\n")
    done = succeeded(invoke(small_db, "import", "accounts", str(members), "--dry-run", "--json"))
    assert json.loads(done.stdout) == {
        "file": str(members), "added": 1, "present": 0, "updated": 0, "dry_run": True
    }  # fmt: skip
    bad = write(tmp_path, "bad.csv", "number,name,limit\n501,A,veel\n")
    refused = invoke(small_db, "import", "accounts", str(bad), "--dry-run")
    assert refused.exit_code == EXIT_USAGE, explain(refused)
    assert "limit 'veel' is not a number" in refused.stderr
    assert state_of(small_db) == before


def test_bookings_dated_after_now_are_imported_with_a_warning(
    small_db: Path, tmp_path: Path
) -> None:
    """A sale two days ahead is named in a warning: a till books a sale when it happens."""
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0)
    path = write(
        tmp_path,
        "ahead.csv",
        "id,account,at,product,quantity,unit_price,vat_rate\n"
        f"f1,100,{ahead.isoformat()},Koffie,1,2.40,0.09\n"
        "f2,100,2026-10-03T21:40:00+02:00,Koffie,1,2.40,0.09\n",
    )
    done = succeeded(invoke(small_db, "import", "transactions", str(path)))
    warning = " ".join(done.stderr.split())
    assert warning.startswith("warning: 1 booking is dated after now, the latest on "), warning
    assert warning.endswith("(line 2); check the dates of the file"), warning


def test_a_credit_booking_without_text_names_the_column(small_db: Path, tmp_path: Path) -> None:
    """A top-up without a reason is refused naming the column 'text', not a Python class."""
    path = write(
        tmp_path, "t.csv", "account,at,type,amount\n900,2026-10-03T20:00:00+02:00,top-up,5\n"
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{path}: line 2: text is empty; a top-up, payment or refund needs its reason in "
        "column 'text'"
    )


def test_a_refused_booking_without_an_id_is_named_by_its_row_not_an_internal_id(
    small_db: Path, tmp_path: Path
) -> None:
    """A row without an id that the library refuses reads "from this row", never a stand-in id."""
    path = write(
        tmp_path,
        "t.csv",
        "account,at,type,amount,text\n900,2026-10-03T20:00:00+02:00,top-up,-5,correctie\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}: line 2: credit booking from this row on account 900 "), first
    assert "pending" not in result.stderr


def test_a_file_given_to_the_other_import_is_named_for_what_it_is(
    small_db: Path, tmp_path: Path
) -> None:
    """An accounts file given to import transactions (and back) says which import reads it."""
    accounts = write(tmp_path, "leden lijst.csv", "nummer;naam;limiet\n500;Nieuw lid;10\n")
    result = invoke(small_db, "import", "transactions", str(accounts))
    assert result.exit_code == EXIT_USAGE, explain(result)
    # The whole file is the other import's: one line, no line of it counted as bad.
    assert result.stderr == (
        f"error: {accounts} is a file of accounts, not of transactions (its header is "
        f"nummer, naam, limiet); import it with onaccount import accounts '{accounts}'\n"
    )
    sales = write(tmp_path, "sales.csv", TRANSACTIONS["rfc4180"])
    result = invoke(small_db, "import", "accounts", str(sales))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert f"error: {sales} is a file of transactions, not of accounts" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_failed_read_keeps_the_rows_that_did_read_through_pickling(tmp_path: Path) -> None:
    """The error of a file with a bad row holds the good rows, also after a pickle round trip."""
    path = write(tmp_path, "leden.csv", "number,name,limit\n500,Nieuw lid,veel\n600,Jan,10\n")
    with pytest.raises(ImportFailed) as caught:
        read_accounts(path)
    restored = pickle.loads(pickle.dumps(caught.value))
    assert restored.message == caught.value.message
    assert (
        restored.summary
        == caught.value.summary
        == (f"{path}: 1 bad row, nothing imported; fix it and import the file again")
    )
    assert restored.bad == caught.value.bad
    assert restored.rows is not None
    assert restored.rows.items == ((3, oa.Account(number="600", name="Jan", limit=10)),)


def test_a_file_of_bad_rows_is_reported_before_the_database_is_opened(tmp_path: Path) -> None:
    """With no row that reads, the rows are named even when the database does not exist."""
    path = write(tmp_path, "leden.csv", "number,name,limit\n500,Nieuw lid,veel\n")
    result = invoke(tmp_path / "missing.sqlite", "import", "accounts", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.startswith(f"{path}: line 2: limit 'veel' is not a number")
    assert not (tmp_path / "missing.sqlite").exists()


def test_an_accounts_file_names_bad_and_taken_rows_together(
    small_db: Path, tmp_path: Path
) -> None:
    """A limit that does not read and a number held as another account come in one report."""
    before = state_of(small_db)
    path = write(
        tmp_path, "taken.csv", "number,name,limit\n500,Nieuw lid,veel\n100,Anna again,0\n"
    )
    result = invoke(small_db, "import", "accounts", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    stderr = result.stderr.splitlines()
    assert stderr[0].startswith(f"{path}: line 2: limit 'veel' is not a number")
    assert stderr[1].startswith(f"{path}: line 3: account '100' exists already as 'Anna Jansen'")
    assert stderr[2].startswith(f"error: {path}: 2 bad rows, nothing imported")
    assert state_of(small_db) == before


def test_an_account_number_already_taken_sinks_the_whole_file(
    small_db: Path, tmp_path: Path
) -> None:
    """Importing accounts is all or nothing: one taken number refuses the file, naming its line."""
    before = state_of(small_db)
    path = write(tmp_path, "taken.csv", "number,name\n500,Nieuw lid\n100,Anna again\n")
    result = invoke(small_db, "import", "accounts", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{path}: line 3: account '100' exists already as 'Anna Jansen', with other details "
        "(name); pick another number, or import with --update to update its details"
    )
    assert state_of(small_db) == before


@pytest.mark.parametrize("what", ["accounts", "transactions"])
def test_only_a_superuser_imports(small_db: Path, tmp_path: Path, what: str) -> None:
    """A clerk may not import: exit 3 naming the manage-accounts capability, nothing read."""
    path = write(tmp_path, "x.csv", ACCOUNTS["rfc4180"])
    result = invoke(small_db, "import", what, str(path), role="clerk")
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert f"actor 'tester' may not import {what}" in result.stderr
    assert "'manage-accounts' capability" in result.stderr


def test_a_file_that_is_not_utf8_is_refused_naming_the_encoding_option(
    small_db: Path, tmp_path: Path
) -> None:
    """Excel's plain 'CSV' is Windows-1252: the file is refused whole, naming --encoding."""
    before = state_of(small_db)
    path = tmp_path / "cp1252.csv"
    path.write_bytes("nummer;naam\n500;Zoë de Wit\n".encode("cp1252"))
    result = invoke(small_db, "import", "accounts", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert " ".join(result.stderr.split()) == (
        f"error: {path} is not UTF-8 (byte 0xeb on line 2), as Excel saves a plain CSV "
        "file in the Windows code page: import it with --encoding windows-1252, or save "
        "it as CSV UTF-8"
    )
    assert "bad row" not in result.stderr
    assert state_of(small_db) == before


def test_a_windows_file_imports_with_its_encoding(small_db: Path, tmp_path: Path) -> None:
    """--encoding windows-1252 reads what Excel's 'CSV (puntkomma-gescheiden)' wrote."""
    path = tmp_path / "leden.csv"
    path.write_bytes("nummer;naam;limiet\n500;Zoë de Wit;1.250,50\n".encode("cp1252"))
    succeeded(invoke(small_db, "import", "accounts", str(path), "--encoding", "windows-1252"))
    with open_ledger(small_db) as ledger:
        account = ledger.states(["500"])["500"].account
    assert (account.name, account.limit) == ("Zoë de Wit", Decimal("1250.50"))
    sales = tmp_path / "verkopen.csv"
    sales.write_bytes(
        "rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "500;03-10-2026 21:40;Crème brûlée;1;4,50;9%\n".encode("cp1252")
    )
    succeeded(invoke(small_db, "import", "transactions", str(sales), "--encoding", "windows-1252"))
    with open_ledger(small_db) as ledger:
        (sale,) = ledger.transactions(["500"])
    assert isinstance(sale, oa.Purchase)
    assert sale.lines[0].product == "Crème brûlée"


def test_a_utf8_file_is_not_misread_as_windows_1252(small_db: Path, tmp_path: Path) -> None:
    """--encoding windows-1252 on a UTF-8 or UTF-16 file refuses it rather than garble names."""
    plain = tmp_path / "utf8.csv"
    plain.write_bytes("nummer;naam\n500;José Müller\n".encode())
    with_bom = tmp_path / "bom.csv"
    with_bom.write_bytes("nummer;naam\n500;José Müller\n".encode("utf-8-sig"))
    for path in (plain, with_bom):
        result = invoke(small_db, "import", "accounts", str(path), "--encoding", "windows-1252")
        assert result.exit_code == EXIT_USAGE, explain(result)
        assert " ".join(result.stderr.split()) == (
            f"error: {path} is UTF-8, not windows-1252: import it without --encoding"
        )
    wide = tmp_path / "unicode.csv"
    wide.write_bytes("nummer;naam\n500;José\n".encode("utf-16"))
    for encoding in ("utf-8", "windows-1252"):
        result = invoke(small_db, "import", "accounts", str(wide), "--encoding", encoding)
        assert " ".join(result.stderr.split()) == (
            f'error: {wide} is UTF-16 (Excel\'s "Unicode text"): save it as CSV UTF-8'
        )


def test_accounts_import_their_peppol_id_and_registration(empty_db: Path, tmp_path: Path) -> None:
    """peppol_id and registration columns take SCHEME:VALUE, as UBL invoices need them."""
    path = write(
        tmp_path,
        "accounts.csv",
        "nummer;naam;factuurnaam;peppol-id;inschrijving\n"
        "1001;Bakkerij Jansen;Bakkerij Jansen BV;0106:12345678;0106:12345678\n"
        "1002;Jan;;;\n",
    )
    succeeded(invoke(empty_db, "import", "accounts", str(path)))
    with open_ledger(empty_db) as ledger:
        billing = ledger.get_account("1001").billing
        assert billing is not None
        assert billing.peppol_id == oa.PartyId(scheme="0106", value="12345678")
        assert billing.registration == oa.PartyId(scheme="0106", value="12345678")
        assert ledger.get_account("1002").billing is None
    bad = write(
        tmp_path,
        "bad.csv",
        "number,name,peppol_id,registration\n1,A,12345678,\n2,B,0106:123,\n3,C,,EM:a@b.nl\n",
    )
    result = invoke(empty_db, "import", "accounts", str(bad))
    assert result.exit_code == EXIT_USAGE, explain(result)
    reported = [line for line in result.stderr.splitlines() if line.startswith(f"{bad}: ")]
    assert "line 2" in reported[0]
    assert "peppol_id '12345678' is no SCHEME:VALUE such as 0106:12345678" in reported[0]
    assert "line 3" in reported[1]
    assert "is no KvK number" in reported[1]
    assert "line 4" in reported[2]
    assert "'EM'" in reported[2]


def test_a_dutch_file_may_give_kinds_and_booking_types_in_dutch(
    empty_db: Path, tmp_path: Path
) -> None:
    """Dutch kinds (limiet, krediet) and booking types (aankoop, betaling …) read as English."""
    members = write(
        tmp_path,
        "leden.csv",
        "nummer;naam;soort;limiet\n1001;Anna;Limiet;100\n1002;Kas;krediet;\n",
    )
    succeeded(invoke(empty_db, "import", "accounts", str(members)))
    with open_ledger(empty_db) as ledger:
        kinds = {n: s.account.kind for n, s in ledger.states(["1001", "1002"]).items()}
    assert kinds == {"1001": oa.AccountKind.LIMIT, "1002": oa.AccountKind.CREDIT}
    other = write(tmp_path, "fout-leden.csv", "nummer;naam;soort\n1003;Piet;aankoop\n")
    mixed = " ".join(invoke(empty_db, "import", "accounts", str(other)).stderr.split())
    assert "account kind 'aankoop' is unknown" in mixed, "named as the file writes it"
    sales = write(
        tmp_path,
        "kassa.csv",
        "rekening;tijdstip;soort;product;aantal;stukprijs;btw-tarief;bedrag;tekst\n"
        "1001;05-10-2026 21:00;aankoop;Bier;2;2,40;0,21;;\n"
        "1002;05-10-2026 21:05;Opwaardering;;;;;20,00;contant\n"
        "1001;06-10-2026 10:00;betaling;;;;;4,80;bank\n"
        "1002;07-10-2026 10:00;terugbetaling;;;;;5,00;retour\n",
    )
    succeeded(invoke(empty_db, "import", "transactions", str(sales)))
    with open_ledger(empty_db) as ledger:
        kinds = sorted(
            (tx.kind.value if isinstance(tx, oa.CreditBooking) else "purchase")
            for tx in ledger.transactions(["1001", "1002"])
        )
    assert kinds == ["payment", "purchase", "refund", "top-up"]
    wrong = write(
        tmp_path,
        "fout.csv",
        "rekening;tijdstip;soort;bedrag;tekst\n1002;05-10-2026 21:05;storting;20,00;contant\n",
    )
    refused = invoke(empty_db, "import", "transactions", str(wrong))
    assert refused.exit_code == EXIT_USAGE, explain(refused)
    assert (
        "soort 'storting' is not a booking type; give purchase, top-up, payment or refund "
        "(in Dutch aankoop, opwaardering, betaling or terugbetaling)"
    ) in " ".join(refused.stderr.split())


def test_columns_import_does_not_know_are_left_out_when_named_with_ignore_column(
    empty_db: Path, tmp_path: Path
) -> None:
    """A member list's extra columns refuse the file, saying how to leave them out; then do."""
    members = write(
        tmp_path,
        "leden.csv",
        "nummer;naam;Telefoon;limiet;Opmerking\n1001;Anna;0612345678;100;voorzitter\n",
    )
    refused = invoke(empty_db, "import", "accounts", str(members))
    assert refused.exit_code == EXIT_USAGE, explain(refused)
    words = " ".join(refused.stderr.split())
    assert "column 'Telefoon' is unknown " in words, words
    way_out = "leave out the ones you do not need with --ignore-column Telefoon --ignore-column"
    assert f"{way_out} Opmerking" in words, words
    typo = write(tmp_path, "typo.csv", "nummer;naam;limeit\n1001;Anna;100\n")
    mistyped = " ".join(invoke(empty_db, "import", "accounts", str(typo)).stderr.split())
    assert "did you mean 'limit'?" in mistyped, mistyped
    assert "--ignore-column" not in mistyped, "a typo is mended, not left out"
    done = invoke(
        empty_db,
        "import", "accounts", str(members),
        "--ignore-column", "telefoon", "--ignore-column", "Opmerking", "--ignore-column", "Fax",
    )  # fmt: skip
    assert done.exit_code == 0, explain(done)
    said = " ".join(done.stderr.split())
    assert "note: left out columns 'Telefoon' and 'Opmerking', as --ignore-column asked" in said
    assert "warning: --ignore-column Fax names no column of the file's header" in said
    with open_ledger(empty_db) as ledger:
        (state,) = ledger.states(["1001"]).values()
    assert (state.account.name, state.limit) == ("Anna", Decimal(100))
    sales = write(
        tmp_path,
        "kassa.csv",
        "rekening;tijdstip;product;aantal;stukprijs;btw-tarief;kassa\n"
        "1001;05-10-2026 21:00;Bier;2;2,40;0,21;bar 2\n",
    )
    assert invoke(empty_db, "import", "transactions", str(sales)).exit_code == EXIT_USAGE
    succeeded(invoke(empty_db, "import", "transactions", str(sales), "--ignore-column", "kassa"))


def test_update_gives_existing_accounts_the_files_billing_details(
    empty_db: Path, tmp_path: Path
) -> None:
    """Re-importing with another IBAN is refused naming --update; with it, the IBAN changes."""
    first = write(tmp_path, "leden.csv", "nummer;naam;limiet\n1001;Anna;100\n1002;Jan;50\n")
    succeeded(invoke(empty_db, "import", "accounts", str(first)))
    later = write(
        tmp_path,
        "leden-2.csv",
        "nummer;naam;limiet;iban\n1001;Anna;100;NL91ABNA0417164300\n1002;Jan;50;\n",
    )
    refused = invoke(empty_db, "import", "accounts", str(later))
    assert refused.exit_code == EXIT_USAGE, explain(refused)
    assert "import with --update to update its details" in refused.stderr
    done = succeeded(invoke(empty_db, "import", "accounts", str(later), "--update"))
    assert (
        done.stdout
        == f"imported 0 accounts from {later}; updated 1; 1 account was there already\n"
    )
    with open_ledger(empty_db) as ledger:
        billing = ledger.get_account("1001").billing
        assert billing is not None
        assert billing.iban == "NL91ABNA0417164300"
    raised = write(tmp_path, "leden-3.csv", "nummer;naam;limiet\n1001;Anna;150\n")
    result = invoke(empty_db, "import", "accounts", str(raised), "--update")
    assert result.exit_code == EXIT_USAGE, explain(result)
    # Nothing to retype in the file's spelling of amounts: an empty limit keeps it.
    assert (
        "cannot change its limit from 100.00 to 150 by an update; keep it as it stands with "
        "an empty limit and change it with onaccount set-limit, so that the change is booked "
        "as a mutation"
    ) in " ".join(result.stderr.split())


def test_many_limits_an_update_cannot_change_are_told_once(empty_db: Path, tmp_path: Path) -> None:
    """A members' list with new limits for everyone: one line for all of them, not one each."""
    rows = "".join(f"{number};Lid {number};100\n" for number in range(1001, 1006))
    succeeded(
        invoke(
            empty_db,
            "import",
            "accounts",
            str(write(tmp_path, "a.csv", f"nummer;naam;limiet\n{rows}")),
        )
    )
    raised = write(tmp_path, "b.csv", "nummer;naam;limiet\n" + rows.replace(";100", ";150"))
    result = invoke(empty_db, "import", "accounts", str(raised), "--update")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{raised}: 5 rows change an account's limit, which an import cannot do: leave the "
        "limit empty to keep each limit as it stands, and change limits with onaccount "
        "set-limit, so that each change is booked as a mutation (lines 2, 3, 4, …)"
    )


def test_a_held_account_with_another_name_and_limit_is_told_both_at_once(
    empty_db: Path, tmp_path: Path
) -> None:
    """Without --update, a new name and a new limit: both are said, not one round each."""
    succeeded(
        invoke(
            empty_db,
            "import",
            "accounts",
            str(write(tmp_path, "a.csv", "nummer;naam;limiet\n1001;Anna;100\n")),
        )
    )
    changed = write(tmp_path, "b.csv", "nummer;naam;limiet\n1001;Anna de Vries;150\n")
    result = invoke(empty_db, "import", "accounts", str(changed))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert " ".join(result.stderr.split()).startswith(
        f"{changed}: line 2: account '1001' exists already as 'Anna', with other details "
        "(name); pick another number, or import with --update to update its details; and "
        "account 1001 'Anna' cannot change its limit from 100.00 to 150 by an update; keep "
        "it as it stands with an empty limit"
    )


def test_update_checks_the_limit_set_limit_gave(empty_db: Path, tmp_path: Path) -> None:
    """After set-limit, a file with the new limit updates; one with the old limit is refused."""
    first = write(tmp_path, "leden.csv", "nummer;naam;limiet\n1001;Anna;300\n")
    succeeded(invoke(empty_db, "import", "accounts", str(first)))
    succeeded(invoke(empty_db, "set-limit", "1001", "1500", "--reason", "tour"))
    renamed = write(tmp_path, "leden-2.csv", "nummer;naam;limiet\n1001;Anna de Vries;1500\n")
    done = succeeded(invoke(empty_db, "import", "accounts", str(renamed), "--update"))
    assert done.stdout == f"imported 0 accounts from {renamed}; updated 1\n"
    refused = invoke(empty_db, "import", "accounts", str(first), "--update")
    assert refused.exit_code == EXIT_USAGE, explain(refused)
    assert "cannot change its limit from 1500.00 to 300 by an update" in refused.stderr
    with open_ledger(empty_db) as ledger:
        assert ledger.get_account("1001").name == "Anna de Vries"
        assert ledger.states(["1001"])["1001"].limit == 1500


def test_bookings_without_a_currency_are_in_their_accounts_currency(
    empty_db: Path, tmp_path: Path
) -> None:
    """A file without a currency column books each row in its account's currency, not EUR."""
    accounts = write(
        tmp_path,
        "accounts.csv",
        "number,name,limit,currency\n2001,Tokyo team,10000,JPY\n2002,Dam team,100.00,EUR\n",
    )
    assert succeeded(invoke(empty_db, "import", "accounts", str(accounts)))
    bookings = write(
        tmp_path,
        "sales.csv",
        "id,account,at,product,quantity,unit_price,vat_rate\n"
        "j1,2001,2026-10-03T21:40:00+02:00,Ramen,1,950,0.10\n"
        "e1,2002,2026-10-03T21:41:00+02:00,Koffie,1,2.40,0.09\n",
    )
    result = invoke(empty_db, "import", "transactions", str(bookings))
    assert result.exit_code == 0, explain(result)
    with open_ledger(empty_db) as ledger:
        currencies = {tx.account: tx.currency for tx in ledger.transactions(["2001", "2002"])}
    assert currencies == {"2001": "JPY", "2002": "EUR"}


def test_bookings_are_read_and_reported_though_the_database_does_not_open(
    tmp_path: Path,
) -> None:
    """Looking up an account's currency does not hide the rows' mistakes behind the database's."""
    path = write(
        tmp_path,
        "sales.csv",
        "id,account,at,product,quantity,unit_price,vat_rate\n"
        "j1,2001,2026-10-03T21:40:00+02:00,Ramen,een,950,0.10\n",
    )
    result = invoke(tmp_path / "missing.sqlite", "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.startswith(f"{path}: line 2: quantity 'een' is not a number")
    assert not (tmp_path / "missing.sqlite").exists()


def test_a_file_leaving_kind_currency_or_limit_out_keeps_them_as_they_stand(
    empty_db: Path, tmp_path: Path
) -> None:
    """An update file of numbers and new details keeps each account's kind, currency, limit."""
    first = write(
        tmp_path,
        "accounts.csv",
        "number,name,kind,limit,currency\n"
        "1001,Anna,limit,100,EUR\n"
        "2001,Tokyo team,limit,10000,JPY\n"
        "9001,Kantinekaart,credit,,EUR\n",
    )
    succeeded(invoke(empty_db, "import", "accounts", str(first)))
    succeeded(invoke(empty_db, "set-limit", "1001", "150", "--reason", "tour"))
    details = write(
        tmp_path,
        "iban.csv",
        "number,name,iban\n"
        "1001,Anna,NL91ABNA0417164300\n"
        "2001,Tokyo team,\n"
        "9001,Kantinekaart,\n"
        "3001,Nieuw lid,\n",
    )
    done = succeeded(invoke(empty_db, "import", "accounts", str(details), "--update"))
    assert done.stdout == (
        f"imported 1 account from {details}; updated 1; 2 accounts were there already\n"
    )
    with open_ledger(empty_db) as ledger:
        states = ledger.states(["1001", "2001", "9001", "3001"])
    held = {n: (s.account.kind.value, s.account.currency, s.limit) for n, s in states.items()}
    assert held == {
        "1001": ("limit", "EUR", Decimal(150)),
        "2001": ("limit", "JPY", Decimal(10000)),
        "9001": ("credit", "EUR", Decimal(0)),
        "3001": ("limit", "EUR", Decimal(0)),
    }
    billing = states["1001"].account.billing
    assert billing is not None
    assert billing.iban == "NL91ABNA0417164300"


def test_an_update_keeps_the_details_of_columns_the_file_does_not_have(
    empty_db: Path, tmp_path: Path
) -> None:
    """A file of numbers, names and IBANs keeps each account's group, tags, mandate, address."""
    first = write(
        tmp_path,
        "leden.csv",
        "number,name,limit,group,tags,email,iban,mandate_id,mandate_date,street,postal_code,city\n"
        "1002,Jan,50,Senioren,bar|keuken,jan@example.nl,NL91ABNA0417164300,M-1002,2025-01-15,"
        "Dorpsstraat 1,1234 AB,Ons Dorp\n",
    )
    succeeded(invoke(empty_db, "import", "accounts", str(first)))
    ibans = write(tmp_path, "iban.csv", "number,name,iban\n1002,Jan,NL39RABO0300065264\n")
    succeeded(invoke(empty_db, "import", "accounts", str(ibans), "--update"))
    with open_ledger(empty_db) as ledger:
        account = ledger.get_account("1002")
    assert (account.group, account.tags) == ("Senioren", frozenset({"bar", "keuken"}))
    billing = account.billing
    assert billing is not None
    assert billing.iban == "NL39RABO0300065264"
    assert (billing.email, billing.mandate_id) == ("jan@example.nl", "M-1002")
    assert billing.mandate_date == dt.date(2025, 1, 15)
    assert billing.address is not None
    assert (billing.address.street, billing.address.city) == ("Dorpsstraat 1", "Ons Dorp")
    # A detail given in part is given whole: no old bank's BIC, mandate date or postcode.
    moved = write(
        tmp_path,
        "moved.csv",
        "number,name,bic,mandate_id,street,city\n1002,Jan,RABONL2U,M-2,Kerkpad 2,Elders\n",
    )
    refused = invoke(empty_db, "import", "accounts", str(moved), "--update")
    assert "a direct-debit mandate needs both its id and its date" in refused.stderr
    moved.write_text(
        "number,name,iban,mandate_id,mandate_date,street,city\n"
        "1002,Jan,NL39RABO0300065264,M-2,2026-11-01,Kerkpad 2,Elders\n",
        encoding="utf-8",
    )
    succeeded(invoke(empty_db, "import", "accounts", str(moved), "--update"))
    with open_ledger(empty_db) as ledger:
        billing = ledger.get_account("1002").billing
    assert billing is not None
    assert billing.address is not None
    assert (billing.bic, billing.mandate_date) == (None, dt.date(2026, 11, 1))
    assert (billing.address.postal_code, billing.address.country) == (None, "NL")
    assert billing.email == "jan@example.nl"
    cleared = write(tmp_path, "clear.csv", "number,name,email\n1002,Jan,\n")
    succeeded(invoke(empty_db, "import", "accounts", str(cleared), "--update"))
    with open_ledger(empty_db) as ledger:
        billing = ledger.get_account("1002").billing
    assert billing is not None
    assert (billing.email, billing.iban) == (None, "NL39RABO0300065264")


def test_an_import_warns_of_the_accounts_it_took_over_their_limit(
    empty_db: Path, tmp_path: Path
) -> None:
    """Sales past a limit or a prepaid balance are imported, and each such account named."""
    accounts = write(
        tmp_path,
        "accounts.csv",
        "number,name,kind,limit\n1003,Bas,limit,100\n9002,Kaart,credit,\n",
    )
    succeeded(invoke(empty_db, "import", "accounts", str(accounts)))
    sales = write(
        tmp_path,
        "sales.csv",
        "id,account,at,type,product,quantity,unit_price,vat_rate,amount,text\n"
        "t1,9002,2026-10-03T12:00:00+02:00,top-up,,,,,25.00,cash\n"
        "s1,9002,2026-10-03T21:40:00+02:00,purchase,Bier,20,2.80,0.21,,\n"
        "s2,1003,2026-10-03T21:41:00+02:00,purchase,Bier,60,2.80,0.21,,\n",
    )
    result = invoke(empty_db, "import", "transactions", str(sales))
    assert result.exit_code == 0, explain(result)
    warned = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warned == [
        "warning: credit account 9002 'Kaart' is below zero after the import: balance "
        "-31.00; new purchases will be refused until it is topped up",
        "warning: account 1003 'Bas' is over its limit after the import: spending room "
        "-68.00 (balance -168.00, limit 100.00); new purchases will be refused until a "
        "payment is booked or the limit is raised",
    ]
    again = invoke(empty_db, "import", "transactions", str(sales), "--json")
    assert json.loads(again.stdout)["over_limit"] == []


def test_an_import_names_prepaid_cards_below_zero_first(empty_db: Path, tmp_path: Path) -> None:
    """Of many accounts over their limit, the prepaid card is named, not counted away."""
    rows = "".join(f"{1000 + n},Lid {n},,10\n" for n in range(8))
    accounts = write(
        tmp_path, "accounts.csv", "number,name,kind,limit\n" + rows + "9999,Kaart,credit,\n"
    )
    succeeded(invoke(empty_db, "import", "accounts", str(accounts)))
    sales = "".join(
        f"s{n},{n},2026-10-03T21:40:00+02:00,Bier,10,2.80,0.21\n"
        for n in [*range(1000, 1008), 9999]
    )
    path = write(
        tmp_path, "sales.csv", "id,account,at,product,quantity,unit_price,vat_rate\n" + sales
    )
    checked = invoke(empty_db, "import", "transactions", str(path), "--dry-run")
    warned = [line for line in checked.stderr.splitlines() if line.startswith("warning:")]
    assert warned[0].startswith("warning: credit account 9999 'Kaart' is below zero if imported")
    assert warned[-1] == "warning: and 4 more accounts: 4 over their limit; --json lists them all"
    data = json_of(invoke(empty_db, "import", "transactions", str(path), "--json"))
    card = next(w for w in data["over_limit"] if w["account"] == "9999")
    assert (card["credit"], card["currency"], card["balance"]) == (True, "EUR", "-28.00")


def test_an_update_without_limits_keeps_a_limit_a_run_took_below_zero(
    empty_db: Path, tmp_path: Path
) -> None:
    """A file of new names updates an account whose limit a run took below zero, keeping it."""
    first = write(tmp_path, "accounts.csv", "number,name,limit\n1,Over,50\n")
    succeeded(invoke(empty_db, "import", "accounts", str(first)))
    sales = write(
        tmp_path,
        "sales.csv",
        "account,at,product,quantity,unit_price,vat_rate\n1,2026-10-05 12:00,Beer,25,2.40,0.21\n",
    )
    succeeded(invoke(empty_db, "import", "transactions", str(sales)))
    succeeded(
        invoke(
            empty_db,
            "invoice",
            "--period",
            "2026-10",
            "--account",
            "1",
            "--strategy",
            "limit-minus-invoiced",
            "--commit",
        )
    )
    renamed = write(tmp_path, "renamed.csv", "number,name,email\n1,Over renamed,o@example.org\n")
    succeeded(invoke(empty_db, "import", "accounts", str(renamed), "--update"))
    empty = write(
        tmp_path, "empty.csv", "number,name,limit,email\n1,Over renamed,,o@example.org\n"
    )
    result = invoke(empty_db, "import", "accounts", str(empty))
    succeeded(result)
    assert "1 account was there already" in result.stdout, explain(result)
    [shown] = json.loads(invoke(empty_db, "accounts", "--json").stdout)
    assert (shown["name"], shown["limit"]) == ("Over renamed", "-10.00")


def test_rows_repeating_an_earlier_row_are_refused_unless_kept(
    small_db: Path, tmp_path: Path
) -> None:
    """Two equal rows without an id may be a paste: refused, or two sales with --keep-repeats."""
    before = state_of(small_db)
    sales = write(
        tmp_path,
        "sales.csv",
        "account,at,product,quantity,unit_price,vat_rate\n"
        "100,2026-10-03T21:40:00+02:00,Koffie,1,2.40,0.09\n"
        "100,2026-10-03T21:41:00+02:00,Bier,1,2.80,0.21\n"
        "100,2026-10-03T21:40:00+02:00,Koffie,1,2.40,0.09\n"
        "100,2026-10-03T21:40:00+02:00,Koffie,1,2.40,0.09\n",
    )
    result = invoke(small_db, "import", "transactions", str(sales))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[:2] == [
        f"{sales}: line 4: is the same booking as line 2; delete it if it was pasted twice, "
        "or import with --keep-repeats if each is a booking of its own",
        f"{sales}: line 5: is the same booking as line 2; delete it if it was pasted twice, "
        "or import with --keep-repeats if each is a booking of its own",
    ]
    assert state_of(small_db) == before
    kept = invoke(small_db, "import", "transactions", str(sales), "--keep-repeats")
    assert kept.exit_code == 0, explain(kept)
    assert kept.stdout.startswith(f"imported 4 bookings from {sales}")
    assert kept.stderr == (
        "note: 2 rows repeat an earlier row (line 4 repeats line 2, line 5 repeats line 2); "
        "each counts as a booking of its own, as --keep-repeats asked\n"
    )
    again = invoke(small_db, "import", "transactions", str(sales), "--keep-repeats")
    assert again.exit_code == 0, explain(again)
    assert "4 bookings were there already" in again.stdout


def test_another_kind_with_an_empty_limit_is_refused_as_the_kind_change(
    empty_db: Path, tmp_path: Path
) -> None:
    """A file turning a limit account into a credit account is told the kind cannot change."""
    first = write(tmp_path, "accounts.csv", "number,name,kind,limit\n1001,Anna,limit,100\n")
    succeeded(invoke(empty_db, "import", "accounts", str(first)))
    credit = write(tmp_path, "credit.csv", "number,name,kind\n1001,Anna,credit\n")
    result = invoke(empty_db, "import", "accounts", str(credit), "--update")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{credit}: line 2: account 1001 'Anna' cannot change its kind from limit to credit "
        "by an update; open a new account"
    )


def test_the_mistakes_of_a_file_are_reported_in_the_order_of_their_lines() -> None:
    """Mistakes of several kinds come line by line; a collapsed one stands at its first line."""
    bad = [BadRow(15, "kind a", rule="a"), BadRow(19, "kind a", rule="a"), BadRow(17, "kind b")]
    assert ImportFailed(Path("f.csv"), bad).report == (
        "line 15: kind a",
        "line 17: kind b",
        "line 19: kind a",
    )
    many = [BadRow(n, "same", rule="s", summary="share it") for n in range(10, 30)]
    report = ImportFailed(Path("f.csv"), [BadRow(12, "other"), *many]).report
    assert [line.split(" ")[:2] for line in report] == [["20", "rows"], ["line", "12:"]]


def test_a_purchase_amount_that_is_not_quantity_times_unit_price_is_refused(
    small_db: Path, tmp_path: Path
) -> None:
    """An amount column on a purchase row is checked against quantity × unit price, not ignored."""
    before = state_of(small_db)
    path = write(
        tmp_path,
        "sales.csv",
        "account,at,product,quantity,unit_price,vat_rate,amount\n"
        "100,2026-10-05 12:00,Bier,3,2.40,0.21,7.20\n"
        "100,2026-10-05 12:05,Bier,3,2.40,0.21,5.00\n"
        "100,2026-10-05 12:10,Bier,3,2.40,0.21,\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{path}: line 3: amount 5.00 is not quantity × unit_price (3 × 2.40 = 7.20 EUR); a "
        "purchase line's amount is computed from them: correct the row or leave amount empty"
    )
    assert state_of(small_db) == before
    dutch = write(
        tmp_path,
        "verkopen.csv",
        "rekening;tijdstip;product;aantal;stukprijs;btw-tarief;bedrag\n"
        "100;05-10-2026 12:05;Bier;3;2,40;0,21;5,00\n",
    )
    result = invoke(small_db, "import", "transactions", str(dutch))
    assert "(3 × 2,40 = 7,20 EUR)" in result.stderr, "the file's own decimal comma"


def test_an_iban_with_wrong_check_digits_or_shape_is_refused_naming_its_line(
    empty_db: Path, tmp_path: Path
) -> None:
    """A mistyped IBAN is refused at import, not first at the SEPA export months later."""
    accounts = write(
        tmp_path,
        "leden.csv",
        "nummer;naam;limiet;iban\n"
        "1001;Anna;100;NL91 ABNA 0417 1643 00\n"
        "1002;Jan;50;NL91ABNA0417164301\n"
        "1003;Piet;50;NL91ABNA\n",
    )
    result = invoke(empty_db, "import", "accounts", str(accounts))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[:2] == [
        f"{accounts}: line 3: iban 'NL91ABNA0417164301' is no IBAN: its check digits are "
        "wrong; correct it from the account holder's bank details",
        f"{accounts}: line 4: iban 'NL91ABNA' is no IBAN: an IBAN is two letters, two check "
        "digits and 11 to 30 letters or digits; correct it from the account holder's bank "
        "details",
    ]
    with open_ledger(empty_db) as ledger:
        assert ledger.states(["1001", "1002", "1003"]) == {}


def test_dutch_dates_without_leading_zeros_are_read_as_excel_writes_them(
    empty_db: Path, tmp_path: Path
) -> None:
    """Dutch Excel writes 1 February 2026 as 1-2-2026: read so, with or without leading zeros."""
    accounts = write(
        tmp_path,
        "leden.csv",
        "nummer;naam;limiet;iban;machtigingskenmerk;machtigingsdatum\n"
        "1001;Anna;100;NL91ABNA0417164300;M1;1-2-2026\n"
        "1002;Jan;50;NL91ABNA0417164300;M2;01-2-2026\n"
        "1003;Piet;50;NL91ABNA0417164300;M3;1-02-2026\n"
        "1004;Els;50;NL91ABNA0417164300;M4;15-11-2025\n",
    )
    succeeded(invoke(empty_db, "import", "accounts", str(accounts)))
    with open_ledger(empty_db) as ledger:
        states = ledger.states(["1001", "1002", "1003", "1004"])
    dates = {n: s.account.billing.mandate_date for n, s in states.items() if s.account.billing}
    assert dates == {
        "1001": dt.date(2026, 2, 1),
        "1002": dt.date(2026, 2, 1),
        "1003": dt.date(2026, 2, 1),
        "1004": dt.date(2025, 11, 15),
    }


def test_a_number_given_twice_is_reported_with_the_other_mistakes_in_one_pass(
    empty_db: Path, tmp_path: Path
) -> None:
    """A repeated number is named though its first line has a mistake of its own."""
    accounts = write(
        tmp_path,
        "leden.csv",
        "nummer;naam;limiet;iban\n"
        "1001;Anna;100;NL91ABNA0417164300\n"
        "1002;Jan;50;NL91ABNA0417164301\n"
        "1002;Jan;50;NL91ABNA0417164300\n",
    )
    result = invoke(empty_db, "import", "accounts", str(accounts))
    assert result.exit_code == EXIT_USAGE, explain(result)
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{accounts}: line 3: iban 'NL91ABNA0417164301' is no IBAN")
    assert lines[1] == (
        f"{accounts}: line 4: account 1002 appears already on line 3; give each account one "
        "line: remove this one, or give it its own number"
    )
    # The repeat's own mistake is found in the same pass.
    again = write(
        tmp_path,
        "leden-2.csv",
        "nummer;naam;limiet;machtigingskenmerk;machtigingsdatum\n"
        "1001;Anna;100;M1;1-2-2026\n"
        "1001;Anna;100;M1;31-2-2026\n",
    )
    reported = invoke(empty_db, "import", "accounts", str(again)).stderr.splitlines()
    assert reported[0].startswith(f"{again}: line 3: account 1001 appears already on line 2")
    assert (
        reported[1]
        == f"{again}: line 3: machtigingsdatum '31-2-2026' is not a date like 31-01-2026"
    )


def test_a_refund_without_an_amount_says_what_a_refund_is_and_what_a_return_is(
    small_db: Path, tmp_path: Path
) -> None:
    """A refund without amount says it books money back, and how a returned product is written."""
    path = write(
        tmp_path,
        "t.csv",
        "account,at,type,product,quantity,unit_price,vat_rate,text\n"
        "900,2026-10-03T20:00:00+02:00,refund,Cola,1,2.80,0.09,returned\n",
    )
    result = invoke(small_db, "import", "transactions", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{path}: line 2: amount is empty; a refund books money back to the account and "
        "needs its amount in column 'amount' (a returned product is a purchase row with a "
        "negative quantity)"
    )


def test_a_credit_booking_on_a_limit_account_warns_that_a_run_will_refuse_it(
    small_db: Path, tmp_path: Path
) -> None:
    """A refund on a limit account blocks that account's run: said, with how a return is booked."""
    path = write(
        tmp_path,
        "correctie.csv",
        "account,at,type,amount,text\n"
        "200,2026-10-17T16:00:00+02:00,refund,100.80,te veel aangeslagen\n"
        "900,2026-10-17T16:00:00+02:00,top-up,20.00,opgewaardeerd\n",
    )
    result = succeeded(invoke(small_db, "import", "transactions", str(path)))
    assert " ".join(result.stderr.split()) == (
        "warning: line 2 is a refund of 100.80 on limit account 200 'Team Heren 1' on "
        "business day 2026-10-17: a run over a period that holds it refuses the account; "
        "a product rung up wrongly or returned is a purchase row with a negative quantity, "
        "which a run bills"
    )


def test_a_sale_dated_in_a_billed_period_is_named_with_the_run_that_bills_it(
    demo_db: Path, tmp_path: Path
) -> None:
    """A sale of 1 November 01:30 falls on 31 October, billed already: said, with the way out."""
    sales = write(
        tmp_path,
        "verkopen.csv",
        "kenmerk;rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "n1;1001;01-11-2026 01:30;Bier;1;2,80;0,21\n"
        "n2;1001;03-11-2026 21:40;Bier;1;2,80;0,21\n",
    )
    done = succeeded(invoke(demo_db, "import", "transactions", str(sales)))
    said = " ".join(done.stderr.split())
    assert said.endswith(
        "warning: 1 booking falls in the last run's period (2026-10), on business day "
        "2026-10-31 (line 2), and no run has billed it: the next period's run will not "
        "either; a run over that day does, such as onaccount invoice --period 2026-10-31 "
        "--account 1001 --strategy STRATEGY --commit"
    ), said
    assert said.startswith("note: business days start at 04:00, as in the last run"), said
    again = succeeded(invoke(demo_db, "import", "transactions", str(sales)))
    assert "falls in the last run's period" in again.stderr, "still unbilled: said again"
    billed = ("invoice", "--period", "2026-10-31", "--account", "1001", "--strategy", "none")
    succeeded(invoke(demo_db, *billed, "--commit"))
    after = succeeded(invoke(demo_db, "import", "transactions", str(sales)))
    assert "warning" not in after.stderr, "billed now: nothing said"


def test_sales_outside_the_last_runs_period_or_on_prepaid_accounts_are_not_warned_of(
    demo_db: Path, tmp_path: Path
) -> None:
    """Earlier months are their runs' own; prepaid accounts are never billed: no warning."""
    with open_ledger(demo_db) as ledger:
        states = ledger.find_accounts(oa.AccountQuery())
        prepaid = next(s.account.number for s in states if s.account.kind.value == "credit")
    sales = write(
        tmp_path,
        "verkopen.csv",
        "kenmerk;rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "e1;1001;15-09-2026 21:30;Bier;1;2,80;0,21\n"
        f"e2;{prepaid};10-10-2026 21:30;Bier;1;2,80;0,21\n",
    )
    done = succeeded(invoke(demo_db, "import", "transactions", str(sales)))
    assert "warning" not in done.stderr, done.stderr


def test_every_late_booking_s_line_is_named_in_the_warning(demo_db: Path, tmp_path: Path) -> None:
    """Three late sales: the warning names the three lines, so each can be found."""
    late = write(
        tmp_path,
        "laat.csv",
        "kenmerk;rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "l1;1001;20-10-2026 21:00;Bier;1;2,80;0,21\n"
        "l2;1002;21-10-2026 21:00;Bier;1;2,80;0,21\n"
        "l3;1003;22-10-2026 21:00;Bier;1;2,80;0,21\n",
    )
    said = " ".join(succeeded(invoke(demo_db, "import", "transactions", str(late))).stderr.split())
    assert "3 bookings fall in the last run's period (2026-10)" in said, said
    assert "(lines 2, 3, 4)" in said, said


def test_sales_of_accounts_the_last_run_left_out_are_not_warned_of(
    demo_db: Path, tmp_path: Path
) -> None:
    """After a run over one account, the others' sales wait for their own run: no warning."""
    members = write(tmp_path, "leden.csv", "nummer;naam;limiet\n4001;Nieuw lid;100\n")
    succeeded(invoke(demo_db, "import", "accounts", str(members)))
    first = write(
        tmp_path,
        "eerst.csv",
        "kenmerk;rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "x0;1001;01-11-2026 20:00;Bier;1;2,80;0,21\n",
    )
    succeeded(invoke(demo_db, "import", "transactions", str(first)))
    one = ("invoice", "--period", "2026-11-01..2026-11-02", "--account", "1001")
    succeeded(invoke(demo_db, *one, "--strategy", "none", "--commit"))
    sales = write(
        tmp_path,
        "verkopen.csv",
        "kenmerk;rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "x1;1002;02-11-2026 21:30;Bier;4;2,80;0,21\n"
        "x2;4001;02-11-2026 21:30;Bier;4;2,80;0,21\n"
        "x3;1001;02-11-2026 21:30;Bier;1;2,80;0,21\n",
    )
    said = " ".join(
        succeeded(invoke(demo_db, "import", "transactions", str(sales))).stderr.split()
    )
    assert "1 booking falls in the last run's period (2026-11-01..2026-11-02)" in said, said
    assert "--account 1001 --strategy" in said, said


def test_a_dry_run_shows_the_accounts_as_read(empty_db: Path, tmp_path: Path) -> None:
    """--dry-run shows the accounts as read: a Dutch limit '1.500' is one thousand five hundred."""
    accounts = write(
        tmp_path,
        "leden.csv",
        "nummer;naam;limiet;iban\n"
        "1001;Anna de Vries;1.500;NL91 ABNA 0417 1643 00\n"
        "1002;Jan;15,5;\n",
    )
    result = succeeded(invoke(empty_db, "import", "accounts", str(accounts), "--dry-run"))
    out = result.stdout
    assert "Accounts as read, amounts in EUR" in out
    rows = [line for line in out.splitlines() if "1001" in line or "1002" in line]
    assert len(rows) == 2
    assert all(word in rows[0] for word in ("Anna de Vries", "1,500.00", "NL91ABNA0417164300"))
    assert all(word in rows[1] for word in ("Jan", "15.50"))
    assert out.splitlines()[-1].startswith("would import 2 accounts from ")
    with open_ledger(empty_db) as ledger:
        assert ledger.states(["1001", "1002"]) == {}


def test_every_kind_of_credit_booking_is_explained_when_its_amount_is_missing() -> None:
    """Each CreditKind has the words a row without an amount is refused with."""
    assert set(_CREDIT_MEANS) == set(oa.CreditKind)


def test_a_dry_run_shows_a_kept_limit_as_it_stands(empty_db: Path, tmp_path: Path) -> None:
    """An empty limit keeps the one set-limit gave: the preview shows that, not the opening one."""
    first = write(tmp_path, "leden.csv", "nummer;naam;limiet\n1001;Anna;75\n")
    succeeded(invoke(empty_db, "import", "accounts", str(first)))
    succeeded(invoke(empty_db, "set-limit", "1001", "125", "--reason", "tour"))
    later = write(tmp_path, "leden-2.csv", "nummer;naam;limiet\n1001;Anna de Vries;\n")
    args = ("import", "accounts", str(later), "--update", "--dry-run")
    out = succeeded(invoke(empty_db, *args)).stdout
    (row,) = [line for line in out.splitlines() if "1001" in line]
    assert "125.00" in row, out
    assert "75.00" not in row, out


def test_a_row_repeated_inside_one_purchase_is_refused_unless_kept(
    small_db: Path, tmp_path: Path
) -> None:
    """A row equal in every cell to an earlier line of its purchase is kept only when asked."""
    sales = write(
        tmp_path,
        "dubbel.csv",
        "kenmerk;rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "D1;100;10-11-2026 21:00;Bier;2;2,80;0,21\n"
        "D1;100;10-11-2026 21:00;Bier;2;2,80;0,21\n"
        "D2;100;10-11-2026 21:05;Bier;1;2,80;0,21\n",
    )
    refused = invoke(small_db, "import", "transactions", str(sales))
    assert refused.exit_code == EXIT_USAGE, explain(refused)
    assert refused.stderr.splitlines()[0] == (
        f"{sales}: line 3: repeats line 2 exactly; delete it if it was pasted twice, or "
        "import with --keep-repeats if each is a line of its purchase"
    )
    result = succeeded(invoke(small_db, "import", "transactions", str(sales), "--keep-repeats"))
    assert result.stdout.startswith(f"imported 2 bookings from {sales}"), explain(result)
    assert result.stderr == (
        "note: 1 row repeats an earlier row (line 3 repeats line 2); it counts as a line of "
        "its purchase, as --keep-repeats asked\n"
    )
    with open_ledger(small_db) as ledger:
        [d1] = [t for t in ledger.transactions(["100"]) if t.id == "D1"]
    assert isinstance(d1, oa.Purchase)
    assert [(line.product, line.quantity) for line in d1.lines] == [("Bier", 2), ("Bier", 2)]


def _billed_below_its_limit(db: Path, tmp_path: Path) -> Path:
    """Account 1 opened with limit 200, then billed 60.00 by a limit-minus-invoiced run.

    Returns the members' file it was opened from, which still says 200.
    """
    members = write(tmp_path, "leden.csv", "nummer;naam;limiet\n1;Kees de Vries;200\n")
    succeeded(invoke(db, "import", "accounts", str(members)))
    sales = write(
        tmp_path,
        "kassa.csv",
        "rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "1;05-10-2026 21:00;Bier;25;2,40;0,21\n",
    )
    succeeded(invoke(db, "import", "transactions", str(sales)))
    run = ("invoice", "--period", "2026-10", "--account", "1", "--key", "okt")
    succeeded(invoke(db, *run, "--strategy", "limit-minus-invoiced", "--commit"))
    return members


def test_a_limit_a_run_lowered_is_refused_saying_so_without_naming_update(
    empty_db: Path, tmp_path: Path
) -> None:
    """The members' file after a limit-minus-invoiced run: the run named, no --update said."""
    members = _billed_below_its_limit(empty_db, tmp_path)
    result = invoke(empty_db, "import", "accounts", str(members))
    assert result.exit_code == EXIT_USAGE, explain(result)
    said = " ".join(result.stderr.split())
    assert said.startswith(
        f"{members}: line 2: account 1 'Kees de Vries' cannot change its limit from 140.00 to "
        "200 by an import: the invoice run over 2026-10 (limit-minus-invoiced) lowered it by "
        "60.00, what it invoiced; keep it as it stands with an empty limit and change it "
        "with onaccount set-limit, so that the change is booked as a mutation"
    ), said
    assert "update" not in said, said
    updated = invoke(empty_db, "import", "accounts", str(members), "--update")
    assert "by an update: the invoice run over 2026-10" in " ".join(updated.stderr.split())
    kept = write(tmp_path, "leden-2.csv", "nummer;naam;limiet\n1;Kees de Vries;\n")
    assert (
        "1 account was there already"
        in succeeded(invoke(empty_db, "import", "accounts", str(kept))).stdout
    )


def test_a_run_undone_is_not_named_for_a_limit_set_limit_gave(
    empty_db: Path, tmp_path: Path
) -> None:
    """After the run is undone and set-limit raised the limit, the refusal names no run."""
    members = _billed_below_its_limit(empty_db, tmp_path)
    succeeded(invoke(empty_db, "undo", "okt", "--account", "1", "--reason", "fout"))
    succeeded(invoke(empty_db, "set-limit", "1", "250", "--reason", "nieuw seizoen"))
    result = invoke(empty_db, "import", "accounts", str(members))
    assert result.exit_code == EXIT_USAGE, explain(result)
    said = " ".join(result.stderr.split())
    assert (
        "account 1 'Kees de Vries' cannot change its limit from 250.00 to 200 by an import; "
        "keep it as it stands with an empty limit"
    ) in said, said
    assert "lowered" not in said, said


def test_a_late_sale_is_warned_of_after_a_run_over_fewer_accounts_of_the_same_period(
    demo_db: Path, tmp_path: Path
) -> None:
    """October billed for all, then 1001 alone again: a late sale of 1002 is still warned of."""
    succeeded(invoke(demo_db, "undo", "demo-2026-10", "--account", "1001", "--reason", "fout"))
    again = ("invoice", "--period", "2026-10", "--account", "1001", "--strategy", "none")
    succeeded(invoke(demo_db, *again, "--commit"))
    sales = write(
        tmp_path,
        "laat.csv",
        "kenmerk;rekening;tijdstip;product;aantal;stukprijs;btw-tarief\n"
        "LATE1;1002;28-10-2026 21:00;Bier;2;2,80;0,21\n",
    )
    said = " ".join(
        succeeded(invoke(demo_db, "import", "transactions", str(sales))).stderr.split()
    )
    assert (
        "warning: 1 booking falls in the last run's period (2026-10), on business day "
        "2026-10-28 (line 2), and no run has billed it"
    ) in said, said
    assert "--period 2026-10-28 --account 1002 --strategy STRATEGY --commit" in said, said
