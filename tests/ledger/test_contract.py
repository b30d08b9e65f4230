"""The reference ledgers pass the Ledger contract suite of onaccount.testing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from onaccount import MemoryLedger
from onaccount.ledger import Ledger
from onaccount.ledger.sql import SQLLedger
from onaccount.testing import LedgerContract
from tests.conftest import postgres_url
from tests.ledger.sql_support import fresh_postgres

# The contract closes each ledger it makes (LedgerContract.close_ledger calls close()).


class TestMemoryLedger(LedgerContract):
    def make_ledger(self) -> Ledger:
        return MemoryLedger()


class TestSQLiteLedger(LedgerContract):
    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path: Path) -> None:
        self._tmp = tmp_path

    def make_ledger(self) -> Ledger:
        return SQLLedger(self._tmp / f"{uuid.uuid4().hex}.sqlite", upgrade=True)


class TestPostgreSQLLedger(LedgerContract):
    def make_ledger(self) -> Ledger:
        return fresh_postgres(postgres_url())
