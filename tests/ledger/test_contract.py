"""The reference ledgers pass the Ledger contract suite of onaccount.testing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from onaccount import MemoryLedger
from onaccount.ledger import Ledger
from onaccount.ledger.sql import SQLLedger
from onaccount.testing import LedgerContract
from tests.conftest import postgres_url
from tests.ledger.sql_support import fresh_postgres


class TestMemoryLedger(LedgerContract):
    def make_ledger(self) -> Ledger:
        return MemoryLedger()


class TestSQLiteLedger(LedgerContract):
    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path: Path) -> Iterator[None]:
        self._tmp = tmp_path
        self._opened: list[SQLLedger] = []
        yield
        for ledger in self._opened:
            ledger.close()

    def make_ledger(self) -> Ledger:
        ledger = SQLLedger(self._tmp / f"{uuid.uuid4().hex}.sqlite", upgrade=True)
        self._opened.append(ledger)
        return ledger


class TestPostgreSQLLedger(LedgerContract):
    @pytest.fixture(autouse=True)
    def _server(self) -> Iterator[None]:
        self._url = postgres_url()
        self._opened: list[SQLLedger] = []
        yield
        for ledger in self._opened:
            ledger.close()

    def make_ledger(self) -> Ledger:
        ledger = fresh_postgres(self._url)
        self._opened.append(ledger)
        return ledger
