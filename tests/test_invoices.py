"""Plans' drafts and runs' invoices: what they say about the account they bill."""

from __future__ import annotations

from onaccount.testing import sample_plan, sample_run


def test_a_draft_is_in_its_account_s_currency() -> None:
    """AccountInvoiceDraft.currency is the account's currency, as its statement's is."""
    drafts = sample_plan().drafts
    assert [d.currency for d in drafts] == [d.account.currency for d in drafts]
    assert {d.currency for d in drafts} == {"EUR", "JPY"}
    assert all(d.currency == d.statement.currency for d in drafts)


def test_an_invoice_is_in_its_account_s_currency() -> None:
    """AccountInvoice.currency is the account's currency, as its statement's is."""
    invoices = sample_run().invoices
    assert [i.currency for i in invoices] == [i.account.currency for i in invoices]
    assert {i.currency for i in invoices} == {"EUR", "JPY"}
    assert all(i.currency == i.statement.currency for i in invoices)
