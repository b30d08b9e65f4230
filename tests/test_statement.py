"""Statements: per day, product and VAT rate, purchases read again, in batches."""

import datetime as dt
import pickle
from collections.abc import Collection, Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given

import onaccount as oa
from onaccount._statement import SharedValues, StatementBuilder, purchases_in_batches
from onaccount.testing import strategies as oas

AMS = ZoneInfo("Europe/Amsterdam")
NY = ZoneInfo("America/New_York")
BEER = oa.Vat.standard("0.21")
FOOD = oa.Vat.standard("0.09")
TEAM = oa.Account(number="1042", name="Team A", limit=200)
_ZERO = Decimal(0)


def purchase(
    when: dt.datetime,
    *lines: tuple[str, int | str, str, oa.Vat],
    account: str = "1042",
    id: str = "p",
    currency: str = "EUR",
) -> oa.Purchase:
    """A purchase of ``lines`` (product, quantity, unit price, VAT)."""
    return oa.Purchase(
        account=account,
        at=when,
        id=id,
        currency=currency,
        lines=[oa.Line(product=p, quantity=q, unit_price=u, vat=v) for p, q, u, v in lines],
    )


def held(*bookings: oa.Transaction) -> oa.MemoryLedger:
    """A memory ledger holding ``bookings`` (those in their account's currency)."""
    ledger = oa.MemoryLedger()
    currencies = {"7": "JPY"}
    for number in sorted({b.account for b in bookings}):
        currency = currencies.get(number, "EUR")
        ledger.open_account(oa.Account(number=number, name=number, currency=currency))
    ledger.record_many(
        (b for b in bookings if b.currency == currencies.get(b.account, "EUR")),
        allow_over_limit=True,
    )
    return ledger


def check_totals_agree(statement: oa.Statement, ledger: oa.PurchaseReader) -> None:
    """DESIGN §7 item 5: total = Σ days = Σ products = Σ VAT gross; net + VAT = gross."""
    assert statement.total == sum((d.total for d in statement.days), _ZERO)
    assert statement.total == sum((p.amount for p in statement.products), _ZERO)
    assert statement.total == sum((v.gross for v in statement.vat), _ZERO)
    assert statement.total == sum((p.total for p in statement.purchases(ledger)), _ZERO)
    for row in statement.vat:
        assert row.net + row.tax == row.gross
        expected = oa.round_money(
            row.gross * row.vat.rate / (1 + row.vat.rate), statement.currency
        )
        assert row.tax == expected


def test_a_sale_at_0130_with_a_0400_start_lands_on_the_previous_day() -> None:
    """With business days starting at 04:00, a sale at 01:30 belongs to the day before."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam", day_starts_at="04:00")
    late = purchase(dt.datetime(2026, 10, 4, 1, 30, tzinfo=AMS), ("Beer", 2, "2.80", BEER))
    evening = purchase(
        dt.datetime(2026, 10, 3, 21, 0, tzinfo=AMS), ("Beer", 1, "2.80", BEER), id="q"
    )
    morning = purchase(
        dt.datetime(2026, 10, 4, 4, 0, tzinfo=AMS), ("Coffee", 1, "2.40", FOOD), id="r"
    )
    statement = oa.build_statement(TEAM, period, [late, evening, morning])
    by_day = statement.purchases_by_day(held(late, evening, morning))
    assert [(d.date, [p.id for p in by_day[d.date]]) for d in statement.days] == [
        (dt.date(2026, 10, 3), ["q", "p"]),
        (dt.date(2026, 10, 4), ["r"]),
    ]
    assert [d.total for d in statement.days] == [Decimal("8.40"), Decimal("2.40")]


def test_a_purchase_in_another_currency_is_left_out_of_the_statement() -> None:
    """A USD purchase on a EUR account is not added to its EUR total, days or products."""
    at = dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC)
    eur = purchase(at, ("Beer", 2, "2.80", BEER), id="eur")
    usd = purchase(at, ("Beer", 1, "3.10", BEER), id="usd", currency="USD")
    october = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    statement = oa.build_statement(TEAM, october, [eur, usd])
    assert statement.total == Decimal("5.60")
    assert statement.transaction_ids() == {"eur"}
    assert [p.quantity for p in statement.products] == [Decimal(2)]
    check_totals_agree(statement, held(eur, usd))


def test_days_without_purchases_are_left_out_and_days_are_in_order() -> None:
    """Only business days with purchases get a group, in date order."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    txs = [
        purchase(dt.datetime(2026, 10, 20, 12, tzinfo=AMS), ("Beer", 1, "2.80", BEER), id="b"),
        purchase(dt.datetime(2026, 10, 5, 12, tzinfo=AMS), ("Beer", 1, "2.80", BEER), id="a"),
    ]
    statement = oa.build_statement(TEAM, period, txs)
    assert [d.date for d in statement.days] == [dt.date(2026, 10, 5), dt.date(2026, 10, 20)]


def test_business_dates_follow_the_first_occurrence_on_the_night_clocks_go_back() -> None:
    """On 25 October a 02:30 day start is the first 02:30; the second 02:10 is that day."""
    period = oa.Period.between(
        "2026-10-24", "2026-10-25", tz="Europe/Amsterdam", day_starts_at="02:30"
    )
    before_start = purchase(
        dt.datetime(2026, 10, 25, 2, 20, fold=0, tzinfo=AMS), ("Beer", 1, "2.80", BEER), id="a"
    )
    after_start = purchase(
        dt.datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=AMS), ("Beer", 2, "2.80", BEER), id="b"
    )
    statement = oa.build_statement(TEAM, period, [after_start, before_start])
    by_day = statement.purchases_by_day(held(after_start, before_start))
    assert [(d.date, [p.id for p in by_day[d.date]]) for d in statement.days] == [
        (dt.date(2026, 10, 24), ["a"]),
        (dt.date(2026, 10, 25), ["b"]),
    ]


def test_a_day_start_skipped_by_dst_moves_forward_by_the_gap() -> None:
    """On 29 March a 02:30 start is 03:30, so a sale at 03:15 still belongs to 28 March."""
    period = oa.Period.between(
        "2026-03-28", "2026-03-29", tz="Europe/Amsterdam", day_starts_at="02:30"
    )
    txs = [
        purchase(dt.datetime(2026, 3, 29, 3, 15, tzinfo=AMS), ("Beer", 1, "2.80", BEER), id="a"),
        purchase(dt.datetime(2026, 3, 29, 3, 30, tzinfo=AMS), ("Beer", 1, "2.80", BEER), id="b"),
    ]
    statement = oa.build_statement(TEAM, period, txs)
    by_day = statement.purchases_by_day(held(*txs))
    assert [(d.date, [p.id for p in by_day[d.date]]) for d in statement.days] == [
        (dt.date(2026, 3, 28), ["a"]),
        (dt.date(2026, 3, 29), ["b"]),
    ]


def test_business_dates_west_of_utc_use_the_local_day() -> None:
    """In New York a sale at 23:30 local time is that local day, though UTC says tomorrow."""
    period = oa.Period.month(2026, 11, tz="America/New_York")
    sale = purchase(dt.datetime(2026, 11, 1, 23, 30, tzinfo=NY), ("Beer", 1, "2.80", BEER))
    assert sale.at.astimezone(dt.UTC).date() == dt.date(2026, 11, 2)
    statement = oa.build_statement(TEAM, period, [sale])
    assert [d.date for d in statement.days] == [dt.date(2026, 11, 1)]


def test_the_product_specification_adds_quantities_and_amounts_per_product_and_price() -> None:
    """Products at one price and VAT are one row; returns lower its quantity and amount."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    txs = [
        purchase(
            dt.datetime(2026, 10, 3, 21, tzinfo=AMS),
            ("Beer", 4, "2.80", BEER),
            ("Fries", 2, "3.50", FOOD),
            id="a",
        ),
        purchase(dt.datetime(2026, 10, 4, 21, tzinfo=AMS), ("Beer", 2, "2.80", BEER), id="b"),
        purchase(dt.datetime(2026, 10, 5, 21, tzinfo=AMS), ("Beer", -1, "2.80", BEER), id="c"),
        purchase(dt.datetime(2026, 10, 6, 21, tzinfo=AMS), ("Beer", 1, "3.00", BEER), id="d"),
    ]
    statement = oa.build_statement(TEAM, period, txs)
    assert [(p.product, p.unit_price, p.quantity, p.amount) for p in statement.products] == [
        ("Beer", Decimal("2.80"), Decimal(5), Decimal("14.00")),
        ("Beer", Decimal("3.00"), Decimal(1), Decimal("3.00")),
        ("Fries", Decimal("3.50"), Decimal(2), Decimal("7.00")),
    ]
    assert statement.total == Decimal("24.00")
    check_totals_agree(statement, held(*txs))


def test_vat_is_computed_on_the_total_per_rate_not_per_line() -> None:
    """VAT is rounded once per rate on the total, so it can differ from Σ per-line VAT."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    txs = [
        purchase(dt.datetime(2026, 10, d, 12, tzinfo=AMS), ("Mint", 1, "0.10", BEER), id=f"{d}")
        for d in (1, 2, 3)
    ]
    statement = oa.build_statement(TEAM, period, txs)
    (row,) = statement.vat
    per_line = sum(oa.vat_split(Decimal("0.10"), BEER.rate).vat for _ in txs)
    assert per_line == Decimal("0.06")
    assert (row.gross, row.net, row.tax) == (Decimal("0.30"), Decimal("0.25"), Decimal("0.05"))


def test_vat_rows_are_one_per_category_and_rate_in_order() -> None:
    """The VAT breakdown has one row per category and rate, ordered by category then rate."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    exempt = oa.Vat.exempt("Article 11")
    sale = purchase(
        dt.datetime(2026, 10, 3, 12, tzinfo=AMS),
        ("Beer", 1, "2.80", BEER),
        ("Lesson", 1, "20.00", exempt),
        ("Fries", 1, "3.50", FOOD),
        ("Beer", 1, "2.80", BEER),
    )
    statement = oa.build_statement(TEAM, period, [sale])
    assert [(v.vat, v.gross, v.tax) for v in statement.vat] == [
        (exempt, Decimal("20.00"), Decimal("0.00")),
        (FOOD, Decimal("3.50"), Decimal("0.29")),
        (BEER, Decimal("5.60"), Decimal("0.97")),
    ]
    check_totals_agree(statement, held(sale))


def test_amounts_follow_the_currency_minor_unit() -> None:
    """Line amounts round half up to the currency's minor unit (JPY has none)."""
    account = oa.Account(number="7", name="Tokyo", limit=100000, currency="JPY")
    period = oa.Period.month(2026, 10, tz="Asia/Tokyo")
    sale = purchase(
        dt.datetime(2026, 10, 3, 12, tzinfo=ZoneInfo("Asia/Tokyo")),
        ("Tea", "1.5", "333", oa.Vat.standard("0.10")),
        account="7",
        currency="JPY",
    )
    statement = oa.build_statement(account, period, [sale])
    assert statement.total == Decimal("500")
    assert [(v.gross, v.net, v.tax) for v in statement.vat] == [
        (Decimal("500"), Decimal("455"), Decimal("45"))
    ]


def test_credit_bookings_are_listed_but_not_totalled() -> None:
    """Credit bookings in the period appear in credits and never in the total or the days."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    credit = oa.CreditBooking(
        account="1042", at=dt.datetime(2026, 10, 9, tzinfo=AMS), credit="10", reason="cash"
    )
    sale = purchase(dt.datetime(2026, 10, 9, 12, tzinfo=AMS), ("Beer", 1, "2.80", BEER))
    statement = oa.build_statement(TEAM, period, [credit, sale])
    assert statement.credits == (credit,)
    assert statement.total == Decimal("2.80")
    assert statement.purchases(held(credit, sale)) == [sale]


def test_other_accounts_and_bookings_outside_the_period_are_ignored() -> None:
    """Bookings of other accounts or outside the half-open period are left out."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    inside = purchase(period.start, ("Beer", 1, "2.80", BEER), id="in")
    txs = [
        inside,
        purchase(period.end, ("Beer", 1, "2.80", BEER), id="at-end"),
        purchase(period.start - dt.timedelta(microseconds=1), ("Beer", 1, "2.80", BEER), id="x"),
        purchase(dt.datetime(2026, 10, 9, tzinfo=AMS), ("Beer", 1, "2.80", BEER), account="9"),
    ]
    statement = oa.build_statement(TEAM, period, txs)
    assert statement.transaction_ids() == {"in"}


def test_an_empty_statement_totals_zero() -> None:
    """Without purchases a statement is empty, with total zero and no rows."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    statement = oa.build_statement(TEAM, period, [])
    assert statement.is_empty
    assert (statement.total, statement.days, statement.products, statement.vat) == (
        0,
        (),
        (),
        (),
    )
    assert statement.currency == "EUR"


def test_returns_can_make_the_total_negative() -> None:
    """When returns outweigh purchases the total is negative and still adds up."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    crate = purchase(dt.datetime(2026, 10, 3, tzinfo=AMS), ("Crate", -1, "4.50", BEER))
    statement = oa.build_statement(TEAM, period, [crate])
    assert statement.total == Decimal("-4.50")
    assert [(v.gross, v.net, v.tax) for v in statement.vat] == [
        (Decimal("-4.50"), Decimal("-3.72"), Decimal("-0.78"))
    ]
    check_totals_agree(statement, held(crate))


@given(generated=oas.ledgers())
def test_statement_totals_agree_to_the_cent(generated: oas.GeneratedLedger) -> None:
    """For any ledger and period the statement's totals agree (§7 item 5)."""
    ledger = generated.ledger
    for account in generated.accounts:
        statement = oa.statement(ledger, account.number, generated.period, actor=generated.actor)
        check_totals_agree(statement, ledger)
        by_day = statement.purchases_by_day(ledger)
        for day in statement.days:
            assert day.total == sum((p.total for p in by_day[day.date]), _ZERO)
            for p in by_day[day.date]:
                assert generated.period.business_date(p.at) == day.date
                assert generated.period.contains(p.at)


@pytest.mark.parametrize("uninvoiced_only", [False, True])
def test_the_statement_operation_can_leave_out_invoiced_purchases(uninvoiced_only: bool) -> None:
    """statement(uninvoiced_only=True) shows what a new run would bill; by default all."""
    ledger = oa.MemoryLedger()
    admin = oa.Actor.superuser("admin")
    oa.open_account(ledger, TEAM, actor=admin)
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    first = purchase(dt.datetime(2026, 10, 3, tzinfo=AMS), ("Beer", 1, "2.80", BEER), id="a")
    ledger.record(first)
    oa.commit_run(ledger, oa.plan_run(ledger, period, ["1042"], "none", actor=admin), actor=admin)
    ledger.record(purchase(dt.datetime(2026, 10, 9, tzinfo=AMS), ("Beer", 1, "2.80", BEER)))
    statement = oa.statement(ledger, "1042", period, actor=admin, uninvoiced_only=uninvoiced_only)
    assert statement.transaction_ids() == ({"p"} if uninvoiced_only else {"a", "p"})


def test_purchases_of_a_day_are_in_time_order_across_the_repeated_hour() -> None:
    """Within a day, purchases are listed by their UTC instant, also when clocks go back."""
    period = oa.Period.day("2026-10-25", tz="Europe/Amsterdam")
    later = purchase(
        dt.datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=AMS), ("Beer", 1, "2.80", BEER), id="a"
    )
    earlier = purchase(
        dt.datetime(2026, 10, 25, 2, 20, fold=0, tzinfo=AMS), ("Beer", 1, "2.80", BEER), id="b"
    )
    assert earlier.at.astimezone(dt.UTC) < later.at.astimezone(dt.UTC)
    statement = oa.build_statement(TEAM, period, [later, earlier])
    assert [p.id for p in statement.purchases(held(later, earlier))] == ["b", "a"]


def test_a_statement_keeps_its_purchase_ids_compactly_and_gives_them_back() -> None:
    """The ids given come back as a set, also after attrs.evolve; odd ids are refused."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    built = oa.build_statement(TEAM, period, [])
    kept = attrs.evolve(built, ids=["b", "a", "b"])
    assert kept.transaction_ids() == frozenset({"a", "b"})
    assert attrs.evolve(kept, total=Decimal(1)).transaction_ids() == frozenset({"a", "b"})
    assert attrs.evolve(built, ids=[]).transaction_ids() == frozenset()
    for odd in ("ab", ["a\x00b"], [""], [1], {1, "a"}, 5):
        with pytest.raises(oa.InvalidValue, match="statement purchase id"):
            attrs.evolve(built, ids=odd)


class _Counting:
    """A ledger that keeps the ids of every `purchases` call, to count the reads."""

    def __init__(self, ledger: oa.MemoryLedger, reads: list[list[str]]) -> None:
        self.ledger = ledger
        self.reads = reads

    def purchases(self, ids: Collection[str]) -> Iterator[oa.Purchase]:
        self.reads.append(sorted(ids))
        return self.ledger.purchases(ids)


def _statements_of(ledger: oa.MemoryLedger, period: oa.Period) -> list[oa.Statement]:
    statements = []
    for number in sorted(a.account.number for a in ledger.find_accounts(oa.AccountQuery())):
        account = ledger.get_account(number)
        txs = ledger.transactions([number], period.start, period.end)
        statements.append(oa.build_statement(account, period, txs))
    return statements


@given(generated=oas.ledgers())
def test_purchases_read_in_batches_are_each_statements_own(generated: oas.GeneratedLedger) -> None:
    """Reading many statements' purchases at once gives each what purchases() gives."""
    ledger = generated.ledger
    statements = _statements_of(ledger, generated.period)
    # The same account twice in one batch: each statement still gets its own.
    mixed = [*statements, *statements[:1]]
    got = list(purchases_in_batches(ledger, mixed))
    assert [s for s, _ in got] == mixed
    for statement, purchases in got:
        assert purchases == statement.purchases(ledger)
        assert {p.id for p in purchases} == statement.transaction_ids()


def test_a_plans_purchases_are_read_with_one_call_per_few_hundred_accounts() -> None:
    """450 accounts are read in 3 ledger calls, not 450; an empty statement reads nothing."""
    ledger = oa.MemoryLedger()
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    ledger.open_accounts(
        oa.Account(number=f"{n:04d}", name=f"M {n}", limit=50) for n in range(451)
    )
    ledger.record_many(
        purchase(
            dt.datetime(2026, 10, 3, tzinfo=AMS),
            ("Tea", 1, "2.10", FOOD),
            account=f"{n:04d}",
            id=f"p{n}",
        )
        for n in range(1, 451)
    )
    statements = _statements_of(ledger, period)
    assert statements[0].is_empty
    reads: list[list[str]] = []
    counting = _Counting(ledger, reads)
    found = {
        s.account.number: [p.id for p in ps]
        for s, ps in purchases_in_batches(counting, statements)
    }
    assert [len(r) for r in reads] == [199, 200, 51]
    assert found == {"0000": [], **{f"{n:04d}": [f"p{n}"] for n in range(1, 451)}}
    assert list(purchases_in_batches(counting, statements[:1])) == [(statements[0], [])]
    assert len(reads) == 3


def test_a_statement_pickles_without_its_ledger() -> None:
    """A statement holds values only: it pickles, and the copy reads its purchases again."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    sale = purchase(dt.datetime(2026, 10, 3, tzinfo=AMS), ("Beer", 2, "2.80", BEER))
    statement = oa.build_statement(TEAM, period, [sale])
    copied = pickle.loads(pickle.dumps(statement))
    assert copied == statement
    assert copied.transaction_ids() == {"p"}
    assert copied.purchases(held(sale)) == [sale]


def test_shared_values_keep_statements_equal_and_amounts_as_written() -> None:
    """Statements built with one SharedValues equal those built alone; 1.0 stays 1.0."""
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    other = oa.Account(number="2001", name="Team B", limit=200)
    first = purchase(dt.datetime(2026, 10, 3, tzinfo=AMS), ("Cheese", "1.0", "5.00", FOOD))
    second = purchase(
        dt.datetime(2026, 10, 3, tzinfo=AMS),
        ("Cheese", "1.00", "5.00", FOOD),
        account="2001",
        id="q",
    )
    shared = SharedValues()
    built = []
    for account, tx in ((TEAM, first), (other, second)):
        builder = StatementBuilder(account, period)
        builder.add(tx)
        built.append(builder.finish(shared=shared))
    assert built == [
        oa.build_statement(TEAM, period, [first]),
        oa.build_statement(other, period, [second]),
    ]
    assert [str(s.products[0].quantity) for s in built] == ["1.0", "1.00"]
    # Equal rates written differently stay each statement's own, products and VAT alike.
    third = oa.Account(number="3003", name="Team C", limit=200)
    rate = oa.Vat.standard("0.090")
    builder = StatementBuilder(third, period)
    builder.add(
        purchase(
            dt.datetime(2026, 10, 3, tzinfo=AMS),
            ("Cheese", "1.0", "5.00", rate),
            account="3003",
            id="r",
        )
    )
    own = builder.finish(shared=shared)
    assert [str(own.products[0].vat.rate), str(own.vat[0].vat.rate)] == ["0.090", "0.090"]
    assert built[0].days[0].date is built[1].days[0].date
    assert built[0].products[0].amount is built[1].products[0].amount
