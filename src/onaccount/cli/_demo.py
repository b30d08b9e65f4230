"""The demo ledger: a sports club's canteen over the three months up to October."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from onaccount import (
    Account,
    AccountKind,
    Address,
    BillingDetails,
    CreditBooking,
    CreditKind,
    Line,
    Period,
    Purchase,
    Transaction,
    Vat,
)

__all__ = ["DEMO_CLUB", "DEMO_TZ", "DemoClub", "DemoData", "demo_data", "demo_options_file"]

DEMO_TZ = "Europe/Amsterdam"
DAY_STARTS_AT = dt.time(4, 0)
_ZONE = ZoneInfo(DEMO_TZ)
_LOW, _HIGH = Vat.standard("0.09"), Vat.standard("0.21")

# (product, PLU, group, unit price, VAT): a canteen's till as the customer sees it.
_MENU = (
    ("Koffie", "101", "warme dranken", "2.40", _LOW),
    ("Thee", "102", "warme dranken", "2.10", _LOW),
    ("Chocomel", "103", "warme dranken", "2.60", _LOW),
    ("Cola", "201", "frisdrank", "2.80", _LOW),
    ("Spa rood", "202", "frisdrank", "2.50", _LOW),
    ("Sportdrank", "203", "frisdrank", "2.95", _LOW),
    ("Pils", "301", "bier", "3.10", _HIGH),
    ("Speciaalbier", "302", "bier", "4.75", _HIGH),
    ("Wijn glas", "303", "wijn", "4.25", _HIGH),
    ("Tosti ham-kaas", "401", "keuken", "3.75", _LOW),
    ("Patat", "402", "keuken", "3.50", _LOW),
    ("Frikandel", "403", "keuken", "2.75", _LOW),
    ("Bitterballen (8)", "404", "keuken", "6.50", _LOW),
    ("Krentenbol", "405", "keuken", "1.35", _LOW),
)
_DEPOSIT = ("Statiegeld krat", "901", "statiegeld", "3.90", Vat.exempt("Deposit, no supply", "O"))
_FIRST = (
    "Jan", "Sanne", "Pieter", "Fleur", "Daan", "Noor", "Bram", "Lotte", "Sem", "Eva",
    "Thijs", "Anouk", "Ruben", "Iris", "Joost", "Maaike", "Kees", "Zoë", "Hüseyin", "Chloé",
)  # fmt: skip
# Names from a Dutch club's member list, Turkish and French spellings included.
_LAST = (
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
    "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "Y\u0131lmaz", "Dubois",
)  # fmt: skip
_TEAMS = (
    "Heren 1", "Heren 2", "Dames 1", "Veteranen", "JO13-1", "JO11-2", "MO15-1", "Zaterdag 3",
)  # fmt: skip


@attrs.frozen(kw_only=True)
class DemoClub:
    """Who bills in the demo: the club as seller of the canteen's sales and as creditor."""

    name: str
    street: str
    postal_code: str
    city: str
    country: str
    email: str
    kvk: str
    vat_id: str
    iban: str
    bic: str
    creditor_id: str


#: The demo club's identity: everything an e-invoice and a direct debit need of the seller.
#: The numbers are the published examples of each scheme, so they pass every check.
DEMO_CLUB = DemoClub(
    name="Sportvereniging De Zwaluwen",
    street="Sportlaan 1",
    postal_code="3511 AA",
    city="Utrecht",
    country="NL",
    email="penningmeester@dezwaluwen.example",
    kvk="12345678",
    vat_id="NL001234567B01",
    iban="NL91ABNA0417164300",
    bic="ABNANL2A",
    creditor_id="NL69ZZZ123456780000",
)


def demo_options_file(club: DemoClub = DEMO_CLUB) -> str:
    """The demo's options file (``--options-file``): the club wherever a format takes it.

    Every export that names a seller or a creditor takes these at the top of the file,
    the e-invoices their credit notes' reference in their own table.
    """
    seller = {
        "seller_name": club.name,
        "seller_street": club.street,
        "seller_postal_code": club.postal_code,
        "seller_city": club.city,
        "seller_country": club.country,
        "seller_vat_id": club.vat_id,
        "seller_registration": club.kvk,
        "seller_email": club.email,
        "seller_iban": club.iban,
        "seller_bic": club.bic,
        "creditor_id": club.creditor_id,
    }
    # A JSON string is a TOML basic string: the same escapes, in the same quotes.
    lines = [
        "# The club, for every export that takes it: onaccount export RUN --options-file FILE",
        *(f"{name} = {json.dumps(value, ensure_ascii=False)}" for name, value in seller.items()),
        "",
        "[ubl]",
        'credit_note_reference = "demo-{account}"',
    ]
    return "\n".join(lines) + "\n"


# Members' bank accounts: the banks' published example IBANs, valid to every check.
_IBANS = (
    "NL02ABNA0123456789",
    "NL20INGB0001234567",
    "NL39RABO0300065264",
    "NL44RABO0123456789",
    "NL69INGB0123456789",
    "NL18RABO0123459876",
    "NL86INGB0002445588",
)
#: Members who gave no address: the e-invoice refuses them, and says why.
_NO_ADDRESS = frozenset({"1023", "1047"})


@attrs.frozen
class DemoData:
    """What the demo books: accounts, their bookings, and the months to bill."""

    accounts: tuple[Account, ...]
    transactions: tuple[Transaction, ...]
    months: tuple[Period, ...]


def _last_october(today: dt.date) -> int:
    """The year of the latest October that has ended by ``today``."""
    return today.year if today.month > 10 else today.year - 1


def _accounts(rng: random.Random) -> list[Account]:
    result = []
    for i in range(48):
        first, last = _FIRST[i % len(_FIRST)], rng.choice(_LAST)
        number = f"{1001 + i}"
        result.append(
            Account(
                number=number,
                name=f"{first} {last}",
                limit=Decimal(rng.choice((100, 150, 150, 200, 250))),
                group="leden",
                tags={"senior" if i % 3 else "jeugd"},
                billing=_member_billing(i, number, f"{first} {last}"),
            )
        )
    for i, team in enumerate(_TEAMS):
        number = f"{2001 + i}"
        result.append(
            Account(
                number=number,
                name=f"Team {team}",
                limit=Decimal(600),
                group="teams",
                tags={"team"},
                # The team's manager pays its bar bill, by direct debit.
                billing=BillingDetails(
                    name=f"Team {team} (t.a.v. teammanager)",
                    email=f"team.{number}@dezwaluwen.example",
                    address=Address(
                        street=f"Veldweg {i + 2}", postal_code="3512 BC", city="Utrecht"
                    ),
                    iban=_IBANS[i % len(_IBANS)],
                    mandate_id=f"ZWALUWEN-{number}",
                    mandate_date=dt.date(2025, 8, 15),
                ),
            )
        )
    result.append(
        Account(
            number="3001",
            name="Bouwbedrijf Van Dam B.V.",
            limit=Decimal(2500),
            group="sponsors",
            # A company with a VAT id: its e-invoice goes to its Peppol address, paid by
            # credit transfer (no mandate).
            billing=BillingDetails(
                name="Bouwbedrijf Van Dam B.V.",
                email="administratie@vandam.example",
                vat_id="NL123456789B01",
                address=Address(street="Industrieweg 12", postal_code="3542 AD", city="Utrecht"),
            ),
        )
    )
    result.append(
        Account(
            number="3003",
            name="Sporthuis Utrecht B.V.",
            limit=Decimal(1500),
            group="sponsors",
            billing=BillingDetails(
                name="Sporthuis Utrecht B.V.",
                email="facturen@sporthuis.example",
                vat_id="NL987654321B01",
                address=Address(street="Vredenburg 40", postal_code="3511 BD", city="Utrecht"),
                iban="NL20INGB0001234567",
                mandate_id="ZWALUWEN-3003",
                mandate_date=dt.date(2026, 1, 5),
            ),
        )
    )
    # The referees' tab has no billing details at all: every invoicing format refuses it.
    result.append(Account(number="3002", name="Scheidsrechters", limit=Decimal(400), group="club"))
    for i, holder in enumerate(("Kantinekaart 1", "Kantinekaart 2", "Kantinekaart 3", "Gast")):
        result.append(
            Account(number=f"9{i + 1:03d}", name=holder, kind=AccountKind.CREDIT, group="kaarten")
        )
    return result


def _member_billing(i: int, number: str, name: str) -> BillingDetails:
    """A member's billing details; four in five signed a direct-debit mandate."""
    mandate = i % 5 != 4
    return BillingDetails(
        name=name,
        email=f"{name.split()[0].lower()}.{number}@example.org",
        address=None
        if number in _NO_ADDRESS
        else Address(street=f"Sportlaan {i + 1}", postal_code="3511 AB", city="Utrecht"),
        iban=_IBANS[i % len(_IBANS)],
        mandate_id=f"ZWALUWEN-{number}" if mandate else None,
        mandate_date=dt.date(2024, 9, 1) if mandate else None,
    )


def _instant(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment the canteen is open on ``day``; Saturday nights run past midnight."""
    if day.weekday() == 5 and rng.random() < 0.35:
        # Late sales on the night to Sunday belong to Saturday's business day.
        night = day + dt.timedelta(days=1)
        local = dt.datetime.combine(night, dt.time(rng.randrange(0, 3), rng.randrange(60)))
    else:
        hour = rng.choice((9, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21, 22))
        local = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)))
    return local.replace(tzinfo=_ZONE, fold=0)


def _lines(rng: random.Random, team: bool) -> list[Line]:
    count = rng.randint(2, 6) if team else rng.randint(1, 3)
    lines = []
    for product, code, group, price, vat in rng.sample(_MENU, count):
        quantity = rng.randint(4, 14) if team else rng.randint(1, 3)
        lines.append(
            Line(
                product=product,
                code=code,
                group=group,
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                vat=vat,
            )
        )
    return lines


def _bookings(
    rng: random.Random, accounts: list[Account], first: dt.date, last: dt.date
) -> Iterator[Transaction]:
    day = first
    serial = 0
    while day <= last:
        busy = 2.5 if day.weekday() >= 5 else 0.6
        for account in accounts:
            team = account.group in {"teams", "sponsors", "club"}
            visits = rng.random() * busy * (1.6 if team else 1)
            while visits > 0.75:
                visits -= 1
                serial += 1
                lines = _lines(rng, team)
                if account.group == "teams" and rng.random() < 0.08:
                    # A team brings a crate of empties back: a return line with a negative
                    # quantity, outside the scope of VAT.
                    product, code, group, price, vat = _DEPOSIT
                    lines.append(
                        Line(
                            product=product,
                            code=code,
                            group=group,
                            quantity=Decimal(-rng.randint(1, 2)),
                            unit_price=Decimal(price),
                            vat=vat,
                        )
                    )
                yield Purchase(
                    id=f"kassa-{serial:06d}",
                    account=account.number,
                    at=_instant(rng, day),
                    lines=lines,
                )
        day += dt.timedelta(days=1)


def demo_data(today: dt.date, *, seed: int = 2026) -> DemoData:
    """The demo's accounts and bookings for August to October before ``today``.

    October is the month the clocks go back, so the demo's bill crosses a 25-hour day.
    The same ``today`` and ``seed`` always give the same data.
    """
    rng = random.Random(seed)
    year = _last_october(today)
    months = tuple(
        Period.month(year, m, tz=DEMO_TZ, day_starts_at=DAY_STARTS_AT) for m in (8, 9, 10)
    )
    accounts = _accounts(rng)
    limit_accounts = [a for a in accounts if a.kind is AccountKind.LIMIT]
    cards = [a for a in accounts if a.kind is AccountKind.CREDIT]
    bookings: list[Transaction] = []
    for card in cards:
        bookings.append(
            CreditBooking(
                id=f"opwaardering-{card.number}",
                account=card.number,
                at=dt.datetime(year, 7, 31, 18, 0, tzinfo=_ZONE),
                credit=Decimal(100),
                kind=CreditKind.TOP_UP,
                reason="opgewaardeerd aan de bar",
            )
        )
    bookings.extend(_bookings(rng, limit_accounts, months[0].first, months[-1].last))
    for card in cards:
        bookings.append(
            Purchase(
                id=f"kaart-{card.number}",
                account=card.number,
                at=dt.datetime(year, 10, 10, 20, 15, tzinfo=_ZONE),
                lines=[
                    Line(product="Koffie", code="101", quantity=2, unit_price="2.40", vat=_LOW)
                ],
            )
        )
    # One member paid cash at the bar in October: that run refuses the account, with why.
    bookings.append(
        CreditBooking(
            id="contant-1007",
            account="1007",
            at=dt.datetime(year, 10, 18, 12, 5, tzinfo=_ZONE),
            credit=Decimal("20.00"),
            kind=CreditKind.PAYMENT,
            reason="contant betaald aan de bar",
        )
    )
    bookings.sort(key=lambda t: (t.at, t.id))
    return DemoData(accounts=tuple(accounts), transactions=tuple(bookings), months=months)
