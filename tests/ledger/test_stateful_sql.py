"""The stateful property test of the runs, against the SQL ledgers."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings

from onaccount.ledger import Ledger
from onaccount.ledger.sql import SQLLedger
from onaccount.testing import LedgerMachine
from tests.conftest import postgres_url
from tests.ledger.sql_support import fresh_postgres


class SQLiteLedgerMachine(LedgerMachine):
    """The machine on a fresh SQLite file per example."""

    def make_ledger(self) -> Ledger:
        self._directory = Path(tempfile.mkdtemp(prefix="onaccount-stateful-"))
        return SQLLedger(self._directory / "ledger.sqlite", upgrade=True)

    def teardown(self) -> None:
        super().teardown()
        shutil.rmtree(self._directory, ignore_errors=True)


class PostgreSQLLedgerMachine(LedgerMachine):
    """The machine on an emptied PostgreSQL database per example."""

    def make_ledger(self) -> Ledger:
        return fresh_postgres(postgres_url())


# Fewer examples than the profile's on a real database per example; the rules filter
# states that do not apply to the accounts drawn.
_SETTINGS = {
    "stateful_step_count": 25,
    "suppress_health_check": [HealthCheck.filter_too_much],
}
SQLiteLedgerMachine.TestCase.settings = settings(max_examples=30, **_SETTINGS)
PostgreSQLLedgerMachine.TestCase.settings = settings(max_examples=15, **_SETTINGS)
TestSQLiteLedgerMachine = SQLiteLedgerMachine.TestCase
TestPostgreSQLLedgerMachine = PostgreSQLLedgerMachine.TestCase
