"""Synthetic canteen data for the benchmarks: N accounts, M purchases in one month."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

from onaccount import Account, Line, Period, Purchase, Vat

PERIOD = Period.month(2026, 10, tz="Europe/Amsterdam", day_starts_at="04:00")
_LOW, _HIGH = Vat.standard("0.09"), Vat.standard("0.21")
MENU = (
    ("Koffie", "101", Decimal("2.40"), _LOW),
    ("Thee", "102", Decimal("2.10"), _LOW),
    ("Cola", "201", Decimal("2.80"), _LOW),
    ("Sportdrank", "203", Decimal("2.95"), _LOW),
    ("Pils", "301", Decimal("3.10"), _HIGH),
    ("Speciaalbier", "302", Decimal("4.75"), _HIGH),
    ("Tosti", "401", Decimal("3.75"), _LOW),
    ("Patat", "402", Decimal("3.50"), _LOW),
    ("Bitterballen", "404", Decimal("6.50"), _LOW),
    ("Statiegeld", "901", Decimal("0.125"), _LOW),
)


def accounts(n: int) -> list[Account]:
    """``n`` limit accounts numbered 000001 onwards."""
    return [
        Account(number=f"{i:06d}", name=f"Member {i}", limit=Decimal(1000))
        for i in range(1, n + 1)
    ]


def purchases(n_accounts: int, m: int, *, seed: int = 7) -> Iterator[Purchase]:
    """``m`` purchases of 1 to 3 lines spread over the accounts and October's 31 days."""
    rng = random.Random(seed)
    start = PERIOD.start
    span = int((PERIOD.end - start).total_seconds()) - 1
    for i in range(m):
        lines = []
        for product, code, price, vat in rng.sample(MENU, rng.randint(1, 3)):
            quantity = Decimal(rng.randint(1, 4))
            if product == "Statiegeld" and rng.random() < 0.3:
                quantity = -quantity
            lines.append(
                Line(product=product, code=code, quantity=quantity, unit_price=price, vat=vat)
            )
        yield Purchase(
            id=f"p{i:08d}",
            account=f"{rng.randint(1, n_accounts):06d}",
            at=start + dt.timedelta(seconds=rng.randint(0, span)),
            lines=lines,
        )
