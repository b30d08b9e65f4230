"""Hypothesis strategies for onaccount's domain types.

Host test suites and exporter plugins draw currencies, VAT, lines, accounts, periods,
instants, purchases, credit bookings, populated ledgers, plans and committed runs from
here::

    from hypothesis import given
    from onaccount.testing import strategies as oas

    @given(oas.runs())
    def test_export_sums_to_the_run(run): ...

Ledgers, plans and runs are drawn on a `MemoryLedger` unless ``ledger_factory`` gives
the host's own: a callable that returns a new, empty `Ledger` each time it is called.

The examples stay small so tests stay fast, and they lean on what breaks software: DST
nights and business days that start after midnight, returns (negative quantities),
currencies with 0, 2 and 3 minor-unit places, unit prices with more places than the
currency, and account or product names that a spreadsheet would execute (``=SUM(A1)``)
or that XML cannot hold (control characters). Everything shrinks towards a plain case:
EUR, 21 % VAT, Europe/Amsterdam, October 2026, days starting at midnight, and nothing
the example does not need: no payment before the period, credit booking inside it, limit
change, correction, run currency or undone invoice.

Needs Hypothesis, which the ``testing`` extra installs.
"""

from onaccount import _exports

from ._ledgers import (
    GeneratedLedger,
    GeneratedRun,
    generated_runs,
    ledgers,
    plans,
    reset_strategies,
    runs,
)
from ._values import (
    DAY_STARTS,
    DST_DATES,
    HOSTILE_TEXTS,
    TIME_ZONES,
    account_names,
    account_numbers,
    accounts,
    actors,
    billing_details,
    credit_bookings,
    currencies,
    day_starts,
    instants,
    lines,
    periods,
    purchases,
    time_zones,
    vats,
)

__all__ = [
    "DAY_STARTS",
    "DST_DATES",
    "HOSTILE_TEXTS",
    "TIME_ZONES",
    "GeneratedLedger",
    "GeneratedRun",
    "account_names",
    "account_numbers",
    "accounts",
    "actors",
    "billing_details",
    "credit_bookings",
    "currencies",
    "day_starts",
    "generated_runs",
    "instants",
    "ledgers",
    "lines",
    "periods",
    "plans",
    "purchases",
    "reset_strategies",
    "runs",
    "time_zones",
    "vats",
]

_exports.export(__name__, globals(), __all__)
