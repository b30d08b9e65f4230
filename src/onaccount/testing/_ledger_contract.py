"""LedgerContract: the behaviour every `Ledger` implementation must show.

Subclass it in a test module, name the subclass ``Test…`` and implement `make_ledger`
to return a fresh, empty ledger; pytest then runs every check below against it::

    class TestMyLedger(LedgerContract):
        def make_ledger(self) -> Ledger:
            return MyOrmLedger(session_factory())

The contract closes every ledger it makes once the check is over, through
`LedgerContract.close_ledger`. `MemoryLedger` and the SQL ledgers on SQLite and
PostgreSQL pass it.
"""

from __future__ import annotations

import datetime as dt
import functools
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from onaccount import (
    MAX_MINOR_UNITS,
    Account,
    AccountKind,
    AccountQuery,
    Actor,
    AlreadyUndone,
    BillingDetails,
    CreditBooking,
    CurrencyMismatch,
    DuplicateAccount,
    DuplicateTransaction,
    InvalidAmount,
    InvalidValue,
    InvoiceRun,
    InvoiceState,
    KeyInUse,
    LimitConflict,
    LimitExceeded,
    Line,
    Mutation,
    MutationKind,
    NaiveDatetime,
    NothingToChange,
    OnAccountError,
    Period,
    Purchase,
    ResetStrategy,
    RunConflict,
    Transaction,
    UnknownAccount,
    UnknownRun,
    Vat,
    change_limit,
    commit_run,
    plan_run,
    undo_invoice,
)
from onaccount.ledger import Ledger
from onaccount.testing.strategies import GeneratedLedger, ledgers, reset_strategies

__all__ = ["LedgerContract"]

_UTC = dt.UTC
_OCTOBER = Period.month(2026, 10, tz="Europe/Amsterdam", day_starts_at="04:00")
_ADMIN = Actor.superuser("contract")


def _at(day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, minute, tzinfo=_UTC)


def _purchase(
    account: str, at: dt.datetime, amount: str = "10.00", *, id: str | None = None
) -> Purchase:
    extra = {} if id is None else {"id": id}
    return Purchase(
        account=account,
        at=at,
        lines=[
            Line(
                product="Koffie", quantity=1, unit_price=Decimal(amount), vat=Vat.standard("0.09")
            )
        ],
        **extra,
    )


def _manual(
    account: str, at: dt.datetime, balance_delta: Decimal | int | str = "5.00"
) -> Mutation:
    return Mutation(
        account=account,
        kind=MutationKind.MANUAL,
        balance_delta=balance_delta,
        actor="contract",
        at=at,
        reason="goodwill",
    )


def _open(ledger: Ledger, account: Account) -> None:
    ledger.open_accounts([account])


def _record(ledger: Ledger, booking: Transaction, *, allow_over_limit: bool = False) -> None:
    # The port's batch method: a host's ledger need not inherit LedgerConveniences.
    ledger.record_many([booking], allow_over_limit=allow_over_limit)


def _snapshot(ledger: Ledger, numbers: tuple[str, ...] = ("1", "2")) -> tuple[Any, ...]:
    """What the ledger holds of ``numbers``: states, bookings and whether invoiced, runs."""
    return (
        ledger.states(numbers),
        list(ledger.transactions(numbers)),
        [t.id for t in ledger.transactions(numbers, uninvoiced=False)],
        ledger.runs(),
        ledger.mutations(),
    )


def _send_again(ledger: Ledger, bookings: Iterable[Transaction]) -> int:
    """``record_many(bookings)`` for bookings stored already: a retry must not be refused."""
    try:
        return ledger.record_many(bookings)
    except OnAccountError as error:
        pytest.fail(
            "a booking equal to the one stored under its id is a retry: record_many must "
            f"book nothing and return, not raise {type(error).__name__}: {error.message}"
        )


def _by_key(ledger: Ledger, key: str) -> InvoiceRun | None:
    found = ledger.runs(key=key)
    return found[0] if found else None


class _TillBetween:
    """``ledger`` with a till that records ``booking`` as a run's commit reaches it.

    That is after `onaccount.commit_run` built the run and before the ledger locks the
    accounts: the moment a real till can slip in.
    """

    def __init__(self, ledger: Ledger, booking: Transaction) -> None:
        self._ledger = ledger
        self._booking = booking

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ledger, name)

    def commit_run(self, run: InvoiceRun, revisions: Mapping[str, int]) -> InvoiceRun:
        _record(self._ledger, self._booking)
        return self._ledger.commit_run(run, revisions)


class _Built:
    """``ledger`` with a ``commit_run`` that keeps the run and revisions and writes nothing.

    `onaccount.commit_run` through it builds a run as for the real ledger, for a check to
    hand that ledger's own ``commit_run`` later.
    """

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self.revisions: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ledger, name)

    def commit_run(self, run: InvoiceRun, revisions: Mapping[str, int]) -> InvoiceRun:
        self.revisions = dict(revisions)
        return run


class LedgerContract:
    """Checks every `Ledger` must pass; subclasses implement `make_ledger`.

    Every ledger a check makes is closed when the check is over, through `close_ledger`:
    its ``close()`` if it has one, or what a subclass overrides that with. Ledgers are
    closed before the test's fixtures end, so a fixture may drop the database they used.

    The one property check runs `reference_examples_share` of the active Hypothesis
    profile's ``max_examples``: load a profile with more, or raise the share, to run more.
    """

    #: Whether threads may write through one ledger at once. Set it to False for a ledger
    #: that cannot be shared between threads (one on an in-memory SQLite database), and
    #: prove its locking with processes on a real database instead.
    concurrent_writers: ClassVar[bool] = True

    #: The share of the active Hypothesis profile's ``max_examples`` (at least one example)
    #: that the property check comparing plans and runs with `MemoryLedger` runs. Each
    #: example builds and fills a ledger, so a quarter keeps the contract cheap; a profile
    #: with more examples (one loaded for a thorough run) scales it, and 1 runs as many as
    #: the profile asks. Set it on the subclass, not with ``@settings`` on the check.
    reference_examples_share: ClassVar[float] = 0.25

    # The ledgers made and not yet closed, and the running test's addfinalizer; both stay
    # empty when a check is called outside pytest's run, and the caller closes what it made.
    _made: tuple[Ledger, ...] = ()
    _at_teardown: Callable[[Callable[[], object]], None] | None = None

    def make_ledger(self) -> Ledger:
        """A fresh, empty ledger of the implementation under test."""
        raise NotImplementedError

    def close_ledger(self, ledger: Ledger) -> None:
        """Release ``ledger``, which `make_ledger` made, once the check using it is over.

        Calls its ``close()`` if it has one, so a ledger holding a database connection
        leaves no ``ResourceWarning``. Override it for a ledger released another way (a
        session to give back, a schema to drop).
        """
        close = getattr(ledger, "close", None)
        if callable(close):
            close()

    @pytest.fixture(autouse=True)
    def _close_the_ledgers_made(self, request: pytest.FixtureRequest) -> Iterator[None]:
        # Each ledger's close is added to the test itself when the ledger is made, after
        # every fixture started: pytest runs it first, before any fixture's teardown.
        self._at_teardown = request.node.addfinalizer
        yield
        self._at_teardown = None

    def _ledger_with(self, *accounts: Account) -> Ledger:
        """A ledger from `make_ledger`, kept to be closed, with ``accounts`` opened.

        Every check makes its ledgers here, never by calling `make_ledger` itself.
        """
        ledger = self.make_ledger()
        self._made = (*self._made, ledger)
        if self._at_teardown is not None:
            self._at_teardown(functools.partial(self._release, ledger))
        for account in accounts:
            _open(ledger, account)
        return ledger

    def _release(self, ledger: Ledger) -> None:
        """Close ``ledger`` through `close_ledger` unless it was released already."""
        if any(made is ledger for made in self._made):
            self._made = tuple(made for made in self._made if made is not ledger)
            self.close_ledger(ledger)

    # -- accounts -----------------------------------------------------------------------

    def test_open_and_get_account_round_trips_every_field(self) -> None:
        """An opened account reads back equal, billing details, tags and unicode included."""
        account = Account(
            number="1042",
            name="Équipe Zoë 🍺",
            limit=Decimal("150.00"),
            group="teams",
            tags={"youth", "sunday"},
            billing=BillingDetails(
                name="Zoë B.", email="zoe@example.org", iban="NL91 ABNA 0417 1643 00"
            ),
        )
        ledger = self._ledger_with(account)
        assert ledger.get_account("1042") == account

    def test_duplicate_account_is_refused_by_number(self) -> None:
        """Opening a number twice raises DuplicateAccount naming the number."""
        ledger = self._ledger_with(Account(number="1", name="A"))
        with pytest.raises(DuplicateAccount, match="'1'"):
            _open(ledger, Account(number="1", name="B"))

    def test_unknown_account_is_refused_by_number(self) -> None:
        """Reading an account that does not exist raises UnknownAccount naming it."""
        with pytest.raises(UnknownAccount, match="'404'"):
            self._ledger_with().get_account("404")

    def test_update_changes_details_and_revision_but_refuses_limit(self) -> None:
        """An update replaces the name and bumps the revision; a limit change is refused."""
        ledger = self._ledger_with(Account(number="1", name="Old", limit=10))
        ledger.update_account(Account(number="1", name="New", limit=10, group="g"))
        state = ledger.states(["1"])["1"]
        assert (state.account.name, state.account.group, state.revision) == ("New", "g", 1)
        with pytest.raises(ValueError, match="limit"):
            ledger.update_account(Account(number="1", name="New", limit=20))

    def test_states_leave_out_unknown_numbers(self) -> None:
        """states() reports known accounts only, so callers can name the unknown ones."""
        ledger = self._ledger_with(Account(number="1", name="A"))
        assert set(ledger.states(["1", "2"])) == {"1"}

    def test_find_accounts_by_every_criterion(self) -> None:
        """Search by name (case and accents ignored), group, tag, kind and balance."""
        ledger = self._ledger_with(
            Account(number="1", name="Café Zoë", limit=100, group="bar", tags={"vip"}),
            Account(number="2", name="Team B", limit=100, group="teams"),
            Account(number="3", name="Prepaid", kind=AccountKind.CREDIT),
        )
        _record(ledger, _purchase("1", _at(2), "5.00"))

        def numbers(query: AccountQuery) -> list[str]:
            return [s.account.number for s in ledger.find_accounts(query)]

        assert numbers(AccountQuery(name="CAFE zoe")) == ["1"]
        assert numbers(AccountQuery(group="teams")) == ["2"]
        assert numbers(AccountQuery(tag="vip")) == ["1"]
        assert numbers(AccountQuery(kind="credit")) == ["3"]
        assert numbers(AccountQuery(balance="<0")) == ["1"]
        assert numbers(AccountQuery(balance=">=0")) == ["2", "3"]
        assert numbers(AccountQuery(balance="=-5")) == ["1"]
        assert numbers(AccountQuery(numbers=["3", "1"])) == ["1", "3"]
        assert numbers(AccountQuery(name="100%")) == []

    # -- bookings -----------------------------------------------------------------------

    def test_recorded_bookings_read_back_equal_and_in_order(self) -> None:
        """Bookings come back equal to what was recorded, by instant then id."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        late = _purchase("1", _at(5), "2.50")
        early = Purchase(
            account="1",
            at=dt.datetime(2026, 10, 3, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            lines=[
                Line(product="Bier «pils»", quantity=Decimal("2"), unit_price=Decimal("2.805"),
                     vat=Vat.standard("0.21"), code="PLU-7", group="drinks"),
                Line(product="Statiegeld", quantity=Decimal("-1"), unit_price=Decimal("0.10"),
                     vat=Vat.exempt("Deposit outside VAT", "O")),
            ],
            note="table 4",
        )  # fmt: skip
        credit = CreditBooking(
            account="1", at=_at(4), credit="20.00", kind="payment", reason="cash"
        )
        for booking in (late, early, credit):
            _record(ledger, booking)
        assert list(ledger.transactions(["1"])) == [early, credit, late]

    def test_bookings_of_several_accounts_come_account_by_account(self) -> None:
        """Bookings of many accounts come by account number, then instant: not interleaved."""
        ledger = self._ledger_with(
            Account(number="2", name="B", limit=100), Account(number="10", name="C", limit=100)
        )
        for day in (1, 2, 3):
            for number in ("10", "2"):
                _record(ledger, _purchase(number, _at(day)))
        found = [(tx.account, tx.at) for tx in ledger.transactions(["2", "10"])]
        # Text order, as Python compares strings: "10" before "2".
        assert found == [(n, _at(day)) for n in ("10", "2") for day in (1, 2, 3)]

    def test_transactions_cover_a_half_open_interval(self) -> None:
        """A booking at the interval's end is left out, one at its start is kept."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        first, second = _purchase("1", _at(1)), _purchase("1", _at(2))
        _record(ledger, first)
        _record(ledger, second)
        assert list(ledger.transactions(["1"], _at(1), _at(2))) == [first]

    def test_balance_follows_bookings_and_mutations(self) -> None:
        """Purchases lower the balance, credits and mutations raise it."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        _record(ledger, _purchase("1", _at(1), "30.00"))
        _record(ledger, CreditBooking(account="1", at=_at(2), credit="10.00", reason="cash"))
        ledger.book(
            Mutation(account="1", kind=MutationKind.MANUAL, balance_delta="5.00",
                     actor="t", at=_at(3), reason="goodwill")
        )  # fmt: skip
        state = ledger.states(["1"])["1"]
        assert (state.balance, state.limit, state.spending_room) == (
            Decimal("-15.00"),
            Decimal("100"),
            Decimal("85.00"),
        )

    def test_states_at_an_instant_count_only_what_came_before(self) -> None:
        """states(at=...) gives the balance and limit as they were at that instant."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        _record(ledger, _purchase("1", _at(1), "30.00"))
        change_limit(ledger, "1", "50", actor=_ADMIN, reason="lower", at=_at(2))
        _record(ledger, _purchase("1", _at(3), "10.00"))
        before = ledger.states(["1"], at=_at(2))["1"]
        assert (before.balance, before.limit) == (Decimal("-30.00"), Decimal("100"))
        after = ledger.states(["1"], at=_at(4))["1"]
        assert (after.balance, after.limit) == (Decimal("-40.00"), Decimal("50"))

    def test_states_at_an_instant_leave_out_what_happened_at_it(self) -> None:
        """states(at=t) counts bookings and mutations before t only, not one at t itself."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        _record(ledger, _purchase("1", _at(2), "10.00"))
        ledger.book(_manual("1", _at(3), "4.00"))
        tick = dt.timedelta(microseconds=1)
        amsterdam = ZoneInfo("Europe/Amsterdam")
        balances = [
            ledger.states(["1"], at=at)["1"].balance
            for at in (_at(2), _at(2).astimezone(amsterdam), _at(2) + tick, _at(3), _at(3) + tick)
        ]
        assert balances == [0, 0, Decimal("-10.00"), Decimal("-10.00"), Decimal("-6.00")]

    def test_states_at_an_instant_count_the_mutations_before_it_as_the_revision(self) -> None:
        """states(at=t).revision is how many mutations the account had before t, not now."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        change_limit(ledger, "1", "50", actor=_ADMIN, reason="lower", at=_at(2))
        ledger.book(_manual("1", _at(4)))
        revisions = [
            ledger.states(["1"], at=at)["1"].revision for at in (_at(1), _at(2), _at(3), _at(5))
        ]
        assert revisions == [0, 0, 1, 2]
        assert ledger.states(["1"])["1"].revision == 2

    def test_book_refuses_what_check_mutation_refuses_and_writes_nothing(self) -> None:
        """`book` refuses what `check_mutation` does: cent fractions, a balance out of range."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        # The largest balance a EUR account can have: one cent below the stored range.
        largest = Decimal(MAX_MINOR_UNITS).scaleb(-2) - Decimal("0.01")
        stored = _manual("1", _at(2), largest)
        ledger.book(stored)
        refused: list[tuple[type[Exception], str, Mutation]] = [
            (InvalidValue, r"balance delta 2\.505 has more places", _manual("1", _at(3), "2.505")),
            (
                InvalidValue,
                r"limit delta 0\.001 is less than 0\.01 EUR",
                Mutation(account="1", kind=MutationKind.LIMIT_CHANGE, limit_delta="0.001",
                         actor="contract", at=_at(3), reason="raise"),
            ),
            (
                InvalidAmount,
                r"would bring account 1 'A' to balance 10000000000000\.99 is outside the range",
                _manual("1", _at(3), "1.00"),
            ),
        ]  # fmt: skip
        for error, words, mutation in refused:
            with pytest.raises(error, match=words):
                ledger.book(mutation)
        assert ledger.mutations(account="1") == [stored]
        state = ledger.states(["1"])["1"]
        assert (state.balance, state.limit, state.revision) == (largest, Decimal(100), 1)

    def test_another_booking_under_a_used_id_is_refused_saying_how_it_differs(self) -> None:
        """A different booking under a stored id raises DuplicateTransaction; nothing books."""
        ledger = self._ledger_with(
            Account(number="1", name="A", limit=100), Account(number="2", name="B", limit=100)
        )
        stored = _purchase("1", _at(1), id="till-1-0001")
        _record(ledger, stored)
        before = _snapshot(ledger)
        others = {
            "other lines": _purchase("1", _at(1), "12.00", id="till-1-0001"),
            "another instant": _purchase("1", _at(2), id="till-1-0001"),
            "another account": _purchase("2", _at(1), id="till-1-0001"),
            "another note": attrs.evolve(stored, note="table 4"),
            "a purchase": CreditBooking(
                id="till-1-0001", account="1", at=_at(1), credit="10.00", reason="cash"
            ),
        }
        for how, other in others.items():
            with pytest.raises(DuplicateTransaction) as caught:
                _record(ledger, other, allow_over_limit=True)
            assert caught.value.message == (
                f"transaction 'till-1-0001' is recorded already for another booking ({how}); "
                "give every booking its own id"
            )
            assert (caught.value.value, caught.value.obj) == ("till-1-0001", other)
        assert _snapshot(ledger) == before

    def test_recording_a_stored_booking_again_books_nothing(self) -> None:
        """A till's retry of a stored purchase or credit booking succeeds and books nothing."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        purchase = _purchase("1", _at(1), id="till-1-0001")
        credit = CreditBooking(
            id="till-1-0002", account="1", at=_at(2), credit="4.00", kind="top-up", reason="cash"
        )
        assert ledger.record_many([purchase, credit]) == 2
        before = _snapshot(ledger)
        # Sent again as the till sends it: built anew, its instant in the till's zone.
        again = Purchase(
            id="till-1-0001",
            account="1",
            at=_at(1).astimezone(ZoneInfo("Europe/Amsterdam")),
            lines=[Line(product="Koffie", quantity=Decimal("1.0"), unit_price=Decimal("10"),
                        vat=Vat.standard("0.090"))],
        )  # fmt: skip
        assert _send_again(ledger, [again]) == 0
        assert _send_again(ledger, [credit]) == 0
        assert _send_again(ledger, [purchase, credit]) == 0
        assert _snapshot(ledger) == before
        assert ledger.states(["1"])["1"].balance == Decimal("-6.00")

    def test_a_retry_is_not_checked_against_the_limit_again(self) -> None:
        """A stored purchase sent again books nothing, even with the spending room spent."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=10))
        exact = _purchase("1", _at(1), "10.00", id="till-1-0001")
        over = _purchase("1", _at(2), "5.00", id="till-1-0002")
        _record(ledger, exact)
        _record(ledger, over, allow_over_limit=True)
        before = _snapshot(ledger)
        # Without allow_over_limit: each was checked when it was first recorded.
        assert _send_again(ledger, [exact, over]) == 0
        assert _snapshot(ledger) == before

    def test_a_retry_of_an_invoiced_purchase_books_nothing(self) -> None:
        """A purchase a committed run holds, sent again, books nothing and stays invoiced."""
        ledger = self._billed()
        plan = plan_run(ledger, _OCTOBER, ["1", "2"], "zero-balance", actor=_ADMIN)
        run = commit_run(ledger, plan, actor=_ADMIN)
        held = [t for t in ledger.transactions(["1", "2"]) if isinstance(t, Purchase)]
        before = _snapshot(ledger)
        assert _send_again(ledger, held) == 0
        assert _snapshot(ledger) == before
        assert {t.id for t in ledger.transactions(["1", "2"], uninvoiced=False)} == {
            t.id for t in held
        }
        again = plan_run(ledger, _OCTOBER, ["1", "2"], "zero-balance", actor=_ADMIN)
        assert (again.drafts, again.nothing_to_invoice) == ((), ("1", "2"))
        assert ledger.run(run.id) == run

    def test_a_batch_with_retries_stores_only_its_new_bookings(self) -> None:
        """Stored bookings in a batch are left alone; record_many counts the new ones only."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        stored = _purchase("1", _at(1), "10.00", id="till-1-0001")
        _record(ledger, stored)
        new = [_purchase("1", _at(2), "2.00", id="n-1"), _purchase("1", _at(3), "3.00", id="n-2")]
        assert ledger.record_many([new[0], stored, new[1]]) == 2
        assert [t.id for t in ledger.transactions(["1"])] == ["till-1-0001", "n-1", "n-2"]
        assert ledger.states(["1"])["1"].balance == Decimal("-15.00")

    def test_a_batch_holding_one_booking_twice_books_it_once(self) -> None:
        """The same booking twice in a batch is one booking and its retry: stored once."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=15))
        twice = _purchase("1", _at(1), "10.00", id="till-1-0001")
        # A second 10.00 would pass the limit of 15: the retry is not checked again.
        assert ledger.record_many([twice, twice]) == 1
        assert list(ledger.transactions(["1"])) == [twice]
        assert ledger.states(["1"])["1"].balance == Decimal("-10.00")

    def test_a_batch_giving_one_id_to_two_bookings_stores_nothing(self) -> None:
        """Two different bookings under one id in a batch raise DuplicateTransaction."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        first = _purchase("1", _at(1), "10.00", id="till-1-0001")
        other = _purchase("1", _at(1), "12.00", id="till-1-0001")
        with pytest.raises(DuplicateTransaction, match=r"'till-1-0001' .*\(other lines\)"):
            ledger.record_many([_purchase("1", _at(1), id="fresh"), first, other])
        assert list(ledger.transactions(["1"])) == []
        assert ledger.states(["1"])["1"].balance == 0

    def test_long_numbers_and_ids_are_kept_whole(self) -> None:
        """An account number and a booking id of 200 characters are stored as given."""
        number, tx_id = "N" * 200, "till-" + "9" * 195
        ledger = self._ledger_with(Account(number=number, name="Long", limit=100))
        _record(ledger, _purchase(number, _at(1), id=tx_id))
        assert [t.id for t in ledger.transactions([number])] == [tx_id]
        assert ledger.get_account(number).number == number

    def test_booking_on_unknown_account_is_refused(self) -> None:
        """A booking for a number no account has raises UnknownAccount."""
        with pytest.raises(UnknownAccount, match="'77'"):
            _record(self._ledger_with(), _purchase("77", _at(1)))

    def test_booking_in_another_currency_is_refused(self) -> None:
        """A USD purchase on a EUR account raises CurrencyMismatch naming both."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        purchase = Purchase(
            account="1", at=_at(1), currency="USD",
            lines=[Line(product="X", quantity=1, unit_price=1, vat=Vat.zero())],
        )  # fmt: skip
        with pytest.raises(CurrencyMismatch, match=r"USD.*EUR"):
            _record(ledger, purchase)

    def test_over_limit_purchase_is_refused_unless_allowed(self) -> None:
        """A purchase beyond the spending room raises LimitExceeded; the override books it."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=25))
        with pytest.raises(LimitExceeded, match="25"):
            _record(ledger, _purchase("1", _at(1), "30.00"))
        _record(ledger, _purchase("1", _at(1), "30.00"), allow_over_limit=True)
        assert ledger.states(["1"])["1"].spending_room == Decimal("-5.00")

    def test_credit_account_cannot_go_below_zero(self) -> None:
        """A credit account spends only what was topped up."""
        ledger = self._ledger_with(Account(number="1", name="P", kind="credit"))
        _record(
            ledger,
            CreditBooking(account="1", at=_at(1), credit="5.00", kind="top-up", reason="cash"),
        )
        with pytest.raises(LimitExceeded):
            _record(ledger, _purchase("1", _at(2), "6.00"))
        _record(ledger, _purchase("1", _at(2), "5.00"))
        assert ledger.states(["1"])["1"].balance == 0

    def test_record_many_stores_all_or_nothing(self) -> None:
        """A batch with one refused booking stores none of them; a clean batch stores all."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=20))
        good = [_purchase("1", _at(1), "8.00"), _purchase("1", _at(2), "8.00")]
        # The third purchase overdraws the room the first two leave.
        with pytest.raises(LimitExceeded):
            ledger.record_many([*good, _purchase("1", _at(3), "8.00")])
        with pytest.raises(DuplicateTransaction):
            ledger.record_many([good[0], attrs.evolve(good[1], id=good[0].id)])
        with pytest.raises(UnknownAccount):
            ledger.record_many([good[0], _purchase("2", _at(1))])
        assert list(ledger.transactions(["1"])) == []
        assert ledger.states(["1"])["1"].balance == 0
        assert ledger.record_many(good) == 2
        assert ledger.states(["1"])["1"].balance == Decimal("-16.00")

    def test_open_accounts_opens_all_or_none(self) -> None:
        """A batch repeating a number, or taking an existing one, opens nothing."""
        ledger = self._ledger_with(Account(number="1", name="A"))
        with pytest.raises(DuplicateAccount, match="'1'"):
            ledger.open_accounts([Account(number="2", name="B"), Account(number="1", name="C")])
        with pytest.raises(DuplicateAccount, match="'3'"):
            ledger.open_accounts([Account(number="3", name="B"), Account(number="3", name="C")])
        assert set(ledger.states(["1", "2", "3"])) == {"1"}
        ledger.open_accounts([Account(number="2", name="B"), Account(number="3", name="C")])
        assert set(ledger.states(["1", "2", "3"])) == {"1", "2", "3"}

    def test_reads_refuse_a_naive_instant_naming_the_argument(self) -> None:
        """states, transactions, uninvoiced_before, runs, mutations refuse naive instants."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        naive = dt.datetime(2026, 10, 15, 12)
        reads: dict[str, Callable[[], object]] = {
            "at": lambda: ledger.states(["1"], at=naive),
            "start": lambda: list(ledger.transactions(["1"], naive)),
            "end": lambda: list(ledger.transactions(["1"], None, naive)),
            "before": lambda: ledger.uninvoiced_before(["1"], naive),
            "runs start": lambda: ledger.runs(start=naive),
            "runs end": lambda: ledger.runs(end=naive),
            "mutations start": lambda: ledger.mutations(start=naive),
            "mutations end": lambda: ledger.mutations(end=naive),
        }
        for name, read in reads.items():
            with pytest.raises(NaiveDatetime, match="has no time zone") as caught:
                read()
            assert caught.value.field == name.split()[-1], name

    # -- runs ---------------------------------------------------------------------------

    def _billed(self) -> Ledger:
        ledger = self._ledger_with(
            Account(number="1", name="A", limit=100), Account(number="2", name="B", limit=100)
        )
        _record(ledger, _purchase("1", _at(2), "10.00"))
        _record(ledger, _purchase("1", _at(3), "5.50"))
        _record(ledger, _purchase("2", _at(4), "7.25"))
        return ledger

    def test_commit_links_purchases_and_books_corrections(self) -> None:
        """A committed run invoices the purchases once and books its corrections."""
        ledger = self._billed()
        plan = plan_run(ledger, _OCTOBER, ["1", "2"], "zero-balance", actor=_ADMIN)
        run = commit_run(ledger, plan, actor=_ADMIN, at=_at(31))
        assert list(ledger.transactions(["1", "2"], uninvoiced=True)) == []
        assert len(list(ledger.transactions(["1", "2"], uninvoiced=False))) == 3
        assert {n: s.balance for n, s in ledger.states(["1", "2"]).items()} == {
            "1": Decimal(0),
            "2": Decimal(0),
        }
        stored = ledger.run(run.id)
        assert stored == run
        assert [m.run_id for m in ledger.mutations(run_id=run.id)] == [run.id, run.id]

    def test_commit_conflicts_when_a_purchase_was_invoiced_meanwhile(self) -> None:
        """Of two plans billing a purchase, the later commit gets RunConflict, writes nothing."""
        ledger = self._billed()
        first = plan_run(ledger, _OCTOBER, ["1"], "none", actor=_ADMIN)
        second = plan_run(ledger, _OCTOBER, ["1", "2"], "zero-balance", actor=_ADMIN)
        commit_run(ledger, first, actor=_ADMIN)
        with pytest.raises(RunConflict, match="invoiced by another run"):
            commit_run(ledger, second, actor=_ADMIN)
        assert len(ledger.runs()) == 1
        assert ledger.states(["2"])["2"].balance == Decimal("-7.25")
        assert len(list(ledger.transactions(["2"], uninvoiced=True))) == 1

    def test_commit_conflicts_when_an_account_changed(self) -> None:
        """An account updated after planning makes commit raise RunConflict."""
        ledger = self._billed()
        plan = plan_run(ledger, _OCTOBER, ["1"], "zero-balance", actor=_ADMIN)
        ledger.update_account(Account(number="1", name="Renamed", limit=100))
        with pytest.raises(RunConflict, match="changed since"):
            commit_run(ledger, plan, actor=_ADMIN)
        assert ledger.runs() == []

    def test_idempotency_key_returns_the_first_run(self) -> None:
        """Committing twice with one key books once and returns the same run."""
        ledger = self._billed()
        plan = plan_run(ledger, _OCTOBER, ["1"], "zero-balance", actor=_ADMIN)
        first = commit_run(ledger, plan, actor=_ADMIN, key="oct-2026")
        again = commit_run(ledger, plan, actor=_ADMIN, key="oct-2026")
        assert again.id == first.id
        assert _by_key(ledger, "oct-2026") == first
        assert len(ledger.mutations(account="1")) == 1

    def test_a_run_keeps_the_fingerprint_of_its_plan(self) -> None:
        """The stored run holds its plan's fingerprint, currency and selected accounts."""
        ledger = self._billed()
        plan = plan_run(ledger, _OCTOBER, ["2", "1", "404"], "none", actor=_ADMIN, currency="EUR")
        run = commit_run(ledger, plan, actor=_ADMIN, key="oct-2026")
        stored = _by_key(ledger, "oct-2026")
        assert stored is not None
        assert stored.fingerprint == run.fingerprint == plan.fingerprint
        assert (stored.currency, stored.selected) == ("EUR", ("1", "2", "404"))

    def test_a_key_used_by_another_plan_is_refused_and_nothing_written(self) -> None:
        """A different plan under a used key raises KeyInUse and leaves the ledger as it was."""
        ledger = self._billed()
        first = plan_run(ledger, _OCTOBER, ["1"], "zero-balance", actor=_ADMIN)
        run = commit_run(ledger, first, actor=_ADMIN, key="oct-2026")
        other = plan_run(ledger, _OCTOBER, ["2"], "zero-balance", actor=_ADMIN)
        with pytest.raises(KeyInUse, match=run.id):
            commit_run(ledger, other, actor=_ADMIN, key="oct-2026")
        assert ledger.runs() == [run]
        assert ledger.states(["2"])["2"].balance == Decimal("-7.25")

    def test_commit_run_answers_a_key_it_holds_with_the_stored_run(self) -> None:
        """Ledger.commit_run given another run under a key it holds returns the stored one."""
        ledger = self._billed()
        # The race: a rival commit looked the key up before the first one stored it.
        rival = _Built(ledger)
        late = commit_run(
            rival,
            plan_run(ledger, _OCTOBER, ["2"], "zero-balance", actor=_ADMIN),
            actor=_ADMIN,
            key="oct-2026",
        )
        first = commit_run(
            ledger,
            plan_run(ledger, _OCTOBER, ["1"], "zero-balance", actor=_ADMIN),
            actor=_ADMIN,
            key="oct-2026",
        )
        assert ledger.commit_run(late, rival.revisions) == first
        assert ledger.runs() == [first]
        assert ledger.mutations(account="2") == []
        state = ledger.states(["2"])["2"]
        assert (state.balance, state.revision) == (Decimal("-7.25"), 0)
        assert len(list(ledger.transactions(["2"], uninvoiced=True))) == 1

    def test_uninvoiced_before_counts_what_no_active_invoice_holds(self) -> None:
        """uninvoiced_before leaves out purchases a committed run holds; an undo frees them."""
        ledger = self._billed()
        _record(ledger, CreditBooking(account="2", at=_at(5), credit="1.00", reason="cash"))
        _record(ledger, _purchase("2", _at(6), "3.00"))  # at the bound: after it
        everyone = {"1": (2, Decimal("15.50"), _at(2)), "2": (1, Decimal("7.25"), _at(4))}
        assert ledger.uninvoiced_before(["1", "2", "404"], _at(6)) == everyone
        plan = plan_run(ledger, _OCTOBER, ["1"], "none", actor=_ADMIN)
        run = commit_run(ledger, plan, actor=_ADMIN)
        assert ledger.uninvoiced_before(["1", "2"], _at(6)) == {"2": everyone["2"]}
        undo_invoice(ledger, run.id, "1", actor=_ADMIN, reason="again")
        assert ledger.uninvoiced_before(["1", "2"], _at(6)) == everyone

    # -- limits -------------------------------------------------------------------------

    def test_set_limit_books_the_difference_and_ends_at_the_value(self) -> None:
        """set_limit stores a limit-change mutation of new minus current; the limit is new."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        mutation = ledger.set_limit(
            "1", Decimal("130.00"), expected=Decimal(100), actor="t", at=_at(2), reason="up"
        )
        assert (mutation.kind, mutation.limit_delta) == (MutationKind.LIMIT_CHANGE, Decimal(30))
        assert (mutation.actor, mutation.at, mutation.reason) == ("t", _at(2), "up")
        assert ledger.mutations(account="1") == [mutation]
        state = ledger.states(["1"])["1"]
        assert (state.limit, state.revision) == (Decimal("130.00"), 1)

    def test_set_limit_refuses_a_stale_expected_limit_and_writes_nothing(self) -> None:
        """A caller who read the limit before someone else changed it gets LimitConflict."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        ledger.set_limit("1", Decimal(120), expected=None, actor="t", at=_at(2), reason="a")
        with pytest.raises(LimitConflict, match="100"):
            ledger.set_limit("1", Decimal(90), expected=Decimal(100), actor="t", at=_at(3),
                             reason="b")  # fmt: skip
        assert ledger.states(["1"])["1"].limit == Decimal(120)
        assert len(ledger.mutations(account="1")) == 1
        with pytest.raises(NothingToChange, match="already"):
            ledger.set_limit("1", Decimal(120), expected=None, actor="t", at=_at(3), reason="c")
        with pytest.raises(UnknownAccount, match="'404'"):
            ledger.set_limit("404", Decimal(1), expected=None, actor="t", at=_at(3), reason="d")

    def test_concurrent_limit_changes_end_at_one_requested_value(self) -> None:
        """Four threads setting one limit at once: it ends at one of their values, not a sum."""
        if not self.concurrent_writers:
            pytest.skip("this ledger is not shared between threads (concurrent_writers)")
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        asked = [Decimal(v) for v in ("200", "300", "400", "500")]
        barrier = threading.Barrier(len(asked))
        failures: list[BaseException] = []

        def set_to(limit: Decimal) -> None:
            try:
                barrier.wait(timeout=30)
                change_limit(ledger, "1", limit, actor=_ADMIN, reason=f"set {limit}")
            except BaseException as error:  # reported to the main thread below
                failures.append(error)

        threads = [threading.Thread(target=set_to, args=(limit,)) for limit in asked]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        final = ledger.states(["1"])["1"].limit
        assert final in asked
        deltas = sum((m.limit_delta for m in ledger.mutations(account="1")), Decimal(0))
        assert Decimal(100) + deltas == final

    def test_batches_locking_accounts_in_other_orders_all_land(self) -> None:
        """Four threads booking on two accounts in opposite orders all land, none deadlocks."""
        if not self.concurrent_writers:
            pytest.skip("this ledger is not shared between threads (concurrent_writers)")
        ledger = self._ledger_with(
            Account(number="1", name="A", limit=10_000),
            Account(number="2", name="B", limit=10_000),
        )
        rounds = 15
        barrier = threading.Barrier(4)
        failures: list[BaseException] = []

        def book(writer: int) -> None:
            order = ("1", "2") if writer % 2 else ("2", "1")
            try:
                barrier.wait(timeout=30)
                for step in range(rounds):
                    ledger.record_many(
                        [_purchase(n, _at(2), "1.00", id=f"w{writer}-{step}-{n}") for n in order]
                    )
            except BaseException as error:  # reported to the main thread below
                failures.append(error)

        threads = [threading.Thread(target=book, args=(writer,)) for writer in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert failures == []
        spent = Decimal(-4 * rounds)
        assert {n: s.balance for n, s in ledger.states(["1", "2"]).items()} == {
            "1": spent,
            "2": spent,
        }

    def test_tills_retrying_one_sale_at_once_book_it_once(self) -> None:
        """Four threads sending one sale at once all succeed; it is booked once."""
        if not self.concurrent_writers:
            pytest.skip("this ledger is not shared between threads (concurrent_writers)")
        ledger = self._ledger_with(Account(number="1", name="A", limit=15))
        sale = _purchase("1", _at(2), "10.00", id="till-1-0001")
        barrier = threading.Barrier(4)
        stored: list[int] = []
        failures: list[BaseException] = []

        def send() -> None:
            try:
                barrier.wait(timeout=30)
                stored.append(ledger.record_many([sale]))
            except BaseException as error:  # reported to the main thread below
                failures.append(error)

        threads = [threading.Thread(target=send) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        assert sorted(stored) == [0, 0, 0, 1]
        assert list(ledger.transactions(["1"])) == [sale]
        assert ledger.states(["1"])["1"].balance == Decimal("-10.00")

    def test_undo_restores_and_frees_then_refuses_twice(self) -> None:
        """Undo books the reverse, frees the purchases; a second undo raises AlreadyUndone."""
        ledger = self._billed()
        plan = plan_run(ledger, _OCTOBER, ["1", "2"], "limit-minus-invoiced", actor=_ADMIN)
        run = commit_run(ledger, plan, actor=_ADMIN)
        undone = undo_invoice(ledger, run.id, "1", actor=_ADMIN, reason="wrong period")
        assert undone.state is InvoiceState.UNDONE
        assert undone.undo_reason == "wrong period"
        state = ledger.states(["1"])["1"]
        assert (state.balance, state.limit) == (Decimal("-15.50"), Decimal(100))
        assert len(list(ledger.transactions(["1"], uninvoiced=True))) == 2
        assert ledger.run(run.id).invoice_for("2").state is InvoiceState.ACTIVE
        with pytest.raises(AlreadyUndone, match="undone already"):
            undo_invoice(ledger, run.id, "1", actor=_ADMIN, reason="again")
        kinds = [m.kind for m in ledger.mutations(account="1")]
        assert kinds == [MutationKind.RUN_CORRECTION, MutationKind.UNDO]

    def test_unknown_run_is_refused(self) -> None:
        """Reading or undoing a run that does not exist raises UnknownRun."""
        ledger = self._billed()
        with pytest.raises(UnknownRun, match="nope"):
            ledger.run("nope")
        with pytest.raises(UnknownRun):
            undo_invoice(ledger, "nope", "1", actor=_ADMIN, reason="x")

    def test_mutations_filter_by_account_run_kind_and_time(self) -> None:
        """The mutation listing honours each filter."""
        ledger = self._billed()
        change_limit(ledger, "2", "80", actor=_ADMIN, reason="cap", at=_at(5))
        plan = plan_run(ledger, _OCTOBER, ["1", "2"], "zero-balance", actor=_ADMIN)
        run = commit_run(ledger, plan, actor=_ADMIN, at=_at(20))
        assert [m.kind for m in ledger.mutations(account="2")] == [
            MutationKind.LIMIT_CHANGE,
            MutationKind.RUN_CORRECTION,
        ]
        assert {m.account for m in ledger.mutations(run_id=run.id)} == {"1", "2"}
        assert len(ledger.mutations(kind=MutationKind.LIMIT_CHANGE)) == 1
        assert len(ledger.mutations(start=_at(6), end=_at(21))) == 2

    def test_mutations_cover_a_half_open_interval(self) -> None:
        """mutations(start=, end=) keeps a mutation at start and leaves out one at end."""
        ledger = self._ledger_with(Account(number="1", name="A", limit=100))
        booked = [_manual("1", _at(day)) for day in (2, 3, 4)]
        for mutation in booked:
            ledger.book(mutation)
        assert ledger.mutations(start=_at(3), end=_at(4)) == booked[1:2]
        assert ledger.mutations(start=_at(3)) == booked[1:]
        assert ledger.mutations(end=_at(3)) == booked[:1]

    def test_mutations_come_in_the_order_they_were_booked(self) -> None:
        """Mutations come oldest booked first: one booked later comes later, whatever its at."""
        ledger = self._ledger_with(
            Account(number="1", name="A", limit=100), Account(number="2", name="B", limit=100)
        )
        booked = [_manual("1", _at(5)), _manual("2", _at(3)), _manual("1", _at(1))]
        for mutation in booked:
            ledger.book(mutation)
        assert ledger.mutations() == booked
        assert ledger.mutations(account="1") == [booked[0], booked[2]]
        assert ledger.mutations(start=_at(1), end=_at(6)) == booked

    # -- the reads planning and reports make -------------------------------------------

    def test_statement_totals_sum_days_products_and_list_the_rest(self) -> None:
        """Totals per business day and product line, ids, credits and foreign bookings."""
        ledger = self._ledger_with(
            Account(number="1", name="A", limit=100), Account(number="2", name="B", limit=100)
        )
        tea = Vat.standard("0.09")
        # 02:30 UTC on the 3rd is 04:30 in Amsterdam: the 3rd's business day; 01:30 is
        # 03:30, before the 04:00 start, so it belongs to the 2nd.
        _record(
            ledger,
            Purchase(
                account="1",
                at=_at(3, 2, 30),
                id="a",
                lines=[
                    Line(product="Thee", quantity=2, unit_price=Decimal("1.25"), vat=tea),
                    Line(product="Kaas", quantity=Decimal("0.335"), unit_price="12.99", vat=tea),
                ],
            ),
        )
        _record(ledger, _purchase("1", _at(3, 1, 30), "1.25", id="b"))
        _record(
            ledger, CreditBooking(account="1", at=_at(4), credit="5.00", reason="cash", id="c")
        )
        _record(ledger, _purchase("2", _at(5), "3.00", id="d"))
        _record(ledger, _purchase("1", dt.datetime(2026, 11, 2, 12, tzinfo=_UTC), id="later"))
        found = {t.account: t for t in ledger.statement_totals(["1", "2", "404"], _OCTOBER)}
        assert set(found) == {"1", "2"}
        one = found["1"]
        assert [(d.date.day, d.total, d.count) for d in one.days] == [
            (2, Decimal("1.25"), 1),
            (3, Decimal("6.85"), 1),
        ]
        assert {(p.product, p.unit_price, p.quantity, p.amount) for p in one.products} == {
            ("Kaas", Decimal("12.99"), Decimal("0.335"), Decimal("4.35")),
            ("Koffie", Decimal("1.25"), Decimal(1), Decimal("1.25")),
            ("Thee", Decimal("1.25"), Decimal(2), Decimal("2.50")),
        }
        assert sorted(one.ids) == ["a", "b"]
        assert [c.id for c in one.credits] == ["c"]
        assert one.foreign == ()
        assert sorted(found["2"].ids) == ["d"]

    def test_statement_totals_leave_out_invoiced_purchases(self) -> None:
        """Purchases an active invoice holds are not summed again; undone ones are."""
        ledger = self._billed()
        run = commit_run(
            ledger, plan_run(ledger, _OCTOBER, ["1"], "none", actor=_ADMIN), actor=_ADMIN
        )
        assert [t.account for t in ledger.statement_totals(["1", "2"], _OCTOBER)] == ["2"]
        undo_invoice(ledger, run.id, "1", actor=_ADMIN, reason="again")
        (one,) = list(ledger.statement_totals(["1"], _OCTOBER))
        assert sum((d.total for d in one.days), Decimal(0)) == Decimal("15.50")

    def test_purchases_are_read_back_by_id_in_account_order(self) -> None:
        """`purchases` gives the purchases asked for by id, by account and instant; no others."""
        ledger = self._ledger_with(
            Account(number="1", name="A", limit=100), Account(number="2", name="B", limit=100)
        )
        bookings = [
            _purchase("2", _at(3), "1.00", id="b2"),
            _purchase("1", _at(9), "2.00", id="a9"),
            _purchase("1", _at(4), "3.00", id="a4"),
            CreditBooking(account="1", at=_at(5), credit="5.00", reason="cash", id="c"),
        ]
        ledger.record_many(bookings)
        found = list(ledger.purchases(["b2", "c", "a9", "a4", "404", "a4"]))
        assert [p.id for p in found] == ["a4", "a9", "b2"]
        assert found == [bookings[2], bookings[1], bookings[0]]
        assert list(ledger.purchases([])) == []

    def test_plans_runs_and_conflicts_pickle_without_the_ledger(self) -> None:
        """A plan, a run and a RunConflict hold values only: each pickles and reads back."""
        ledger = self._billed()
        plan = plan_run(ledger, _OCTOBER, ["1", "2"], "zero-balance", actor=_ADMIN)
        rival = plan_run(ledger, _OCTOBER, ["1"], "none", actor=_ADMIN)
        run = commit_run(ledger, plan, actor=_ADMIN)
        with pytest.raises(RunConflict) as conflict:
            commit_run(ledger, rival, actor=_ADMIN)
        for value in (plan, run, ledger.run(run.id), ledger.invoice(run.id, "1")):
            assert pickle.loads(pickle.dumps(value)) == value
        copied = pickle.loads(pickle.dumps(conflict.value))
        assert (type(copied), copied.message) == (RunConflict, conflict.value.message)
        statement = pickle.loads(pickle.dumps(ledger.run(run.id))).invoice_for("1").statement
        assert {p.id for p in statement.purchases(ledger)} == statement.transaction_ids()
        assert statement.transaction_ids() == plan.drafts[0].statement.transaction_ids()

    def test_commit_leaves_a_purchase_recorded_since_planning_free(self) -> None:
        """A purchase booked into the period after planning is not invoiced by that plan."""
        ledger = self._billed()
        plan = plan_run(ledger, _OCTOBER, ["1"], "none", actor=_ADMIN)
        _record(ledger, _purchase("1", _at(10), "2.00", id="late"))
        run = commit_run(ledger, plan, actor=_ADMIN)
        assert "late" not in run.invoice_for("1").transaction_ids()
        assert [t.id for t in ledger.transactions(["1"], uninvoiced=True)] == ["late"]
        assert ledger.run(run.id).invoice_for("1").transaction_ids() == (
            plan.drafts[0].statement.transaction_ids()
        )

    def test_an_invoice_states_the_balance_its_correction_lands_on(self) -> None:
        """A sale a till records while the run commits is in the invoice's balance before."""
        ledger = self._billed()
        plan = plan_run(ledger, _OCTOBER, ["1"], "zero-balance", actor=_ADMIN)
        november = dt.datetime(2026, 11, 2, 12, tzinfo=_UTC)
        till = _TillBetween(ledger, _purchase("1", november, "7.00", id="november"))
        run = commit_run(till, plan, actor=_ADMIN)
        invoice = run.invoice_for("1")
        assert invoice.balance_before == Decimal("-22.50")
        assert invoice.balance_after == ledger.states(["1"])["1"].balance == Decimal("-7.00")
        assert ledger.run(run.id).invoice_for("1") == invoice

    def test_commit_checks_every_account_of_a_run_of_thousands(self) -> None:
        """Of 1,201 accounts the last one's conflict undoes the run; a late sale stays free."""
        numbers = [f"{i:04d}" for i in range(1201)]
        ledger = self._ledger_with()
        ledger.open_accounts([Account(number=n, name=f"Lid {n}", limit=100) for n in numbers])
        ledger.record_many([_purchase(n, _at(5), "1.00", id=f"p{n}") for n in numbers])
        everyone = plan_run(ledger, _OCTOBER, numbers, "zero-balance", actor=_ADMIN)
        most = plan_run(ledger, _OCTOBER, numbers[:-1], "zero-balance", actor=_ADMIN)
        last = plan_run(ledger, _OCTOBER, numbers[-1:], "none", actor=_ADMIN)
        _record(ledger, _purchase("1199", _at(10), "2.00", id="late"))
        commit_run(ledger, last, actor=_ADMIN)
        with pytest.raises(RunConflict, match=r"account 1200 .* invoiced by another run"):
            commit_run(ledger, everyone, actor=_ADMIN)
        assert len(ledger.runs()) == 1
        assert ledger.states(["0000"])["0000"].balance == Decimal("-1.00")
        assert [t.id for t in ledger.transactions(["0000"], uninvoiced=True)] == ["p0000"]
        run = commit_run(ledger, most, actor=_ADMIN)
        assert run.invoice_for("1199").transaction_ids() == {"p1199"}
        assert [t.id for t in ledger.transactions(["1199"], uninvoiced=True)] == ["late"]
        assert ledger.run(run.id) == run
        assert ledger.states(["0000"])["0000"].balance == Decimal(0)

    def test_one_invoice_reads_on_its_own(self) -> None:
        """`invoice` gives one account's invoice of a run; unknown ones raise UnknownRun."""
        ledger = self._billed()
        plan = plan_run(ledger, _OCTOBER, ["1", "2"], "none", actor=_ADMIN)
        run = commit_run(ledger, plan, actor=_ADMIN)
        assert ledger.invoice(run.id, "2") == run.invoice_for("2")
        with pytest.raises(UnknownRun, match="has no invoice for account 3"):
            ledger.invoice(run.id, "3")
        with pytest.raises(UnknownRun, match="'nope' does not exist"):
            ledger.invoice("nope", "1")

    def test_runs_filter_by_account_and_commit_time(self) -> None:
        """`runs` keeps the runs that invoiced an account, with its invoice alone, or in a time."""
        ledger = self._billed()
        first = commit_run(
            ledger,
            plan_run(ledger, _OCTOBER, ["1", "2"], "none", actor=_ADMIN),
            actor=_ADMIN,
            at=_at(20),
        )
        _record(ledger, _purchase("2", _at(21), "1.00"))
        second = commit_run(
            ledger,
            plan_run(ledger, _OCTOBER, ["2"], "none", actor=_ADMIN),
            actor=_ADMIN,
            at=_at(22),
        )
        assert [r.id for r in ledger.runs()] == [first.id, second.id]
        mine = ledger.runs(account="1")
        assert [r.id for r in mine] == [first.id]
        assert [i.account.number for i in mine[0].invoices] == ["1"]
        assert [r.id for r in ledger.runs(account="2")] == [first.id, second.id]
        assert [r.id for r in ledger.runs(start=_at(21))] == [second.id]
        assert [r.id for r in ledger.runs(end=_at(21))] == [first.id]
        assert ledger.runs(account="404") == []

    def test_plans_and_runs_equal_the_reference_ledger(self) -> None:
        """Generated ledgers plan and commit as MemoryLedger does; retries then book nothing."""
        # The profile loaded when the check runs, not when this module was imported.
        profile = settings()
        examples = max(1, round(profile.max_examples * self.reference_examples_share))

        @settings(
            max_examples=examples,
            # Each example builds and fills a ledger: slow, and not the ledger's fault.
            deadline=None,
            suppress_health_check=[*profile.suppress_health_check, HealthCheck.too_slow],
        )
        @given(generated=ledgers(), strategy=reset_strategies())
        def plans_and_commits_as_the_reference(
            generated: GeneratedLedger, strategy: ResetStrategy
        ) -> None:
            ledger = self._ledger_with()
            try:
                self._plan_and_commit_as_the_reference(ledger, generated, strategy)
            finally:
                # Closed after each example, not the test: many examples, as many connections.
                self._release(ledger)

        plans_and_commits_as_the_reference()

    def _plan_and_commit_as_the_reference(
        self, ledger: Ledger, generated: GeneratedLedger, strategy: ResetStrategy
    ) -> None:
        reference = generated.ledger
        numbers = list(generated.numbers)
        ledger.open_accounts(s.account for s in reference.states(numbers).values())
        ledger.record_many(reference.transactions(numbers), allow_over_limit=True)
        for mutation in reference.mutations():
            ledger.book(mutation)
        period, actor = generated.period, generated.actor
        expected = plan_run(reference, period, numbers, strategy, actor=actor)
        plan = plan_run(ledger, period, numbers, strategy, actor=actor)
        assert (plan.refusals, plan.nothing_to_invoice, plan.warnings) == (
            expected.refusals,
            expected.nothing_to_invoice,
            expected.warnings,
        )
        assert plan.fingerprint == expected.fingerprint
        for draft, wanted in zip(plan.drafts, expected.drafts, strict=True):
            assert (draft.statement, draft.correction) == (wanted.statement, wanted.correction)
            assert draft.statement.transaction_ids() == wanted.statement.transaction_ids()
        if not plan.drafts:
            return
        run = commit_run(ledger, plan, actor=actor)
        reference_run = commit_run(reference, expected, actor=actor)
        stored = ledger.run(run.id)
        for invoice, wanted_invoice in zip(stored.invoices, reference_run.invoices, strict=True):
            assert invoice.statement == wanted_invoice.statement
            assert invoice.transaction_ids() == wanted_invoice.transaction_ids()
            assert invoice.correction == wanted_invoice.correction
        # Every booking sent again, invoiced or not, with no override of the limit: the
        # retries book nothing.
        assert _send_again(ledger, reference.transactions(numbers)) == 0
        assert ledger.states(numbers) == reference.states(numbers)
        assert {t.id for t in ledger.transactions(numbers, uninvoiced=True)} == {
            t.id for t in reference.transactions(numbers, uninvoiced=True)
        }
