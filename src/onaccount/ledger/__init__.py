"""Storage: the `Ledger` protocol and the in-memory reference ledger."""

from __future__ import annotations

from ._memory import MemoryLedger
from ._protocol import Ledger, check_booking, limit_change

__all__ = ["Ledger", "MemoryLedger", "check_booking", "limit_change"]
