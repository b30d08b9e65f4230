import datetime as dt
from decimal import Decimal
from typing import NoReturn
from zoneinfo import ZoneInfo

import attrs
import pytest

import onaccount as oa

AMS = ZoneInfo("Europe/Amsterdam")
ADMIN = oa.Actor.superuser("admin")
VIEWER = oa.Actor("viewer", {"view"})
BEER = oa.Vat.standard("0.21")
OCTOBER = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
T = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)


class ExplodingLedger:
    """A ledger every method of which fails: proves a refusal came before any read."""

    def __getattr__(self, name: str) -> NoReturn:
        raise AssertionError(f"the ledger was used ({name}) before permissions were checked")


@pytest.fixture
def ledger() -> oa.MemoryLedger:
    """Three accounts; Team A and the café owe money, the prepaid one has credit."""
    ledger = oa.MemoryLedger()
    for account in (
        oa.Account(number="1042", name="Team A", limit=200, group="Teams", tags=["board"]),
        oa.Account(number="2001", name="Café Zoë", limit=100, group="Members"),
        oa.Account(number="9000", name="Prepaid", kind="credit"),
        oa.Account(number="7", name="Yen bar", limit=10000, currency="JPY"),
    ):
        oa.open_account(ledger, account, actor=ADMIN)
    for number, day, price in (("1042", 3, "2.80"), ("2001", 10, "7.20")):
        ledger.record(
            oa.Purchase(
                account=number,
                at=dt.datetime(2026, 10, day, 12, tzinfo=AMS),
                lines=[oa.Line(product="Beer", quantity=1, unit_price=price, vat=BEER)],
            )
        )
    ledger.record(
        oa.CreditBooking(
            account="9000", at=dt.datetime(2026, 10, 1, tzinfo=AMS), credit="50", reason="cash"
        )
    )
    return ledger


# -- accounts ---------------------------------------------------------------------------


def test_opening_an_account_returns_its_fresh_state() -> None:
    """open_account stores the account and returns balance 0 at its opening limit."""
    ledger = oa.MemoryLedger()
    account = oa.Account(number="1", name="New", limit=75)
    opened = oa.open_account(ledger, account, actor=ADMIN)
    assert opened == oa.AccountState(account=account, balance=Decimal(0), limit=Decimal(75))
    assert ledger.get_account("1") == account


def test_opening_a_taken_number_names_it() -> None:
    """Opening a second account under a number raises DuplicateAccount naming both."""
    ledger = oa.MemoryLedger()
    oa.open_account(ledger, oa.Account(number="1", name="First"), actor=ADMIN)
    with pytest.raises(oa.DuplicateAccount, match=r"account '1' exists already as 'First'"):
        oa.open_account(ledger, oa.Account(number="1", name="Second"), actor=ADMIN)


@pytest.mark.parametrize(
    "call",
    [
        lambda: oa.open_account(ExplodingLedger(), oa.Account(number="1", name="x"), actor=VIEWER),
        lambda: oa.update_account(
            ExplodingLedger(), oa.Account(number="1", name="x"), actor=VIEWER
        ),
        lambda: oa.change_limit(ExplodingLedger(), "1", 10, actor=VIEWER, reason="x"),
        lambda: oa.correct_balance(ExplodingLedger(), "1", 10, actor=VIEWER, reason="x"),
    ],
    ids=["open", "update", "limit", "correct"],
)
def test_managing_accounts_needs_the_manage_capability(call: object) -> None:
    """Account management without 'manage-accounts' is refused before the ledger is used."""
    assert callable(call)
    with pytest.raises(oa.PermissionDenied, match=r"'viewer' .* 'manage-accounts' capability"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: oa.find_accounts(ExplodingLedger(), oa.AccountQuery(), actor=oa.Actor("x")),
        lambda: oa.statement(ExplodingLedger(), "1", OCTOBER, actor=oa.Actor("x")),
        lambda: oa.mutations_report(ExplodingLedger(), actor=oa.Actor("x")),
    ],
    ids=["find", "statement", "report"],
)
def test_looking_needs_the_view_capability(call: object) -> None:
    """Finding, statements and the report without 'view' are refused before any read."""
    assert callable(call)
    with pytest.raises(oa.PermissionDenied, match=r"actor 'x' may not view .* holds: none"):
        call()


def test_updating_an_account_changes_its_details_and_revision(ledger: oa.MemoryLedger) -> None:
    """update_account replaces name, group and tags and counts as a change for runs."""
    old = ledger.get_account("1042")
    new = attrs.evolve(old, name="Team A (ladies)", group="Ladies", tags=["vip"])
    updated = oa.update_account(ledger, new, actor=ADMIN)
    assert updated.account == new
    assert updated.revision == 1
    assert updated.balance == Decimal("-2.80")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"limit": Decimal(500)}, "limit"),
        ({"currency": "USD"}, "currency"),
        ({"kind": oa.AccountKind.CREDIT, "limit": Decimal(0)}, "kind"),
    ],
)
def test_updates_cannot_change_kind_currency_or_limit(
    ledger: oa.MemoryLedger, change: dict[str, object], field: str
) -> None:
    """update_account refuses to change kind, currency or limit, naming the field."""
    new = attrs.evolve(ledger.get_account("1042"), **change)
    with pytest.raises(oa.InvalidValue, match=rf"cannot change its {field} from") as caught:
        oa.update_account(ledger, new, actor=ADMIN)
    assert caught.value.field == field
    assert ledger.states(["1042"])["1042"].revision == 0


def test_updating_an_unknown_account_names_it() -> None:
    """Updating a number nobody opened raises UnknownAccount naming it."""
    with pytest.raises(oa.UnknownAccount, match=r"account '404' does not exist"):
        oa.update_account(oa.MemoryLedger(), oa.Account(number="404", name="x"), actor=ADMIN)


# -- limit changes and corrections ------------------------------------------------------


def test_changing_the_limit_books_a_limit_change_mutation(ledger: oa.MemoryLedger) -> None:
    """change_limit books the difference as a limit-change mutation with who, when and why."""
    mutation = oa.change_limit(ledger, "1042", "250.00", actor=ADMIN, reason=" Season ", at=T)
    assert mutation.kind is oa.MutationKind.LIMIT_CHANGE
    assert (mutation.limit_delta, mutation.balance_delta) == (Decimal("50.00"), 0)
    assert (mutation.actor, mutation.at, mutation.reason) == ("admin", T, "Season")
    state = ledger.states(["1042"])["1042"]
    assert (state.limit, state.balance) == (Decimal("250.00"), Decimal("-2.80"))
    assert ledger.mutations(account="1042") == [mutation]


@pytest.mark.parametrize(
    ("number", "limit", "message"),
    [
        ("1042", "-1", r"new limit -1 for account 1042 'Team A' is below zero"),
        ("1042", "10.005", r"new limit 10.005 .* has more places than EUR allows"),
        ("7", "10.5", r"new limit 10.5 .* more places than JPY allows; round it to 11"),
    ],
)
def test_impossible_limits_are_refused_naming_them(
    ledger: oa.MemoryLedger, number: str, limit: str, message: str
) -> None:
    """A negative limit or one with too many places is refused with the value in the message."""
    with pytest.raises(oa.InvalidValue, match=message):
        oa.change_limit(ledger, number, limit, actor=ADMIN, reason="x")
    assert ledger.mutations() == []


@pytest.mark.parametrize(
    ("delta", "message"),
    [
        ("0", r"balance correction 0 for account 1042 'Team A' changes nothing"),
        ("0.005", r"balance correction 0.005 .* more places than EUR allows; round it to 0.01"),
        (
            "-0.004",
            r"balance correction -0.004 .* is less than 0.01 EUR, the smallest amount EUR "
            r"has; give a multiple of 0.01, such as -0.01$",
        ),
    ],
)
def test_impossible_balance_corrections_are_refused_naming_them(
    ledger: oa.MemoryLedger, delta: str, message: str
) -> None:
    """A zero correction or one with too many places is refused with the value; nothing booked."""
    with pytest.raises(oa.InvalidValue, match=message):
        oa.correct_balance(ledger, "1042", delta, actor=ADMIN, reason="x")
    assert ledger.mutations() == []


def test_unknown_kinds_are_refused_listing_the_known_ones() -> None:
    """Every enumeration given as text is parsed alike: the refusal lists the values there are."""
    with pytest.raises(
        oa.InvalidValue, match=r"account kind 'lmit' is unknown; use one of 'limit'"
    ):
        oa.Account(number="1", name="A", kind="lmit")
    with pytest.raises(
        oa.UnknownVatCategory, match=r"VAT category 'X' is unknown; use one of 'S'"
    ):
        oa.VatCategory.parse("X")
    with pytest.raises(oa.InvalidValue, match=r"mutation kind 'oops' is unknown; use one of"):
        oa.mutations_report(oa.MemoryLedger(), actor=ADMIN, kind="oops")


def test_a_credit_account_gets_no_limit(ledger: oa.MemoryLedger) -> None:
    """A prepaid account keeps limit 0: a limit would let it owe what no run ever bills."""
    with pytest.raises(oa.NotInvoiceable) as caught:
        oa.change_limit(ledger, "9000", "50", actor=ADMIN, reason="trust them")
    assert caught.value.message == (
        "account 9000 'Prepaid' is a credit account; credit accounts are prepaid and never "
        "invoiced, so they keep limit 0 (open a limit account to let it owe)"
    )
    assert ledger.mutations() == []


def test_a_limit_change_based_on_a_stale_limit_is_refused(ledger: oa.MemoryLedger) -> None:
    """With ``expected`` given, a limit someone else changed meanwhile raises LimitConflict."""
    oa.change_limit(ledger, "1042", 300, actor=ADMIN, reason="first", expected="200.00")
    before = ledger.mutations()
    with pytest.raises(oa.LimitConflict) as caught:
        oa.change_limit(ledger, "1042", 250, actor=ADMIN, reason="second", expected="200.00")
    message = caught.value.message
    assert "account 1042 'Team A'" in message
    assert "200.00" in message
    assert "300.00" in message
    assert caught.value.value == Decimal("300.00")
    assert ledger.mutations() == before
    assert ledger.states(["1042"])["1042"].limit == Decimal("300.00")


def test_a_limit_change_sets_the_value_whatever_the_limit_was(ledger: oa.MemoryLedger) -> None:
    """Without ``expected``, the limit ends at the value asked for, not at a sum."""
    ledger.book(
        oa.Mutation(
            account="1042",
            kind=oa.MutationKind.LIMIT_CHANGE,
            limit_delta=Decimal("40.00"),
            actor="other",
            at=T,
            reason="raced",
        )
    )
    mutation = oa.change_limit(ledger, "1042", 300, actor=ADMIN, reason="set")
    assert mutation.limit_delta == Decimal("60.00")
    assert ledger.states(["1042"])["1042"].limit == Decimal("300.00")


def test_setting_the_limit_it_has_is_refused_by_the_ledger(ledger: oa.MemoryLedger) -> None:
    """A limit change to the current limit books nothing and says so."""
    with pytest.raises(
        oa.NothingToChange, match=r"account 1042 'Team A' has limit 200.00 already"
    ):
        oa.change_limit(ledger, "1042", "200", actor=ADMIN, reason="same")
    assert ledger.mutations() == []


def test_a_limit_change_needs_a_reason(ledger: oa.MemoryLedger) -> None:
    """Mutations always say why: an empty reason is refused."""
    with pytest.raises(oa.InvalidValue, match=r"reason '  ' is empty"):
        oa.change_limit(ledger, "1042", 300, actor=ADMIN, reason="  ")


def test_a_manual_correction_changes_the_balance(ledger: oa.MemoryLedger) -> None:
    """correct_balance books a manual mutation of the given amount."""
    mutation = oa.correct_balance(ledger, "1042", "2.80", actor=ADMIN, reason="Paid cash", at=T)
    assert mutation.kind is oa.MutationKind.MANUAL
    assert mutation.balance_delta == Decimal("2.80")
    assert ledger.states(["1042"])["1042"].balance == Decimal("0.00")


@pytest.mark.parametrize("delta", ["0", "0.001", "-1.234"])
def test_corrections_must_be_whole_minor_units_and_not_zero(
    ledger: oa.MemoryLedger, delta: str
) -> None:
    """A zero correction or one finer than a cent is refused naming the amount."""
    with pytest.raises(oa.InvalidValue, match=rf"balance correction {delta} for account 1042"):
        oa.correct_balance(ledger, "1042", delta, actor=ADMIN, reason="x")


def test_corrections_refuse_floats(ledger: oa.MemoryLedger) -> None:
    """A float correction is refused with FloatNotAllowed."""
    with pytest.raises(oa.FloatNotAllowed, match=r"balance correction 2\.8 is a float"):
        oa.correct_balance(ledger, "1042", 2.8, actor=ADMIN, reason="x")  # type: ignore[arg-type]


def test_corrections_of_unknown_accounts_name_them(ledger: oa.MemoryLedger) -> None:
    """Correcting an unknown account raises UnknownAccount naming the number."""
    with pytest.raises(oa.UnknownAccount, match="'404'"):
        oa.correct_balance(ledger, "404", 1, actor=ADMIN, reason="x")


def test_mutation_instants_must_be_aware(ledger: oa.MemoryLedger) -> None:
    """A naive mutation instant is refused naming the field."""
    with pytest.raises(oa.NaiveDatetime, match=r"mutation instant 'at'"):
        oa.correct_balance(ledger, "1042", 1, actor=ADMIN, reason="x", at=dt.datetime(2026, 11, 1))


# -- finding accounts -------------------------------------------------------------------


def test_finding_accounts_that_owe(ledger: oa.MemoryLedger) -> None:
    """find_accounts with balance below 0 lists the owing accounts, sorted by number."""
    found = oa.find_accounts(ledger, oa.AccountQuery(balance="<0"), actor=VIEWER)
    assert [(s.account.number, s.balance, s.spending_room) for s in found] == [
        ("1042", Decimal("-2.80"), Decimal("197.20")),
        ("2001", Decimal("-7.20"), Decimal("92.80")),
    ]


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        (oa.AccountQuery(name="CAFE"), ["2001"]),
        (oa.AccountQuery(numbers=["9000", "404", "1042"]), ["1042", "9000"]),
        (oa.AccountQuery(group="Teams"), ["1042"]),
        (oa.AccountQuery(tag="board"), ["1042"]),
        (oa.AccountQuery(kind="credit"), ["9000"]),
        (oa.AccountQuery(balance=">0"), ["9000"]),
        (oa.AccountQuery(), ["1042", "2001", "7", "9000"]),
    ],
    ids=["name", "numbers", "group", "tag", "kind", "balance", "all"],
)
def test_finding_accounts_by_each_criterion(
    ledger: oa.MemoryLedger, query: oa.AccountQuery, numbers: list[str]
) -> None:
    """Accounts are found by name, number, group, tag, kind or balance."""
    assert [s.account.number for s in oa.find_accounts(ledger, query, actor=VIEWER)] == numbers


# -- the mutations report ---------------------------------------------------------------


def test_the_mutations_report_filters_by_account_run_kind_and_period(
    ledger: oa.MemoryLedger,
) -> None:
    """The report lists matching mutations with their runs, filtered every way it offers."""
    limit = oa.change_limit(ledger, "2001", 150, actor=ADMIN, reason="more", at=T)
    plan = oa.plan_run(ledger, OCTOBER, ["1042", "2001"], "zero-balance", actor=ADMIN)
    run = oa.commit_run(ledger, plan, actor=ADMIN, at=T + dt.timedelta(hours=1))
    undo = oa.undo_invoice(
        ledger, run.id, "2001", actor=ADMIN, reason="oops", at=T + dt.timedelta(hours=2)
    ).undo_mutation
    assert undo is not None
    corrections = [i.mutation for i in run.invoices]

    everything = oa.mutations_report(ledger, actor=VIEWER)
    assert everything.mutations == (limit, *corrections, undo)
    assert [r.id for r in everything.runs] == [run.id]

    for_cafe = oa.mutations_report(ledger, actor=VIEWER, account="2001")
    assert for_cafe.mutations == (limit, corrections[1], undo)
    assert [r.id for r in for_cafe.runs] == [run.id]
    assert for_cafe.runs[0].invoice_for("2001").state is oa.InvoiceState.UNDONE

    by_run = oa.mutations_report(ledger, actor=VIEWER, run_id=run.id)
    assert by_run.mutations == (*corrections, undo)

    by_kind = oa.mutations_report(ledger, actor=VIEWER, kind="undo")
    assert by_kind.mutations == (undo,)
    assert oa.mutations_report(ledger, actor=VIEWER, kind=oa.MutationKind.MANUAL).mutations == ()

    november = oa.Period.month(2026, 11, tz="Europe/Amsterdam")
    assert len(oa.mutations_report(ledger, actor=VIEWER, period=november).mutations) == 4
    quiet = oa.mutations_report(ledger, actor=VIEWER, period=OCTOBER)
    assert (quiet.mutations, quiet.runs) == ((), ())

    nobody = oa.mutations_report(ledger, actor=VIEWER, account="9000")
    assert (nobody.mutations, nobody.runs) == ((), ())


def test_the_report_of_an_unknown_account_or_run_is_refused_not_empty(
    ledger: oa.MemoryLedger,
) -> None:
    """A mistyped account or run is named, not shown as a history with nothing in it."""
    with pytest.raises(oa.UnknownAccount, match=r"account '9999' does not exist"):
        oa.mutations_report(ledger, actor=VIEWER, account="9999")
    with pytest.raises(oa.UnknownRun, match="nope"):
        oa.mutations_report(ledger, actor=VIEWER, run_id="nope")


def test_the_report_names_a_run_by_its_key_as_by_its_id(ledger: oa.MemoryLedger) -> None:
    """run_id takes the key a run was committed under, as export and undo do."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    run = oa.commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=T)
    by_key = oa.mutations_report(ledger, actor=VIEWER, run_id="2026-10")
    assert by_key == oa.mutations_report(ledger, actor=VIEWER, run_id=run.id)
    assert [m.run_id for m in by_key.mutations] == [run.id]


def test_an_unknown_mutation_kind_in_the_report_is_refused_naming_it(
    ledger: oa.MemoryLedger,
) -> None:
    """mutations_report(kind=...) refuses an unknown kind with InvalidValue naming it."""
    with pytest.raises(oa.InvalidValue, match=r"'refund'"):
        oa.mutations_report(ledger, actor=VIEWER, kind="refund")


def test_a_run_is_found_by_its_id_or_by_its_key(ledger: oa.MemoryLedger) -> None:
    """get_run takes a run's id or the key it was committed under; an unknown one is named."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    run = oa.commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=T)
    assert oa.get_run(ledger, run.id, actor=VIEWER) == run
    assert oa.get_run(ledger, "2026-10", actor=VIEWER) == run
    with pytest.raises(oa.UnknownRun, match="'2026-11'"):
        oa.get_run(ledger, "2026-11", actor=VIEWER)
