import datetime as dt
from decimal import Decimal
from typing import NoReturn
from zoneinfo import ZoneInfo

import pytest

import onaccount as oa

AMS = ZoneInfo("Europe/Amsterdam")
BEER = oa.Vat.standard("0.21")
FOOD = oa.Vat.standard("0.09")


class ExplodingLedger:
    """A ledger every method of which fails: proves a refusal came before any read."""

    def __getattr__(self, name: str) -> NoReturn:
        raise AssertionError(f"the ledger was used ({name}) before permissions were checked")


def when(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """An Amsterdam wall-clock instant in 2026."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=AMS)


def line(product: str, quantity: int | str, price: str, vat: oa.Vat) -> oa.Line:
    """One receipt line."""
    return oa.Line(product=product, quantity=quantity, unit_price=price, vat=vat)


def test_the_administrators_month_end() -> None:
    """The workflow of DESIGN §1: find, inspect, correct, bulk-invoice, refuse, review, undo."""
    ledger = oa.MemoryLedger()
    admin = oa.Actor.superuser("admin")
    bar = oa.Actor("bar-manager", {"view", "invoice"})
    for account in (
        oa.Account(number="1042", name="Team A", limit=200, group="Teams"),
        oa.Account(number="2001", name="Café Zoë", limit=100, group="Members"),
        oa.Account(number="3003", name="Hockey club", limit=150, group="Teams"),
        oa.Account(number="9000", name="Prepaid", kind="credit"),
    ):
        oa.open_account(ledger, account, actor=admin)
    record = ledger.record
    record(
        oa.Purchase(
            account="1042",
            at=when(10, 3, 21),
            id="p1",
            lines=[line("Beer", 4, "2.80", BEER), line("Fries", 2, "3.50", FOOD)],
        )
    )
    # 01:30 on Sunday 4 October belongs to Saturday's business day, which starts at 04:00.
    record(
        oa.Purchase(
            account="1042", at=when(10, 4, 1, 30), id="p2", lines=[line("Beer", 2, "2.80", BEER)]
        )
    )
    record(
        oa.Purchase(
            account="1042", at=when(10, 17, 20), id="p3", lines=[line("Beer", -1, "2.80", BEER)]
        )
    )
    record(
        oa.Purchase(
            account="1042", at=when(11, 2, 12), id="p4", lines=[line("Beer", 1, "2.80", BEER)]
        )
    )
    record(
        oa.Purchase(
            account="2001", at=when(10, 10, 12), id="p5", lines=[line("Coffee", 3, "2.40", FOOD)]
        )
    )
    record(
        oa.Purchase(
            account="3003",
            at=when(10, 25, 2, 45),
            id="p6",
            lines=[line("Beer", 10, "2.80", BEER), line("Bitterballen", 3, "6.50", FOOD)],
        )
    )
    record(
        oa.CreditBooking(
            account="9000",
            at=when(10, 1, 9),
            id="c1",
            credit="50.00",
            kind="top-up",
            reason="cash",
        )
    )
    record(
        oa.Purchase(
            account="9000", at=when(10, 2, 9), id="p7", lines=[line("Coffee", 1, "2.40", FOOD)]
        )
    )
    october = oa.Period.parse("2026-10", tz="Europe/Amsterdam", day_starts_at="04:00")

    # 1. Find the accounts to bill: balance below 0.
    owing = oa.find_accounts(ledger, oa.AccountQuery(balance="<0"), actor=bar)
    assert [(s.account.number, s.balance) for s in owing] == [
        ("1042", Decimal("-23.80")),
        ("2001", Decimal("-7.20")),
        ("3003", Decimal("-47.50")),
    ]
    assert [s.spending_room for s in owing] == [
        Decimal("176.20"),
        Decimal("92.80"),
        Decimal("102.50"),
    ]

    # 2. One account over October: total, days with purchases, product specification.
    statement = oa.statement(ledger, "1042", october, actor=bar)
    assert statement.total == Decimal("21.00")
    by_day = statement.purchases_by_day(ledger)
    assert [(d.date, d.total, [p.id for p in by_day[d.date]]) for d in statement.days] == [
        (dt.date(2026, 10, 3), Decimal("23.80"), ["p1", "p2"]),
        (dt.date(2026, 10, 17), Decimal("-2.80"), ["p3"]),
    ]
    assert [(p.product, p.quantity, p.amount) for p in statement.products] == [
        ("Beer", Decimal(5), Decimal("14.00")),
        ("Fries", Decimal(2), Decimal("7.00")),
    ]
    assert [(str(v.vat), v.gross, v.net, v.tax) for v in statement.vat] == [
        ("S 9%", Decimal("7.00"), Decimal("6.42"), Decimal("0.58")),
        ("S 21%", Decimal("14.00"), Decimal("11.57"), Decimal("2.43")),
    ]

    # 4. Balance to zero for that one account: November's purchase stays on the balance.
    single = oa.plan_run(ledger, october, ["1042"], "zero-balance", actor=bar)
    first = oa.commit_run(ledger, single, actor=bar, key="1042-2026-10")
    assert first.invoice_for("1042").total == Decimal("21.00")
    team_a = oa.find_accounts(ledger, oa.AccountQuery(numbers=["1042"]), actor=bar)[0]
    assert team_a.balance == Decimal("-2.80")
    assert team_a.limit == Decimal("200")

    # 5. A bulk run is for privileged users only, refused before anything is read.
    with pytest.raises(oa.PermissionDenied, match=r"'bar-manager' may not plan a run over"):
        oa.plan_run(ExplodingLedger(), october, ["2001", "3003"], "none", actor=bar)

    # 5. The administrator runs the rest in bulk, lowering the limits by what was invoiced.
    selection = oa.AccountQuery(balance="<0")
    plan = oa.plan_run(ledger, october, selection, "limit-minus-invoiced", actor=admin)
    assert plan.nothing_to_invoice == ("1042",)
    assert [d.account.number for d in plan.drafts] == ["2001", "3003"]
    assert [(d.balance_after, d.limit_after) for d in plan.drafts] == [
        (Decimal("0.00"), Decimal("92.80")),
        (Decimal("0.00"), Decimal("102.50")),
    ]
    # A credit account in the selection is refused with its reason; the others go on.
    explicit = oa.plan_run(
        ledger, october, ["2001", "3003", "9000"], "limit-minus-invoiced", actor=admin
    )
    (refusal,) = explicit.refusals
    assert refusal.reason is oa.RefusalReason.CREDIT_ACCOUNT
    assert "9000 'Prepaid' is a credit account" in refusal.message
    assert explicit.drafts == plan.drafts
    bulk = oa.commit_run(ledger, explicit, actor=admin, key="bulk-2026-10")
    assert bulk.totals == {"EUR": Decimal("54.70")}
    states = ledger.states(["2001", "3003"])
    assert (states["3003"].balance, states["3003"].limit) == (Decimal("0.00"), Decimal("102.50"))

    # 6. The mutations report shows what the run did, by whom, and the run itself.
    report = oa.mutations_report(ledger, actor=bar, run_id=bulk.id)
    assert [(m.account, m.balance_delta, m.limit_delta, m.actor) for m in report.mutations] == [
        ("2001", Decimal("7.20"), Decimal("-7.20"), "admin"),
        ("3003", Decimal("47.50"), Decimal("-47.50"), "admin"),
    ]
    assert report.runs == (bulk,)

    # 6. Undo the hockey club's part: balance, limit and open purchases are as before.
    undone = oa.undo_invoice(ledger, bulk.id, "3003", actor=admin, reason="Club pays by SEPA")
    assert undone.state is oa.InvoiceState.UNDONE
    hockey = ledger.states(["3003"])["3003"]
    assert (hockey.balance, hockey.limit) == (Decimal("-47.50"), Decimal("150"))
    assert [t.id for t in ledger.transactions(["3003"], uninvoiced=True)] == ["p6"]
    assert ledger.states(["2001"])["2001"] == states["2001"]
    history = oa.mutations_report(ledger, actor=bar, account="3003")
    assert [m.kind for m in history.mutations] == [
        oa.MutationKind.RUN_CORRECTION,
        oa.MutationKind.UNDO,
    ]
    # For one account, each run shows that account's invoice alone.
    assert [(i.account.number, i.state) for i in history.runs[0].invoices] == [
        ("3003", oa.InvoiceState.UNDONE),
    ]
    # Committing the same run again under its key books nothing twice.
    assert oa.commit_run(ledger, explicit, actor=admin, key="bulk-2026-10").id == bulk.id
    assert len(ledger.mutations()) == 4
