"""Statements: one account over one period, grouped per day, product and VAT rate.

A statement keeps the totals, not the purchases: over a million purchases the purchase
objects would not fit in memory, while the totals per day, product and VAT rate are
small. A statement holds their ids and nothing that points at storage, so it pickles
and outlives its ledger; the purchases are read again from a ledger when an exporter
asks for them (`Statement.purchases`, `purchases_in_batches`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import reprlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

import attrs

from ._account import Account
from ._errors import InvalidValue, LedgerError
from ._money import Vat, line_amount, minor_unit, vat_sort_key, vat_split
from ._period import Period
from ._transaction import CreditBooking, Purchase, Transaction
from ._words import a_type

__all__ = [
    "AccountTotals",
    "DayTotal",
    "ProductTotal",
    "PurchaseReader",
    "Statement",
    "VatTotal",
    "build_statement",
    "group_bookings",
    "purchases_in_batches",
    "statement_from_totals",
]

_ZERO = Decimal(0)


@runtime_checkable
class PurchaseReader(Protocol):
    """Where a statement's purchases are read again: every `Ledger` is one."""

    def purchases(self, ids: Collection[str]) -> Iterable[Purchase]:
        """The purchases with ``ids``, account by account, by instant and id."""
        ...


# Statements whose purchases are read with one ledger call, and the most ids in one call.
_BATCH = 200
_BATCH_IDS = 50_000


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


class _PackedIds(str):
    """Purchase ids joined by NUL, as a statement keeps them (ids never hold NUL)."""

    __slots__ = ()


def _packed_ids(ids: Iterable[str]) -> _PackedIds:
    if isinstance(ids, _PackedIds):
        return ids
    if isinstance(ids, str) or not isinstance(ids, Iterable):
        raise InvalidValue(
            f"statement purchase ids {reprlib.repr(ids)} are {a_type(ids)}, not a "
            "collection of ids; pass e.g. a set of the purchases' ids",
            value=ids,
            field="ids",
        )
    found = set(ids)
    try:
        packed = "\x00".join(sorted(found))
    except TypeError:  # not all texts
        packed = None
    if packed is None or "" in found or packed.count("\x00") != max(len(found) - 1, 0):
        # A million ids are checked by the join; look for the culprit only when it fails.
        bad = next(i for i in found if not isinstance(i, str) or not i or "\x00" in i)
        raise InvalidValue(
            f"statement purchase id {bad!r} is not a non-empty text without NUL; pass the "
            "ids of the purchases the statement holds",
            value=bad,
            field="ids",
        )
    return _PackedIds(packed)


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
    # The purchase ids as one NUL-separated text (ids never hold NUL): a tenth of the
    # memory of a set of strings, which matters at a million purchases.
    _ids: _PackedIds = attrs.field(
        default=_PackedIds(), eq=False, repr=False, alias="ids", converter=_packed_ids
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

    def purchases(self, ledger: PurchaseReader) -> list[Purchase]:
        """The statement's purchases in time order, read again from ``ledger``."""
        if not self._ids:
            return []
        return self._select(ledger.purchases(self._ids.split("\x00")))

    def _select(self, transactions: Iterable[Transaction]) -> list[Purchase]:
        """This statement's purchases among ``transactions``, in time order."""
        ids = self.transaction_ids()
        number = self.account.number
        chosen = [
            tx
            for tx in transactions
            if isinstance(tx, Purchase) and tx.account == number and tx.id in ids
        ]
        chosen.sort(key=_time_order)
        return chosen

    def purchases_by_day(self, ledger: PurchaseReader) -> dict[dt.date, tuple[Purchase, ...]]:
        """The statement's purchases grouped by business date, each day in time order."""
        grouped: dict[dt.date, list[Purchase]] = {}
        for purchase in self.purchases(ledger):
            grouped.setdefault(self.period.business_date(purchase.at), []).append(purchase)
        return {date: tuple(found) for date, found in grouped.items()}

    def transaction_ids(self) -> frozenset[str]:
        """The ids of the statement's purchases."""
        return frozenset(self._ids.split("\x00")) if self._ids else frozenset()


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


class SharedValues:
    """Values many statements of one plan hold alike, kept once for all of them.

    Ten thousand statements repeat the same dates, amounts, product names and often
    whole rows; sharing them keeps a plan's memory to a fraction.
    """

    __slots__ = ("numbers", "rows", "texts")

    def __init__(self) -> None:
        self.numbers: dict[str, Decimal] = {}
        self.texts: dict[str, str] = {}
        self.rows: dict[tuple[object, ...], Any] = {}


def _days(value: Iterable[DayTotal]) -> tuple[DayTotal, ...]:
    """Day totals merged per date and in date order, however a ledger gave them."""
    merged: dict[dt.date, DayTotal] = {}
    for day in value:
        seen = merged.get(day.date)
        merged[day.date] = (
            day
            if seen is None
            else DayTotal(day.date, seen.total + day.total, seen.count + day.count)
        )
    return tuple(merged[d] for d in sorted(merged))


def _products(value: Iterable[ProductTotal]) -> tuple[ProductTotal, ...]:
    """Product rows merged per product, code, group, unit price and VAT, in a stable order.

    Equal by value, not by text: a ledger that stored 2.8 and 2.80 gives one row.
    """
    merged: dict[tuple[str, str | None, str | None, Decimal, Vat], ProductTotal] = {}
    for row in value:
        key = (row.product, row.code, row.group, row.unit_price, row.vat)
        seen = merged.get(key)
        merged[key] = (
            row
            if seen is None
            else attrs.evolve(
                seen, quantity=seen.quantity + row.quantity, amount=seen.amount + row.amount
            )
        )
    return tuple(sorted(merged.values(), key=_product_key))


def _credits(value: Iterable[CreditBooking]) -> tuple[CreditBooking, ...]:
    return tuple(sorted(value, key=lambda c: (c.at, c.id)))


def _foreign(value: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(value))


@attrs.frozen(kw_only=True)
class AccountTotals:
    """What a ledger sums of one account's free bookings over a period.

    The raw material of a statement, computed where the bookings are: in SQL by the SQL
    ledger, by `group_bookings` for a ledger that reads its bookings back. It holds the
    purchases per business day and per product line, their ids, the credit bookings
    inside the period and the bookings in a currency other than the account's (``foreign``,
    as id and currency pairs). Amounts are in the account's currency; days and product
    rows that a ledger gives in parts are merged here, and the VAT split is the core's
    (`statement_from_totals`).
    """

    account: str
    days: tuple[DayTotal, ...] = attrs.field(default=(), converter=_days)
    products: tuple[ProductTotal, ...] = attrs.field(default=(), converter=_products)
    ids: Collection[str] = ()
    credits: tuple[CreditBooking, ...] = attrs.field(default=(), converter=_credits)
    foreign: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_foreign)


def _spelled_alike(shared: ProductTotal, row: ProductTotal) -> bool:
    """Whether the equal rows ``shared`` and ``row`` also print alike, number for number.

    Shared numbers come from one pool, so the same object is the usual answer; only
    equal values of other objects are compared by their text.
    """
    pairs = (
        (shared.unit_price, row.unit_price),
        (shared.quantity, row.quantity),
        (shared.amount, row.amount),
        (shared.vat.rate, row.vat.rate),
    )
    return all(a is b or str(a) == str(b) for a, b in pairs)


def _exponent(value: Decimal) -> int | str:
    """The exponent of ``value``: what tells 1.0 from 1.00 (a letter for NaN and infinity)."""
    return value.as_tuple().exponent


def statement_from_totals(
    account: Account,
    period: Period,
    totals: AccountTotals,
    *,
    shared: SharedValues | None = None,
) -> Statement:
    """The statement of ``account`` over ``period`` from what its ledger summed.

    The total is the sum of the days; the VAT breakdown splits the gross per rate of the
    product rows (DESIGN §3: on the grouped gross, not per line). Statements of one plan
    can pass the same `SharedValues`: equal amounts, texts and rows are then kept once.
    """
    pool = SharedValues() if shared is None else shared
    numbers, texts, rows = pool.numbers, pool.texts, pool.rows

    def number(value: Decimal) -> Decimal:
        # By text, not value: 1.0 and 1.00 are equal but print differently.
        return numbers.setdefault(str(value), value)

    days: list[DayTotal] = []
    for day in totals.days:
        # A day's row is seldom another account's too: only its total is shared, and a
        # ledger's row whose total is the shared one already is kept as it is. Keying
        # hundreds of thousands of day rows would cost more than sharing them saves.
        total = number(day.total)
        days.append(day if total is day.total else DayTotal(day.date, total, day.count))
    products: list[ProductTotal] = []
    gross: dict[Vat, Decimal] = {}
    for row in totals.products:
        vat = row.vat
        gross[vat] = gross.get(vat, _ZERO) + row.amount
        product_key = (
            row.product, row.code, row.group, row.unit_price, vat, row.quantity, row.amount
        )  # fmt: skip
        product_row = rows.get(product_key)
        if product_row is None or not _spelled_alike(product_row, row):
            built = ProductTotal(
                texts.setdefault(row.product, row.product),
                row.code if row.code is None else texts.setdefault(row.code, row.code),
                row.group if row.group is None else texts.setdefault(row.group, row.group),
                number(row.unit_price),
                vat,
                number(row.quantity),
                number(row.amount),
            )
            # Equal but written otherwise (0.21 and 0.210): the statement keeps its own row.
            product_row = rows.setdefault(product_key, built) if product_row is None else built
        products.append(product_row)
    vat_rows = []
    for vat in sorted(gross, key=vat_sort_key):
        vat_key = (vat, _exponent(vat.rate), gross[vat], _exponent(gross[vat]))
        vat_row = rows.get(vat_key)
        if vat_row is None:
            split = vat_split(gross[vat], vat.rate, account.currency)
            vat_row = rows[vat_key] = VatTotal(
                vat, number(split.gross), number(split.net), number(split.vat)
            )
        vat_rows.append(vat_row)
    return Statement(
        account=account,
        period=period,
        total=number(sum((day.total for day in days), _ZERO)),
        days=tuple(days),
        products=tuple(products),
        vat=tuple(vat_rows),
        credits=totals.credits,
        ids=totals.ids,
    )


class StatementBuilder:
    """Sums one account's bookings over a period, fed in any order, one at a time.

    It holds only totals (and the ids seen), so a stream of any length can be fed and
    many accounts' builders can be open at once. Bookings in another currency than the
    account's are not summed but listed (`AccountTotals.foreign`).
    """

    __slots__ = (
        "_bounds",
        "_credits",
        "_days",
        "_foreign",
        "_ids",
        "_products",
        "_quantum",
        "account",
        "period",
    )  # fmt: skip

    def __init__(self, account: Account, period: Period) -> None:
        self.account = account
        self.period = period
        self._quantum = minor_unit(account.currency)
        self._bounds = period.day_bounds()
        self._days: dict[int, list[Decimal | int]] = {}
        # (product, code, group, unit price, VAT) -> [quantity, amount]
        self._products: dict[tuple[str, str | None, str | None, Decimal, Vat], list[Decimal]] = {}
        self._credits: list[CreditBooking] = []
        self._foreign: list[tuple[str, str]] = []
        self._ids: list[str] = []

    def add(self, tx: Transaction) -> None:
        """Count ``tx`` if it is the account's and inside the period."""
        bounds = self._bounds
        at = tx.at
        if tx.account != self.account.number or not bounds[0] <= at < bounds[-1]:
            return
        if tx.currency != self.account.currency:
            self._foreign.append((tx.id, tx.currency))
            return
        if not isinstance(tx, Purchase):
            if isinstance(tx, CreditBooking):
                self._credits.append(tx)
            return
        self._ids.append(tx.id)
        quantum, products = self._quantum, self._products
        purchase_total = _ZERO
        for line in tx.lines:
            amount = line_amount(line.quantity, line.unit_price, quantum)
            purchase_total += amount
            key = (line.product, line.code, line.group, line.unit_price, line.vat)
            slot = products.get(key)
            if slot is None:
                products[key] = [line.quantity, amount]
            else:
                slot[0] += line.quantity
                slot[1] += amount
        day = bisect.bisect_right(bounds, at) - 1
        totals = self._days.get(day)
        if totals is None:
            self._days[day] = [purchase_total, 1]
        else:
            totals[0] += purchase_total
            totals[1] += 1

    def totals(self) -> AccountTotals:
        """What was fed, summed: the account's totals for `statement_from_totals`."""
        dates = self.period.days()
        return AccountTotals(
            account=self.account.number,
            days=[
                DayTotal(dates[day], Decimal(total), int(count))
                for day, (total, count) in self._days.items()
            ],
            products=[
                ProductTotal(name, code, group, price, vat, quantity, amount)
                for (name, code, group, price, vat), (quantity, amount) in self._products.items()
            ],
            ids=self._ids,
            credits=self._credits,
            foreign=self._foreign,
        )

    def finish(self, *, shared: SharedValues | None = None) -> Statement:
        """The statement of what was fed."""
        return statement_from_totals(self.account, self.period, self.totals(), shared=shared)


def group_bookings(
    bookings: Iterable[Transaction], accounts: Mapping[str, Account], period: Period
) -> Iterator[AccountTotals]:
    """The totals of each of ``accounts`` from its bookings, given account by account.

    For ledgers that read bookings back rather than summing where they are stored (the
    memory ledger, or a host's ORM ledger): pass what `Ledger.transactions` gives for the
    accounts, the period and ``uninvoiced=True``. Bookings of other accounts are skipped.
    A stream in which an account's bookings come back after another account's began
    breaks the protocol's ordering rule and raises `LedgerError` naming both accounts.
    """
    builder: StatementBuilder | None = None
    current: str | None = None
    done: set[str] = set()
    for tx in bookings:
        number = tx.account
        if number != current:
            if builder is not None:
                yield builder.totals()
            if number in done:
                raise LedgerError(
                    f"the ledger gave bookings of account {number} again after those of "
                    f"account {current} had begun; Ledger.transactions must give bookings "
                    "account by account, in number order",
                    value=number,
                    field="transactions",
                )
            if current is not None:
                done.add(current)
            current = number
            account = accounts.get(number)
            builder = None if account is None else StatementBuilder(account, period)
        if builder is not None:
            builder.add(tx)
    if builder is not None:
        yield builder.totals()


def build_statement(
    account: Account, period: Period, transactions: Iterable[Transaction]
) -> Statement:
    """Group ``transactions`` of ``account`` inside ``period`` into a statement.

    Transactions outside the period, of another account or in a currency other than the
    account's are ignored (a plan refuses such an account instead). Purchases are
    placed on their business date by comparing instants with the period's precomputed
    day boundaries, so no calendar work happens per transaction. The statement keeps the
    purchases' ids, not the purchases: `Statement.purchases` reads them from a ledger,
    so ``transactions`` can be a stream of any length.
    """
    builder = StatementBuilder(account, period)
    for tx in transactions:
        builder.add(tx)
    return builder.finish()


def purchases_in_batches(
    ledger: PurchaseReader, statements: Sequence[Statement]
) -> Iterator[tuple[Statement, list[Purchase]]]:
    """Each statement with its purchases (as `Statement.purchases` gives them), in order.

    Neighbouring statements are read with one `Ledger.purchases` call, a few hundred
    statements (at most fifty thousand purchases) at a time, so exporting a run of ten
    thousand accounts costs a few dozen ledger calls rather than ten thousand. Memory
    holds one batch at a time.
    """
    index = 0
    while index < len(statements):
        batch: list[Statement] = []
        ids: list[str] = []
        while index < len(statements) and len(batch) < _BATCH:
            statement = statements[index]
            if batch and len(ids) + statement.count > _BATCH_IDS:
                break
            batch.append(statement)
            if statement._ids:
                ids.extend(statement._ids.split("\x00"))
            index += 1
        found: dict[str, list[Transaction]] = {s.account.number: [] for s in batch}
        for tx in ledger.purchases(ids) if ids else ():
            bucket = found.get(tx.account)
            if bucket is not None:
                bucket.append(tx)
        for statement in batch:
            yield statement, statement._select(found[statement.account.number])
