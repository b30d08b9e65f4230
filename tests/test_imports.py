"""Importing accounts and bookings: permission first, all or nothing, every conflict named."""

from __future__ import annotations

import datetime as dt
import pickle
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import NoReturn, cast
from zoneinfo import ZoneInfo

import attrs
import pytest

import onaccount as oa
from onaccount.ledger.sql import SQLLedger, upgrade

AMS = ZoneInfo("Europe/Amsterdam")
ADMIN = oa.Actor.superuser("admin")
CLERK = oa.Actor("clerk", {"view", "invoice"})
BEER = oa.Vat.standard("0.21")
AT = dt.datetime(2026, 10, 3, 21, 40, tzinfo=AMS)


class ExplodingLedger:
    """A ledger every method of which fails: proves a refusal came before any read."""

    def __getattr__(self, name: str) -> NoReturn:
        raise AssertionError(f"the ledger was used ({name}) before permissions were checked")


@pytest.fixture(params=["memory", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[oa.Ledger]:
    """A ledger holding account 100 (EUR) and one purchase on it, in memory or in SQLite."""
    if request.param == "memory":
        store: oa.Ledger = oa.MemoryLedger()
    else:
        db = tmp_path / "imports.sqlite"
        upgrade(db)
        store = SQLLedger(db)
    oa.open_account(store, oa.Account(number="100", name="Anna", limit=50), actor=ADMIN)
    store.record(sale("kept", "100", "2.40"))
    yield store
    if isinstance(store, SQLLedger):
        store.close()


def sale(tx_id: str, account: str, price: str, *, currency: str = "EUR") -> oa.Purchase:
    """One beer at ``price`` on ``account`` at 21:40 on 3 October."""
    return oa.Purchase(
        id=tx_id,
        account=account,
        at=AT,
        currency=currency,
        lines=[oa.Line(product="Bier", quantity=1, unit_price=price, vat=BEER)],
    )


def test_importing_needs_the_manage_accounts_capability() -> None:
    """A clerk is refused before the ledger is touched, naming what it may not import."""
    exploding = cast(oa.Ledger, ExplodingLedger())
    with pytest.raises(oa.PermissionDenied, match="may not import accounts: it lacks the "):
        oa.import_accounts(exploding, [], actor=CLERK)
    with pytest.raises(oa.PermissionDenied, match="may not import transactions: it lacks "):
        oa.import_transactions(exploding, [], actor=CLERK)
    with pytest.raises(oa.PermissionDenied, match="'manage-accounts' capability"):
        oa.require_import(CLERK, "transactions")
    oa.require_import(ADMIN, "accounts")


def test_require_import_refuses_an_unknown_kind_of_import() -> None:
    """Asking about importing anything but accounts or transactions names the value."""
    with pytest.raises(oa.InvalidValue, match="import of 'runs' is not one onaccount knows"):
        oa.require_import(ADMIN, "runs")  # type: ignore[arg-type]  # the mistake under test


def test_new_accounts_are_opened_and_unchanged_ones_left_alone(ledger: oa.Ledger) -> None:
    """Importing opens the new accounts; the same list again adds nothing."""
    accounts = [
        oa.Account(number="100", name="Anna", limit=50),
        oa.Account(number="200", name="Team", limit=600, group="teams"),
    ]
    assert oa.import_accounts(ledger, accounts, actor=ADMIN) == oa.Imported(added=1, present=1)
    assert ledger.get_account("200").group == "teams"
    assert oa.import_accounts(ledger, accounts, actor=ADMIN) == oa.Imported(added=0, present=2)


def test_a_held_account_given_other_details_names_those_that_differ(ledger: oa.Ledger) -> None:
    """The refusal names each detail that differs, a billing detail by its dotted name."""
    held = ledger.get_account("100")
    billing = oa.BillingDetails(email="anna@example.org", iban="NL91ABNA0417164300")
    other = attrs.evolve(held, group="teams", billing=billing)
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_accounts(ledger, [other], actor=ADMIN)
    [(_, error)] = caught.value.refusals
    assert "with other details (group, billing.email, billing.iban); pick" in error.message
    changed = attrs.evolve(other, billing=attrs.evolve(billing, iban="NL20INGB0001234567"))
    oa.import_accounts(ledger, [other], actor=ADMIN, update=True)
    with pytest.raises(oa.ImportRefused) as again:
        oa.import_accounts(ledger, [changed], actor=ADMIN)
    assert "with other details (billing.iban); pick" in again.value.refusals[0][1].message


def test_a_number_held_as_another_account_refuses_them_all(ledger: oa.Ledger) -> None:
    """Account 100 under another name is refused by position; no account is opened."""
    accounts = [
        oa.Account(number="300", name="New"),
        oa.Account(number="100", name="Someone else"),
        oa.Account(number="100", name="Another"),
    ]
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_accounts(ledger, accounts, actor=ADMIN)
    refused = caught.value
    assert [(i, type(e)) for i, e in refused.refusals] == [
        (1, oa.DuplicateAccount),
        (2, oa.DuplicateAccount),
    ]
    # The limit given (none: 0) is said too, as the ledger shows the one it holds.
    assert re.fullmatch(
        r"account '100' exists already as 'Anna', with other details \(name\); pick another "
        r"number, or import with update=True \(--update on the command line\) to update its "
        r"details; and account 100 'Anna' cannot change its limit from 50(\.00)? to 0 by an "
        r"update; keep it as it stands with keep_limits .*",
        refused.refusals[0][1].message,
    )
    assert refused.message.startswith("2 of 3 accounts cannot be imported, nothing was: ")
    assert refused.message.endswith(" (and 1 more)")
    assert ledger.states(["300"]) == {}


def test_an_update_import_changes_details_and_opens_the_new(ledger: oa.Ledger) -> None:
    """With update=True, an existing account's name, group and billing are replaced."""
    billing = oa.BillingDetails(iban="NL91ABNA0417164300")
    accounts = [
        oa.Account(number="100", name="Anna de Vries", limit=50, group="leden", billing=billing),
        oa.Account(number="200", name="Team", limit=600),
    ]
    done = oa.import_accounts(ledger, accounts, actor=ADMIN, update=True)
    assert done == oa.Imported(added=1, present=0, updated=1)
    assert ledger.get_account("100") == accounts[0]
    assert oa.import_accounts(ledger, accounts, actor=ADMIN, update=True) == oa.Imported(0, 2)


def test_an_update_import_takes_an_equal_limit_however_it_is_spelled(
    ledger: oa.Ledger,
) -> None:
    """Limit 50.00 in the file equals the ledger's 50; two equal rows update once."""
    renamed = oa.Account(number="100", name="Anna de Vries", limit=Decimal("50.00"))
    done = oa.import_accounts(ledger, [renamed, renamed], actor=ADMIN, update=True)
    assert done == oa.Imported(added=0, present=0, updated=1)
    assert ledger.get_account("100").name == "Anna de Vries"


def test_an_update_import_refuses_what_an_update_cannot_change(ledger: oa.Ledger) -> None:
    """Another limit or kind is refused by position; nothing is opened or updated."""
    accounts = [
        oa.Account(number="300", name="New"),
        oa.Account(number="100", name="Anna de Vries", limit=80),
    ]
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_accounts(ledger, accounts, actor=ADMIN, update=True)
    [(index, error)] = caught.value.refusals
    assert index == 1
    # The ledger's limit as it holds it: 50 in memory, 50.00 from SQL.
    assert re.match(
        r"account 100 'Anna' cannot change its limit from 50(\.00)? to 80 by an update; "
        r"keep it as it stands with keep_limits \(an empty limit on the command line\)",
        error.message,
    )
    assert ledger.states(["300"]) == {}
    assert ledger.get_account("100").name == "Anna"


def test_an_import_compares_the_limit_with_the_current_one(ledger: oa.Ledger) -> None:
    """After a limit change, the file's limit is checked against the new limit, not the first."""
    oa.change_limit(ledger, "100", 1500, actor=ADMIN, reason="raised for the tour")
    now = oa.Account(number="100", name="Anna", limit=1500)
    assert oa.import_accounts(ledger, [now], actor=ADMIN) == oa.Imported(added=0, present=1)
    renamed = oa.Account(number="100", name="Anna de Vries", limit=1500)
    done = oa.import_accounts(ledger, [renamed], actor=ADMIN, update=True)
    assert done == oa.Imported(added=0, present=0, updated=1)
    assert ledger.get_account("100").name == "Anna de Vries"
    assert ledger.states(["100"])["100"].limit == 1500


@pytest.mark.parametrize("update", [False, True])
def test_an_import_with_the_opening_limit_after_a_change_is_refused(
    ledger: oa.Ledger, update: bool
) -> None:
    """The limit an account was opened with is no longer its limit: the file is refused."""
    oa.change_limit(ledger, "100", 1500, actor=ADMIN, reason="raised for the tour")
    first = oa.Account(number="100", name="Anna", limit=50)
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_accounts(ledger, [first], actor=ADMIN, update=update)
    [(index, error)] = caught.value.refusals
    assert index == 0
    by = "an update" if update else "an import"
    assert re.fullmatch(
        rf"account 100 'Anna' cannot change its limit from 1500(\.00)? to 50 by {by}; "
        r"keep it as it stands with keep_limits \(an empty limit on the command line\) and "
        r"change it with onaccount\.change_limit \(onaccount set-limit on the command "
        r"line\), so that the change is booked as a mutation",
        error.message,
    )
    assert ledger.states(["100"])["100"].limit == 1500


def test_a_dry_run_says_what_an_import_would_do_and_writes_nothing(
    ledger: oa.Ledger,
) -> None:
    """dry_run=True counts as the import would, refuses as it would, and changes nothing."""
    accounts = [
        oa.Account(number="100", name="Anna de Vries", limit=50),
        oa.Account(number="200", name="Team", limit=600),
    ]
    done = oa.import_accounts(ledger, accounts, actor=ADMIN, update=True, dry_run=True)
    assert done == oa.Imported(added=1, present=0, updated=1)
    assert ledger.states(["200"]) == {}
    assert ledger.get_account("100").name == "Anna"
    bookings = [sale("kept", "100", "2.40"), sale("new", "100", "3.10")]
    assert oa.import_transactions(ledger, bookings, actor=ADMIN, dry_run=True) == oa.Imported(
        added=1, present=1
    )
    assert ledger.states(["100"])["100"].balance == Decimal("-2.40")
    with pytest.raises(oa.ImportRefused, match="account '999' does not exist"):
        oa.import_transactions(ledger, [sale("x", "999", "1")], actor=ADMIN, dry_run=True)


def test_every_repeated_new_number_is_refused_before_anything_is_opened(
    ledger: oa.Ledger,
) -> None:
    """Each later row of a number is named, saying whether its details differ; none opens."""
    accounts = [
        oa.Account(number="400", name="A"),
        oa.Account(number="400", name="A"),
        oa.Account(number="500", name="C"),
        oa.Account(number="500", name="D"),
    ]
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_accounts(ledger, accounts, actor=ADMIN, dry_run=True)
    assert [(i, e.message) for i, e in caught.value.refusals] == [
        (1, "account '400' is given twice; keep one row of it"),
        (3, "account '500' is given twice, with different details; keep one row of it"),
    ]
    assert ledger.states(["400", "500"]) == {}


def test_a_number_given_twice_is_refused_at_its_second_place(ledger: oa.Ledger) -> None:
    """Two new accounts with one number: the later one is named, neither opened."""
    accounts = [oa.Account(number="400", name="A"), oa.Account(number="400", name="B")]
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_accounts(ledger, accounts, actor=ADMIN)
    [(index, error)] = caught.value.refusals
    assert (index, type(error)) == (1, oa.DuplicateAccount)
    assert ledger.states(["400"]) == {}


def test_bookings_are_recorded_and_equal_ones_left_alone(ledger: oa.Ledger) -> None:
    """New bookings are recorded past the limit; the ledger's own, equal, are counted."""
    bookings = [sale("kept", "100", "2.40"), sale("big", "100", "80.00")]
    assert oa.import_transactions(ledger, bookings, actor=ADMIN) == oa.Imported(1, 1)
    # 80.00 is past the limit of 50: the till accepted it, the import does not refuse it.
    assert ledger.states(["100"])["100"].balance == Decimal("-82.40")
    assert oa.import_transactions(ledger, bookings, actor=ADMIN) == oa.Imported(0, 2)
    assert oa.import_transactions(ledger, [], actor=ADMIN) == oa.Imported(0, 0)


def test_an_import_names_the_accounts_it_took_over_their_limit(ledger: oa.Ledger) -> None:
    """Bookings past the limit are recorded, and the accounts they took below it named."""
    card = oa.Account(number="900", name="Kaart", kind="credit")
    oa.open_account(ledger, card, actor=ADMIN)
    top_up = oa.CreditBooking(account="900", at=AT, credit="25", kind="top-up", reason="cash")
    oa.import_transactions(ledger, [top_up], actor=ADMIN)
    bookings = [sale("big", "100", "80.00"), sale("card", "900", "31.00"), sale("ok", "900", "0")]
    done = oa.import_transactions(ledger, bookings, actor=ADMIN)
    assert done == oa.Imported(3, 0)
    rooms = [(w.account, w.spending_room) for w in done.over_limit]
    assert rooms == [("100", Decimal("-32.40")), ("900", Decimal("-6.00"))]
    assert done.over_limit[0].message.startswith(
        "account 100 'Anna' is over its limit after the import: spending room -32.40"
    )
    assert done.over_limit[1].message == (
        "credit account 900 'Kaart' is below zero after the import: balance -6.00; "
        "new purchases will be refused until it is topped up"
    )
    assert oa.import_transactions(ledger, bookings, actor=ADMIN).over_limit == ()


def test_every_conflicting_booking_is_named_and_none_recorded(ledger: oa.Ledger) -> None:
    """Unknown account, other currency, an id taken by another booking: each by position."""
    bookings = [
        sale("fine", "100", "1.00"),
        sale("lost", "4242", "1.00"),
        sale("dollars", "100", "1.00", currency="USD"),
        sale("kept", "100", "9.99"),
    ]
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_transactions(ledger, bookings, actor=ADMIN)
    refusals = caught.value.refusals
    assert [(i, type(e)) for i, e in refusals] == [
        (1, oa.UnknownAccount),
        (2, oa.CurrencyMismatch),
        (3, oa.DuplicateTransaction),
    ]
    assert refusals[0][1].message == (
        "account '4242' does not exist; open it first (import accounts) or correct the number"
    )
    assert refusals[1][1].message.startswith("transaction dollars is in USD but account 100 ")
    assert refusals[2][1].message == (
        "transaction 'kept' is recorded already for another booking (other lines); give every "
        "booking its own id"
    )
    assert caught.value.field == "transactions"
    assert [t.id for t in ledger.transactions(["100"])] == ["kept"]


def test_an_id_held_elsewhere_in_the_ledger_is_named_by_position(ledger: oa.Ledger) -> None:
    """An id the ledger holds on another day is found when recording, and named."""
    other_day = oa.Purchase(
        id="kept",
        account="100",
        at=AT + dt.timedelta(days=30),
        lines=[oa.Line(product="Bier", quantity=1, unit_price="2.40", vat=BEER)],
    )
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_transactions(ledger, [sale("fine", "100", "1"), other_day], actor=ADMIN)
    [(index, error)] = caught.value.refusals
    assert (index, type(error)) == (1, oa.DuplicateTransaction)
    assert error.message == (
        "transaction 'kept' is recorded already for another booking (another instant); give "
        "every booking its own id"
    )
    assert [t.id for t in ledger.transactions(["100"])] == ["kept"]


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
def test_a_new_id_given_twice_is_refused_at_each_later_place(
    ledger: oa.Ledger, dry_run: bool
) -> None:
    """A new booking repeated, or a new id given two bookings: each later row named."""
    bookings = [
        sale("new", "100", "1.00"),
        sale("new", "100", "1.00"),
        sale("other", "100", "1.00"),
        sale("other", "100", "2.00"),
        sale("kept", "100", "2.40"),
        sale("kept", "100", "2.40"),
    ]
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_transactions(ledger, bookings, actor=ADMIN, dry_run=dry_run)
    assert [(i, e.message) for i, e in caught.value.refusals] == [
        (1, "transaction 'new' is given twice; keep one row of it"),
        (
            3,
            "transaction 'other' is given twice, for different bookings (other lines); give "
            "every booking its own id",
        ),
    ]
    assert [t.id for t in ledger.transactions(["100"])] == ["kept"]


def test_an_import_counts_what_a_till_recorded_meanwhile_as_present(ledger: oa.Ledger) -> None:
    """A booking a till records between the import's check and its write is left alone."""

    class TillFirst:
        """The ledger, with a till recording the sale just before the import writes."""

        def __getattr__(self, name: str) -> object:
            return getattr(ledger, name)

        def record_many(
            self, transactions: list[oa.Transaction], *, allow_over_limit: bool = False
        ) -> int:
            ledger.record(sale("till", "100", "1.00"))
            return ledger.record_many(transactions, allow_over_limit=allow_over_limit)

    bookings = [sale("till", "100", "1.00"), sale("new", "100", "1.00")]
    done = oa.import_transactions(cast(oa.Ledger, TillFirst()), bookings, actor=ADMIN)
    assert done == oa.Imported(1, 1)
    assert ledger.states(["100"])["100"].balance == Decimal("-4.40")


def test_the_refusal_pickles_with_its_refusals(ledger: oa.Ledger) -> None:
    """An ImportRefused keeps its message and every (position, error) through pickle."""
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_transactions(ledger, [sale("lost", "4242", "1")], actor=ADMIN)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is oa.ImportRefused
    assert copy.message == caught.value.message
    assert [(i, type(e), e.message) for i, e in copy.refusals] == [
        (i, type(e), e.message) for i, e in caught.value.refusals
    ]


def _take_limit_below_zero(ledger: oa.Ledger) -> None:
    """Sell account 100 past its limit and bill October with limit-minus-invoiced."""
    over = oa.Purchase(
        id="over",
        account="100",
        at=AT,
        lines=[oa.Line(product="Rondje", quantity=25, unit_price="2.40", vat=BEER)],
    )
    ledger.record(over, allow_over_limit=True)
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    plan = oa.plan_run(ledger, period, ["100"], oa.LimitMinusInvoiced(), actor=ADMIN)
    oa.commit_run(ledger, plan, actor=ADMIN)


def test_an_account_whose_limit_went_below_zero_is_refused_saying_how_to_mend_it(
    ledger: oa.Ledger,
) -> None:
    """A limit a run lowered below zero cannot stand in a file: the refusal names the run."""
    _take_limit_below_zero(ledger)
    assert ledger.states(["100"])["100"].limit == Decimal("-12.40")
    renamed = oa.Account(number="100", name="Anna de Vries", limit=0)
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_accounts(ledger, [renamed], actor=ADMIN, update=True)
    [(index, error)] = caught.value.refusals
    assert index == 0
    assert error.message == (
        "account 100 'Anna' cannot change its limit from -12.40 to 0 by an update: the "
        "invoice run over 2026-10 (limit-minus-invoiced) lowered it by 62.40, what it "
        "invoiced; keep it as it stands with keep_limits (an empty limit on the command "
        "line) and change it with onaccount.change_limit (onaccount set-limit on the command "
        "line), so that the change is booked as a mutation"
    )


def test_an_update_keeping_limits_changes_details_of_an_account_below_zero(
    ledger: oa.Ledger,
) -> None:
    """keep_limits leaves the limit a run took below zero as it is and updates the rest."""
    _take_limit_below_zero(ledger)
    record = ledger.get_account("100")
    renamed = attrs.evolve(record, name="Anna de Vries")
    done = oa.import_accounts(ledger, [renamed], actor=ADMIN, update=True, keep_limits=["100"])
    assert (done.added, done.updated) == (0, 1)
    state = ledger.states(["100"])["100"]
    assert (state.account.name, state.limit) == ("Anna de Vries", Decimal("-12.40"))
    again = oa.import_accounts(ledger, [renamed], actor=ADMIN, keep_limits=["100"])
    assert (again.present, again.updated) == (1, 0)


def test_an_update_turning_a_limit_account_into_a_credit_account_names_the_kind(
    ledger: oa.Ledger,
) -> None:
    """Another kind is refused as such, not as a credit account with the held limit."""
    credit = oa.Account(number="100", name="Anna", kind="credit")
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_accounts(ledger, [credit], actor=ADMIN, update=True)
    [(index, error)] = caught.value.refusals
    assert (index, error.message) == (
        0,
        "account 100 'Anna' cannot change its kind from limit to credit by an update; open "
        "a new account",
    )


def test_an_iban_that_is_no_iban_is_refused_unless_the_ledger_holds_it_already(
    ledger: oa.Ledger,
) -> None:
    """A new or changed IBAN with wrong check digits is refused; one stored before is kept."""
    bad = oa.BillingDetails(iban="NL91ABNA0417164301")
    fresh = oa.Account(number="300", name="New", billing=bad)
    with pytest.raises(oa.ImportRefused) as caught:
        oa.import_accounts(ledger, [fresh], actor=ADMIN)
    [(index, error)] = caught.value.refusals
    assert (index, error.field) == (0, "billing.iban")
    assert error.message == (
        "account 300 'New' billing.iban 'NL91ABNA0417164301' is no IBAN: its check digits are "
        "wrong; correct it from the account holder's bank details"
    )
    # Stored before imports checked: a file giving it unchanged still imports.
    ledger.update_account(attrs.evolve(ledger.get_account("100"), billing=bad))
    renamed = attrs.evolve(ledger.get_account("100"), name="Anna de Vries")
    done = oa.import_accounts(ledger, [renamed], actor=ADMIN, update=True)
    assert done.updated == 1
