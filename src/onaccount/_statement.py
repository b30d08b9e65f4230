"""Statements: one account over one period, grouped per day, product and VAT rate.

A statement keeps the totals, not the purchases: over a million purchases the purchase
objects would not fit in memory, while the totals per day, product and VAT rate are
small. The purchases are read again, in time order, from where they came from when an
exporter asks for them (`Statement.purchases`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal

import attrs

from ._account import Account
from ._money import Vat, minor_unit, vat_sort_key, vat_split
from ._period import Period
from ._transaction import CreditBooking, Purchase, Transaction

__all__ = [
    "DayTotal",
    "ProductTotal",
    "PurchaseSource",
    "Statement",
    "VatTotal",
    "build_statement",
]

_ZERO = Decimal(0)
_ONE_DAY = dt.timedelta(days=1)

#: Gives the bookings a statement was built from again (others may be among them).
PurchaseSource = Callable[[], Iterable[Transaction]]


@attrs.frozen
class DayTotal:
    """One business day with purchases: how many, and their total."""

    date: dt.date
    total: Decimal
    count: int


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


def _time_order(purchase: Purchase) -> tuple[dt.datetime, str]:
    return purchase.at, purchase.id


@attrs.frozen
class Statement:
    """One account over one period.

    ``total`` is what the purchases come to (positive for ordinary purchases) and equals
    the sum of ``days``, of ``products`` and of the gross amounts in ``vat``, to the cent.
    ``credits`` lists the credit bookings inside the period, which are not part of the
    total. Two statements are equal when their account, period and totals are.
    """

    account: Account
    period: Period
    total: Decimal
    days: tuple[DayTotal, ...]
    products: tuple[ProductTotal, ...]
    vat: tuple[VatTotal, ...]
    credits: tuple[CreditBooking, ...] = ()
    _ids: frozenset[str] | None = attrs.field(default=None, eq=False, repr=False, alias="ids")
    _source: PurchaseSource | None = attrs.field(
        default=None, eq=False, repr=False, alias="source"
    )

    @property
    def currency(self) -> str:
        """The account's currency, in which every amount here is."""
        return self.account.currency

    @property
    def count(self) -> int:
        """How many purchases the statement holds."""
        return sum(day.count for day in self.days)

    @property
    def is_empty(self) -> bool:
        """Whether the period holds no purchases for the account."""
        return not self.days

    def purchases(self) -> Iterator[Purchase]:
        """The statement's purchases in time order, read again from their source."""
        if self._source is None or self.is_empty:
            return iter(())
        ids = self._ids
        start, end = self.period.start, self.period.end
        number = self.account.number
        chosen = [
            tx
            for tx in self._source()
            if isinstance(tx, Purchase)
            and tx.account == number
            and start <= tx.at < end
            and (ids is None or tx.id in ids)
        ]
        chosen.sort(key=_time_order)
        return iter(chosen)

    def purchases_by_day(self) -> dict[dt.date, tuple[Purchase, ...]]:
        """The statement's purchases grouped by business date, each day in time order."""
        grouped: dict[dt.date, list[Purchase]] = {}
        for purchase in self.purchases():
            grouped.setdefault(self.period.business_date(purchase.at), []).append(purchase)
        return {date: tuple(found) for date, found in grouped.items()}

    def transaction_ids(self) -> frozenset[str]:
        """The ids of the statement's purchases."""
        if self._ids is not None:
            return self._ids
        return frozenset(p.id for p in self.purchases())


def _product_key(product: ProductTotal) -> tuple[str, str, str, Decimal, str, Decimal, str]:
    # Every field of the grouping key, so the order never depends on input order.
    return (
        product.product,
        product.code or "",
        product.group or "",
        product.unit_price,
        product.vat.category.value,
        product.vat.rate,
        product.vat.exemption_reason or "",
    )


class StatementBuilder:
    """Builds one account's statement from bookings fed in any order, one at a time.

    It holds only totals (and the ids seen), so a plan can feed it a stream of any
    length and many accounts' builders can be open at once.
    """

    __slots__ = (
        "_bounds",
        "_credits",
        "_days",
        "_gross",
        "_ids",
        "_keep",
        "_kept",
        "_products",
        "_quantum",
        "account",
        "period",
    )  # fmt: skip

    def __init__(self, account: Account, period: Period, *, keep: bool) -> None:
        self.account = account
        self.period = period
        self._keep = keep
        self._quantum = minor_unit(account.currency)
        self._bounds = period.day_bounds()
        self._days: dict[int, list[Decimal | int]] = {}
        # (product, code, group, unit price, VAT) -> [quantity, amount]
        self._products: dict[tuple[str, str | None, str | None, Decimal, Vat], list[Decimal]] = {}
        self._gross: dict[Vat, Decimal] = {}
        self._credits: list[CreditBooking] = []
        self._ids: set[str] = set()
        self._kept: list[Purchase] = []

    def add(self, tx: Transaction) -> None:
        """Count ``tx`` if it is the account's and inside the period."""
        bounds = self._bounds
        at = tx.at
        if tx.account != self.account.number or not bounds[0] <= at < bounds[-1]:
            return
        if not isinstance(tx, Purchase):
            if isinstance(tx, CreditBooking):
                self._credits.append(tx)
            return
        self._ids.add(tx.id)
        if self._keep:
            self._kept.append(tx)
        quantum, products, gross = self._quantum, self._products, self._gross
        purchase_total = _ZERO
        for line in tx.lines:
            amount = (line.quantity * line.unit_price).quantize(quantum, ROUND_HALF_UP)
            purchase_total += amount
            vat = line.vat
            key = (line.product, line.code, line.group, line.unit_price, vat)
            slot = products.get(key)
            if slot is None:
                products[key] = [line.quantity, amount]
            else:
                slot[0] += line.quantity
                slot[1] += amount
            gross[vat] = gross.get(vat, _ZERO) + amount
        day = bisect.bisect_right(bounds, at) - 1
        totals = self._days.get(day)
        if totals is None:
            self._days[day] = [purchase_total, 1]
        else:
            totals[0] += purchase_total
            totals[1] += 1

    def finish(self, source: PurchaseSource | None = None) -> Statement:
        """The statement; it reads its purchases from ``source``, or from those it kept."""
        currency = self.account.currency
        first = self.period.first
        days = tuple(
            DayTotal(first + _ONE_DAY * day, Decimal(total), int(count))
            for day, (total, count) in sorted(self._days.items())
        )
        product_rows = sorted(
            (
                ProductTotal(name, code, group, price, vat, quantity, amount)
                for (name, code, group, price, vat), (quantity, amount) in self._products.items()
            ),
            key=_product_key,
        )
        vat_rows = []
        for vat in sorted(self._gross, key=vat_sort_key):
            split = vat_split(self._gross[vat], vat.rate, currency)
            vat_rows.append(VatTotal(vat, split.gross, split.net, split.vat))
        if source is None:
            held = tuple(self._kept)

            def source() -> Iterable[Transaction]:
                return held

        return Statement(
            account=self.account,
            period=self.period,
            total=sum((day.total for day in days), _ZERO),
            days=days,
            products=tuple(product_rows),
            vat=tuple(vat_rows),
            credits=tuple(sorted(self._credits, key=lambda c: (c.at, c.id))),
            ids=frozenset(self._ids),
            source=source,
        )


def build_statement(
    account: Account,
    period: Period,
    transactions: Iterable[Transaction],
    *,
    source: PurchaseSource | None = None,
) -> Statement:
    """Group ``transactions`` of ``account`` inside ``period`` into a statement.

    Transactions outside the period or of another account are ignored. Purchases are
    placed on their business date by comparing instants with the period's precomputed
    day boundaries, so no calendar work happens per transaction.

    Without ``source`` the statement keeps the purchases it was given, for
    `Statement.purchases`. With one, it keeps only their ids and asks ``source`` again
    when the purchases are wanted, so ``transactions`` can be a stream of any length.
    """
    builder = StatementBuilder(account, period, keep=source is None)
    for tx in transactions:
        builder.add(tx)
    return builder.finish(source)
