"""Statements: one account over one period, grouped per day, product and VAT rate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import attrs

from ._account import Account
from ._money import Vat, vat_sort_key, vat_split
from ._period import Period
from ._transaction import CreditBooking, Purchase, Transaction

__all__ = ["DayTotal", "ProductTotal", "Statement", "VatTotal", "build_statement"]

_ZERO = Decimal(0)


@attrs.frozen
class DayTotal:
    """The purchases of one business day and their total."""

    date: dt.date
    total: Decimal
    purchases: tuple[Purchase, ...]


@attrs.frozen
class ProductTotal:
    """One row of the product specification: a product at one unit price and VAT."""

    product: str
    code: str | None
    group: str | None
    unit_price: Decimal
    vat: Vat
    quantity: Decimal
    amount: Decimal


@attrs.frozen
class VatTotal:
    """The gross amount at one VAT category and rate, split into net and VAT."""

    vat: Vat
    gross: Decimal
    net: Decimal
    tax: Decimal


@attrs.frozen
class Statement:
    """One account over one period.

    ``total`` is what the purchases come to (positive for ordinary purchases) and equals
    the sum of ``days``, of ``products`` and of the gross amounts in ``vat``, to the cent.
    ``credits`` lists the credit bookings inside the period, which are not part of the
    total.
    """

    account: Account
    period: Period
    total: Decimal
    days: tuple[DayTotal, ...]
    products: tuple[ProductTotal, ...]
    vat: tuple[VatTotal, ...]
    credits: tuple[CreditBooking, ...] = ()

    @property
    def currency(self) -> str:
        """The account's currency, in which every amount here is."""
        return self.account.currency

    @property
    def purchases(self) -> tuple[Purchase, ...]:
        """Every purchase of the statement, in time order."""
        return tuple(p for day in self.days for p in day.purchases)

    @property
    def transaction_ids(self) -> frozenset[str]:
        """The ids of the statement's purchases."""
        return frozenset(p.id for day in self.days for p in day.purchases)

    @property
    def is_empty(self) -> bool:
        """Whether the period holds no purchases for the account."""
        return not self.days


def _product_key(product: ProductTotal) -> tuple[str, str, Decimal, str, Decimal]:
    return (
        product.product,
        product.code or "",
        product.unit_price,
        product.vat.category.value,
        product.vat.rate,
    )


def build_statement(
    account: Account, period: Period, transactions: Iterable[Transaction]
) -> Statement:
    """Group ``transactions`` of ``account`` inside ``period`` into a statement.

    Transactions outside the period or of another account are ignored. Purchases are
    placed on their business date by comparing instants with the period's precomputed
    day boundaries, so no calendar work happens per transaction.
    """
    currency = account.currency
    per_day: dict[dt.date, list[Purchase]] = {}
    # (product, code, group, unit price, VAT) -> [quantity, amount]
    products: dict[tuple[str, str | None, str | None, Decimal, Vat], list[Decimal]] = {}
    gross: dict[Vat, Decimal] = {}
    credits: list[CreditBooking] = []
    start, end = period.start, period.end
    for tx in transactions:
        if tx.account != account.number or not start <= tx.at < end:
            continue
        if isinstance(tx, CreditBooking):
            credits.append(tx)
            continue
        if not isinstance(tx, Purchase):  # pragma: no cover - only two kinds exist
            continue
        per_day.setdefault(period.business_date(tx.at), []).append(tx)
        for line in tx.lines:
            amount = line.amount(currency)
            key = (line.product, line.code, line.group, line.unit_price, line.vat)
            slot = products.get(key)
            if slot is None:
                products[key] = [line.quantity, amount]
            else:
                slot[0] += line.quantity
                slot[1] += amount
            gross[line.vat] = gross.get(line.vat, _ZERO) + amount

    days = []
    for date in sorted(per_day):
        purchases = sorted(per_day[date], key=lambda p: (p.at, p.id))
        days.append(DayTotal(date, sum((p.total for p in purchases), _ZERO), tuple(purchases)))
    product_rows = sorted(
        (
            ProductTotal(name, code, group, price, vat, quantity, amount)
            for (name, code, group, price, vat), (quantity, amount) in products.items()
        ),
        key=_product_key,
    )
    vat_rows = []
    for vat in sorted(gross, key=vat_sort_key):
        split = vat_split(gross[vat], vat.rate, currency)
        vat_rows.append(VatTotal(vat, split.gross, split.net, split.vat))
    total = sum((day.total for day in days), _ZERO)
    return Statement(
        account=account,
        period=period,
        total=total,
        days=tuple(days),
        products=tuple(product_rows),
        vat=tuple(vat_rows),
        credits=tuple(sorted(credits, key=lambda c: (c.at, c.id))),
    )
