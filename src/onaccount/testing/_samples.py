"""Small, fixed statements, plans and runs for exporter tests and golden files.

Everything is deterministic, ids and instants included, so an export of a sample is the
same file on every machine. The samples hold what exporters get wrong: a product and an
account name a spreadsheet would run as a formula, unicode and control characters, a
return, a sale after midnight that belongs to the day before (business days start at
04:00), several VAT rates with an exempt one, and accounts in EUR and JPY. Account 1042
has billing details (an address, an e-mail address, an IBAN) and the others none, so an
exporter that needs them writes some accounts of every sample and refuses the others.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import attrs

from onaccount._account import Account, Address, BillingDetails
from onaccount._admin import open_account, statement
from onaccount._invoices import InvoiceRun, Plan
from onaccount._money import Vat
from onaccount._period import Period
from onaccount._permissions import Actor
from onaccount._runs import commit_run, plan_run, undo_invoice
from onaccount._statement import Statement
from onaccount._transaction import CreditBooking, Line, Purchase
from onaccount.ledger import MemoryLedger

__all__ = [
    "FORMULA_PRODUCT",
    "SAMPLE_PERIOD",
    "sample_ledger",
    "sample_plan",
    "sample_run",
    "sample_statement",
]

#: A product name that a spreadsheet would run as a formula if written as it is.
FORMULA_PRODUCT = "=SUM(A1)"
#: October 2026 in Amsterdam, business days from 04:00: the samples' period.
SAMPLE_PERIOD = Period.month(2026, 10, tz="Europe/Amsterdam", day_starts_at="04:00")

_AMS = ZoneInfo("Europe/Amsterdam")
_ADMIN = Actor.superuser("sample-admin")
_BEER = Vat.standard("0.21")
_FOOD = Vat.standard("0.09")
_EXEMPT = Vat.exempt("Exempt under article 11 of the VAT Act")
_RUN_AT = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
#: Account 1042's billing details: what a bank transfer, a debit or an e-invoice reads,
#: but no mandate, VAT id or Peppol id, which only some formats ask for.
_TEAM_A_BILLING = BillingDetails(
    address=Address(street="Dorpsstraat 1", postal_code="1234 AB", city="Amsterdam"),
    email="treasurer@example.org",
    iban="NL91ABNA0417164300",
)


def _at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=_AMS)


def sample_ledger() -> MemoryLedger:
    """A fresh memory ledger with the samples' accounts and bookings.

    Account 1042 has billing details (an address, an e-mail address and the IBAN
    NL91ABNA0417164300, no mandate); the other accounts have none.
    """
    ledger = MemoryLedger()
    for account in (
        Account(number="1042", name="Team A", limit=200, billing=_TEAM_A_BILLING),
        Account(number="2001", name='Café Zoë\x01; "quoted"', limit=100),
        Account(number="-7", name="@admin", limit=50),
        Account(number="3003", name="東京 Bar", limit=20000, currency="JPY"),
        Account(number="9000", name="Prepaid", kind="credit"),
    ):
        open_account(ledger, account, actor=_ADMIN)

    def buy(account: str, id: str, at: dt.datetime, *lines: Line, currency: str = "EUR") -> None:
        ledger.record_many(
            [Purchase(account=account, id=id, at=at, lines=lines, currency=currency)]
        )

    buy(
        "1042",
        "tx-0001",
        _at(10, 3, 21),
        Line(product="Beer", quantity=4, unit_price="2.80", vat=_BEER, code="PLU0001"),
        Line(product=FORMULA_PRODUCT, quantity=2, unit_price="3.50", vat=_FOOD),
    )
    # 01:30 on 4 October belongs to business day 3 October.
    buy(
        "1042",
        "tx-0002",
        _at(10, 4, 1, 30),
        Line(product="Beer", quantity=2, unit_price="2.80", vat=_BEER),
    )
    buy(
        "1042",
        "tx-0003",
        _at(10, 25, 2, 30),
        Line(product="Beer", quantity=-1, unit_price="2.80", vat=_BEER),
        Line(product="Cheese (per kg)", quantity="0.350", unit_price="18.995", vat=_FOOD),
    )
    buy(
        "1042",
        "tx-0004",
        _at(11, 2, 12),
        Line(product="Beer", quantity=1, unit_price="2.80", vat=_BEER),
    )
    buy(
        "2001",
        "tx-0005",
        _at(10, 10, 12),
        Line(product="Coffee\tto go", quantity=3, unit_price="2.40", vat=_FOOD),
        Line(product="Course fee", quantity=1, unit_price="25.00", vat=_EXEMPT),
    )
    buy(
        "-7",
        "tx-0006",
        _at(10, 31, 23, 59),
        Line(product="+31 6 call", quantity=1, unit_price="1.00", vat=_BEER),
    )
    buy(
        "3003",
        "tx-0007",
        _at(10, 12, 19),
        Line(product="Sake", quantity=2, unit_price="850", vat=_BEER),
        currency="JPY",
    )
    ledger.record(
        CreditBooking(
            account="9000",
            id="tx-0008",
            at=_at(10, 1, 10),
            credit="50",
            kind="top-up",
            reason="Cash",
        )
    )
    return ledger


def sample_statement() -> Statement:
    """The October statement of account ``1042``.

    It has a formula-like product, a return and a sale after midnight.
    """
    return statement(sample_ledger(), "1042", SAMPLE_PERIOD, actor=_ADMIN)


def sample_plan() -> Plan:
    """A plan over every sample account with ``limit-minus-invoiced``.

    It has drafts in EUR and JPY, a refused credit account and an unknown one.
    """
    return plan_run(
        sample_ledger(),
        SAMPLE_PERIOD,
        ["1042", "2001", "-7", "3003", "9000", "404"],
        "limit-minus-invoiced",
        actor=_ADMIN,
    )


def sample_run() -> InvoiceRun:
    """The sample accounts of `sample_plan` invoiced with ``zero-balance`` and committed.

    The run is planned afresh with ``zero-balance``, not with `sample_plan`'s
    ``limit-minus-invoiced``; account ``-7``'s invoice is then undone. Ids and instants
    are fixed, so exports of it are the same bytes everywhere.
    """
    ledger = sample_ledger()
    plan = plan_run(
        ledger,
        SAMPLE_PERIOD,
        ["1042", "2001", "-7", "3003", "9000", "404"],
        "zero-balance",
        actor=_ADMIN,
    )
    committed = commit_run(ledger, plan, actor=_ADMIN, key="2026-10", at=_RUN_AT)
    undo_invoice(
        ledger,
        committed.id,
        "-7",
        actor=_ADMIN,
        reason="Billed to the wrong account",
        at=_RUN_AT + dt.timedelta(hours=1),
    )
    run = ledger.run(committed.id)
    invoices = []
    for index, invoice in enumerate(sorted(run.invoices, key=lambda i: i.account.number), 1):
        mutation = invoice.mutation
        undo = invoice.undo_mutation
        invoices.append(
            attrs.evolve(
                invoice,
                id=f"inv-{index:04d}",
                run_id="run-2026-10",
                mutation=None
                if mutation is None
                else attrs.evolve(mutation, id=f"mut-{index:04d}", run_id="run-2026-10"),
                undo_mutation=None
                if undo is None
                else attrs.evolve(undo, id=f"undo-{index:04d}", run_id="run-2026-10"),
            )
        )
    return attrs.evolve(run, id="run-2026-10", invoices=tuple(invoices))
