"""The billing job stage by stage, beside a hand-written stdlib ``sqlite3`` script.

    python -m benchmarks.stages                         # 100,000 purchases, 10,000 accounts
    python -m benchmarks.stages --purchases 1000000     # the large size
    python -m benchmarks.stages --smoke                 # what CI runs: small, not a verdict
    python -m benchmarks.stages --json stages.json      # also write the results
    python -m benchmarks.stages --postgres URL          # PostgreSQL beside SQLite

Three parts, each on SQLite, each side run one after the other in every round of one
process (so both see the same machine), the median of ``--rounds`` rounds reported:

- the billing stages at ``--purchases`` over ``--accounts``: *read* the period's
  uninvoiced purchases, *plan* (read and group per account, business day, product and VAT
  rate), *commit* a plan made beforehand (one transaction), and *plan + commit*. The
  script reads the same rows with one ``SELECT``, groups them in Python with ``Decimal``
  and the period's own day bounds (so business days follow the zone, DST and the day
  start exactly as the library's do), and marks them invoiced in one transaction: each
  purchase's ``invoice_id`` and each account's balance. Both sides' totals are compared
  to the cent per account, day, product and VAT rate, and both must mark the same number
  of purchases, or the benchmark stops;
- undoing one account invoice and ``mutations_report`` for one account after a run over
  each of ``--sizes`` accounts (ten purchases per account): their time should not grow
  with the run;
- ``record_many``, the tills' path, against ``executemany`` of the very rows it stored
  (read back from its database), in the same batches, with the same balance updates;
- listing the runs (``list_runs``, which ``onaccount runs``, a journal's numbering and
  SEPA's earlier mandates read) after each of ``--months`` monthly runs over
  ``--history-accounts`` accounts, beside a script that reads each run's invoices with
  one ``SELECT`` and sums their totals from the stored JSON; both must list the same
  counts and totals. It grows with the history; the question is how fast;
- with ``--postgres URL``, plan + commit on PostgreSQL (the seeded rows copied into that
  database, which is emptied first, and reset between rounds) beside the same on SQLite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from benchmarks.baselines import PurchaseTuple, group
from benchmarks.data import PERIOD, accounts, purchases
from benchmarks.run import (
    MIN_ROUNDS,
    SMOKE_NOTE,
    BaselineDiffers,
    _footer,
    _machine,
    _rounds,
    seed_sqlite,
)
from onaccount import (
    AccountQuery,
    Actor,
    Line,
    Period,
    Plan,
    Purchase,
    Vat,
    commit_run,
    list_runs,
    mutations_report,
    plan_run,
    undo_invoice,
)
from onaccount.ledger.sql import SQLLedger, connect, upgrade

T = TypeVar("T")
ADMIN = Actor.superuser("bench")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: Purchases per account in the undo and report part, as in 100,000 over 10,000.
PER_ACCOUNT = 10
#: Purchases per ``record_many`` call (and per ``executemany`` transaction).
RECORD_BATCH = 1_000

# What the script reads: the purchases' ids, and the purchases as the baselines hold them.
HandRead = tuple[list[str], list[PurchaseTuple]]
# Per account: total per business date, (quantity, amount) per (product, unit price),
# gross per VAT rate, as `benchmarks.baselines.group` gives them.
Products = dict[tuple[str, Decimal], list[Decimal]]
Grouped = dict[str, tuple[dict[dt.date, Decimal], Products, dict[Decimal, Decimal]]]


# The hand-written script --------------------------------------------------------------


def _us(instant: dt.datetime) -> int:
    return (instant - EPOCH) // dt.timedelta(microseconds=1)


def hand_read(conn: sqlite3.Connection) -> HandRead:
    """The period's uninvoiced purchases with their lines, in account order."""
    bounds = PERIOD.day_bounds()
    rows = conn.execute(
        "SELECT t.id, t.account, t.at_us, l.product, l.code, l.quantity, l.unit_price, "
        "l.vat_rate FROM onaccount_transactions t "
        "JOIN onaccount_lines l ON l.transaction_id = t.id "
        "WHERE t.kind = 'purchase' AND t.at_us >= ? AND t.at_us < ? AND t.invoice_id IS NULL "
        "ORDER BY t.account, t.at_us, t.id, l.position",
        (_us(bounds[0]), _us(bounds[-1])),
    )
    ids: list[str] = []
    found: list[PurchaseTuple] = []
    account, at = "", EPOCH
    lines: list[tuple[str, str, Decimal, Decimal, Decimal]] = []
    for tx_id, number, at_us, product, code, quantity, price, rate in rows:
        if not ids or tx_id != ids[-1]:
            if ids:
                found.append((account, at, tuple(lines)))
            ids.append(tx_id)
            account, lines = number, []
            at = EPOCH + dt.timedelta(microseconds=at_us)
        lines.append((product, code or "", Decimal(quantity), Decimal(price), Decimal(rate)))
    if ids:
        found.append((account, at, tuple(lines)))
    return ids, found


def hand_group(read: HandRead) -> Grouped:
    """Totals per account: per business day, per product and price, gross per VAT rate.

    The day bounds are each business day's first instant in UTC, so bisecting them (as
    the baselines' grouping does) is the period's own rule, DST and day start included.
    """
    return group(read[1], PERIOD.day_bounds(), PERIOD.first)


def hand_commit(conn: sqlite3.Connection, read: HandRead, grouped: Grouped) -> None:
    """Mark the purchases invoiced and book each account's total, in one transaction."""
    run = uuid.uuid4().hex
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "UPDATE onaccount_transactions SET invoice_id = ? WHERE id = ?",
        ((run, tx_id) for tx_id in read[0]),
    )
    conn.executemany(
        "UPDATE onaccount_accounts SET balance_minor = balance_minor - ? WHERE number = ?",
        (
            (int(sum(days.values(), Decimal(0)) * 100), number)
            for number, (days, _products, _vat) in grouped.items()
        ),
    )
    conn.execute("COMMIT")


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


# Checks -------------------------------------------------------------------------------


def _ours_grouped(plan: Plan) -> Grouped:
    """The plan's statements in the script's shape, to compare to the cent."""
    grouped: Grouped = {}
    for draft in plan.drafts:
        statement = draft.statement
        products: Products = {}
        for p in statement.products:
            row = products.setdefault((p.product, p.unit_price), [Decimal(0), Decimal(0)])
            row[0] += p.quantity
            row[1] += p.amount
        grouped[draft.account.number] = (
            {d.date: d.total for d in statement.days},
            products,
            {v.vat.rate: v.gross for v in statement.vat},
        )
    return grouped


def check_same(ours: Grouped, hand: Grouped) -> None:
    """Stop the benchmark unless both sides came to the same totals, to the cent."""
    if ours.keys() != hand.keys():
        odd = sorted(ours.keys() ^ hand.keys())[:5]
        raise SystemExit(f"the sides invoice different accounts, for instance {odd}")
    for number in sorted(ours):
        if ours[number] != hand[number]:
            raise SystemExit(
                f"account {number}: onaccount groups {ours[number]!r}, the script {hand[number]!r}"
            )


def _invoiced(path: Path) -> int:
    conn = _connect(path)
    try:
        (count,) = conn.execute(
            "SELECT count(*) FROM onaccount_transactions WHERE invoice_id IS NOT NULL"
        ).fetchone()
    finally:
        conn.close()
    return int(count)


# Timing -------------------------------------------------------------------------------


def _clock(func: Callable[[], T]) -> tuple[float, T]:
    gc.collect()
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def _fresh(seeded: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(seeded, target)
    return target


def _numbers(ledger: SQLLedger) -> list[str]:
    return [s.account.number for s in ledger.find_accounts(AccountQuery())]


def _plan(ledger: SQLLedger) -> Plan:
    return plan_run(ledger, PERIOD, AccountQuery(), "zero-balance", actor=ADMIN)


def billing_stages(seeded: Path, work: Path, rounds: int) -> dict[str, Any]:
    """Read, plan, commit and plan + commit, each side in turn in every round."""
    target = work / "round.sqlite"
    # Each stage: (ours, the script); each side takes a fresh copy of the seeded
    # database and returns the seconds of its measured part.

    def read_ours() -> float:
        ledger = SQLLedger(_fresh(seeded, target))
        try:
            seconds, _ = _clock(
                lambda: sum(
                    1
                    for _ in ledger.transactions(
                        _numbers(ledger), PERIOD.start, PERIOD.end, uninvoiced=True
                    )
                )
            )
        finally:
            ledger.close()
        return seconds

    def read_hand() -> float:
        conn = _connect(_fresh(seeded, target))
        try:
            seconds, _ = _clock(lambda: hand_read(conn))
        finally:
            conn.close()
        return seconds

    def plan_ours() -> float:
        ledger = SQLLedger(_fresh(seeded, target))
        try:
            seconds, plan = _clock(lambda: _plan(ledger))
        finally:
            ledger.close()
        checks["ours"] = _ours_grouped(plan)
        return seconds

    def plan_hand() -> float:
        conn = _connect(_fresh(seeded, target))
        try:
            seconds, grouped = _clock(lambda: hand_group(hand_read(conn)))
        finally:
            conn.close()
        checks["hand"] = grouped
        return seconds

    def commit_ours() -> float:
        ledger = SQLLedger(_fresh(seeded, target))
        try:
            plan = _plan(ledger)
            seconds, _ = _clock(lambda: commit_run(ledger, plan, actor=ADMIN))
        finally:
            ledger.close()
        marked["ours"] = _invoiced(target)
        return seconds

    def commit_hand() -> float:
        conn = _connect(_fresh(seeded, target))
        try:
            found = hand_read(conn)
            grouped = hand_group(found)
            seconds, _ = _clock(lambda: hand_commit(conn, found, grouped))
        finally:
            conn.close()
        marked["hand"] = _invoiced(target)
        return seconds

    def both_ours() -> float:
        ledger = SQLLedger(_fresh(seeded, target))
        try:
            seconds, _ = _clock(lambda: commit_run(ledger, _plan(ledger), actor=ADMIN))
        finally:
            ledger.close()
        return seconds

    def both_hand() -> float:
        conn = _connect(_fresh(seeded, target))

        def job() -> None:
            found = hand_read(conn)
            hand_commit(conn, found, hand_group(found))

        try:
            seconds, _ = _clock(job)
        finally:
            conn.close()
        return seconds

    checks: dict[str, Grouped] = {}
    marked: dict[str, int] = {}
    stages = {
        "read": (read_ours, read_hand),
        "plan": (plan_ours, plan_hand),
        "commit": (commit_ours, commit_hand),
        "plan + commit": (both_ours, both_hand),
    }
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in stages}
    for _ in range(rounds):
        for name, (ours, hand) in stages.items():
            times[name][0].append(ours())
            times[name][1].append(hand())
        check_same(checks["ours"], checks["hand"])
        if marked["ours"] != marked["hand"]:
            raise SystemExit(
                f"onaccount marked {marked['ours']:,} purchases invoiced, "
                f"the script {marked['hand']:,}"
            )
    return {
        name: {"ours": statistics.median(o), "hand": statistics.median(h)}
        for name, (o, h) in times.items()
    } | {"invoiced_purchases": marked["ours"], "invoiced_accounts": len(checks["ours"])}


def undo_and_report(sizes: Sequence[int], work: Path, rounds: int) -> dict[str, Any]:
    """Undo one invoice and report one account's mutations after a run over each size."""
    committed: dict[int, tuple[Path, str, str]] = {}
    for n in sizes:
        path = work / f"committed-{n}.sqlite"
        seed_sqlite(path, n, n * PER_ACCOUNT)
        ledger = SQLLedger(path)
        run = commit_run(ledger, _plan(ledger), actor=ADMIN)
        ledger.close()
        committed[n] = (path, run.id, run.invoices[0].account.number)
        print(f"committed a run over {n:,} accounts", file=sys.stderr)
    target = work / "undo.sqlite"

    def undo_one(path: Path, run_id: str, number: str) -> float:
        ledger = SQLLedger(_fresh(path, target))
        try:
            seconds, _ = _clock(
                lambda: undo_invoice(ledger, run_id, number, actor=ADMIN, reason="benchmark")
            )
        finally:
            ledger.close()
        return seconds

    def report_one(path: Path, number: str) -> float:
        ledger = SQLLedger(path)
        try:
            seconds, _ = _clock(lambda: mutations_report(ledger, actor=ADMIN, account=number))
        finally:
            ledger.close()
        return seconds

    undo: dict[int, list[float]] = {n: [] for n in sizes}
    report: dict[int, list[float]] = {n: [] for n in sizes}
    for _ in range(rounds):
        for n in sizes:
            path, run_id, number = committed[n]
            undo[n].append(undo_one(path, run_id, number))
            report[n].append(report_one(path, number))
    return {
        str(n): {
            "undo": statistics.median(undo[n]),
            "mutations_report": statistics.median(report[n]),
        }
        for n in sizes
    }


# Run history: listing runs after months of them ----------------------------------------

#: A run's listing: (run id, account invoices, what it still bills per currency).
RunListing = list[tuple[str, int, dict[str, Decimal]]]


def hand_runs(conn: sqlite3.Connection) -> RunListing:
    """The script: each run's invoices and standing total per currency, from one SELECT."""
    listing: RunListing = []
    for run_id, rows in itertools.groupby(
        conn.execute(
            "SELECT r.id, i.state, i.account_data, i.statement_data "
            "FROM onaccount_runs r JOIN onaccount_account_invoices i ON i.run_id = r.id "
            "ORDER BY r.created_at_us, r.id, i.position"
        ),
        key=lambda row: row[0],
    ):
        count, standing = 0, dict[str, Decimal]()
        for _, state, account, statement in rows:
            count += 1
            if state != "undone":
                currency = json.loads(account)["currency"]
                total = Decimal(json.loads(statement)["total"])
                standing[currency] = standing.get(currency, Decimal(0)) + total
        listing.append((run_id, count, standing))
    return listing


def ours_runs(ledger: SQLLedger) -> RunListing:
    """The library: `list_runs`, as ``onaccount runs`` and a journal's numbering read them."""
    return [(r.id, len(r.invoices), r.standing_totals) for r in list_runs(ledger, actor=ADMIN)]


def _seed_history(path: Path, n_accounts: int, months: int) -> list[Path]:
    """``months`` monthly runs over ``n_accounts``; a copy of the file after each count."""
    upgrade(path)
    ledger = SQLLedger(path)
    ledger.open_accounts(accounts(n_accounts))
    numbers = _numbers(ledger)
    high, low = Vat.standard(Decimal("0.21")), Vat.standard(Decimal("0.09"))
    snapshots = []
    for month in range(1, months + 1):
        at = dt.datetime(2026, month, 10, 12, tzinfo=dt.UTC)
        lines = (
            Line(product="Koffie", quantity=1, unit_price=Decimal("2.50"), vat=high),
            Line(product="Tosti", quantity=2, unit_price=Decimal("3.75"), vat=low),
        )
        ledger.record_many(
            Purchase(id=f"h{month}-{n}", account=n, at=at, lines=lines) for n in numbers
        )
        period = Period.month(2026, month, tz=PERIOD.tz)
        commit_run(
            ledger, plan_run(ledger, period, numbers, "zero-balance", actor=ADMIN), actor=ADMIN
        )
        snapshot = path.with_name(f"{path.stem}-{month}.sqlite")
        ledger.close()
        shutil.copy(path, snapshot)
        snapshots.append(snapshot)
        ledger = SQLLedger(path)
    ledger.close()
    return snapshots


def history(n_accounts: int, months: Sequence[int], work: Path, rounds: int) -> dict[str, Any]:
    """List the runs after each of ``months`` monthly runs over ``n_accounts``."""
    snapshots = _seed_history(work / "history.sqlite", n_accounts, max(months))
    print(f"committed {max(months)} monthly runs over {n_accounts:,} accounts", file=sys.stderr)
    times: dict[int, dict[str, list[float]]] = {m: {"ours": [], "hand": []} for m in months}
    for _ in range(rounds):
        for m in months:
            ledger = SQLLedger(snapshots[m - 1])
            conn = _connect(snapshots[m - 1])
            try:
                ours_s, ours = _clock(lambda: ours_runs(ledger))  # noqa: B023  # called at once
                hand_s, hand = _clock(lambda: hand_runs(conn))  # noqa: B023  # called at once
            finally:
                ledger.close()
                conn.close()
            if ours != hand:
                raise BaselineDiffers(f"the run listings differ after {m} runs")
            times[m]["ours"].append(ours_s)
            times[m]["hand"].append(hand_s)
    return {
        str(m): {side: statistics.median(values) for side, values in times[m].items()}
        for m in months
    }


def _copy_to_postgres(seeded: Path, url: str) -> None:
    """The seeded SQLite ledger's rows, copied into an emptied PostgreSQL database."""
    from onaccount.ledger._sql_schema import metadata

    source = connect(seeded)
    target = connect(url)
    metadata.drop_all(target)
    with target.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS onaccount_schema")
    upgrade(target)
    with source.connect() as read, target.begin() as write:
        for table in metadata.sorted_tables:
            if table.name == "onaccount_schema":
                continue
            rows = read.execute(sa.select(table)).mappings()
            while batch := [dict(r) for r in itertools.islice(rows, 20_000)]:
                write.execute(sa.insert(table), batch)
    source.dispose()
    target.dispose()


def _reset_postgres(url: str, balances: list[tuple[str, int]]) -> None:
    """Undo what a committed run wrote, so each round starts from the seeded ledger."""
    engine = connect(url)
    with engine.begin() as conn:
        for table in ("onaccount_invoice_items", "onaccount_account_invoices"):
            conn.exec_driver_sql(f"DELETE FROM {table}")
        conn.exec_driver_sql("DELETE FROM onaccount_mutations")
        conn.exec_driver_sql("DELETE FROM onaccount_runs")
        conn.exec_driver_sql(
            "UPDATE onaccount_transactions SET invoice_id = NULL WHERE invoice_id IS NOT NULL"
        )
        conn.execute(
            sa.text(
                "UPDATE onaccount_accounts SET balance_minor = :b, limit_minor = "
                "opening_limit_minor, revision = 0 WHERE number = :n"
            ),
            [{"n": n, "b": b} for n, b in balances],
        )
    engine.dispose()


def postgres_beside_sqlite(seeded: Path, url: str, work: Path, rounds: int) -> dict[str, Any]:
    """Plan + commit on PostgreSQL beside the same on SQLite, in turn in every round."""
    started = time.perf_counter()
    _copy_to_postgres(seeded, url)
    print(f"copied to PostgreSQL in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    balances = _balances(seeded)
    target = work / "beside.sqlite"

    def on(ledger: SQLLedger) -> float:
        try:
            seconds, _ = _clock(lambda: commit_run(ledger, _plan(ledger), actor=ADMIN))
        finally:
            ledger.close()
        return seconds

    postgres: list[float] = []
    sqlite: list[float] = []
    for _ in range(rounds):
        _reset_postgres(url, balances)
        postgres.append(on(SQLLedger(url)))
        sqlite.append(on(SQLLedger(_fresh(seeded, target))))
    return {"postgres": statistics.median(postgres), "sqlite": statistics.median(sqlite)}


def _stored_rows(
    path: Path,
) -> tuple[list[str], list[tuple[Any, ...]], list[str], list[tuple[Any, ...]]]:
    """The transaction and line rows stored at ``path``, in the order they were inserted."""
    conn = _connect(path)
    try:
        heads = conn.execute("SELECT * FROM onaccount_transactions ORDER BY rowid")
        head_columns = [c[0] for c in heads.description]
        head_rows = heads.fetchall()
        lines = conn.execute("SELECT * FROM onaccount_lines ORDER BY rowid")
        line_columns = [c[0] for c in lines.description]
        line_rows = lines.fetchall()
    finally:
        conn.close()
    return head_columns, head_rows, line_columns, line_rows


def _balances(path: Path) -> list[tuple[str, int]]:
    conn = _connect(path)
    try:
        return conn.execute(
            "SELECT number, balance_minor FROM onaccount_accounts ORDER BY number"
        ).fetchall()
    finally:
        conn.close()


def record(n: int, count: int, work: Path, rounds: int) -> dict[str, Any]:
    """``record_many`` against ``executemany`` of the same rows, batch by batch."""
    empty = work / "accounts.sqlite"
    upgrade(empty)
    ledger = SQLLedger(empty)
    ledger.open_accounts(accounts(n))
    ledger.close()
    batches: list[list[Purchase]] = []
    for purchase in purchases(n, count, seed=11):
        if not batches or len(batches[-1]) == RECORD_BATCH:
            batches.append([])
        batches[-1].append(purchase)
    target = work / "record.sqlite"

    def ours() -> float:
        ledger = SQLLedger(_fresh(empty, target))

        def job() -> None:
            for batch in batches:
                ledger.record_many(batch, allow_over_limit=True)

        try:
            seconds, _ = _clock(job)
        finally:
            ledger.close()
        return seconds

    ours()
    expected = _balances(target)
    head_columns, head_rows, line_columns, line_rows = _stored_rows(target)
    # The same rows, cut into the same batches, with each batch's balance changes.
    batch_of = {p.id: i for i, batch in enumerate(batches) for p in batch}
    amount_at = head_columns.index("amount_minor")
    raw: list[tuple[list[Any], list[Any], dict[str, int]]] = [([], [], {}) for _ in batches]
    for row in head_rows:
        heads, _lines, deltas = raw[batch_of[row[0]]]
        heads.append(row)
        account = row[head_columns.index("account")]
        deltas[account] = deltas.get(account, 0) + row[amount_at]
    for row in line_rows:
        raw[batch_of[row[0]]][1].append(row)
    insert_head = (
        f"INSERT INTO onaccount_transactions ({', '.join(head_columns)}) "
        f"VALUES ({', '.join('?' * len(head_columns))})"
    )
    insert_line = (
        f"INSERT INTO onaccount_lines ({', '.join(line_columns)}) "
        f"VALUES ({', '.join('?' * len(line_columns))})"
    )

    def hand() -> float:
        conn = _connect(_fresh(empty, target))

        def job() -> None:
            for heads, lines, deltas in raw:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(insert_head, heads)
                conn.executemany(insert_line, lines)
                conn.executemany(
                    "UPDATE onaccount_accounts SET balance_minor = balance_minor + ? "
                    "WHERE number = ?",
                    ((delta, number) for number, delta in sorted(deltas.items())),
                )
                conn.execute("COMMIT")

        try:
            seconds, _ = _clock(job)
        finally:
            conn.close()
        return seconds

    hand()
    if _balances(target) != expected:
        raise SystemExit("executemany of the stored rows left other balances than record_many")
    ours_times, hand_times = [], []
    for _ in range(rounds):
        ours_times.append(ours())
        hand_times.append(hand())
    return {
        "purchases": count,
        "batch": RECORD_BATCH,
        "ours": statistics.median(ours_times),
        "hand": statistics.median(hand_times),
    }


# The command line ---------------------------------------------------------------------


def _ratio(ours: float, hand: float) -> str:
    return f"{ours / hand:>8.2f}" if hand > 0 else f"{'-':>8}"


def print_report(results: dict[str, Any]) -> None:
    """The three parts as tables: seconds per side and their ratio."""
    if results["smoke"]:
        print(SMOKE_NOTE)
    stages = results["stages"]
    print(
        f"billing stages on SQLite: {results['accounts']:,} accounts, "
        f"{results['purchases']:,} purchases ({stages['invoiced_purchases']:,} invoiced on "
        f"{stages['invoiced_accounts']:,} accounts), median of {results['rounds']} rounds"
    )
    print(f"{'stage':<16}{'onaccount s':>13}{'script s':>11}{'ratio':>8}")
    for name in ("read", "plan", "commit", "plan + commit"):
        row = stages[name]
        print(
            f"{name:<16}{row['ours']:>13.3f}{row['hand']:>11.3f}{_ratio(row['ours'], row['hand'])}"
        )
    sizes = results["undo_and_report"]
    first = sizes[min(sizes, key=int)]
    print(f"one account after a run over N accounts ({PER_ACCOUNT} purchases each), seconds")
    print(f"{'accounts':>10}{'undo':>10}{'growth':>8}{'report':>10}{'growth':>8}")
    for size in sorted(sizes, key=int):
        row = sizes[size]
        print(
            f"{int(size):>10,}{row['undo']:>10.4f}{_ratio(row['undo'], first['undo'])}"
            f"{row['mutations_report']:>10.4f}"
            f"{_ratio(row['mutations_report'], first['mutations_report'])}"
        )
    beside = results.get("postgres")
    if beside is not None:
        print(
            f"plan + commit on PostgreSQL {beside['postgres']:.3f} s, on SQLite "
            f"{beside['sqlite']:.3f} s, ratio{_ratio(beside['postgres'], beside['sqlite'])}"
        )
    rec = results["record"]
    per = 1_000_000 / rec["purchases"]
    print(
        f"record {rec['purchases']:,} purchases in batches of {rec['batch']:,}: "
        f"record_many {rec['ours'] * per:.1f} µs a purchase, executemany "
        f"{rec['hand'] * per:.1f} µs, ratio {rec['ours'] / rec['hand']:.2f}"
    )
    runs = results["history"]
    print(f"list the runs after M monthly runs over {results['history_accounts']:,} accounts")
    print(f"{'runs':>6}{'onaccount s':>13}{'script s':>11}{'ratio':>8}")
    for months in sorted(runs, key=int):
        row = runs[months]
        ratio = _ratio(row["ours"], row["hand"])
        print(f"{int(months):>6}{row['ours']:>13.3f}{row['hand']:>11.3f}{ratio}")
    _footer(results)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, seed the databases, run the three parts and print them."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.stages", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--purchases", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[200, 2_000, 10_000],
        metavar="N",
        help="Accounts of the runs that undo and the mutations report are timed after.",
    )
    parser.add_argument(
        "--record", type=int, default=20_000, metavar="M", help="Purchases to record."
    )
    parser.add_argument(
        "--rounds",
        type=_rounds,
        default=MIN_ROUNDS,
        help=f"Rounds; the median is reported (at least {MIN_ROUNDS} unless --smoke).",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="A smoke test, not a measurement (what CI runs): 2,000 purchases over 200 "
        "accounts, runs over 20 and 200 accounts, 500 recorded, one round unless given.",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="Also time plan + commit on this PostgreSQL database (emptied first) beside "
        "SQLite, e.g. postgresql://onaccount:onaccount@127.0.0.1:5432/onaccount_bench.",
    )
    parser.add_argument(
        "--months",
        type=int,
        nargs="+",
        default=[1, 12],
        metavar="M",
        help="Monthly runs after which the runs are listed.",
    )
    parser.add_argument(
        "--history-accounts",
        type=int,
        default=10_000,
        metavar="N",
        help="Accounts of each monthly run in the history part.",
    )
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args(argv)
    if args.smoke:
        given = set(argv if argv is not None else sys.argv[1:])
        args.purchases, args.accounts, args.sizes, args.record = 2_000, 200, [20, 200], 500
        args.months, args.history_accounts = [1, 3], 50
        if "--rounds" not in given:
            args.rounds = 1
    elif args.rounds < MIN_ROUNDS:
        parser.error(
            f"--rounds {args.rounds}: a measurement is the median of at least {MIN_ROUNDS} "
            "rounds; add --smoke for a smoke test with fewer (its numbers are not a verdict)"
        )
    results: dict[str, Any] = {
        "machine": _machine(),
        "accounts": args.accounts,
        "purchases": args.purchases,
        "rounds": args.rounds,
        "smoke": args.smoke,
        "history_accounts": args.history_accounts,
    }
    with tempfile.TemporaryDirectory(prefix="onaccount-stages-") as tmp:
        work = Path(tmp)
        seeded = work / "seed.sqlite"
        started = time.perf_counter()
        seed_sqlite(seeded, args.accounts, args.purchases)
        print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        results["stages"] = billing_stages(seeded, work, args.rounds)
        results["undo_and_report"] = undo_and_report(sorted(set(args.sizes)), work, args.rounds)
        results["record"] = record(args.accounts, args.record, work, args.rounds)
        results["history"] = history(
            args.history_accounts, sorted(set(args.months)), work, args.rounds
        )
        if args.postgres:
            results["postgres"] = postgres_beside_sqlite(seeded, args.postgres, work, args.rounds)
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
