"""The SQL ledger under concurrency, crashes and bad input, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import pickle
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from onaccount import (
    Account,
    Actor,
    AlreadyUndone,
    DuplicateTransaction,
    KeyInUse,
    LedgerBusy,
    LimitExceeded,
    Line,
    OnAccountError,
    Period,
    Purchase,
    SchemaError,
    StorageError,
    UnknownAccount,
    Vat,
    commit_run,
    plan_run,
    undo_invoice,
)
from onaccount._statement import purchases_in_batches
from onaccount.ledger._sql_rows import CHUNK
from onaccount.ledger._sql_schema import lines, metadata, schema_info, upgrade_command
from onaccount.ledger.sql import SCHEMA_VERSION, SQLLedger, connect, schema_version, upgrade
from tests.conftest import postgres_url
from tests.ledger import sql_workers
from tests.ledger.sql_support import fresh_postgres
from tests.ledger.sql_workers import OCTOBER

CONTEXT = multiprocessing.get_context("spawn")
ADMIN = Actor.superuser("test")


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with a fresh schema: a SQLite file, or the PostgreSQL test server."""
    if request.param == "sqlite":
        url = str(tmp_path / "ledger.sqlite")
        upgrade(url)
    else:
        url = postgres_url()
        fresh_postgres(url).close()
    return url


def open_accounts(target: str, count: int, purchases_each: int = 3) -> SQLLedger:
    """A ledger with ``count`` accounts holding a few October purchases each."""
    ledger = SQLLedger(target)
    for n in range(count):
        number = f"{n:03d}"
        ledger.open_account(Account(number=number, name=f"Member {n}", limit=1000))
        for i in range(purchases_each):
            ledger.record(sql_workers.purchase(number, i, id=f"seed-{number}-{i}"))
    return ledger


def check_invariants(ledger: SQLLedger, numbers: list[str]) -> None:
    """Balance identity and no double billing hold for ``numbers``."""
    states = ledger.states(numbers)
    active: dict[str, str] = {}
    for run in ledger.runs():
        for invoice in run.invoices:
            if invoice.state.value == "active":
                for tx_id in invoice.transaction_ids():
                    assert tx_id not in active, f"{tx_id} billed twice"
                    active[tx_id] = invoice.id
    for number in numbers:
        booked = sum((t.amount for t in ledger.transactions([number])), Decimal(0))
        mutated = sum((m.balance_delta for m in ledger.mutations(account=number)), Decimal(0))
        assert states[number].balance == booked + mutated
        invoiced = {t.id for t in ledger.transactions([number], uninvoiced=False)}
        everything = {t.id for t in ledger.transactions([number])}
        assert invoiced == everything & set(active)


def test_racing_commits_bill_each_contested_purchase_once(target: str) -> None:
    """Two processes commit overlapping runs at once: one wins, the other gets RunConflict."""
    ledger = open_accounts(target, 4)
    for _round in range(3):
        barrier, results = CONTEXT.Barrier(2), CONTEXT.Queue()
        workers = [
            CONTEXT.Process(
                target=sql_workers.commit_after_barrier, args=(target, numbers, barrier, results)
            )
            for numbers in (["000", "001", "002"], ["001", "002", "003"])
        ]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
            assert worker.exitcode == 0
        kinds = sorted(o[0] for o in outcomes)
        assert kinds == ["committed", "conflict"], outcomes
        committed = next(o for o in outcomes if o[0] == "committed")
        # The winner billed every purchase it planned, including the contested ones.
        assert {t.split("-")[1] for t in committed[2]} in (
            {"000", "001", "002"},
            {"001", "002", "003"},
        )
        check_invariants(ledger, ["000", "001", "002", "003"])
        for n in ("000", "001", "002", "003"):
            for i in range(2):
                ledger.record(sql_workers.purchase(n, 10 + i, id=f"seed-{n}-r{_round}-{i}"))
    ledger.close()


def test_tills_recording_during_a_commit_lose_nothing(target: str) -> None:
    """Purchases recorded while a run commits are either in the run or uninvoiced after."""
    ledger = open_accounts(target, 3)
    results, started = CONTEXT.Queue(), [CONTEXT.Event() for _ in range(3)]
    tills = [
        CONTEXT.Process(
            target=sql_workers.till,
            args=(target, f"{n:03d}", f"till{n}", 40, started[n], results),
        )
        for n in range(3)
    ]
    for process in tills:
        process.start()
    for flag in started:
        assert flag.wait(timeout=60)
    plan = plan_run(
        ledger, sql_workers.OCTOBER, ["000", "001", "002"], "zero-balance", actor=ADMIN
    )
    run = commit_run(ledger, plan, actor=ADMIN)
    recorded = dict(results.get(timeout=120) for _ in tills)
    for process in tills:
        process.join(timeout=60)
        assert process.exitcode == 0
    in_run = {t for invoice in run.invoices for t in invoice.transaction_ids()}
    uninvoiced = {t.id for t in ledger.transactions(["000", "001", "002"], uninvoiced=True)}
    for ids in recorded.values():
        assert len(ids) == 40
        for tx_id in ids:
            assert (tx_id in in_run) != (tx_id in uninvoiced), tx_id
    everything = {t.id for t in ledger.transactions(["000", "001", "002"])}
    assert everything == in_run | uninvoiced
    assert len(everything) == 3 * 3 + 3 * 40
    check_invariants(ledger, ["000", "001", "002"])
    ledger.close()


def test_a_commit_killed_midway_leaves_no_trace(target: str) -> None:
    """SIGKILL in the middle of a commit leaves the database as if it never started."""
    ledger = open_accounts(target, 5)
    numbers = ["000", "001", "002", "003", "004"]
    before = ledger.states(numbers)
    frozen = CONTEXT.Event()
    child = CONTEXT.Process(target=sql_workers.commit_and_freeze, args=(target, numbers, frozen))
    child.start()
    assert frozen.wait(timeout=120), "the child never reached the middle of its commit"
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=60)
    assert child.exitcode == -signal.SIGKILL
    ledger.close()
    reopened = SQLLedger(target)
    assert reopened.runs() == []
    assert reopened.mutations() == []
    assert reopened.states(numbers) == before
    assert len(list(reopened.transactions(numbers, uninvoiced=True))) == 15
    # The lock died with the process: a new commit goes through.
    plan = plan_run(reopened, sql_workers.OCTOBER, numbers, "zero-balance", actor=ADMIN)
    assert len(commit_run(reopened, plan, actor=ADMIN).invoices) == 5
    reopened.close()


def test_bad_input_gives_the_library_errors(target: str) -> None:
    """Unknown account, duplicate id and over-limit purchase raise onaccount's own errors."""
    ledger = SQLLedger(target)
    ledger.open_account(Account(number="1", name="A", limit=5))
    with pytest.raises(UnknownAccount, match="'9'"):
        ledger.record(sql_workers.purchase("9", 0, id="x-1"))
    ledger.record(sql_workers.purchase("1", 0, id="x-1"))
    with pytest.raises(
        DuplicateTransaction, match=r"'x-1' .* another booking \(another instant\)"
    ):
        ledger.record(sql_workers.purchase("1", 1, id="x-1"))
    ledger.record(sql_workers.purchase("1", 2, id="x-2"))
    with pytest.raises(LimitExceeded, match=r"spending room left is 0\.20"):
        ledger.record(sql_workers.purchase("1", 3, id="x-3"))
    ledger.close()


def test_schema_must_be_created_explicitly(tmp_path: Path) -> None:
    """Opening a database without the schema says how to create it; upgrade creates it."""
    path = tmp_path / "new.sqlite"
    with pytest.raises(SchemaError, match="upgrade"):
        SQLLedger(path)
    assert upgrade(path) == (None, SCHEMA_VERSION)
    assert schema_version(path) == SCHEMA_VERSION
    assert upgrade(path) == (SCHEMA_VERSION, SCHEMA_VERSION)
    SQLLedger(path).close()


def test_the_way_to_create_the_schema_names_the_database(tmp_path: Path) -> None:
    """A missing file and a file without schema are told the upgrade command for that file."""
    path = tmp_path / "club ledger.sqlite"
    hint = (
        f"`onaccount --db '{path}' db upgrade` (from Python: "
        f"onaccount.ledger.sql.upgrade('{path}'))"
    )
    with pytest.raises(SchemaError) as missing:
        SQLLedger(path)
    assert missing.value.message == f"database file {path} does not exist; create it with {hint}"
    sqlite3.connect(path).close()
    with pytest.raises(SchemaError) as empty:
        SQLLedger(path)
    assert empty.value.message == f"database {path} has no onaccount schema; create it with {hint}"


def test_a_folder_or_a_file_in_a_missing_folder_is_refused_by_name(tmp_path: Path) -> None:
    """A folder as the database, or a file in a folder that does not exist, says what to give."""
    for make in (False, True):
        with pytest.raises(SchemaError) as folder:
            SQLLedger(tmp_path, upgrade=make)
        assert folder.value.message == (
            f"database {tmp_path} is a folder, not a SQLite file; give the file in it, such "
            f"as {tmp_path / 'onaccount.sqlite'}"
        )
    missing = tmp_path / "club" / "onaccount.sqlite"
    with pytest.raises(SchemaError) as nowhere:
        upgrade(missing)
    assert nowhere.value.message == (
        f"database file {missing} cannot be made: its folder {missing.parent} does not "
        "exist; create the folder first or give a path in an existing one"
    )
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SchemaError) as opened:
        SQLLedger(missing)
    hint = (
        f"`onaccount --db {missing} db upgrade` (from Python: "
        f"onaccount.ledger.sql.upgrade('{missing}'))"
    )
    assert opened.value.message == (
        f"database file {missing} does not exist, nor does its folder {missing.parent}; check "
        f"the path, or create the folder and then the database with {hint}"
    )


def test_the_upgrade_command_for_a_server_asks_for_its_password() -> None:
    """A URL shown without its password gives a command with a place for it, not ***."""
    assert upgrade_command("postgresql://club:***@db.example/ledger") == (
        "`onaccount --db postgresql://club:PASSWORD@db.example/ledger db upgrade` (from "
        "Python: onaccount.ledger.sql.upgrade('postgresql://club:PASSWORD@db.example/ledger'))"
    )


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgresql+psycopg3://club:s3cret@db.example/ledger", "'postgresql+psycopg3', a"),
        ("postgressql://club:s3cret@db.example/ledger", "'postgressql', a database"),
        ("postgresql+psycopg2://club:s3cret@db.example/ledger", "package 'psycopg2'"),
        ("postgresql://club:s3:c@ret@db.example/ledger", "must be percent-encoded"),
        ("postgresql+psycopg3://club:s3/c@db.example/ledger", "'postgresql+psycopg3', a"),
        ("postgresql+psycopg://club:s3@c:d@db.example/ledger", "must be percent-encoded"),
    ],
)
def test_a_database_url_sqlalchemy_cannot_use_is_refused_saying_what_to_write(
    url: str, said: str
) -> None:
    """A misspelt driver, a missing one or an unencoded password: SchemaError, password hidden."""
    with pytest.raises(SchemaError, match=re.escape(said)) as caught:
        SQLLedger(url)
    assert "postgresql://USER:PASSWORD@HOST/DATABASE" in caught.value.message
    assert "s3" not in caught.value.message
    assert "s3" not in str(caught.value.value)
    assert "***@db.example/ledger" in caught.value.message


def test_a_password_in_a_database_urls_query_is_hidden_too() -> None:
    """A misspelt driver with ?password= in the query: the refusal leaves the password out."""
    with pytest.raises(SchemaError) as caught:
        SQLLedger("postgresql+psycopg3:///club?user=alice&password=s3cret&sslmode=require")
    assert "s3cret" not in caught.value.message
    assert "password=***&sslmode=require" in caught.value.message


def test_a_postgresql_url_without_psycopg_says_which_extra_to_install(tmp_path: Path) -> None:
    """With psycopg not installed, opening a postgresql:// URL names the postgres extra."""
    script = (
        "import sys\n"
        "sys.modules['psycopg'] = None  # as if it were not installed\n"
        "from onaccount import SchemaError\n"
        "from onaccount.ledger.sql import SQLLedger\n"
        "try:\n"
        "    SQLLedger('postgresql://club:s3cret@127.0.0.1/ledger')\n"
        "except SchemaError as error:\n"
        "    print(error.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "needs the Python package 'psycopg', which is not installed" in done.stdout
    assert "pip install 'onaccount[postgres]'" in done.stdout
    assert "s3cret" not in done.stdout


def test_a_file_that_is_no_database_is_refused_by_name(tmp_path: Path) -> None:
    """Opening or upgrading a file that is not SQLite names the file; the file is unchanged."""
    path = tmp_path / "members.csv"
    path.write_text("number;name\n100;Anna\n" * 200, encoding="utf-8")
    before = path.read_bytes()
    pattern = rf"database {re.escape(str(path))} cannot be read as one: file is not a database"
    with pytest.raises(SchemaError, match=pattern) as caught:
        SQLLedger(path)
    assert caught.value.value == str(path)
    with pytest.raises(SchemaError, match=pattern):
        upgrade(path)
    with pytest.raises(SchemaError, match=pattern):
        schema_version(path)
    assert path.read_bytes() == before


def test_a_locked_database_is_reported_as_busy_not_as_a_bad_value(tmp_path: Path) -> None:
    """A write while another program holds the lock past the wait raises LedgerBusy, no SQL."""
    path = tmp_path / "ledger.sqlite"
    upgrade(path)
    ledger = SQLLedger(sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05}))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(LedgerBusy) as busy:
            ledger.open_account(Account(number="1", name="A", limit=5))
        assert isinstance(busy.value, OnAccountError)
        assert str(busy.value) == (
            f"the database {path} is busy: another connection held it locked for writing "
            "past the wait; nothing was written: try again, and if it stays busy, look for a "
            "program that keeps a write transaction open on it"
        )
        assert busy.value.__cause__ is None, "the driver's error would quote the SQL"
        assert pickle.loads(pickle.dumps(busy.value)).message == busy.value.message
        sale = Purchase(
            account="1",
            at=dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC),
            lines=[Line(product="Cola", quantity=1, unit_price="2.00", vat=Vat.standard("0.21"))],
        )
        with pytest.raises(LedgerBusy):
            ledger.record(sale)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    ledger.open_account(Account(number="1", name="A", limit=5))
    assert ledger.get_account("1").name == "A"
    ledger.close()


def test_an_in_memory_ledger_refuses_a_second_thread_rather_than_show_it_no_tables() -> None:
    """``sqlite://`` lives on one thread's connection: another thread is told, not misled."""
    ledger = SQLLedger("sqlite://", upgrade=True)
    ledger.open_account(Account(number="1", name="A", limit=5))
    caught: list[BaseException] = []

    def elsewhere() -> None:
        try:
            ledger.get_account("1")
        except BaseException as error:  # handed to the test's thread
            caught.append(error)

    worker = threading.Thread(target=elsewhere, name="till-2")
    worker.start()
    worker.join()
    (error,) = caught
    assert isinstance(error, SchemaError), repr(error)
    assert str(error) == (
        "an in-memory SQLite ledger (sqlite://) lives on the connection of the thread that "
        "opened it, MainThread; thread till-2 would find it empty: use the ledger from that "
        "thread, or give it a SQLite file (a temporary one will do) to share it between threads"
    )
    assert ledger.get_account("1").name == "A"
    ledger.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    """A database written by a newer onaccount is refused with the version found."""
    path = tmp_path / "future.sqlite"
    upgrade(path)
    engine = connect(path)
    with engine.begin() as conn:
        conn.execute(sa.update(schema_info).values(version=SCHEMA_VERSION + 1))
    engine.dispose()
    with pytest.raises(SchemaError, match=rf"version {SCHEMA_VERSION + 1}\b"):
        SQLLedger(path)
    with pytest.raises(SchemaError, match="newer"):
        upgrade(path)


def test_amounts_are_stored_as_integers_never_floats(tmp_path: Path) -> None:
    """Every amount column is an integer type, so no float ever holds money."""
    path = tmp_path / "types.sqlite"
    upgrade(path)
    inspector = sa.inspect(connect(path))
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            if column["name"].endswith("_minor"):
                assert isinstance(column["type"], sa.Integer), (table, column)


def test_an_engine_the_host_built_still_writes_immediately(tmp_path: Path) -> None:
    """A SQLite engine passed in gets foreign keys and immediate write transactions."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'host.sqlite'}")
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(str(args[2])))
    ledger = SQLLedger(engine, upgrade=True)
    ledger.open_account(Account(number="1", name="A", limit=10))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    statements.clear()
    ledger.record(sql_workers.purchase("1", 0, id="h-1"))
    assert statements[0] == "BEGIN IMMEDIATE"
    ledger.close()


def test_an_id_taken_between_check_and_insert_is_compared_with_its_booking() -> None:
    """A rival storing the id after our check: its booking is read and the difference named."""
    url = postgres_url()
    ledger = fresh_postgres(url)
    rival = SQLLedger(url)
    try:
        ledger.open_accounts(Account(number=n, name=n, limit=100) for n in ("1", "2"))
        theirs = sql_workers.purchase("2", 0, id="taken")
        rivals: list[str] = []

        @sa.event.listens_for(ledger.engine, "before_cursor_execute")
        def _rival_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            # Account 2 is not locked by this batch: the rival's till commits first.
            if statement.startswith("INSERT INTO onaccount_transactions") and not rivals:
                rivals.append(statement)
                rival.record(theirs)

        batch = [
            sql_workers.purchase("1", 1, id="fresh"),
            sql_workers.purchase("1", 0, id="taken"),
        ]
        with pytest.raises(DuplicateTransaction) as caught:
            ledger.record_many(batch)
        assert rivals
        assert caught.value.message == (
            "transaction 'taken' is recorded already for another booking (another account); "
            "give every booking its own id"
        )
        assert [t.id for t in ledger.transactions(["1", "2"])] == ["taken"]
        assert ledger.states(["1"])["1"].balance == 0
    finally:
        rival.close()
        ledger.close()


def test_processes_retrying_one_sale_at_once_book_it_once(target: str) -> None:
    """Four tills sending one sale at once: all succeed, one stores it, it is booked once."""
    ledger = open_accounts(target, 1, purchases_each=0)
    for round_ in range(3):
        sale_id = f"till-1-{round_:04d}"
        outcomes = _start(
            sql_workers.record_after_barrier,
            [(target, "000", round_, sale_id)] * 4,
            CONTEXT.Barrier(4),
        )
        assert sorted(outcomes) == [("recorded", "000", 0)] * 3 + [("recorded", "000", 1)]
        assert [t.id for t in ledger.transactions(["000"])] == [
            f"till-1-{r:04d}" for r in range(round_ + 1)
        ]
    assert ledger.states(["000"])["000"].balance == Decimal("-7.20")
    check_invariants(ledger, ["000"])
    ledger.close()


def test_processes_racing_for_one_id_on_two_accounts_store_one_booking(target: str) -> None:
    """One id sent for two accounts at once: one is stored, the other told how it differs."""
    ledger = open_accounts(target, 2, purchases_each=0)
    for round_ in range(3):
        sale_id = f"clash-{round_}"
        outcomes = _start(
            sql_workers.record_after_barrier,
            [(target, "000", round_, sale_id), (target, "001", round_, sale_id)],
            CONTEXT.Barrier(2),
        )
        (won,) = (o for o in outcomes if o[0] == "recorded")
        (lost,) = (o for o in outcomes if o[0] == "duplicate")
        assert won[2] == 1
        assert lost[2] == (
            f"transaction {sale_id!r} is recorded already for another booking (another "
            "account); give every booking its own id"
        )
        assert [t.account for t in ledger.transactions(["000", "001"]) if t.id == sale_id] == [
            won[1]
        ]
    check_invariants(ledger, ["000", "001"])
    ledger.close()


def test_a_stored_run_reads_its_purchases_in_batches_undone_invoices_too(target: str) -> None:
    """A run read back gives each invoice its purchases, an undone one's and a rebilled one's."""
    ledger = open_accounts(target, 5)
    numbers = [f"{n:03d}" for n in range(5)]
    first = commit_run(
        ledger, plan_run(ledger, OCTOBER, numbers, "none", actor=ADMIN), actor=ADMIN
    )
    undo_invoice(ledger, first.id, "001", actor=ADMIN, reason="wrong account")
    undo_invoice(ledger, first.id, "003", actor=ADMIN, reason="wrong account")
    # 003's purchases are billed again by a later run; the first run still lists them.
    commit_run(ledger, plan_run(ledger, OCTOBER, ["003"], "none", actor=ADMIN), actor=ADMIN)
    ledger.close()
    again = SQLLedger(target)
    try:
        stored = again.run(first.id)
        statements = [invoice.statement for invoice in stored.invoices]
        batched = {
            s.account.number: [p.id for p in ps]
            for s, ps in purchases_in_batches(again, statements)
        }
        assert batched == {number: [f"seed-{number}-{i}" for i in range(3)] for number in numbers}
        assert batched == {
            s.account.number: [p.id for p in s.purchases(again)] for s in statements
        }
    finally:
        again.close()


def test_undone_already_says_when_in_the_runs_time_zone(target: str) -> None:
    """The SQL ledger's refusal of a second undo gives the first one's local time."""
    ledger = open_accounts(target, 1)
    run = commit_run(ledger, plan_run(ledger, OCTOBER, ["000"], "none", actor=ADMIN), actor=ADMIN)
    first = dt.datetime(2026, 11, 2, 12, 0, 5, tzinfo=dt.UTC)
    undo_invoice(ledger, run.id, "000", actor=ADMIN, reason="wrong account", at=first)
    try:
        with pytest.raises(AlreadyUndone, match=f"on 2026-11-02 13:00:05 {OCTOBER.tz} by test"):
            undo_invoice(ledger, run.id, "000", actor=ADMIN, reason="again")
    finally:
        ledger.close()


def test_purchases_read_back_share_their_equal_lines_across_chunks(target: str) -> None:
    """Purchases read together with equal lines share each line's value, past a chunk too."""
    ledger = SQLLedger(target)
    try:
        ledger.open_account(Account(number="001", name="Member", limit=10_000))
        recorded = [sql_workers.purchase("001", i, id=f"p-{i:04d}") for i in range(CHUNK + 1)]
        other = Purchase(
            id="p-other",
            account="001",
            at=recorded[0].at,
            lines=[Line(product="Thee", quantity=2, unit_price=Decimal("1.80"), vat=Vat.zero())],
        )
        ledger.record_many([*recorded, other])
        read = list(ledger.purchases([p.id for p in recorded] + [other.id]))
        assert sorted(p.id for p in read) == sorted([p.id for p in recorded] + [other.id])
        by_id = {p.id: p for p in read}
        assert all(by_id[p.id] == p for p in [*recorded, other])
        alike = [p.lines for p in read if p.id != other.id]
        assert all(len({id(lines[i]) for lines in alike}) == 1 for i in range(len(alike[0])))
        assert by_id[other.id].lines == tuple(other.lines)
    finally:
        ledger.close()


def test_purchases_come_in_the_order_bookings_do_past_ascii(target: str) -> None:
    """Purchases of accounts numbered past ASCII come in the order `transactions` gives."""
    ledger = SQLLedger(target)
    try:
        numbers = ["\u20ac1", "Z1", "a1", "\u00e91", "A\u00e9"]
        ledger.open_accounts(Account(number=n, name="Member", limit=100) for n in numbers)
        ledger.record_many(sql_workers.purchase(n, i, id=f"p-{i}") for i, n in enumerate(numbers))
        read = [p.account for p in ledger.purchases([f"p-{i}" for i in range(len(numbers))])]
        assert read == [tx.account for tx in ledger.transactions(numbers)]
        assert read == sorted(numbers, key=str.encode)
    finally:
        ledger.close()


def _start(target: Any, argument_sets: list[tuple[Any, ...]], barrier: Any) -> list[Any]:
    """Run ``target`` once per argument set in its own process, all released together."""
    results = CONTEXT.Queue()
    workers = [
        CONTEXT.Process(target=target, args=(*args, barrier, results)) for args in argument_sets
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    return outcomes


def test_four_processes_creating_the_schema_at_once_all_find_it_made(tmp_path: Path) -> None:
    """Four workers starting on an empty PostgreSQL database: one creates, none fails."""
    url = postgres_url()
    engine = connect(url)
    metadata.drop_all(engine)
    engine.dispose()
    outcomes = _start(sql_workers.upgrade_after_barrier, [(url,)] * 4, CONTEXT.Barrier(4))
    assert all(kind == "upgraded" for kind, _ in outcomes), outcomes
    assert sorted(after for _, (_, after) in outcomes) == [SCHEMA_VERSION] * 4
    assert sorted(before is None for _, (before, _) in outcomes) == [False, False, False, True]
    assert schema_version(url) == SCHEMA_VERSION


def test_four_processes_setting_a_limit_leave_one_of_their_values(target: str) -> None:
    """Concurrent change_limit calls set, never add: the limit ends at a requested value."""
    ledger = open_accounts(target, 1, purchases_each=0)
    for round_ in range(3):
        asked = [str(100 * (k + 2) + round_) for k in range(4)]
        outcomes = _start(
            sql_workers.change_limit_after_barrier,
            [(target, "000", limit) for limit in asked],
            CONTEXT.Barrier(4),
        )
        assert all(kind == "set" for kind, *_ in outcomes), outcomes
        final = ledger.states(["000"])["000"].limit
        assert str(final.quantize(Decimal(1))) in asked, (final, outcomes)
        mutations = ledger.mutations(account="000")
        assert (
            Account(number="000", name="x", limit=1000).limit
            + sum((m.limit_delta for m in mutations), Decimal(0))
            == final
        )
    ledger.close()


def test_racing_commits_under_one_key_with_different_plans_bill_once(target: str) -> None:
    """Two processes, one key, two plans: one commits, the other is told the key is in use."""
    ledger = open_accounts(target, 2)
    outcomes = _start(
        sql_workers.commit_keyed_after_barrier,
        [
            (target, ["000", "001"], "zero-balance", "oct"),
            (target, ["000", "001"], "limit-minus-invoiced", "oct"),
        ],
        CONTEXT.Barrier(2),
    )
    kinds = sorted(kind for kind, *_ in outcomes)
    assert kinds == ["committed", "key-in-use"], outcomes
    (winner,) = (o for o in outcomes if o[0] == "committed")
    (loser,) = (o for o in outcomes if o[0] == "key-in-use")
    assert winner[2] in loser[2]
    assert [r.id for r in ledger.runs()] == [winner[2]]
    assert ledger.run_by_key("oct") is not None
    check_invariants(ledger, ["000", "001"])
    ledger.close()


DATA = Path(__file__).parent / "data"


def _write_schema(target: str, version: int) -> None:
    """A database as an earlier onaccount (schema ``version``) left it, with a keyed run."""
    engine = connect(target)
    dialect = engine.dialect.name
    ddl = (DATA / f"schema-v{version}-{dialect}.sql").read_text()
    rows = json.loads((DATA / f"schema-v{version}-rows.json").read_text())
    with engine.begin() as conn:
        for statement in ddl.split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
        # Tables in the order they were created, so foreign keys find their rows.
        for table in re.findall(r"CREATE TABLE (\w+)", ddl):
            ordered = sorted(rows[table], key=lambda r: r.get("seq", 0))
            # Identity columns are left to the database, which numbers rows in order.
            values = [{k: v for k, v in r.items() if k != "seq"} for r in ordered]
            if values:
                conn.execute(sa.table(table, *map(sa.column, values[0])).insert(), values)
    engine.dispose()


def _empty_target(dialect: str, tmp_path: Path) -> str:
    """An empty SQLite file, or the PostgreSQL test server emptied."""
    if dialect == "sqlite":
        return str(tmp_path / "old.sqlite")
    url = postgres_url()
    engine = connect(url)
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS onaccount_schema")
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def old_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with schema version 1 and data, on SQLite or the PostgreSQL server."""
    url = _empty_target(request.param, tmp_path)
    _write_schema(url, 1)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def v2_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database as schema version 2 left it: lines without amounts, one invoice undone."""
    url = _empty_target(request.param, tmp_path)
    _write_schema(url, 2)
    return url


def test_a_schema_2_database_is_upgraded_to_exact_line_amounts(v2_target: str) -> None:
    """Version 2 upgrades to 3: each line gets its rounded amount, and plans sum to the cent."""
    assert schema_version(v2_target) == 2
    with pytest.raises(SchemaError, match=r"version 2, older .*onaccount --db \S+ db upgrade"):
        SQLLedger(v2_target)
    assert upgrade(v2_target) == (2, SCHEMA_VERSION)
    engine = connect(v2_target)
    with engine.connect() as conn:
        amounts = {
            f"{tx_id}:{position}": amount
            for tx_id, position, amount in conn.execute(
                sa.select(lines.c.transaction_id, lines.c.position, lines.c.amount_minor)
            )
        }
    engine.dispose()
    # 0.335 kg at 12.99 is 4.35165, rounded half up to 4.35; a deposit return is negative.
    assert amounts["p1:1"] == 435
    assert amounts["p4:1"] == -15
    assert amounts["p1:0"] == 560
    ledger = SQLLedger(v2_target)
    try:
        run = ledger.run_by_key("oct")
        assert run is not None
        assert [i.state.value for i in run.invoices] == ["active", "undone"]
        period = Period.month(2026, 10, tz="Europe/Amsterdam", day_starts_at="04:00")
        # 1002's invoice was undone, so its purchases are free again; 1001's stay billed.
        plan = plan_run(ledger, period, ["1001", "1002"], "zero-balance", actor=ADMIN)
        assert [d.account.number for d in plan.drafts] == ["1002"]
        (draft,) = plan.drafts
        assert draft.total == Decimal("8.25")
        assert draft.total == run.invoice_for("1002").total
        assert draft.statement == attrs.evolve(
            run.invoice_for("1002").statement, account=draft.account
        )
        assert plan.nothing_to_invoice == ("1001",)
    finally:
        ledger.close()


def test_a_schema_1_database_is_upgraded_explicitly_and_keeps_its_runs(old_target: str) -> None:
    """Version 1 is refused until upgraded; then runs, keys and undone invoices read back."""
    assert schema_version(old_target) == 1
    with pytest.raises(SchemaError, match=r"version 1, older .*onaccount --db \S+ db upgrade"):
        SQLLedger(old_target)
    assert upgrade(old_target) == (1, SCHEMA_VERSION)
    assert upgrade(old_target) == (SCHEMA_VERSION, SCHEMA_VERSION)
    ledger = SQLLedger(old_target)
    try:
        run = ledger.run_by_key("oct")
        assert run is not None
        assert [i.state.value for i in run.invoices] == ["active", "undone"]
        assert run.invoice_for("1001").transaction_ids() == {"p0", "p1", "p3"}
        period = Period.month(2026, 10, tz="Europe/Amsterdam")
        # 1002's invoice was undone: the old run cannot answer a plan that bills it again.
        again = plan_run(ledger, period, ["1001", "1002"], "limit-minus-invoiced", actor=ADMIN)
        with pytest.raises(KeyInUse, match=rf"key 'oct' .* run {run.id}"):
            commit_run(ledger, again, actor=ADMIN, key="oct")
        # The same plan as then, planned again now: the stored run is the answer.
        same = plan_run(ledger, period, ["1001"], "limit-minus-invoiced", actor=ADMIN)
        assert commit_run(ledger, same, actor=ADMIN, key="oct") == run
        fresh = commit_run(ledger, again, actor=ADMIN, key="oct-again")
        assert fresh.fingerprint is not None
        assert ledger.run_by_key("oct-again") == fresh
        assert ledger.states(["1001"])["1001"].limit == Decimal("200.00") - Decimal("16.80")
    finally:
        ledger.close()


def test_a_sqlite_url_is_checked_as_its_file_is(tmp_path: Path) -> None:
    """``sqlite:///path`` is refused where the path would be, and leaves no file behind."""
    path = tmp_path / "typo.sqlite"
    url = f"sqlite:///{path}"
    with pytest.raises(SchemaError) as missing:
        SQLLedger(url)
    assert missing.value.message.startswith(
        f"database file {path} does not exist; create it with `onaccount --db {url} db upgrade`"
    )
    assert list(tmp_path.iterdir()) == []
    nowhere = tmp_path / "club" / "onaccount.sqlite"
    with pytest.raises(SchemaError) as folder:
        SQLLedger(f"sqlite:///{nowhere}", upgrade=True)
    assert folder.value.message == (
        f"database file {nowhere} cannot be made: its folder {nowhere.parent} does not "
        "exist; create the folder first or give a path in an existing one"
    )
    with pytest.raises(SchemaError, match="is a folder, not a SQLite file"):
        SQLLedger(f"sqlite:///{tmp_path}", upgrade=True)
    # A URL's ~ is taken as SQLite takes it, not as the home folder.
    with pytest.raises(SchemaError, match=r"database file ~/club\.sqlite does not exist"):
        SQLLedger("sqlite:///~/club.sqlite")
    # In memory there is no file to check.
    SQLLedger("sqlite://", upgrade=True).close()
    SQLLedger(f"sqlite:///{path}", upgrade=True).close()
    assert path.is_file()


def test_the_last_run_period_is_the_period_committed_last(target: str) -> None:
    """None before a run; then the last committed run's period (day start, zone) and selection."""
    ledger = open_accounts(target, 2)
    try:
        assert (ledger.last_run_period(), ledger.last_run_selected()) == (None, ())
        late = Period.month(2026, 10, tz="Europe/Brussels", day_starts_at=dt.time(4, 0))
        commit_run(ledger, plan_run(ledger, late, ["000"], "none", actor=ADMIN), actor=ADMIN)
        assert (ledger.last_run_period(), ledger.last_run_selected()) == (late, ("000",))
        # The same month in another zone from midnight, committed later: that one is last.
        midnight = Period.month(2026, 10, tz="Europe/Amsterdam")
        commit_run(ledger, plan_run(ledger, midnight, ["001"], "none", actor=ADMIN), actor=ADMIN)
        assert (ledger.last_run_period(), ledger.last_run_selected()) == (midnight, ("001",))
    finally:
        ledger.close()


def test_a_refusal_about_no_id_is_reported_once_not_retried(tmp_path: Path) -> None:
    """A host's constraint refusing a booking is a StorageError, not a lost id to retry for."""
    target = tmp_path / "ledger.sqlite"
    upgrade(target)
    ledger = open_accounts(str(target), 1, purchases_each=0)
    with sqlite3.connect(target) as raw:
        # A host's own rule, refusing one id: what the ledger cannot foresee.
        raw.execute(
            "CREATE TRIGGER no_boom BEFORE INSERT ON onaccount_transactions "
            "WHEN NEW.id = 'boom' BEGIN "
            "SELECT RAISE(ABORT, 'the host refuses boom'); END"
        )
    boom = sql_workers.purchase("000", 0, id="boom")
    others = [sql_workers.purchase("000", i, id=f"ok-{i}") for i in range(1, 200)]
    try:
        with pytest.raises(StorageError, match="the database refused to store") as caught:
            ledger.record_many([*others, boom])
        assert "the host refuses boom" in caught.value.message
        assert ledger.states(["000"])["000"].balance == 0
        assert list(ledger.transactions(["000"])) == []
    finally:
        ledger.close()
