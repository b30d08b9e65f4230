import datetime as dt
import re
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given

import onaccount as oa
from onaccount.testing import strategies as oas

AMS = ZoneInfo("Europe/Amsterdam")
ADMIN = oa.Actor.superuser("admin")
BEER = oa.Vat.standard("0.21")
OCTOBER = oa.Period.month(2026, 10, tz="Europe/Amsterdam")


def sale(
    account: str,
    when: dt.datetime,
    price: str = "2.80",
    *,
    quantity: int = 1,
    id: str | None = None,
    currency: str = "EUR",
) -> oa.Purchase:
    """A one-line purchase."""
    return oa.Purchase(
        account=account,
        at=when,
        currency=currency,
        lines=[oa.Line(product="Beer", quantity=quantity, unit_price=price, vat=BEER)],
        **({} if id is None else {"id": id}),
    )


def at(day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An Amsterdam wall-clock instant in October 2026."""
    return dt.datetime(2026, 10, day, hour, minute, tzinfo=AMS)


@pytest.fixture
def ledger() -> oa.MemoryLedger:
    """A limit account with limit 10, a credit account and a dollar account."""
    ledger = oa.MemoryLedger()
    ledger.open_account(oa.Account(number="1", name="Limit", limit=10))
    ledger.open_account(oa.Account(number="2", name="Prepaid", kind="credit"))
    ledger.open_account(oa.Account(number="3", name="Dollar", limit=10, currency="USD"))
    return ledger


def test_the_memory_ledger_implements_the_protocol() -> None:
    """MemoryLedger satisfies the runtime-checkable Ledger protocol."""
    assert isinstance(oa.MemoryLedger(), oa.Ledger)


# -- recording --------------------------------------------------------------------------


def test_recording_changes_the_balance_by_the_signed_amount(ledger: oa.MemoryLedger) -> None:
    """A purchase lowers the balance by its total; a credit booking raises it."""
    ledger.record(sale("1", at(1), "4.00"))
    ledger.record(oa.CreditBooking(account="1", at=at(2), credit="1.50", reason="cash"))
    assert ledger.states(["1"])["1"].balance == Decimal("-2.50")


def test_recording_on_an_unknown_account_names_it(ledger: oa.MemoryLedger) -> None:
    """A booking on an unknown account raises UnknownAccount naming the number."""
    with pytest.raises(oa.UnknownAccount, match=r"account '404' does not exist") as caught:
        ledger.record(sale("404", at(1)))
    assert caught.value.value == "404"


def test_another_booking_under_a_used_id_is_refused_naming_each_difference(
    ledger: oa.MemoryLedger,
) -> None:
    """A second booking with a used id raises DuplicateTransaction saying how it differs."""
    ledger.record(sale("1", at(1), id="t-1"))
    with pytest.raises(oa.DuplicateTransaction) as caught:
        ledger.record(sale("2", at(2), "3.00", id="t-1", currency="USD"), allow_over_limit=True)
    assert caught.value.message == (
        "transaction 't-1' is recorded already for another booking (another account, another "
        "instant, another currency, other lines); give every booking its own id"
    )
    assert ledger.states(["1"])["1"].balance == Decimal("-2.80")


def test_another_credit_booking_under_a_used_id_names_amount_kind_and_reason(
    ledger: oa.MemoryLedger,
) -> None:
    """Credit bookings differ by kind, amount and reason; a purchase by its kind."""
    top_up = oa.CreditBooking(
        id="c-1", account="1", at=at(1), credit="5", kind="top-up", reason="cash"
    )
    ledger.record(top_up)
    other = oa.CreditBooking(
        id="c-1", account="1", at=at(1), credit="6", kind="refund", reason="card"
    )
    for booking, how in (
        (other, "a top-up, another amount, another reason"),
        (sale("1", at(1), id="c-1"), "a top-up"),
    ):
        with pytest.raises(oa.DuplicateTransaction, match=re.escape(f"booking ({how});")):
            ledger.record(booking)
    again = oa.CreditBooking(
        id="c-1", account="1", at=at(1), credit="5.00", kind="top-up", reason="cash"
    )
    assert ledger.record_many([again]) == 0
    assert ledger.states(["1"])["1"].balance == Decimal("5")


def test_a_booking_unequal_in_no_field_shown_names_other_details(
    ledger: oa.MemoryLedger,
) -> None:
    """A host's subclass of Purchase with the same fields is another booking: never ()."""

    @attrs.frozen
    class TillPurchase(oa.Purchase):
        """A host's purchase, which compares unequal to the library's."""

    ledger.record(sale("1", at(1), id="t-1"))
    stored = sale("1", at(1), id="t-1")
    hosts = TillPurchase(id="t-1", account="1", at=stored.at, lines=stored.lines)
    with pytest.raises(oa.DuplicateTransaction, match=re.escape("booking (other details);")):
        ledger.record(hosts)


def test_one_id_given_to_two_bookings_in_a_batch_says_so(ledger: oa.MemoryLedger) -> None:
    """Two bookings under one id in one batch are refused as given twice; none is stored."""
    with pytest.raises(oa.DuplicateTransaction) as caught:
        ledger.record_many([sale("1", at(1), id="t-1"), sale("1", at(1), "3.00", id="t-1")])
    assert caught.value.message == (
        "transaction 't-1' is given twice, for different bookings (other lines); give every "
        "booking its own id"
    )
    assert list(ledger.transactions(["1"])) == []


def test_a_booking_in_another_currency_is_refused(ledger: oa.MemoryLedger) -> None:
    """A booking in a currency other than the account's raises CurrencyMismatch naming both."""
    with pytest.raises(
        oa.CurrencyMismatch, match=r"is in EUR but account 3 'Dollar' is kept in USD"
    ):
        ledger.record(sale("3", at(1)))
    assert list(ledger.transactions(["3"])) == []


def test_the_refusal_writes_room_and_purchase_in_the_currency_s_places(
    ledger: oa.MemoryLedger,
) -> None:
    """A whole-euro limit and a one-place price are written with cents: 10.00, 12.50."""
    ledger.open_account(oa.Account(number="7", name="Round", limit=10))
    line = oa.Line(product="Taart", quantity=1, unit_price=Decimal("12.5"), vat=oa.Vat.zero())
    purchase = oa.Purchase(id="cake", account="7", at=at(1), lines=[line])
    with pytest.raises(oa.LimitExceeded) as caught:
        ledger.record(purchase)
    message = str(caught.value)
    assert "purchase cake of 12.50 EUR" in message
    assert "spending room left is 10.00;" in message


def test_a_purchase_beyond_the_spending_room_is_refused(ledger: oa.MemoryLedger) -> None:
    """A purchase that takes the room below zero raises LimitExceeded naming it and the room."""
    ledger.record(sale("1", at(1), "8.00"))
    with pytest.raises(oa.LimitExceeded) as caught:
        ledger.record(sale("1", at(2), "2.01", id="big"))
    message = str(caught.value)
    assert "purchase big of 2.01 EUR on account 1 'Limit'" in message
    assert "spending room left is 2.00" in message
    assert "allow_over_limit=True" in message
    assert ledger.states(["1"])["1"].balance == Decimal("-8.00")


def test_a_purchase_using_the_exact_room_is_allowed(ledger: oa.MemoryLedger) -> None:
    """Spending the room down to exactly zero is allowed."""
    ledger.record(sale("1", at(1), "10.00"))
    assert ledger.states(["1"])["1"].spending_room == 0


def test_the_host_may_override_the_limit(ledger: oa.MemoryLedger) -> None:
    """With allow_over_limit=True a purchase beyond the room is recorded."""
    ledger.record(sale("1", at(1), "25.00"), allow_over_limit=True)
    assert ledger.states(["1"])["1"].spending_room == Decimal("-15.00")


def test_returns_are_never_limited(ledger: oa.MemoryLedger) -> None:
    """A return raises the balance, so it is recorded even with no room left."""
    ledger.record(sale("1", at(1), "25.00"), allow_over_limit=True)
    ledger.record(sale("1", at(2), "5.00", quantity=-1))
    assert ledger.states(["1"])["1"].balance == Decimal("-20.00")


def test_a_credit_account_spends_what_was_topped_up(ledger: oa.MemoryLedger) -> None:
    """A credit account refuses purchases beyond its balance, saying it is a credit account."""
    with pytest.raises(oa.LimitExceeded, match=r"credit account has a balance of 0") as caught:
        ledger.record(sale("2", at(1)))
    # Credit accounts keep limit 0: only a top-up makes room.
    assert "top it up, or record it with allow_over_limit=True" in caught.value.message
    assert "limit" not in caught.value.message.replace("allow_over_limit", "")
    ledger.record(oa.CreditBooking(account="2", at=at(1), credit="5", kind="top-up", reason="x"))
    ledger.record(sale("2", at(2)))
    assert ledger.states(["2"])["2"].balance == Decimal("2.20")


# -- reading ----------------------------------------------------------------------------


def test_states_leave_out_unknown_numbers(ledger: oa.MemoryLedger) -> None:
    """states() reports known accounts and silently skips unknown numbers."""
    assert sorted(ledger.states(["3", "404", "1"])) == ["1", "3"]


def test_states_at_an_instant_replay_history(ledger: oa.MemoryLedger) -> None:
    """states(at=...) gives balance, limit and revision as they were at that instant."""
    ledger.record(sale("1", at(1), "4.00"))
    oa.change_limit(ledger, "1", 50, actor=ADMIN, reason="more", at=at(5))
    ledger.record(sale("1", at(10), "6.00"))
    then = ledger.states(["1"], at=at(6))["1"]
    assert (then.balance, then.limit, then.revision) == (Decimal("-4.00"), Decimal(50), 1)
    start = ledger.states(["1"], at=at(1))["1"]
    assert (start.balance, start.limit) == (0, Decimal(10))


def test_get_account_names_an_unknown_number(ledger: oa.MemoryLedger) -> None:
    """get_account raises UnknownAccount naming the number."""
    with pytest.raises(oa.UnknownAccount, match="'9'"):
        ledger.get_account("9")


def test_find_accounts_sorts_by_number(ledger: oa.MemoryLedger) -> None:
    """find_accounts lists matching accounts sorted by number."""
    ledger.open_account(oa.Account(number="0", name="Zero"))
    found = ledger.find_accounts(oa.AccountQuery(kind="limit"))
    assert [s.account.number for s in found] == ["0", "1", "3"]


def test_transactions_come_by_account_instant_and_id(ledger: oa.MemoryLedger) -> None:
    """transactions() orders by account, then instant, then id, whatever the recording order."""
    ledger.record(sale("1", at(5), id="b"))
    ledger.record(sale("3", at(1), currency="USD", id="c"))
    ledger.record(sale("1", at(5), id="a"))
    ledger.record(sale("1", at(2), id="z"))
    assert [t.id for t in ledger.transactions(["3", "1", "1"])] == ["z", "a", "b", "c"]


def test_transactions_in_an_interval_are_half_open(ledger: oa.MemoryLedger) -> None:
    """transactions(start, end) includes start and excludes end."""
    ledger.record(sale("1", OCTOBER.start, id="first"))
    ledger.record(sale("1", OCTOBER.end, id="next-month"))
    ledger.record(sale("1", OCTOBER.start - dt.timedelta(seconds=1), id="before"))
    assert [t.id for t in ledger.transactions(["1"], OCTOBER.start, OCTOBER.end)] == ["first"]
    assert [t.id for t in ledger.transactions(["1"], None, OCTOBER.start)] == ["before"]
    assert [t.id for t in ledger.transactions(["1"], OCTOBER.end)] == ["next-month"]


def test_transactions_follow_utc_order_in_the_hour_clocks_repeat(
    ledger: oa.MemoryLedger,
) -> None:
    """Bookings in the repeated hour of 25 October sort and filter by their UTC instant."""
    second_0210 = dt.datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=AMS)  # 01:10 UTC
    first_0220 = dt.datetime(2026, 10, 25, 2, 20, fold=0, tzinfo=AMS)  # 00:20 UTC
    ledger.record(sale("1", second_0210, id="later"))
    ledger.record(sale("1", first_0220, id="earlier"))
    assert [t.id for t in ledger.transactions(["1"])] == ["earlier", "later"]
    boundary = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert [t.id for t in ledger.transactions(["1"], boundary)] == ["later"]
    assert [t.id for t in ledger.transactions(["1"], None, boundary)] == ["earlier"]


def test_a_period_starting_in_the_repeated_hour_invoices_what_it_holds(
    ledger: oa.MemoryLedger,
) -> None:
    """A 02:30 business day on 25 October plans the sale made at the second 02:10."""
    period = oa.Period.day("2026-10-25", tz="Europe/Amsterdam", day_starts_at="02:30")
    inside = sale("1", dt.datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=AMS), id="inside")
    before = sale("1", dt.datetime(2026, 10, 25, 2, 20, fold=0, tzinfo=AMS), id="before")
    ledger.record(inside)
    ledger.record(before)
    assert period.contains(inside.at)
    assert not period.contains(before.at)
    plan = oa.plan_run(ledger, period, ["1"], "none", actor=ADMIN)
    assert [d.statement.transaction_ids() for d in plan.drafts] == [{"inside"}]
    assert [(w.count, w.total) for w in plan.warnings] == [(1, Decimal("2.80"))]


# -- runs -------------------------------------------------------------------------------


def test_unknown_runs_are_named(ledger: oa.MemoryLedger) -> None:
    """run() raises UnknownRun naming the id; run_by_key gives None for an unused key."""
    with pytest.raises(oa.UnknownRun, match=r"invoice run 'r-1' does not exist; .*Ledger.runs"):
        ledger.run("r-1")
    assert ledger.run_by_key("k") is None
    assert ledger.runs() == []


def test_runs_are_listed_oldest_first(ledger: oa.MemoryLedger) -> None:
    """runs() lists runs by creation instant, whatever order they were committed in."""
    ledger.record(sale("1", at(3)))
    ledger.record(sale("1", at(20)))
    early = oa.Period.between("2026-10-01", "2026-10-10", tz="Europe/Amsterdam")
    late = oa.Period.between("2026-10-11", "2026-10-31", tz="Europe/Amsterdam")
    second = oa.commit_run(
        ledger, oa.plan_run(ledger, late, ["1"], "none", actor=ADMIN), actor=ADMIN, at=at(31)
    )
    first = oa.commit_run(
        ledger, oa.plan_run(ledger, early, ["1"], "none", actor=ADMIN), actor=ADMIN, at=at(11)
    )
    assert [r.id for r in ledger.runs()] == [first.id, second.id]


def test_a_conflicting_run_writes_nothing_at_all(ledger: oa.MemoryLedger) -> None:
    """When one account of a run conflicts, no account of it is written."""
    ledger.open_account(oa.Account(number="4", name="Other", limit=10))
    ledger.record(sale("1", at(3)))
    ledger.record(sale("4", at(3)))
    plan = oa.plan_run(ledger, OCTOBER, ["1", "4"], "zero-balance", actor=ADMIN)
    oa.correct_balance(ledger, "4", "1.00", actor=ADMIN, reason="cash")
    with pytest.raises(oa.RunConflict, match=r"account 4 'Other' changed"):
        oa.commit_run(ledger, plan, actor=ADMIN)
    assert ledger.runs() == []
    assert len(list(ledger.transactions(["1", "4"], uninvoiced=True))) == 2
    assert ledger.states(["1"])["1"].balance == Decimal("-2.80")
    assert [m.kind for m in ledger.mutations()] == [oa.MutationKind.MANUAL]


def test_the_uninvoiced_filter_splits_bookings(ledger: oa.MemoryLedger) -> None:
    """uninvoiced=True and False split the bookings into free and invoiced ones."""
    ledger.record(sale("1", at(3), id="oct"))
    ledger.record(sale("1", at(3) + dt.timedelta(days=40), id="nov"))
    oa.commit_run(ledger, oa.plan_run(ledger, OCTOBER, ["1"], "none", actor=ADMIN), actor=ADMIN)
    assert [t.id for t in ledger.transactions(["1"], uninvoiced=False)] == ["oct"]
    assert [t.id for t in ledger.transactions(["1"], uninvoiced=True)] == ["nov"]
    assert [t.id for t in ledger.transactions(["1"])] == ["oct", "nov"]


def test_booking_a_mutation_on_an_unknown_account_names_it(ledger: oa.MemoryLedger) -> None:
    """book() refuses a mutation for an unknown account."""
    mutation = oa.Mutation(
        account="404",
        kind=oa.MutationKind.MANUAL,
        balance_delta=1,
        actor="a",
        at=at(1),
        reason="x",
    )
    with pytest.raises(oa.UnknownAccount, match="'404'"):
        ledger.book(mutation)


def test_recording_from_many_threads_loses_nothing(ledger: oa.MemoryLedger) -> None:
    """Concurrent recording keeps every booking and the balance identity."""
    ledger.open_account(oa.Account(number="5", name="Busy", limit=10000))

    def till(n: int) -> None:
        for i in range(50):
            ledger.record(sale("5", at(1 + i % 28), "1.00", id=f"{n}-{i}"))

    threads = [threading.Thread(target=till, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(list(ledger.transactions(["5"]))) == 400
    assert ledger.states(["5"])["5"].balance == Decimal("-400.00")


@given(generated=oas.ledgers())
def test_the_balance_identity_holds_for_generated_ledgers(generated: oas.GeneratedLedger) -> None:
    """Balance = Σ amounts + Σ balance deltas and limit = opening + Σ limit deltas."""
    ledger = generated.ledger
    states = ledger.states(generated.numbers)
    far = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    replayed = ledger.states(generated.numbers, at=far)
    for account in generated.accounts:
        number = account.number
        mutations = ledger.mutations(account=number)
        amounts = sum((t.amount for t in ledger.transactions([number])), Decimal(0))
        deltas = sum((m.balance_delta for m in mutations), Decimal(0))
        limit = account.limit + sum((m.limit_delta for m in mutations), Decimal(0))
        assert states[number].balance == amounts + deltas == replayed[number].balance
        assert states[number].limit == limit == replayed[number].limit
        bookings = list(ledger.transactions([number]))
        assert [b.at.astimezone(dt.UTC) for b in bookings] == sorted(
            b.at.astimezone(dt.UTC) for b in bookings
        )


def test_a_batch_of_bookings_is_recorded_whole_or_not_at_all(ledger: oa.MemoryLedger) -> None:
    """record_many refuses the whole batch when one booking is refused."""
    good = sale("1", at(1), "4.00", id="ok")
    too_much = sale("1", at(2), "7.00", id="too-much")
    with pytest.raises(oa.LimitExceeded, match="too-much"):
        ledger.record_many([good, too_much])
    assert list(ledger.transactions(["1"])) == []
    assert ledger.states(["1"])["1"].balance == 0
    assert ledger.record_many([good, sale("1", at(2), "6.00")]) == 2
    assert ledger.states(["1"])["1"].spending_room == 0


def test_a_batch_of_accounts_is_opened_whole_or_not_at_all() -> None:
    """open_accounts opens none when one number is taken, even within the batch."""
    ledger = oa.MemoryLedger()
    twice = [oa.Account(number="1", name="A"), oa.Account(number="1", name="B")]
    with pytest.raises(oa.DuplicateAccount, match=r"account '1' exists already as 'A'"):
        ledger.open_accounts(twice)
    assert ledger.find_accounts(oa.AccountQuery()) == []
