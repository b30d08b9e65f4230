"""What the accounting exporters agree on: invoice numbers, invoice dates, drafts.

The ``ubl``, ``sepa`` and ``journal`` exporters give an account invoice the same number
and date (a journal booked on the period's last day keeps the number), so an e-invoice,
its direct debit and its journal entry can be matched:

- a committed run's account invoice is number ``<run key>-<account number>`` (the run
  id when the run has no key), dated the day the run was committed, in the period's
  time zone;
- a statement or a plan is a draft: ``DRAFT-<period>-<account number>``, dated the day
  after the period, since nothing was committed yet.

An undone account invoice is no invoice any more: these exporters leave it out.

One rule for the total, the same in every format:

- a zero total is no document: no invoice, no journal entry, no direct debit; the
  export report lists the account under "nothing to invoice";
- a negative total (returns outweigh purchases) is a credit note: a UBL
  ``CreditNote``, a journal entry with debit and credit swapped; a direct debit
  cannot be negative, so the ``sepa`` exporter leaves it out with that reason.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from onaccount import Account
from onaccount.exporting import DocumentKind, ExportDocument, ExportedAccount

from ._checks import text

__all__ = [
    "debtor_name",
    "invoice_date",
    "invoice_number",
    "invoiced",
    "is_credit",
    "is_draft",
    "nothing_to_invoice",
]


def is_draft(document: ExportDocument) -> bool:
    """Whether ``document`` is a statement or a plan, not a committed run."""
    return document.kind is not DocumentKind.RUN


def invoice_number(document: ExportDocument, entry: ExportedAccount) -> str:
    """The invoice number of ``entry``: from the run key (or id) and the account number."""
    account = entry.account.number
    if is_draft(document):
        number = f"DRAFT-{document.period.label}-{account}"
    else:
        number = f"{document.run_key or document.run_id}-{account}"
    # A key or account number of nothing but control characters still leaves the rest.
    return text(number) or number


def debtor_name(account: Account) -> str:
    """The name ``account`` has as a debtor: its billing name, else the account's name.

    The debtors file, the journal, the auditfile, UBL and SEPA name a debtor so, the same
    in each.
    """
    billing = account.billing
    return (billing.name if billing is not None else None) or account.name


def invoice_date(document: ExportDocument) -> dt.date:
    """The invoice date: the run's commit day in the period's time zone, else after it."""
    if document.created_at is None:
        return document.period.last + dt.timedelta(days=1)
    return document.created_at.astimezone(zoneinfo.ZoneInfo(document.period.tz)).date()


def invoiced(document: ExportDocument) -> tuple[ExportedAccount, ...]:
    """The billable account invoices with a total: each one is a document."""
    return tuple(entry for entry in document.billed if not entry.total.is_zero())


def nothing_to_invoice(document: ExportDocument) -> tuple[str, ...]:
    """The numbers of the billable accounts whose total is zero: no document for them."""
    return tuple(entry.account.number for entry in document.billed if entry.total.is_zero())


def is_credit(entry: ExportedAccount) -> bool:
    """Whether ``entry``'s total is negative, so its document is a credit note."""
    return entry.total < 0
