"""Code that runs in child processes for the SQL ledger's concurrency tests."""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from onaccount import (
    Actor,
    DuplicateTransaction,
    KeyInUse,
    Line,
    OnAccountError,
    Period,
    Purchase,
    RunConflict,
    Vat,
    change_limit,
    commit_run,
    plan_run,
)
from onaccount.ledger.sql import SQLLedger, upgrade

OCTOBER = Period.month(2026, 10, tz="Europe/Amsterdam")
ADMIN = Actor.superuser("worker")


def purchase(account: str, index: int, *, id: str) -> Purchase:
    """A small purchase on ``account`` inside October."""
    return Purchase(
        id=id,
        account=account,
        at=dt.datetime(2026, 10, 1 + index % 28, 12, tzinfo=dt.UTC) + dt.timedelta(seconds=index),
        lines=[Line(product="Koffie", quantity=1, unit_price=Decimal("2.40"), vat=Vat.zero())],
    )


def commit_after_barrier(target: str, numbers: list[str], barrier: Any, results: Any) -> None:
    """Plan a run over ``numbers``, wait for the rival, commit; report the outcome."""
    ledger = SQLLedger(target)
    plan = plan_run(ledger, OCTOBER, numbers, "zero-balance", actor=ADMIN)
    barrier.wait(timeout=60)
    try:
        run = commit_run(ledger, plan, actor=ADMIN)
    except RunConflict as error:
        results.put(("conflict", os.getpid(), error.message))
    else:
        ids = sorted(i for invoice in run.invoices for i in invoice.transaction_ids())
        results.put(("committed", run.id, ids))
    finally:
        ledger.close()


def till(target: str, account: str, name: str, count: int, started: Any, results: Any) -> None:
    """Record ``count`` purchases, as a till does, and report the ids recorded."""
    ledger = SQLLedger(target)
    started.set()
    recorded = []
    for index in range(count):
        booking = purchase(account, index, id=f"{name}-{index:04d}")
        ledger.record(booking, allow_over_limit=True)
        recorded.append(booking.id)
    results.put((name, recorded))
    ledger.close()


def record_after_barrier(
    target: str, account: str, index: int, id: str, barrier: Any, results: Any
) -> None:
    """Wait for the rivals, then send purchase ``id`` as a till does; report the outcome."""
    ledger = SQLLedger(target)
    try:
        booking = purchase(account, index, id=id)
        barrier.wait(timeout=60)
        results.put(("recorded", account, ledger.record_many([booking])))
    except DuplicateTransaction as error:
        results.put(("duplicate", account, error.message))
    finally:
        ledger.close()


def commit_and_freeze(target: str, numbers: list[str], frozen: Any) -> None:
    """Start committing a run, and stop dead once the run row is written.

    The parent kills this process with SIGKILL while it waits, in the middle of the
    commit's database transaction.
    """
    ledger = SQLLedger(target)
    plan = plan_run(ledger, OCTOBER, numbers, "limit-minus-invoiced", actor=ADMIN)

    @event.listens_for(ledger.engine, "after_execute")
    def _freeze(conn: Any, clauseelement: Any, *args: Any) -> None:
        if "onaccount_account_invoices" in str(clauseelement).split("(")[0]:
            frozen.set()
            time.sleep(600)

    commit_run(ledger, plan, actor=ADMIN)


def change_limit_after_barrier(
    target: str, number: str, limit: str, barrier: Any, results: Any
) -> None:
    """Wait for the rivals, set ``number``'s limit to ``limit``; report the outcome."""
    ledger = SQLLedger(target)
    try:
        barrier.wait(timeout=60)
        mutation = change_limit(ledger, number, limit, actor=ADMIN, reason=f"set to {limit}")
        results.put(("set", limit, str(mutation.limit_delta)))
    except OnAccountError as error:
        results.put(("refused", limit, error.message))
    finally:
        ledger.close()


def commit_keyed_after_barrier(
    target: str, numbers: list[str], strategy: str, key: str, barrier: Any, results: Any
) -> None:
    """Plan ``numbers`` over October with ``strategy``, wait, commit under ``key``."""
    ledger = SQLLedger(target)
    try:
        plan = plan_run(ledger, OCTOBER, numbers, strategy, actor=ADMIN)
        barrier.wait(timeout=60)
        run = commit_run(ledger, plan, actor=ADMIN, key=key)
        results.put(("committed", strategy, run.id))
    except KeyInUse as error:
        results.put(("key-in-use", strategy, error.message))
    finally:
        ledger.close()


def upgrade_after_barrier(target: str, barrier: Any, results: Any) -> None:
    """Wait for the rivals, then create or upgrade the schema; report the outcome."""
    try:
        barrier.wait(timeout=60)
        results.put(("upgraded", upgrade(target)))
    except Exception as error:  # reported to the test, which names it
        results.put(("failed", f"{type(error).__name__}: {error}"))
