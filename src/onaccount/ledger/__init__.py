"""Storage: the `Ledger` protocol and the in-memory reference ledger."""

from onaccount import _exports

from ._memory import MemoryLedger
from ._protocol import Ledger, check_booking, limit_change

__all__ = ["Ledger", "MemoryLedger", "check_booking", "limit_change"]

_exports.export(__name__, globals(), __all__)
