"""The exporters that ship with onaccount, registered through the ``onaccount`` entry point.

They go through the same plugin path as third-party exporters: the entry point
``builtin = "onaccount_exporters"`` names this module, whose hook adds them.

- ``csv`` and ``xlsx``: tables of lines, days and per-account totals.
- ``ubl``: Peppol BIS Billing 3.0 (EN 16931) invoices and credit notes, one per account
  invoice, in a zip.
- ``sepa``: a SEPA direct debit collection (pain.008) of a run; needs the ``sepa`` extra
  to write, and says so.
- ``journal``: one balanced journal entry per account invoice, as CSV.
- ``debtors``: the journal's debtors (relations) with their master data, as CSV.
- ``xaf``: the journal, its debtors and VAT codes as an XML Auditfile Financieel 3.2.

The accounting exporters share the seller's identity (`SellerOptions`) and one rule
for totals: a zero total is no document, a negative one a credit note. They refuse
account invoices that lack what their format requires, naming the account and the
field; see `ExportRefusal`.
"""

from onaccount import _exports

from ._csv import CsvExporter, CsvOptions
from ._debtors import DebtorsExporter, DebtorsOptions
from ._errors import ExportRefusal, ExportRefused, ExtraNotInstalled
from ._hook import onaccount_register_exporters
from ._journal import JournalExporter, JournalOptions, LedgerAccounts, next_journal_entry
from ._seller import SellerOptions
from ._sepa import SepaExporter, SepaOptions, current_billing, previous_mandates
from ._ubl import UblExporter, UblOptions
from ._xaf import XafExporter, XafOptions
from ._xlsx import XlsxExporter, XlsxOptions

__all__ = [
    "CsvExporter",
    "CsvOptions",
    "DebtorsExporter",
    "DebtorsOptions",
    "ExportRefusal",
    "ExportRefused",
    "ExtraNotInstalled",
    "JournalExporter",
    "JournalOptions",
    "LedgerAccounts",
    "SellerOptions",
    "SepaExporter",
    "SepaOptions",
    "UblExporter",
    "UblOptions",
    "XafExporter",
    "XafOptions",
    "XlsxExporter",
    "XlsxOptions",
    "current_billing",
    "next_journal_entry",
    "onaccount_register_exporters",
    "previous_mandates",
]

_exports.export(__name__, globals(), __all__)
