"""One shape for everything an exporter writes: statements, plans and runs alike.

`export_document` turns a `Statement`, `Plan` or `InvoiceRun` into an `ExportDocument`:
the accounts in number order, each with its statement and, for plans and runs, its
balance and limit before and after. Exporters read rows from it instead of handling three
input types each.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import itertools
import zoneinfo
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import NamedTuple, TypeAlias

import attrs

from onaccount._account import Account
from onaccount._invoices import (
    AccountInvoice,
    AccountInvoiceDraft,
    InvoiceRun,
    InvoiceState,
    Plan,
)
from onaccount._money import VatCategory, line_amount, minor_unit, pad_amount
from onaccount._period import Period
from onaccount._statement import PurchaseReader, Statement, purchases_in_batches
from onaccount._transaction import Line, Purchase
from onaccount._words import a_type

from ._errors import LedgerRequired, UnsupportedSource
from ._report import ExportProgress, tracked

__all__ = [
    "DayRow",
    "DocumentKind",
    "ExportDocument",
    "Exportable",
    "ExportedAccount",
    "LineRow",
    "export_document",
    "pad_amount",
    "split_by_account",
    "vat_label",
]

#: What an exporter writes: one account's statement, a plan (a preview) or a committed run.
Exportable: TypeAlias = Statement | Plan | InvoiceRun

_ZERO = Decimal(0)
_UNDONE = InvoiceState.UNDONE.value
_TICK = dt.timedelta(microseconds=1)
_UTC = dt.UTC


class DocumentKind(enum.Enum):
    """What an export was made from."""

    STATEMENT = "statement"
    PLAN = "plan"
    RUN = "run"


@attrs.frozen(kw_only=True)
class ExportedAccount:
    """One account in an export: its statement and, for plans and runs, the correction.

    ``state`` is ``"statement"`` for a bare statement, ``"planned"`` for a plan's draft and
    ``"active"`` or ``"undone"`` for a run's account invoice, which an undone one has the
    instant of in ``undone_at``. Balances and limits are None for a bare statement, which
    knows neither.
    """

    statement: Statement
    state: str
    balance_before: Decimal | None = None
    balance_after: Decimal | None = None
    limit_before: Decimal | None = None
    limit_after: Decimal | None = None
    invoice_id: str | None = None
    undone_at: dt.datetime | None = None

    @property
    def account(self) -> Account:
        """The account."""
        return self.statement.account

    @property
    def currency(self) -> str:
        """The account's currency."""
        return self.statement.account.currency

    @property
    def total(self) -> Decimal:
        """The amount invoiced (or, for a statement, purchased) in the period."""
        return self.statement.total

    def vat_by_rate(self) -> dict[tuple[VatCategory, Decimal], Decimal]:
        """The VAT amount per (category, rate), exemption reasons merged."""
        return self._by_rate("tax")

    def net_by_rate(self) -> dict[tuple[VatCategory, Decimal], Decimal]:
        """The amount without VAT per (category, rate), exemption reasons merged.

        What a VAT return asks for beside the VAT: the revenue at each rate.
        """
        return self._by_rate("net")

    def _by_rate(self, part: str) -> dict[tuple[VatCategory, Decimal], Decimal]:
        result: dict[tuple[VatCategory, Decimal], Decimal] = {}
        for row in self.statement.vat:
            key = (row.vat.category, row.vat.rate)
            result[key] = result.get(key, _ZERO) + getattr(row, part)
        return result

    @property
    def net(self) -> Decimal:
        """The total without VAT."""
        return sum((row.net for row in self.statement.vat), _ZERO)

    @property
    def tax(self) -> Decimal:
        """The VAT in the total."""
        return sum((row.tax for row in self.statement.vat), _ZERO)


class LineRow(NamedTuple):
    """One purchase line placed on its business date.

    A tuple rather than an attrs class: exports build one per line, and the ledger
    validated these values already.
    """

    date: dt.date
    time: dt.time
    account: Account
    transaction: str
    line: Line
    amount: Decimal
    currency: str


class DayRow(NamedTuple):
    """One account's purchases on one business date."""

    date: dt.date
    account: Account
    purchases: int
    total: Decimal
    currency: str


@attrs.frozen(kw_only=True)
class ExportDocument:
    """A statement, plan or run as exporters see it, accounts in number order.

    ``ledger`` is where the purchases are read again (`lines`, `purchases_by_account`):
    the ledger the statement, plan or run came from. Exports that write only totals,
    days and products do without it.
    """

    kind: DocumentKind
    period: Period
    accounts: tuple[ExportedAccount, ...]
    strategy: str | None = None
    run_id: str | None = None
    run_key: str | None = None
    created_at: dt.datetime | None = None
    ledger: PurchaseReader | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def billed(self) -> tuple[ExportedAccount, ...]:
        """The accounts the document bills: every one but a run's undone invoices.

        An undone invoice bills nothing any more (its purchases may be billed again by
        another run), so every table and invoice export leaves it out; `accounts` still
        lists it, for exports of what happened.
        """
        return tuple(entry for entry in self.accounts if entry.state != _UNDONE)

    @property
    def totals(self) -> dict[str, Decimal]:
        """What the document bills per currency (`billed`), sorted by currency code."""
        totals: dict[str, Decimal] = {}
        for entry in self.billed:
            totals[entry.currency] = totals.get(entry.currency, _ZERO) + entry.total
        return dict(sorted(totals.items()))

    @property
    def title(self) -> str:
        """A short title such as ``run 2026-10`` or ``statement 1042 2026-10``."""
        if self.kind is DocumentKind.STATEMENT and len(self.accounts) == 1:
            return f"statement {self.accounts[0].account.number} {self.period.label}"
        return f"{self.kind.value} {self.period.label}"

    def vat_rates(self) -> tuple[tuple[VatCategory, Decimal], ...]:
        """Every (category, rate) any billed account has, in breakdown order."""
        keys = {key for entry in self.billed for key in entry.vat_by_rate()}
        return tuple(sorted(keys, key=lambda k: (k[0].value, k[1])))

    def lines(self, progress: ExportProgress | None = None) -> Iterator[LineRow]:
        """Every billed purchase line: by account, business date, instant and receipt order.

        ``time`` is the local wall-clock time in the period's time zone, without a zone,
        as spreadsheets want it. ``progress`` hears of the accounts done.
        """
        for entry, purchases in self.purchases_by_account(progress):
            yield from self._lines(entry, purchases)

    def lines_of(self, entry: ExportedAccount) -> Iterator[LineRow]:
        """The lines of one of the document's accounts, as `lines` gives them."""
        return self._lines(entry, self.purchases_of(entry))

    @staticmethod
    def _lines(
        entry: ExportedAccount, purchases: Iterable[tuple[dt.date, dt.time, Purchase]]
    ) -> Iterator[LineRow]:
        account = entry.account
        currency = account.currency
        quantum = minor_unit(currency)
        # A canteen sells a few products at a few quantities: each amount is worked out
        # once per price and quantity, and the rows share one Decimal for it.
        amounts: dict[Decimal, dict[Decimal, Decimal]] = {}
        for date, local, purchase in purchases:
            tx_id = purchase.id
            for line in purchase.lines:
                price, quantity = line.unit_price, line.quantity
                by_quantity = amounts.get(price)
                if by_quantity is None:
                    by_quantity = amounts[price] = {}
                amount = by_quantity.get(quantity)
                if amount is None:
                    amount = by_quantity[quantity] = line_amount(quantity, price, quantum)
                yield LineRow(date, local, account, tx_id, line, amount, currency)

    def purchases_of(self, entry: ExportedAccount) -> Iterator[tuple[dt.date, dt.time, Purchase]]:
        """One account's purchases in time order, each with its business date and local time.

        Purchases are read again from the ledger, one account at a time, so a run of any
        size is written without holding its purchases in memory.
        """
        return _Placer(self.period).place(entry.statement.purchases(self._ledger()))

    def purchases_by_account(
        self, progress: ExportProgress | None = None
    ) -> Iterator[tuple[ExportedAccount, Iterator[tuple[dt.date, dt.time, Purchase]]]]:
        """Every billed account with its purchases, as `purchases_of` gives them, in order.

        The ledger is asked for a few hundred accounts' purchases at a time rather than
        for each account on its own; memory holds one such batch. ``progress`` hears
        of each account when the next is asked for (and of the last at the end).
        """
        entries = self.billed
        place = _Placer(self.period).place
        batches = purchases_in_batches(self._ledger(), [entry.statement for entry in entries])
        for entry, (_, purchases) in zip(tracked(entries, progress), batches, strict=True):
            yield entry, place(purchases)

    def _ledger(self) -> PurchaseReader:
        if self.ledger is None:
            raise LedgerRequired(
                f"the export of {self.title} reads its purchases back, and no ledger was "
                "given to read them from; pass ledger= (the ledger the statement, plan or "
                "run came from) to the export",
                value=None,
                obj=self,
                field="ledger",
            )
        return self.ledger

    def days(self, progress: ExportProgress | None = None) -> Iterator[DayRow]:
        """Every billed account's total per business date with purchases."""
        for entry in tracked(self.billed, progress):
            for day in entry.statement.days:
                yield DayRow(day.date, entry.account, day.count, day.total, entry.currency)


class _Placer:
    """Puts instants on their business date and local wall-clock time in a period."""

    __slots__ = ("_bounds", "_dates", "_offsets", "_period", "_zone")

    def __init__(self, period: Period) -> None:
        self._period = period
        self._zone = zoneinfo.ZoneInfo(period.tz)
        self._bounds = bounds = period.day_bounds()
        self._dates = period.days()
        # The UTC offset of each business day, or None for a day whose clocks change: on
        # every other day adding it is a quarter of the cost of converting each instant.
        offsets: list[dt.timedelta | None] = []
        for start, end in itertools.pairwise(bounds):
            offset = start.astimezone(self._zone).utcoffset()
            last = (end - _TICK).astimezone(self._zone).utcoffset()
            offsets.append(offset if offset == last else None)
        self._offsets = offsets

    def place(self, purchases: Iterable[Purchase]) -> Iterator[tuple[dt.date, dt.time, Purchase]]:
        bounds, dates, offsets, zone = self._bounds, self._dates, self._offsets, self._zone
        days = len(dates)
        right = bisect.bisect_right
        for purchase in purchases:
            at = purchase.at
            day = right(bounds, at) - 1
            if 0 <= day < days:
                offset = offsets[day]
                if offset is not None and at.tzinfo is _UTC:
                    yield dates[day], (at + offset).time(), purchase
                    continue
                yield dates[day], at.astimezone(zone).time(), purchase
                continue
            # Outside the period: a statement holds none, but the calendar still knows.
            yield self._period.business_date(at), at.astimezone(zone).time(), purchase


def _from_draft(draft: AccountInvoiceDraft) -> ExportedAccount:
    return ExportedAccount(
        statement=draft.statement,
        state="planned",
        balance_before=draft.balance_before,
        balance_after=draft.balance_after,
        limit_before=draft.limit_before,
        limit_after=draft.limit_after,
    )


def _from_invoice(invoice: AccountInvoice) -> ExportedAccount:
    return ExportedAccount(
        statement=invoice.statement,
        state=invoice.state.value,
        balance_before=invoice.balance_before,
        balance_after=invoice.balance_after,
        limit_before=invoice.limit_before,
        limit_after=invoice.limit_after,
        invoice_id=invoice.id,
        undone_at=invoice.undone_at,
    )


def _order(entry: ExportedAccount) -> tuple[str, str]:
    return (entry.account.number, entry.invoice_id or "")


def export_document(source: Exportable, ledger: PurchaseReader | None = None) -> ExportDocument:
    """``source`` as an `ExportDocument` reading purchases from ``ledger``.

    Raises `UnsupportedSource` for anything but a statement, plan or run.
    """
    # Hosts pass whatever they have; check the value, not just its declared type.
    checked: object = source
    if isinstance(checked, Statement):
        return ExportDocument(
            kind=DocumentKind.STATEMENT,
            period=checked.period,
            accounts=(ExportedAccount(statement=checked, state="statement"),),
            ledger=ledger,
        )
    if isinstance(checked, Plan):
        return ExportDocument(
            kind=DocumentKind.PLAN,
            period=checked.period,
            strategy=checked.strategy.name,
            accounts=tuple(sorted(map(_from_draft, checked.drafts), key=_order)),
            ledger=ledger,
        )
    if isinstance(checked, InvoiceRun):
        return ExportDocument(
            kind=DocumentKind.RUN,
            period=checked.period,
            strategy=checked.strategy,
            run_id=checked.id,
            run_key=checked.key,
            created_at=checked.created_at,
            accounts=tuple(sorted(map(_from_invoice, checked.invoices), key=_order)),
            ledger=ledger,
        )
    raise _unsupported(checked)


def _unsupported(source: object) -> UnsupportedSource:
    return UnsupportedSource(
        f"cannot export {source!r}, {a_type(source)}; pass a Statement, a Plan or an InvoiceRun",
        value=source,
        field="source",
    )


def split_by_account(source: Exportable) -> tuple[tuple[Account, Exportable], ...]:
    """``source`` cut into one source per account, in account number order.

    A statement is one account already; a plan keeps one draft (and that account's
    warnings) per part; a run keeps one account invoice per part, of those that stand:
    an undone one bills nothing, and its file would be blank.
    """
    checked: object = source
    if isinstance(checked, Statement):
        return ((checked.account, checked),)
    if isinstance(checked, Plan):
        plan = checked
        drafts = sorted(plan.drafts, key=lambda d: d.account.number)
        return tuple(
            (
                draft.account,
                attrs.evolve(
                    plan,
                    drafts=(draft,),
                    refusals=(),
                    nothing_to_invoice=(),
                    warnings=tuple(w for w in plan.warnings if w.account == draft.account.number),
                ),
            )
            for draft in drafts
        )
    if isinstance(checked, InvoiceRun):
        run = checked
        standing = (i for i in run.invoices if i.state is not InvoiceState.UNDONE)
        invoices = sorted(standing, key=lambda i: (i.account.number, i.id))
        return tuple(
            (invoice.account, attrs.evolve(run, invoices=(invoice,))) for invoice in invoices
        )
    raise _unsupported(checked)


def vat_label(category: VatCategory, rate: Decimal) -> str:
    """A column-friendly label for a VAT category and rate, e.g. ``S 21%`` or ``E 0%``."""
    percent = (rate * 100).normalize()
    # normalize() writes 20 as 2E+1; labels want the plain form.
    if percent == percent.to_integral():
        percent = percent.quantize(Decimal(1))
    return f"{category.value} {percent}%"
