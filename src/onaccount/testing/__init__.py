"""Helpers for the test suites of hosts and exporter plugins; needs the ``testing`` extra.

- `strategies`: Hypothesis strategies for every domain type, whole ledgers, plans and runs.
- `LedgerContract`: the checks every `Ledger` implementation must pass.
- `LedgerMachine`: a state machine that records, plans, commits and undoes in any order
  and checks DESIGN's guarantees after every step, on the reference or your own ledger.
- `ExporterContract`: the checks every exporter must pass; `isolated_registry` and the
  distribution helpers build plugin set-ups for tests.
- `assert_golden`: compares output with a stored golden file.
- ``sample_*``: a fixed statement, plan and run with stable ids and times.
"""

import importlib as _importlib

from onaccount import _exports
from onaccount._install import extra_missing as _extra_missing

# Said before the first import that needs them, rather than as a bare missing module.
try:
    for _module in ("hypothesis", "pytest"):
        _importlib.import_module(_module)
except ImportError as _error:
    raise _extra_missing("onaccount.testing", "testing", _error) from None
else:
    # A failing check then shows the values it compared, as a host's own asserts do:
    # pytest rewrites the asserts of the modules named before they are imported, below.
    _importlib.import_module("pytest").register_assert_rewrite(
        "onaccount.testing._contract",
        "onaccount.testing._ledger_contract",
        "onaccount.testing._machine",
    )

from onaccount.testing import strategies
from onaccount.testing._contract import ExporterContract, formula_cells
from onaccount.testing._golden import UPDATE_GOLDEN_VARIABLE, assert_golden
from onaccount.testing._ledger_contract import LedgerContract
from onaccount.testing._machine import LedgerMachine
from onaccount.testing._registry import entry_points_from, isolated_registry, write_distribution
from onaccount.testing._samples import (
    FORMULA_PRODUCT,
    SAMPLE_PERIOD,
    sample_ledger,
    sample_plan,
    sample_run,
    sample_statement,
)

__all__ = [
    "FORMULA_PRODUCT",
    "SAMPLE_PERIOD",
    "UPDATE_GOLDEN_VARIABLE",
    "ExporterContract",
    "LedgerContract",
    "LedgerMachine",
    "assert_golden",
    "entry_points_from",
    "formula_cells",
    "isolated_registry",
    "sample_ledger",
    "sample_plan",
    "sample_run",
    "sample_statement",
    "strategies",
    "write_distribution",
]

_exports.export(__name__, globals(), __all__)
