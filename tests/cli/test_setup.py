"""The demo, the schema command and how the command line finds its database."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints
from sepaxml.validation import try_valid_xml  # type: ignore[import-untyped]  # no hints

import onaccount as oa
from onaccount.cli import EXIT_REFUSED, EXIT_USAGE
from onaccount.cli._demo import DEMO_CLUB
from onaccount.exporting import load_exporters
from onaccount.exporting._requirements import pip_install
from onaccount.ledger.sql import SCHEMA_VERSION, schema_version
from tests.cli._support import ADMIN, explain, invoke, json_of, open_ledger, succeeded
from tests.cli.conftest import DEMO_TODAY, VARIABLES, Demo
from tests.exporters._ubl_rules import NS, load_schemas, members, peppol_problems, validate
from tests.exporting.test_xlsx import libreoffice_page_texts

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_demo_builds_a_ledger_bills_october_and_exports_it(demo: Demo) -> None:
    """The demo books three months, commits one run per month and writes every export."""
    output = succeeded(demo.result).stdout
    assert "Billing 2026-10" in output
    assert "refused 1007" in output
    assert "refused 9001" in output
    assert (
        f"  export ONACCOUNT_DB={demo.db}\n  export ONACCOUNT_DAY_STARTS_AT=04:00\n"
        "  export ONACCOUNT_LOCALE=nl_NL\n  onaccount accounts"
    ) in output
    with open_ledger(demo.db) as ledger:
        runs = ledger.runs()
        assert [r.key for r in runs] == ["demo-2026-08", "demo-2026-09", "demo-2026-10"]
        october = runs[-1]
        assert f"mutations --run {october.id}" in output
        assert all(r.actor == "tester" for r in runs)
        total = october.totals["EUR"]
        # The demo writes amounts as its Dutch canteen does: € 28.008,05.
        dutch = f"{total:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        assert f"total €\xa0{dutch}" in output
    # One file per available exporter, named without spaces, the CSV with its layout.
    exporters = load_exporters().exporters()
    assert {"csv", "journal", "sepa", "ubl", "xlsx"} <= {e.identifier for e in exporters}
    exports = sorted(p.name for p in (demo.directory / "exports").iterdir())
    assert exports == sorted(
        "-".join(["run-2026-10-demo-2026-10", *filter(None, [e.file_label(e.Options())])])
        + f".{e.extension}"
        for e in exporters
    )
    assert "run-2026-10-demo-2026-10-lines.csv" in exports
    # The workbook is printed with the club's name at the top of every page.
    book = openpyxl.load_workbook(demo.directory / "exports" / "run-2026-10-demo-2026-10.xlsx")
    assert {ws.oddHeader.left.text for ws in book.worksheets} == {DEMO_CLUB.name}
    count = len(exporters)
    assert f"Wrote {count} export files to {demo.directory / 'exports'}/" in output
    assert "skipped" not in output
    # Each exporter says what it wrote and refused, as `onaccount export` does.
    said = {line.strip().partition(":")[0]: line.strip() for line in output.splitlines()}
    assert said["csv"].startswith("csv: ")
    assert " rows written" in said["csv"]
    assert " invoices written, " in said["ubl"]
    assert said["ubl"].endswith("see refused.txt")
    assert "billing.peppol_id" in said["ubl"]


def test_the_demo_run_workbook_prints_without_a_blank_page(demo: Demo, tmp_path: Path) -> None:
    """Printed by LibreOffice, every page of the run's workbook carries its header and rows."""
    book = demo.directory / "exports" / "run-2026-10-demo-2026-10.xlsx"
    pages = libreoffice_page_texts(book, tmp_path)
    blank = [number for number, text in enumerate(pages, 1) if not text.strip()]
    assert blank == [], f"pages {blank} of {len(pages)} are blank"
    assert all("Sportvereniging De Zwaluwen" in text for text in pages)


def test_demo_ubl_export_holds_peppol_invoices_for_its_businesses_and_refuses_the_rest(
    demo: Demo,
) -> None:
    """The demo's UBL zip invoices every business with a Peppol address; members are refused.

    Private members have no Peppol participant id, so an e-invoice cannot reach them; the
    zip names each with the field that would make it deliverable.
    """
    data = (demo.directory / "exports" / "run-2026-10-demo-2026-10.ubl.zip").read_bytes()
    found = members(data)
    invoices = {
        name: etree.fromstring(body) for name, body in found.items() if name.endswith(".xml")
    }
    with open_ledger(demo.db) as ledger:
        accounts = [s.account for s in ledger.find_accounts(oa.AccountQuery())]
    businesses = {a.number for a in accounts if a.billing is not None and a.billing.vat_id}
    assert businesses
    assert {name.removesuffix(".xml").rsplit("-", 1)[1] for name in invoices} == businesses
    schemas = load_schemas()
    for document in invoices.values():
        validate(document, schemas)
        assert peppol_problems(document) == []
        seller = document.find("cac:AccountingSupplierParty/cac:Party", namespaces=NS)
        assert seller.findtext("cbc:EndpointID", namespaces=NS) == DEMO_CLUB.kvk
    refused = found["refused.txt"].decode()
    refusals = dict(line.split("\t")[:2] for line in refused.splitlines()[1:])
    assert "3002" in refusals
    assert refusals["1001"] == "billing.peppol_id"
    assert businesses.isdisjoint(refusals)


def test_demo_sepa_export_collects_real_mandates_in_a_valid_pain008(demo: Demo) -> None:
    """The demo's SEPA zip holds a pain.008 that validates, one debit per member with a mandate."""
    data = (demo.directory / "exports" / "run-2026-10-demo-2026-10.sepa.zip").read_bytes()
    found = members(data)
    (xml,) = [body for name, body in found.items() if name.endswith(".xml")]
    try_valid_xml(xml, "pain.008.001.08")
    root = etree.fromstring(xml)
    namespace = {"p": etree.QName(root).namespace}
    debits = root.findall(".//p:DrctDbtTxInf", namespaces=namespace)
    assert len(debits) >= 30
    creditor = root.findtext(".//p:Cdtr/p:Nm", namespaces=namespace)
    assert creditor == DEMO_CLUB.name


def test_demo_sepa_file_is_sent_on_the_day_today_pretends(demo: Demo) -> None:
    """With --today 2026-11-15 the collection is sent then, not on the machine's date."""
    data = (demo.directory / "exports" / "run-2026-10-demo-2026-10.sepa.zip").read_bytes()
    (xml,) = [body for name, body in members(data).items() if name.endswith(".xml")]
    root = etree.fromstring(xml)
    namespace = {"p": etree.QName(root).namespace}
    assert DEMO_TODAY == "2026-11-15"  # a Sunday: the first TARGET2 day after is Monday
    assert root.findtext(".//p:GrpHdr/p:CreDtTm", namespaces=namespace).startswith(DEMO_TODAY)
    # Due 14 days after the invoice date (1 November), on Sunday 15 November: collected on
    # the first business day one business day after the file is sent.
    collected = {e.text for e in root.iterfind(".//p:ReqdColltnDt", namespaces=namespace)}
    assert collected == {"2026-11-17"}


def test_demo_sends_its_collection_on_the_clubs_day_not_the_machines(tmp_path: Path) -> None:
    """On a machine whose clock is in another zone, the collection is dated in the club's."""
    club = ZoneInfo("Europe/Amsterdam")
    before = dt.datetime.now(club).date()
    # UTC+14 or UTC-11: at any hour one of them has another date than Amsterdam.
    machine = next(
        zone
        for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
        if dt.datetime.now(ZoneInfo(zone)).date() != before
    )
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    done = subprocess.run(
        [sys.executable, "-c", "from onaccount.cli import main; main()", "demo", "canteen"],
        cwd=tmp_path,
        env={**env, "TZ": machine},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    after = dt.datetime.now(club).date()
    data = (tmp_path / "canteen" / "exports" / "run-2026-10-demo-2026-10.sepa.zip").read_bytes()
    (xml,) = [body for name, body in members(data).items() if name.endswith(".xml")]
    root = etree.fromstring(xml)
    created = root.findtext(".//p:GrpHdr/p:CreDtTm", namespaces={"p": etree.QName(root).namespace})
    assert created[:10] in {before.isoformat(), after.isoformat()}, (machine, created)


def test_demo_without_the_sepa_extra_exits_0_and_says_what_it_skipped(tmp_path: Path) -> None:
    """Without sepaxml and schwifty the demo writes the other exports and names the skip."""
    code = (
        "import sys\n"
        "sys.modules['sepaxml'] = sys.modules['schwifty'] = None  # as if not installed\n"
        "from onaccount.cli import main\n"
        f"sys.argv = ['onaccount', '--actor', 'tester', 'demo', 'canteen', '--today', "
        f"'{DEMO_TODAY}']\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    output = done.stdout
    assert "sepa: needs the 'sepa' extra" in output
    assert pip_install("onaccount", "sepa") in output
    assert "account invoices, total" in output
    assert "Try next:" in output
    exports = {p.name for p in (tmp_path / "canteen" / "exports").iterdir()}
    # Every built-in exporter but SEPA wrote its file; an installed plugin may add its own.
    assert exports >= {
        "run-2026-10-demo-2026-10-lines.csv",
        "run-2026-10-demo-2026-10.debtors.csv",
        "run-2026-10-demo-2026-10.journal.csv",
        "run-2026-10-demo-2026-10.ubl.zip",
        "run-2026-10-demo-2026-10.xaf.zip",
        "run-2026-10-demo-2026-10.xlsx",
    }
    assert not any("sepa" in name for name in exports), exports


def test_demo_run_again_replaces_its_directory_with_the_same_ledger(
    demo: Demo, tmp_path: Path
) -> None:
    """Over a previous demo the demo builds afresh, and the same day gives the same books."""
    directory = tmp_path / "again"
    shutil.copytree(demo.directory, directory)
    (directory / "exports" / "stale.csv").write_text("old")
    succeeded(invoke(None, "demo", str(directory), "--today", DEMO_TODAY))
    assert "stale.csv" not in {p.name for p in (directory / "exports").iterdir()}
    with open_ledger(demo.db) as first, open_ledger(directory / "onaccount.sqlite") as second:
        assert [m.kind for m in second.mutations(account="1001")] == [
            oa.MutationKind.RUN_CORRECTION
        ] * 3
        assert [r.totals for r in first.runs()] == [r.totals for r in second.runs()]
        numbers = [s.account.number for s in first.find_accounts(oa.AccountQuery())]
        assert {n: s.balance for n, s in first.states(numbers).items()} == {
            n: s.balance for n, s in second.states(numbers).items()
        }


def test_demo_never_replaces_a_demo_ledger_worked_in_since(demo: Demo, tmp_path: Path) -> None:
    """A demo ledger changed after the demo made it is refused, not rebuilt over."""
    directory = tmp_path / "worked-in"
    shutil.copytree(demo.directory, directory)
    with open_ledger(directory / "onaccount.sqlite") as ledger:
        oa.correct_balance(ledger, "1001", "5.00", actor=ADMIN, reason="left over")
    result = invoke(None, "demo", str(directory), "--today", DEMO_TODAY)
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert " ".join(result.stderr.split()) == (
        f"error: invalid value for DIRECTORY: {directory / 'onaccount.sqlite'} has changed "
        "since the demo made it (accounts, bookings or runs of yours); the demo would "
        f"replace it: give another directory, or remove {directory} first; see 'onaccount "
        "demo --help'"
    )
    with open_ledger(directory / "onaccount.sqlite") as ledger:
        assert oa.MutationKind.MANUAL in {m.kind for m in ledger.mutations(account="1001")}


def test_demo_never_wipes_a_directory_it_did_not_write(tmp_path: Path) -> None:
    """A directory with other files, or a file, is refused with exit 2 and left alone."""
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    result = invoke(None, "demo", str(precious))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "thesis.txt" in result.stderr
    assert "not a demo directory" in result.stderr
    assert sorted(p.name for p in precious.iterdir()) == ["thesis.txt"]
    result = invoke(None, "demo", str(precious / "thesis.txt"))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_db_upgrade_creates_the_schema_then_reports_it_current(tmp_path: Path) -> None:
    """The db upgrade command creates the schema and says so; run again it changes nothing."""
    db = tmp_path / "new.sqlite"
    created = succeeded(invoke(db, "db", "upgrade")).stdout
    assert created.strip() == f"created schema version {SCHEMA_VERSION} in {db}"
    assert schema_version(db) == SCHEMA_VERSION
    again = succeeded(invoke(db, "db", "upgrade")).stdout
    assert again.strip() == f"schema of {db} is up to date (version {SCHEMA_VERSION})"


def test_no_database_where_none_was_named_says_how_to_name_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --db or $ONACCOUNT_DB a missing default file is refused naming both."""
    monkeypatch.chdir(tmp_path)
    result = invoke(None, "runs", env={"ONACCOUNT_DB": None})
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr == (
        f"error: there is no database onaccount.sqlite in {tmp_path}, which is where "
        "commands look when neither --db nor $ONACCOUNT_DB names one; name yours with "
        "--db FILE (or set ONACCOUNT_DB), or create a new ledger here with `onaccount --db "
        "onaccount.sqlite db upgrade`\n"
    )
    assert not (tmp_path / "onaccount.sqlite").exists()
    named = invoke(tmp_path / "typo.sqlite", "runs")
    assert named.exit_code == EXIT_USAGE, explain(named)
    assert named.stderr == (
        f"error: database file {tmp_path / 'typo.sqlite'} does not exist; check --db (or "
        f"$ONACCOUNT_DB), or create it with `onaccount --db {tmp_path / 'typo.sqlite'} db "
        "upgrade`\n"
    )


def test_a_database_without_schema_is_a_usage_error(tmp_path: Path) -> None:
    """Commands on a file without the schema exit 2 and point at db upgrade."""
    path = tmp_path / "empty.sqlite"
    sqlite3.connect(path).close()
    result = invoke(path, "accounts")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert f"create it with `onaccount --db {path} db upgrade`" in result.stderr
    assert "Traceback" not in result.output


def test_a_file_that_is_no_database_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    """--db naming a file that is not SQLite exits 2 naming it, not as an internal error."""
    path = tmp_path / "members.csv"
    path.write_text("number;name\n100;Anna\n" * 200, encoding="utf-8")
    result = invoke(path, "accounts")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.startswith(f"error: database {path} cannot be read as one: ")
    assert "internal error" not in result.stderr


def test_a_folder_as_the_database_is_a_usage_error_naming_the_file_to_give(
    tmp_path: Path,
) -> None:
    """--db naming a folder exits 2 and names the file to give, for every command."""
    folder = tmp_path / "exports"
    folder.mkdir()
    for command in (["accounts"], ["db", "upgrade"]):
        result = invoke(folder, *command)
        assert result.exit_code == EXIT_USAGE, explain(result)
        assert result.stderr == (
            f"error: database {folder} is a folder, not a SQLite file; give the file in it, "
            f"such as {folder / 'onaccount.sqlite'}\n"
        )


def test_a_sqlite_file_that_cannot_be_opened_gives_advice_for_a_file(tmp_path: Path) -> None:
    """A SQLite file that cannot be opened says to check the file and its folder, not a server."""
    path = tmp_path / "onaccount.sqlite"
    invoke(path, "db", "upgrade")
    # A journal in the way as a folder: SQLite cannot write beside its file.
    (tmp_path / "onaccount.sqlite-journal").mkdir()
    members = tmp_path / "members.csv"
    members.write_text("number;name;limit\n1001;Anna;50\n", encoding="utf-8")
    result = invoke(path, "import", "accounts", str(members))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.startswith(f"error: cannot use the database {path}: OperationalError: ")
    assert result.stderr.endswith(
        "; check --db (or $ONACCOUNT_DB): it must name a SQLite file this user may read "
        "and write, in a folder it may write, that no other program keeps locked\n"
    )


def test_a_server_that_does_not_answer_is_named_without_the_password() -> None:
    """A PostgreSQL --db that refuses connections says to check the server: exit 2, a usage."""
    result = invoke("postgresql://club:secret@127.0.0.1:1/ledger", "accounts")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.startswith(
        "error: cannot use the database postgresql://club:***@127.0.0.1:1/ledger: "
    )
    assert result.stderr.endswith(
        "; check --db (or $ONACCOUNT_DB) and that the server is running\n"
    )
    assert "secret" not in result.stderr


def test_the_database_can_come_from_the_environment(small_db: Path, tmp_path: Path) -> None:
    """Without --db the file named by ONACCOUNT_DB is used, and --db still wins over it."""
    found = json_of(invoke(None, "accounts", "--json", env={"ONACCOUNT_DB": str(small_db)}))
    assert [a["number"] for a in found] == ["100", "200", "300", "900"]
    assert Decimal(found[0]["balance"]) == Decimal("-20.25")
    other = tmp_path / "other.sqlite"
    succeeded(invoke(other, "db", "upgrade"))
    empty = json_of(invoke(other, "accounts", "--json", env={"ONACCOUNT_DB": str(small_db)}))
    assert empty == []


def test_the_role_can_come_from_the_environment(small_db: Path) -> None:
    """ONACCOUNT_ROLE sets the role when --role is not given."""
    args = ("invoice", "--period", "2026-10", "--all", "--strategy", "none")
    result = invoke(small_db, *args, role=None, env={"ONACCOUNT_ROLE": "viewer"})
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert "actor 'tester'" in result.stderr
    assert "'bulk-invoice' capability (it holds: view)" in result.stderr


def test_the_actor_can_come_from_the_environment(small_db: Path) -> None:
    """ONACCOUNT_ACTOR names who acts when --actor is not given; the run records it."""
    args = ("invoice", "--period", "2026-10", "--all", "--strategy", "none", "--commit")
    result = invoke(small_db, *args, "--json", actor=None, env={"ONACCOUNT_ACTOR": "penning"})
    assert result.exit_code == 0, explain(result)
    assert json_of(result)["run"]["actor"] == "penning"


@pytest.mark.parametrize("command", [("invoice", "--period", "2026-10"), ("set-limit", "100")])
def test_an_option_of_onaccount_after_the_command_says_where_it_goes(
    small_db: Path, command: tuple[str, ...]
) -> None:
    """'invoice … --role superuser' is told to give --role before the command, not '--force'."""
    result = invoke(small_db, *command, "--role", "superuser", role=None)
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr == (
        f"error: --role is an option of onaccount itself, so it goes before the command: "
        f"onaccount --role ROLE {command[0]} …; see 'onaccount --help'\n"
    )


def test_a_bad_option_value_blames_where_it_was_given(small_db: Path) -> None:
    """--role admin names --role; the same value in $ONACCOUNT_ROLE names the variable."""
    typed = invoke(small_db, "accounts", role="admin", env={"ONACCOUNT_ROLE": None})
    assert typed.exit_code == EXIT_USAGE, explain(typed)
    assert typed.stderr == (
        "error: invalid value for '--role': 'admin' is not one of 'clerk', 'superuser', "
        "'viewer'; see 'onaccount --help'\n"
    )
    from_env = invoke(small_db, "accounts", role=None, env={"ONACCOUNT_ROLE": "admin"})
    assert from_env.exit_code == EXIT_USAGE, explain(from_env)
    assert from_env.stderr == (
        "error: invalid value for $ONACCOUNT_ROLE (--role): 'admin' is not one of 'clerk', "
        "'superuser', 'viewer'; see 'onaccount --help'\n"
    )


def test_demo_help_gives_its_default_directory() -> None:
    """The demo --help says where the demo goes without a DIRECTORY."""
    text = succeeded(invoke(None, "demo", "--help")).stdout
    assert "onaccount-demo" in text


def test_the_time_zone_and_day_start_defaults_are_shown_in_help() -> None:
    """--tz and --day-starts-at show their default and variable in every command that has them."""
    for command in ("statement", "invoice", "mutations", "import transactions"):
        text = succeeded(invoke(None, *command.split(), "--help")).stdout
        assert "ONACCOUNT_TZ" in text, command
        assert "Europe/Amsterdam" in text, command
        assert "ONACCOUNT_DAY_STARTS_AT" in text, command


def test_an_unknown_locale_is_named_once(small_db: Path) -> None:
    """--locale xx_YY says the locale is unknown and what to give, without saying it twice."""
    result = invoke(small_db, "--locale", "xx_YY", "runs", role="viewer")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "locale 'xx_YY' is unknown; give a name such as nl_NL, en_GB or de_DE" in (
        result.stderr
    )
    assert result.stderr.count("xx_YY") == 1


def test_an_unknown_run_is_named_with_the_command_that_lists_them(small_db: Path) -> None:
    """A run key no run has (export nov) is refused pointing at onaccount runs."""
    result = invoke(small_db, "export", "nov", "--format", "csv", role="viewer")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.startswith(
        "error: invoice run 'nov' does not exist; list the runs with onaccount runs to find "
        "its id or its key"
    )


def test_a_bad_day_start_from_the_environment_names_the_variable(small_db: Path) -> None:
    """ONACCOUNT_DAY_STARTS_AT=25:00 is refused naming the variable, not only the flag."""
    args = ("statement", "100", "--period", "2026-10")
    result = invoke(small_db, *args, role="viewer", env={"ONACCOUNT_DAY_STARTS_AT": "25:00"})
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "--day-starts-at (or $ONACCOUNT_DAY_STARTS_AT)" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("today", "said"),
    [
        ("2026-02-30", "date '2026-02-30' is not a day of the calendar"),
        ("15-11-2026", "date '15-11-2026' is not a day of the calendar"),
    ],
)
def test_a_demo_day_that_is_none_is_refused_in_words(
    tmp_path: Path, today: str, said: str
) -> None:
    """--today 2026-02-30 is no day of the calendar: said so, not as a strftime pattern."""
    result = invoke(None, "demo", str(tmp_path / "demo"), "--today", today)
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert said in result.stderr
    assert "%Y" not in result.stderr
    assert not (tmp_path / "demo").exists()


def test_demo_numbers_its_journal_on_from_the_earlier_runs_as_export_does(
    demo: Demo, demo_db: Path, tmp_path: Path
) -> None:
    """The demo's journal is the one `onaccount export` writes, numbered after earlier runs."""
    journal = demo.directory / "exports" / "run-2026-10-demo-2026-10.journal.csv"
    out = tmp_path / "again"
    result = invoke(demo_db, "export", "demo-2026-10", "--format", "journal", "--out", str(out))
    assert result.exit_code == 0, explain(result)
    assert "journal: entries numbered from 119, after the 118 account invoices" in result.stdout
    assert (out / journal.name).read_bytes() == journal.read_bytes()
    assert "entries numbered from 119" in demo.result.stdout


def test_demo_bills_october_on_the_first_of_november_as_it_billed_the_months_before(
    demo: Demo,
) -> None:
    """Each demo run is committed the morning after its month: October is dated 1 November."""
    with open_ledger(demo.db) as ledger:
        committed = [r.created_at.astimezone(AMSTERDAM) for r in ledger.runs()]
    assert [(c.date().isoformat(), c.hour) for c in committed] == [
        ("2026-09-01", 10),
        ("2026-10-01", 10),
        ("2026-11-01", 10),
    ]
    journal = demo.directory / "exports" / "run-2026-10-demo-2026-10.journal.csv"
    assert journal.read_text(encoding="utf-8-sig").splitlines()[1].split(";")[1] == "01-11-2026"


def test_demo_leaves_the_clubs_details_in_an_options_file_that_export_takes(
    demo: Demo, demo_db: Path, tmp_path: Path
) -> None:
    """club.toml holds what the demo exported with: export --options-file writes the same files."""
    club = demo.directory / "club.toml"
    assert f"--options-file {club}" in " ".join(demo.result.stdout.split())
    out = tmp_path / "again"
    formats = [arg for f in ("ubl", "xaf", "sepa") for arg in ("--format", f)]
    # The demo sent its collection on the day --today pretended; this one is sent then too.
    sent = ("--option", f"sepa.sent_on={DEMO_TODAY}")
    args = ("export", "demo-2026-10", *formats, "--options-file", str(club), *sent)
    args += ("--out", str(out))
    result = invoke(demo_db, *args)
    assert result.exit_code == 0, explain(result)
    for written in sorted(out.iterdir()):
        assert written.read_bytes() == (demo.directory / "exports" / written.name).read_bytes()
    assert len(list(out.iterdir())) == 3
