"""The memory, SQLite and PostgreSQL ledgers accept and refuse exactly the same inputs."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import onaccount as oa
from onaccount._transaction import stored_line, stored_purchase
from onaccount.ledger import Ledger
from onaccount.ledger.sql import SQLLedger
from tests.conftest import postgres_url
from tests.ledger.sql_support import fresh_postgres

AMOUNTS = (
    "0.01", "2.40", "9999999999999.99", "10000000000000", "-9999999999999.99",
    "5000000000000", "1e30", "1E+2", "0.005", "-0.01", "999999999999999",
)  # fmt: skip
QUANTITIES = (1, -1, "0.001", "999999999", "1e9", 0, "0.0000001", 2)
TEXTS = ("Koffie", "x" * oa.MAX_TEXT_LENGTH, "x" * (oa.MAX_TEXT_LENGTH + 1), "a\ud800b",
         "Zoë's 🍺", "nul\x00", "[/]", "\u202eexe.doc")  # fmt: skip
NUMBERS = ("1", "2", " 1", "1 ", "9" * oa.MAX_KEY_LENGTH, "9" * (oa.MAX_KEY_LENGTH + 1), "K")
CURRENCIES = ("EUR", "JPY", "KWD", "eur")
INSTANTS = (
    dt.datetime(2026, 10, 3, 19, 40, tzinfo=dt.UTC),
    dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
    dt.datetime(1899, 12, 31, 23, 59, tzinfo=dt.UTC),
    dt.datetime(9999, 12, 30, 23, 59, tzinfo=dt.UTC),
    dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC),
    dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
)


@st.composite
def attempts(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """One operation a host might try: open an account, record a booking, book a mutation."""
    what = draw(st.sampled_from(("open", "purchase", "purchase", "credit", "book")))
    number = draw(st.sampled_from(NUMBERS))
    if what == "open":
        return what, {
            "number": number,
            "name": draw(st.sampled_from(TEXTS)),
            "limit": draw(st.sampled_from(AMOUNTS)),
            "currency": draw(st.sampled_from(CURRENCIES)),
        }
    common = {
        "account": number,
        "at": draw(st.sampled_from(INSTANTS)),
        "id": draw(st.sampled_from(("t1", "t2", "t3", "i" * (oa.MAX_KEY_LENGTH + 1)))),
        "currency": draw(st.sampled_from(CURRENCIES)),
    }
    if what == "purchase":
        lines = [
            {
                "product": draw(st.sampled_from(TEXTS)),
                "quantity": draw(st.sampled_from(QUANTITIES)),
                "unit_price": draw(st.sampled_from(AMOUNTS)),
            }
            for _ in range(draw(st.integers(1, 3)))
        ]
        return what, {**common, "lines": lines, "over": draw(st.booleans())}
    if what == "credit":
        return what, {**common, "credit": draw(st.sampled_from(AMOUNTS)),
                      "reason": draw(st.sampled_from(TEXTS))}  # fmt: skip
    return what, {
        "account": number,
        "balance_delta": draw(st.sampled_from(AMOUNTS)),
        "at": common["at"],
        "reason": draw(st.sampled_from(TEXTS)),
    }


def _apply(ledger: Ledger, what: str, data: dict[str, Any]) -> None:
    """Build the value from ``data`` and hand it to ``ledger``."""
    if what == "open":
        ledger.open_account(oa.Account(**data))
    elif what == "purchase":
        lines = [oa.Line(**line, vat=oa.Vat.standard("0.21")) for line in data["lines"]]
        fields = {k: v for k, v in data.items() if k not in ("lines", "over")}
        ledger.record(oa.Purchase(**fields, lines=lines), allow_over_limit=data["over"])
    elif what == "credit":
        ledger.record(oa.CreditBooking(**data, kind="top-up"))
    else:
        mutation = oa.Mutation(kind=oa.MutationKind.MANUAL, actor="parity", **data)
        ledger.book(mutation)


def outcome(ledger: Ledger, what: str, data: dict[str, Any]) -> tuple[str, str]:
    """``("ok", "")``, or the refusal's type and message; anything else fails the test."""
    try:
        _apply(ledger, what, data)
    except oa.OnAccountError as error:
        return type(error).__name__, error.message
    return "ok", ""


def contents(ledger: Ledger) -> object:
    """Everything a ledger holds, in a comparable form."""
    numbers = [s.account.number for s in ledger.find_accounts(oa.AccountQuery())]
    return (
        sorted(ledger.states(numbers).items()),
        [(t.id, t.account, t.at, t.amount) for t in ledger.transactions(numbers)],
        [(m.account, m.balance_delta, m.reason) for m in ledger.mutations()],
    )


@contextmanager
def sqlite_ledger() -> Iterator[Ledger]:
    """A fresh SQLite file ledger."""
    directory = Path(tempfile.mkdtemp(prefix="onaccount-parity-"))
    ledger = SQLLedger(directory / "ledger.sqlite", upgrade=True)
    try:
        yield ledger
    finally:
        ledger.close()
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def postgres_ledger() -> Iterator[Ledger]:
    """A ledger on the emptied PostgreSQL test database."""
    ledger = fresh_postgres(postgres_url())
    try:
        yield ledger
    finally:
        ledger.close()


def check_parity(sql: Callable[[], Any], steps: list[tuple[str, dict[str, Any]]]) -> None:
    """Each step has the same outcome on the memory and the SQL ledger, and so do contents."""
    memory = oa.MemoryLedger()
    with sql() as other:
        for what, data in steps:
            expected = outcome(memory, what, data)
            assert outcome(other, what, data) == expected, (what, data)
        assert contents(other) == contents(memory)


PARITY = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _numbered(steps: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The steps with an id for each mutation, so the ledgers' messages can be compared."""
    return [
        (what, {**data, "id": f"m{i}"} if what == "book" else data)
        for i, (what, data) in enumerate(steps)
    ]


STEPS = st.lists(attempts(), min_size=1, max_size=12).map(_numbered)


@settings(PARITY, max_examples=60)
@given(steps=STEPS)
def test_sqlite_accepts_and_refuses_what_memory_does(
    steps: list[tuple[str, dict[str, Any]]],
) -> None:
    """Random hostile and extreme inputs: same refusals, same contents, memory and SQLite."""
    check_parity(sqlite_ledger, steps)


@settings(PARITY, max_examples=25)
@given(steps=STEPS)
def test_postgresql_accepts_and_refuses_what_memory_does(
    steps: list[tuple[str, dict[str, Any]]],
) -> None:
    """Random hostile and extreme inputs: same refusals, same contents, memory and PostgreSQL."""
    postgres_url()
    check_parity(postgres_ledger, steps)


@pytest.mark.parametrize("sql", [sqlite_ledger, postgres_ledger], ids=["sqlite", "postgresql"])
def test_a_balance_driven_past_the_stored_range_is_refused_on_every_ledger(
    sql: Callable[[], Any],
) -> None:
    """Purchases that each fit but push the balance past 10^15 cents are refused alike."""
    big = "9999999999999.99"
    account = ("open", {"number": "1", "name": "Jan", "limit": big, "currency": "EUR"})
    steps = [account] + [
        (
            "purchase",
            {
                "account": "1",
                "at": INSTANTS[0],
                "id": f"p{i}",
                "currency": "EUR",
                "lines": [{"product": "X", "quantity": 1, "unit_price": big}],
                "over": True,
            },
        )
        for i in range(3)
    ]
    if sql is postgres_ledger:
        postgres_url()
    memory = oa.MemoryLedger()
    results = [outcome(memory, what, data) for what, data in steps]
    assert results[:2] == [("ok", ""), ("ok", "")]
    assert results[2][0] == "InvalidAmount"
    assert "balance" in results[2][1]
    check_parity(sql, steps)
    assert memory.states(["1"])["1"].balance == -Decimal(big)


@pytest.mark.parametrize("sql", [sqlite_ledger, postgres_ledger], ids=["sqlite", "postgresql"])
def test_a_value_the_database_refuses_is_a_ledger_error_without_sql(
    sql: Callable[[], Any],
) -> None:
    """A booking built past the validators (stored_purchase) is refused without SQL shown."""
    if sql is postgres_ledger:
        postgres_url()
    line = stored_line("Bier \ud800", None, None, Decimal(1), Decimal("2.40"), oa.Vat.zero())
    hostile = stored_purchase("h1", "1", INSTANTS[0], "EUR", (line,), None)
    with sql() as ledger:
        ledger.open_account(oa.Account(number="1", name="Jan", limit=100))
        with pytest.raises(oa.StorageError) as caught:
            ledger.record(hostile)
        message = caught.value.message
        assert "booking h1" in message
        assert "INSERT" not in message.upper()
        assert "parameters" not in message.lower()
        assert list(ledger.transactions(["1"])) == []


@pytest.mark.parametrize("sql", [sqlite_ledger, postgres_ledger], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize("delta", ["0.005", "1e30", "-10000000000000"])
def test_a_mutation_no_ledger_can_store_is_refused_on_every_ledger(
    sql: Callable[[], Any], delta: str
) -> None:
    """Fractions of a cent and deltas past the stored range are refused by memory and SQL."""
    if sql is postgres_ledger:
        postgres_url()
    steps = [
        ("open", {"number": "1", "name": "Jan", "limit": 100, "currency": "EUR"}),
        (
            "book",
            {
                "account": "1",
                "balance_delta": delta,
                "at": INSTANTS[0],
                "reason": "fix",
                "id": "m",
            },
        ),
    ]
    memory = oa.MemoryLedger()
    results = [outcome(memory, what, data) for what, data in steps]
    assert results[1][0] in ("InvalidValue", "InvalidAmount"), results
    check_parity(sql, steps)
