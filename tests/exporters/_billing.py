"""Test data for the accounting exporters: the samples with billing details, and strategies.

The shared samples give one account an address and IBAN and the others no billing
details, so e-invoices and direct debits refuse most of them; these helpers give the same
ledger complete details (a Dutch buyer with a mandate, a
Belgian one paying by transfer, a Japanese one), a run whose returns make a total
negative, options for a Dutch seller, and a Hypothesis strategy of committed runs whose
accounts all have complete billing details.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

from onaccount import (
    Account,
    Actor,
    Address,
    BillingDetails,
    InvoiceRun,
    Line,
    MemoryLedger,
    PartyId,
    Plan,
    Purchase,
    Statement,
    Vat,
    VatCategory,
    commit_run,
    open_account,
    plan_run,
    statement,
    undo_invoice,
    update_account,
)
from onaccount.testing import SAMPLE_PERIOD, sample_ledger, strategies

ADMIN = Actor.superuser("billing-admin")
RUN_AT = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
AMS = ZoneInfo("Europe/Amsterdam")

#: UBL options for a Dutch seller with everything EN 16931 and Peppol ask for.
SELLER: dict[str, str | int | bool | None] = {
    "seller_name": "Sportvereniging De Zwaluwen",
    "seller_street": "Sportlaan 1",
    "seller_postal_code": "3500 AA",
    "seller_city": "Utrecht",
    "seller_country": "NL",
    "seller_vat_id": "NL001234567B01",
    "seller_registration": "12345678",
    "seller_email": "penningmeester@example.org",
    "seller_iban": "NL91ABNA0417164300",
    "seller_bic": "ABNANL2A",
    "creditor_id": "NL69ZZZ123456780000",
    "credit_note_reference": "2026-09-{account}",
}

#: SEPA options for the same club as creditor.
CREDITOR: dict[str, str | int | bool | None] = {
    "seller_name": "Sportvereniging De Zwaluwen",
    "seller_iban": "NL91ABNA0417164300",
    "seller_bic": "ABNANL2A",
    "creditor_id": "NL69ZZZ123456780000",
    "seller_street": "Sportlaan 1",
    "seller_postal_code": "3500 AA",
    "seller_city": "Utrecht",
    "seller_country": "NL",
    "collection_date": "2026-11-20",
}

MANDATE_DATE = dt.date(2025, 6, 1)
DUTCH = BillingDetails(
    name="Team A (Hockey)",
    address=Address(street="Dorpsstraat 1", postal_code="1234 AB", city="Amsterdam"),
    email="treasurer@example.org",
    vat_id="NL123456789B01",
    iban="NL20INGB0001234567",
    bic="INGBNL2A",
    mandate_id="ZWA-1042",
    mandate_date=MANDATE_DATE,
)
BELGIAN = BillingDetails(
    address=Address(
        street="Rue de l'Église 3", postal_code="1000", city="Bruxelles", country="BE"
    ),
    vat_id="BE0203201340",
    iban="BE68539007547034",
)
JAPANESE = BillingDetails(
    name="Tokyo Bar KK",
    address=Address(street="1-1 Ginza", postal_code="104-0061", city="Tokyo", country="JP"),
    email="bar@example.jp",
    peppol_id=PartyId(scheme="0188", value="1234567890123"),
)
_DETAILS = {"1042": DUTCH, "2001": BELGIAN, "3003": JAPANESE}


def billed_ledger() -> MemoryLedger:
    """The sample ledger, its accounts 1042, 2001 and 3003 with billing details."""
    ledger = sample_ledger()
    for number, details in _DETAILS.items():
        account = ledger.get_account(number)
        update_account(ledger, attrs.evolve(account, billing=details), actor=ADMIN)
    return ledger


_SELECTION = ["1042", "2001", "-7", "3003", "9000", "404"]


def billed_plan() -> Plan:
    """A plan over the billed sample ledger."""
    return plan_run(billed_ledger(), SAMPLE_PERIOD, _SELECTION, "zero-balance", actor=ADMIN)


def billed_run() -> InvoiceRun:
    """The billed sample ledger's October run, committed under key 2026-10."""
    ledger = billed_ledger()
    plan = plan_run(ledger, SAMPLE_PERIOD, _SELECTION, "zero-balance", actor=ADMIN)
    return commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)


def billed_statement() -> Statement:
    """Account 1042's October statement, with its billing details."""
    return statement(billed_ledger(), "1042", SAMPLE_PERIOD, actor=ADMIN)


def returns_run() -> InvoiceRun:
    """A run in which account 1042 returned more than it bought: a negative total."""
    ledger = MemoryLedger()
    open_account(
        ledger, Account(number="1042", name="Team A", limit=200, billing=DUTCH), actor=ADMIN
    )
    ledger.record(
        Purchase(
            account="1042",
            id="tx-r1",
            at=dt.datetime(2026, 10, 3, 21, tzinfo=AMS),
            lines=(
                Line(product="Beer", quantity=-2, unit_price="2.75", vat=Vat.standard("0.21")),
                Line(product="Coffee", quantity=1, unit_price="2.40", vat=Vat.standard("0.09")),
            ),
        ),
        allow_over_limit=True,
    )
    plan = plan_run(ledger, SAMPLE_PERIOD, ["1042"], "none", actor=ADMIN)
    return commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)


_IBANS = ("NL91ABNA0417164300", "DE89370400440532013000", "BE68539007547034")


@st.composite
def _complete_billing(draw: st.DrawFn) -> BillingDetails:
    """Billing details with an address and a Peppol participant id; a mandate now and then."""
    country = draw(st.sampled_from(("NL", "BE", "DE", "FR", "NL")))
    vat_ids = {
        "NL": "NL123456789B01",
        "BE": "BE0203201340",
        "DE": "DE123456789",
        "FR": "FR12345678901",
    }
    email = draw(st.none() | st.sampled_from(("treasurer@example.org", "zoë@café.example")))
    registrations = {
        "NL": PartyId(scheme="0106", value="87654321"),
        "BE": PartyId(scheme="0208", value="0203201340"),
        "DE": PartyId(scheme="0088", value="8712345678906"),
        "FR": PartyId(scheme="0009", value="73282932000074"),
    }
    registration = draw(st.sampled_from((registrations[country], None)))
    peppol_id = draw(st.sampled_from((None, PartyId(scheme="0190", value="00000001003214345000"))))
    # Peppol needs some participant id; an e-mail address is none.
    vat_id = draw(st.sampled_from((vat_ids[country], None)))
    if registration is None and peppol_id is None:
        vat_id = vat_ids[country]
    mandate = draw(st.integers(0, 2)) > 0
    return BillingDetails(
        name=draw(st.none() | strategies.account_names()),
        address=Address(
            street=draw(st.sampled_from(("Dorpsstraat 1", "Rue de l'Église 3", "=A1 2"))),
            postal_code=draw(st.sampled_from(("1234 AB", "75001", "10115"))),
            city=draw(st.sampled_from(("Amsterdam", "Paris", "Zürich", "Berlin"))),
            country=country,
        ),
        email=email,
        vat_id=vat_id,
        peppol_id=peppol_id,
        registration=registration,
        iban=draw(st.sampled_from(_IBANS)),
        bic=draw(st.none() | st.sampled_from(("ABNANL2A", "COBADEFFXXX"))),
        mandate_id=f"M-{draw(st.integers(1, 999)):04d}" if mandate else None,
        mandate_date=MANDATE_DATE if mandate else None,
    )


_OUTSIDE = Vat.exempt("Not subject to VAT", VatCategory.OUTSIDE_SCOPE)
_STANDARD = Vat.standard("0.21")


def _one_side_of_the_scope(purchase: Purchase, outside: bool) -> Purchase:
    """``purchase`` with every line outside the scope of VAT, or none: EN 16931 BR-O-11."""
    lines = []
    for line in purchase.lines:
        is_outside = line.vat.category is VatCategory.OUTSIDE_SCOPE
        if outside != is_outside:
            line = attrs.evolve(line, vat=_OUTSIDE if outside else _STANDARD)
        lines.append(line)
    return attrs.evolve(purchase, lines=tuple(lines))


@st.composite
def _billed_runs(draw: st.DrawFn, currency: str | None) -> InvoiceRun:
    period = draw(strategies.periods())
    accounts = draw(
        st.lists(
            strategies.accounts(kind="limit", currency=currency),
            min_size=1,
            max_size=3,
            unique_by=lambda a: a.number,
        )
    )
    ledger = MemoryLedger()
    ids = itertools.count(1)
    for drawn in accounts:
        account = attrs.evolve(drawn, billing=draw(_complete_billing()))
        open_account(ledger, account, actor=ADMIN)
        outside = draw(st.integers(0, 9)) == 0
        for _ in range(draw(st.integers(1, 4))):
            purchase = draw(strategies.purchases(account, period, ids=st.just(f"tx{next(ids)}")))
            ledger.record(_one_side_of_the_scope(purchase, outside), allow_over_limit=True)
    numbers = [a.number for a in accounts]
    plan = plan_run(ledger, period, numbers, draw(strategies.reset_strategies()), actor=ADMIN)
    at = period.end + dt.timedelta(hours=draw(st.integers(1, 72)))
    key = draw(st.none() | st.just("2026-10"))
    run = commit_run(ledger, plan, actor=ADMIN, key=key, at=at)
    if run.invoices and draw(st.integers(0, 4)) == 0:
        undone = draw(st.sampled_from(run.invoices)).account.number
        undo_invoice(ledger, run.id, undone, actor=ADMIN, reason="Wrong account", at=at)
        run = ledger.run(run.id)
    return run


def billed_runs(currency: str | None = None) -> st.SearchStrategy[InvoiceRun]:
    """Committed runs whose limit accounts all have complete billing details.

    Purchases come from `strategies.purchases` (returns, weighed goods, every VAT rate,
    hostile names); an account sells either only outside the scope of VAT or not at all
    there, as EN 16931 wants; now and then one account invoice is undone.
    """
    return _billed_runs(currency)


def cents(value: Decimal) -> Decimal:
    """``value`` to the cent, for comparing amounts read back from documents."""
    return value.quantize(Decimal("0.01"))


#: The VAT a Dutch or Belgian canteen sells at: the rates 0/6/9/12/21 %, and E, Z, AE.
TAXED_VATS = (
    Vat.standard("0.06"),
    Vat.standard("0.09"),
    Vat.standard("0.12"),
    Vat.standard("0.21"),
    Vat.zero(),
    Vat.exempt("Vrijgesteld van btw (art. 11 Wet OB)"),
    Vat.exempt("Btw verlegd", VatCategory.REVERSE_CHARGE),
)
_PRODUCTS = ("Koffie", "Bière blonde", "Tosti ham/kaas", "Ærøskøbing ☕", "Пиво", "=SUM(A1)")


@st.composite
def _peppol_lines(draw: st.DrawFn, vats: tuple[Vat, ...]) -> Line:
    # Half-cent unit prices (1.005) and returns (negative quantities) included.
    price = Decimal(draw(st.integers(1, 40_000))) / 1000
    return Line(
        product=draw(st.sampled_from(_PRODUCTS)),
        quantity=draw(st.integers(-3, 6).filter(bool)),
        unit_price=price,
        vat=draw(st.sampled_from(vats)),
    )


@st.composite
def _peppol_runs(draw: st.DrawFn) -> InvoiceRun:
    ledger = MemoryLedger()
    count = draw(st.integers(1, 3))
    numbers = [f"{1000 + i}" for i in range(count)]
    for number in numbers:
        billing = draw(_complete_billing())
        outside = draw(st.integers(0, 5)) == 0
        vats = (_OUTSIDE,) if outside else TAXED_VATS
        if not outside and billing.vat_id is None:
            # Reverse charge needs the buyer's VAT id (BR-AE-02).
            billing = attrs.evolve(billing, vat_id="NL123456789B01")
        name = draw(strategies.account_names())
        account = Account(number=number, name=name, limit=500, billing=billing)
        open_account(ledger, account, actor=ADMIN)
        for index in range(draw(st.integers(1, 4))):
            lines = draw(st.lists(_peppol_lines(vats), min_size=1, max_size=4))
            day = draw(st.integers(1, 31))
            ledger.record(
                Purchase(
                    account=number,
                    id=f"{number}-{index}",
                    at=dt.datetime(2026, 10, day, 12, tzinfo=AMS),
                    lines=tuple(lines),
                ),
                allow_over_limit=True,
            )
    plan = plan_run(ledger, SAMPLE_PERIOD, numbers, "none", actor=ADMIN)
    return commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)


def peppol_runs() -> st.SearchStrategy[InvoiceRun]:
    """Committed runs a Peppol access point must accept whole.

    Accounts with complete billing details buy at 0/6/9/12/21 %, zero-rated, exempt
    (with a reason) and under reverse charge, or only outside the scope of VAT; unit
    prices have half cents, returns can make a total negative (a credit note), and
    product and account names are unicode.
    """
    return _peppol_runs()


def many_receipts_run(receipts: int = 1500) -> InvoiceRun:
    """One Dutch account with ``receipts`` receipts at every taxed VAT of a month."""
    ledger = MemoryLedger()
    open_account(
        ledger, Account(number="1042", name="Team A", limit=10**6, billing=DUTCH), actor=ADMIN
    )
    start = dt.datetime(2026, 10, 1, 8, tzinfo=AMS)
    for index in range(receipts):
        vat = TAXED_VATS[index % len(TAXED_VATS)]
        ledger.record(
            Purchase(
                account="1042",
                id=f"r{index}",
                at=start + dt.timedelta(minutes=25 * index),
                lines=(
                    Line(
                        product=_PRODUCTS[index % len(_PRODUCTS)],
                        quantity=1 + index % 3,
                        unit_price=Decimal("1.005") + Decimal(index % 7),
                        vat=vat,
                    ),
                ),
            )
        )
    plan = plan_run(ledger, SAMPLE_PERIOD, ["1042"], "none", actor=ADMIN)
    return commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)


def zero_run() -> InvoiceRun:
    """Account 1042 returns as much as it buys (at other rates): lines, but a zero total.

    Account 2001 buys 5.00 as usual, so each export has something to write.
    """
    ledger = MemoryLedger()
    open_account(
        ledger, Account(number="1042", name="Team A", limit=200, billing=DUTCH), actor=ADMIN
    )
    belgian = attrs.evolve(DUTCH, name="Team B", mandate_id="ZWA-2001")
    open_account(
        ledger, Account(number="2001", name="Team B", limit=200, billing=belgian), actor=ADMIN
    )
    at = dt.datetime(2026, 10, 3, 21, tzinfo=AMS)
    for number, lines in (
        (
            "1042",
            (
                Line(product="Beer", quantity=2, unit_price="2.50", vat=Vat.standard("0.21")),
                Line(product="Cola", quantity=-2, unit_price="2.50", vat=Vat.standard("0.09")),
            ),
        ),
        ("2001", (Line(product="Cola", quantity=2, unit_price="2.50", vat=Vat.standard("0.09")),)),
    ):
        ledger.record(Purchase(account=number, id=f"tx-{number}", at=at, lines=lines))
    plan = plan_run(ledger, SAMPLE_PERIOD, ["1042", "2001"], "none", actor=ADMIN)
    return commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)
