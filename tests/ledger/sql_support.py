"""Fresh SQL ledgers for tests."""

from __future__ import annotations

from onaccount.ledger._sql_schema import metadata
from onaccount.ledger.sql import SQLLedger, connect


def fresh_postgres(url: str) -> SQLLedger:
    """An SQLLedger on an emptied PostgreSQL test database."""
    engine = connect(url)
    metadata.drop_all(engine)
    engine.dispose()
    return SQLLedger(url, upgrade=True)
