"""What the accounting exporters agree on: invoice numbers, invoice dates, drafts.

The ``ubl``, ``sepa`` and ``journal`` exporters give an account invoice the same number
and date, so an e-invoice, its direct debit and its journal entry can be matched:

- a committed run's account invoice is number ``<run key>-<account number>`` (the run
  id when the run has no key), dated the day the run was committed, in the period's
  time zone;
- a statement or a plan is a draft: ``DRAFT-<period>-<account number>``, dated the day
  after the period, since nothing was committed yet.

An undone account invoice is no invoice any more: these exporters leave it out.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from onaccount.exporting import DocumentKind, ExportDocument, ExportedAccount

from ._checks import text

__all__ = ["billable", "invoice_date", "invoice_number", "is_draft"]

_UNDONE = "undone"


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


def invoice_date(document: ExportDocument) -> dt.date:
    """The invoice date: the run's commit day in the period's time zone, else after it."""
    if document.created_at is None:
        return document.period.last + dt.timedelta(days=1)
    return document.created_at.astimezone(zoneinfo.ZoneInfo(document.period.tz)).date()


def billable(document: ExportDocument) -> tuple[ExportedAccount, ...]:
    """The account invoices to write, in account order: every one that is not undone."""
    return tuple(entry for entry in document.accounts if entry.state != _UNDONE)
