"""The values of invoice runs: plans, their drafts and refusals, runs and account invoices.

Storage depends on these types, planning builds them: they live apart from both, so the
ledgers never import planning.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

import attrs

from ._account import Account, AccountKind
from ._errors import NotInvoiceable, UnknownRun
from ._money import minor_unit
from ._period import Period
from ._query import AccountQuery, AccountState
from ._statement import Statement
from ._strategies import Correction, ResetStrategy
from ._transaction import Mutation
from ._words import NAMED, counted, named

__all__ = [
    "AccountInvoice",
    "AccountInvoiceDraft",
    "InvoiceRun",
    "InvoiceState",
    "OverLimitWarning",
    "Plan",
    "Refusal",
    "RefusalReason",
    "Selection",
    "UninvoicedWarning",
    "no_invoice_for",
    "refusal_reasons",
]

_ZERO = Decimal(0)

#: Which accounts a run covers: explicit account numbers, or a query.
Selection = Sequence[str] | AccountQuery


class RefusalReason(enum.Enum):
    """Why an account in a plan cannot be invoiced."""

    CREDIT_ACCOUNT = "credit-account"
    CREDIT_BOOKINGS_IN_PERIOD = "credit-bookings-in-period"
    UNKNOWN_ACCOUNT = "unknown-account"
    CURRENCY_MISMATCH = "currency-mismatch"


@attrs.frozen
class Refusal:
    """An account a plan will not invoice, with the reason and what to do."""

    account: str
    reason: RefusalReason
    message: str
    transactions: tuple[str, ...] = ()


@attrs.frozen
class UninvoicedWarning:
    """Purchases before the period that no run has invoiced yet."""

    account: str
    count: int
    total: Decimal
    oldest: dt.datetime

    @property
    def message(self) -> str:
        """A sentence for the administrator."""
        return (
            f"account {self.account} has {counted(self.count, 'purchase')} totalling {self.total} "
            f"before this period that no run has invoiced, the oldest on "
            f"{self.oldest.date().isoformat()}; plan a run over an earlier period to bill them"
        )


@attrs.frozen(kw_only=True)
class OverLimitWarning:
    """An undo or an import left the account with less than no spending room."""

    account: str
    label: str
    balance: Decimal
    limit: Decimal
    spending_room: Decimal
    #: When it went over, as the sentence says it: ``again after the undo``.
    after: str = "again after the undo"
    #: A credit (prepaid) account, which has no limit to raise: it is below zero.
    credit: bool = False
    #: The account's currency, for writing the amounts; an account's default if not given.
    currency: str = "EUR"

    @classmethod
    def of(cls, state: AccountState, after: str) -> OverLimitWarning:
        """The warning for the account ``state`` holds, which went over its limit ``after``."""
        return cls(
            account=state.account.number,
            label=state.account.label,
            balance=state.balance,
            limit=state.limit,
            spending_room=state.spending_room,
            after=after,
            credit=state.account.kind is AccountKind.CREDIT,
            currency=state.account.currency,
        )

    @property
    def message(self) -> str:
        """A sentence for the administrator."""
        return self.text()

    def text(self, amount: Callable[[Decimal], str] = str) -> str:
        """The sentence with each amount written by ``amount``, as a locale writes it."""
        if self.credit:
            return (
                f"credit account {self.label} is below zero {self.after}: balance "
                f"{amount(self.balance)}; new purchases will be refused until it is topped up"
            )
        return (
            f"account {self.label} is over its limit {self.after}: spending room "
            f"{amount(self.spending_room)} (balance {amount(self.balance)}, limit "
            f"{amount(self.limit)}); new purchases will be refused until a payment is "
            "booked or the limit is raised"
        )


@attrs.frozen(kw_only=True)
class AccountInvoiceDraft:
    """What a run would do to one account: its statement and the correction."""

    state: AccountState
    statement: Statement
    correction: Correction

    @property
    def account(self) -> Account:
        """The account invoiced."""
        return self.state.account

    @property
    def currency(self) -> str:
        """The account's currency, in which every amount here is."""
        return self.state.account.currency

    @property
    def total(self) -> Decimal:
        """The amount invoiced, T."""
        return self.statement.total

    @property
    def balance_before(self) -> Decimal:
        """The balance when planned."""
        return self.state.balance

    @property
    def limit_before(self) -> Decimal:
        """The limit when planned."""
        return self.state.limit

    @property
    def balance_after(self) -> Decimal:
        """The balance once the correction is booked."""
        return self.state.balance + self.correction.balance_delta

    @property
    def limit_after(self) -> Decimal:
        """The limit once the correction is booked."""
        return self.state.limit + self.correction.limit_delta


def _totals(items: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for currency, amount in items:
        totals[currency] = totals.get(currency, _ZERO) + amount
    return dict(sorted(totals.items()))


@attrs.frozen(kw_only=True)
class Plan:
    """A dry run: per selected account a draft, a refusal, or nothing to invoice.

    Planning reads and never writes; planning twice over an unchanged ledger gives equal
    plans.
    """

    period: Period
    strategy: ResetStrategy
    actor: str
    drafts: tuple[AccountInvoiceDraft, ...]
    refusals: tuple[Refusal, ...]
    nothing_to_invoice: tuple[str, ...]
    warnings: tuple[UninvoicedWarning, ...]
    #: Whether the selection needed the bulk-invoice capability to plan. Committing
    #: decides again from the drafts, so changing this changes nothing.
    bulk: bool
    #: The currency asked for, if any.
    currency: str | None = None
    #: The accounts the plan covers: those selected, in number order.
    selected: tuple[str, ...] = ()
    #: When `plan_run` made the plan (None for one built otherwise). Not part of what it
    #: bills, nor of equality: under a run's key, it tells the plan a retry sends again
    #: from one made after an invoice of that run was undone.
    planned_at: dt.datetime | None = attrs.field(default=None, eq=False)

    @property
    def totals(self) -> dict[str, Decimal]:
        """The invoiced amount per currency, sorted by currency code."""
        return _totals((d.statement.currency, d.total) for d in self.drafts)

    @property
    def fingerprint(self) -> str:
        """A digest of what this plan would bill, which an idempotency key is bound to.

        It covers the period (with its zone and day start), the strategy, the currency,
        the selected accounts and per draft the purchase ids and total: two plans with
        equal fingerprints commit the same run.
        """
        digest = hashlib.sha256()
        period = self.period
        head = (
            period.first.isoformat(),
            period.last.isoformat(),
            period.tz,
            period.day_starts_at.isoformat(),
            self.strategy.name,
            self.currency or "",
            *self.selected,
        )
        # NUL never occurs in ids, numbers or names, so the joined parts cannot run together.
        digest.update("\x00".join(head).encode())
        for draft in sorted(self.drafts, key=lambda d: d.account.number):
            total = draft.total.quantize(minor_unit(draft.statement.currency))
            digest.update(f"\x01{draft.account.number}\x00{total}".encode())
            for tx_id in sorted(draft.statement.transaction_ids()):
                digest.update(f"\x00{tx_id}".encode())
        return digest.hexdigest()

    def raise_for_refusals(self) -> None:
        """Raise `NotInvoiceable` naming every refused account, if any was refused.

        For hosts that invoice one account at a time and want an exception rather than
        a list: a credit account then fails with the reason it cannot be invoiced.
        """
        if self.refusals:
            raise NotInvoiceable(
                "; ".join(refusal_reasons(self.refusals)),
                value=tuple(r.account for r in self.refusals),
                obj=self,
                field="refusals",
            )


def refusal_reasons(refusals: Sequence[Refusal]) -> list[str]:
    """The first `NAMED` refusals' reasons, then how many more accounts were refused."""
    reasons = [r.message for r in refusals[:NAMED]]
    if len(refusals) > NAMED:
        reasons.append(f"{counted(len(refusals) - NAMED, 'more account')} refused")
    return reasons


class InvoiceState(enum.Enum):
    """Whether an account invoice stands or was undone."""

    ACTIVE = "active"
    UNDONE = "undone"


@attrs.frozen(kw_only=True)
class AccountInvoice:
    """One account's part of a committed run."""

    id: str
    run_id: str
    statement: Statement
    balance_before: Decimal
    limit_before: Decimal
    correction: Correction
    mutation: Mutation | None
    state: InvoiceState = InvoiceState.ACTIVE
    undo_mutation: Mutation | None = None
    undone_at: dt.datetime | None = None
    undone_by: str | None = None
    undo_reason: str | None = None
    #: Set on the invoice `undo_invoice` returns when the undo left the account over its
    #: limit; not stored, and not part of equality.
    over_limit: OverLimitWarning | None = attrs.field(default=None, eq=False)

    @property
    def account(self) -> Account:
        """The account invoiced."""
        return self.statement.account

    @property
    def currency(self) -> str:
        """The account's currency, in which every amount here is."""
        return self.statement.account.currency

    @property
    def total(self) -> Decimal:
        """The amount invoiced, T."""
        return self.statement.total

    @property
    def balance_after(self) -> Decimal:
        """The balance right after the run's correction."""
        return self.balance_before + self.correction.balance_delta

    @property
    def limit_after(self) -> Decimal:
        """The limit right after the run's correction."""
        return self.limit_before + self.correction.limit_delta

    def transaction_ids(self) -> frozenset[str]:
        """The ids of the purchases this invoice bills."""
        return self.statement.transaction_ids()


@attrs.frozen(kw_only=True)
class InvoiceRun:
    """A committed run: an immutable record of what was invoiced and booked."""

    id: str
    key: str | None
    period: Period
    strategy: str
    actor: str
    created_at: dt.datetime
    invoices: tuple[AccountInvoice, ...]
    #: The `Plan.fingerprint` of the plan committed; None for runs stored before
    #: onaccount kept it.
    fingerprint: str | None = None
    #: The currency and the selected accounts of that plan (unknown for older runs).
    currency: str | None = None
    selected: tuple[str, ...] = ()

    @property
    def totals(self) -> dict[str, Decimal]:
        """The invoiced amount per currency over all account invoices, undone ones too."""
        return _totals((i.statement.currency, i.total) for i in self.invoices)

    @property
    def standing_totals(self) -> dict[str, Decimal]:
        """What the run still bills per currency: its invoices that were not undone."""
        return _totals(
            (i.statement.currency, i.total)
            for i in self.invoices
            if i.state is not InvoiceState.UNDONE
        )

    def with_balances(self, found: Mapping[str, tuple[Decimal, Decimal]]) -> InvoiceRun:
        """This run with each invoice's balance and limit before as ``found`` gives them.

        ``found`` maps account numbers to (balance, limit) as a ledger's ``commit_run``
        reads them with the accounts locked. Tills go on recording while a run is
        planned and built, so only there is the balance the one the correction lands
        on, the one an invoice must state. Accounts not in ``found`` keep theirs.
        """
        invoices = []
        for invoice in self.invoices:
            before = (invoice.balance_before, invoice.limit_before)
            now = found.get(invoice.account.number, before)
            if now != before:
                invoice = attrs.evolve(invoice, balance_before=now[0], limit_before=now[1])
            invoices.append(invoice)
        return attrs.evolve(self, invoices=tuple(invoices))

    def invoice_for(self, account: str) -> AccountInvoice:
        """The account invoice of ``account`` in this run."""
        for invoice in self.invoices:
            if invoice.account.number == account:
                return invoice
        numbers = [i.account.number for i in self.invoices[:NAMED]]
        raise no_invoice_for(self.id, account, numbers, len(self.invoices))


def no_invoice_for(
    run_id: str, account: str, invoiced: Sequence[str] = (), count: int | None = None
) -> UnknownRun:
    """The error for a run that holds no invoice for ``account``.

    ``invoiced`` are the first (up to `NAMED`) accounts the run did invoice and ``count``
    how many it invoiced in all; a ledger reads only those, never the whole run.
    """
    if count is None:
        count = len(invoiced)
    # A run over thousands of accounts would make this one line of tens of kilobytes.
    which = named("account", invoiced, count) if count else "no accounts"
    return UnknownRun(
        f"run {run_id} has no invoice for account {account}; it invoiced {which}",
        value=account,
        field="account",
    )
