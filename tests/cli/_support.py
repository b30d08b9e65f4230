"""Helpers for the command-line tests: a small known ledger and a runner bound to a file."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from click.testing import CliRunner, Result

import onaccount as oa
from onaccount.cli import cli
from onaccount.ledger.sql import SQLLedger, upgrade

TZ = "Europe/Amsterdam"
ZONE = ZoneInfo(TZ)
ADMIN = oa.Actor.superuser("setup")
KOFFIE = ("Koffie", "101", "2.40", oa.Vat.standard("0.09"))
PILS = ("Pils", "301", "3.10", oa.Vat.standard("0.21"))
TOSTI = ("Tosti", "401", "3.75", oa.Vat.standard("0.09"))
COLA = ("Cola", "201", "2.80", oa.Vat.standard("0.09"))
KRAT = ("Statiegeld krat", "901", "3.90", oa.Vat.exempt("Deposit, no supply", "O"))

#: Every command and group, as typed after ``onaccount``.
COMMANDS = [
    "accounts", "statement", "runs", "mutations", "invoice", "undo", "export", "exporters",
    "import", "import accounts", "import transactions", "db", "db upgrade", "demo",
    "set-limit", "correct-balance",
]  # fmt: skip

#: October 2026 per account in the small ledger, and the balances it leaves.
OCTOBER = {"100": Decimal("17.85"), "200": Decimal("54.20"), "300": Decimal("2.80")}
OCTOBER_TOTAL = Decimal("74.85")
BALANCES = {
    "100": Decimal("-20.25"),
    "200": Decimal("-54.20"),
    "300": Decimal("-2.80"),
    "900": Decimal("45.20"),
}


def local(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    """A wall-clock time in Amsterdam: ``local(2026, 10, 3, 21, 40)``."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZONE)


def purchase(tx_id: str, account: str, at: dt.datetime, *items: tuple[Any, int]) -> oa.Purchase:
    """A purchase of ``(product, quantity)`` pairs from the menu above."""
    lines = [
        oa.Line(product=name, code=code, quantity=quantity, unit_price=price, vat=vat)
        for (name, code, price, vat), quantity in items
    ]
    return oa.Purchase(id=tx_id, account=account, at=at, lines=lines)


def build_small_ledger(db: Path) -> Path:
    """A canteen of four accounts with October purchases whose totals are known by heart.

    Account 100 buys 14.10 on 3 October at 21:40 and 3.75 at 01:30 the night after (the
    business day of 3 October when days start at 04:00), and 2.40 in November. Team 200
    buys 62.00 and returns two crates (-7.80). Chloé (300) buys 2.80. Credit account 900
    is topped up with 50.00 and spends 4.80 in October.
    """
    upgrade(db)
    with contextlib.closing(SQLLedger(db)) as ledger:
        ledger.open_accounts(
            [
                oa.Account(number="100", name="Anna Jansen", limit=200, group="leden"),
                oa.Account(
                    number="200", name="Team Heren 1", limit=600, group="teams", tags={"team"}
                ),
                oa.Account(number="300", name="Chloé Dubois", limit=100, group="leden"),
                oa.Account(
                    number="900", name="Kantinekaart", kind=oa.AccountKind.CREDIT, group="kaarten"
                ),
            ]
        )
        ledger.record_many(
            [
                oa.CreditBooking(
                    id="top-up-900",
                    account="900",
                    at=local(2026, 9, 30, 18, 0),
                    credit=Decimal(50),
                    kind=oa.CreditKind.TOP_UP,
                    reason="opgewaardeerd",
                ),
                purchase("p1", "100", local(2026, 10, 3, 21, 40), (KOFFIE, 2), (PILS, 3)),
                purchase("p2", "100", local(2026, 10, 4, 1, 30), (TOSTI, 1)),
                purchase("p3", "200", local(2026, 10, 17, 15, 0), (PILS, 20), (KRAT, -2)),
                purchase("p4", "300", local(2026, 10, 20, 12, 0), (COLA, 1)),
                purchase("p5", "900", local(2026, 10, 10, 20, 15), (KOFFIE, 2)),
                purchase("p6", "100", local(2026, 11, 2, 10, 0), (KOFFIE, 1)),
            ]
        )
    return db


@contextlib.contextmanager
def open_ledger(db: Path) -> Iterator[SQLLedger]:
    """The SQLite file ``db`` through the library, closed afterwards."""
    ledger = SQLLedger(db)
    try:
        yield ledger
    finally:
        ledger.close()


def invoke(
    db: Path | str | None,
    *args: str,
    role: str | None = "superuser",
    actor: str | None = "tester",
    env: Mapping[str, str | None] | None = None,
) -> Result:
    """Run ``onaccount --db DB --actor ACTOR --role ROLE ARGS`` through click's test runner.

    ``db``, ``role`` or ``actor`` None leaves that option out, so its default or
    variable applies.
    """
    prefix = [] if db is None else ["--db", str(db)]
    prefix += [] if role is None else ["--role", role]
    prefix += [] if actor is None else ["--actor", actor]
    return CliRunner().invoke(cli, [*prefix, *args], env=env, prog_name="onaccount")


def write(tmp_path: Path, name: str, text: str) -> Path:
    """``text`` saved as ``name`` in ``tmp_path``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def explain(result: Result) -> str:
    """Everything a failed invocation said, for assertion messages."""
    return (
        f"exit {result.exit_code}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        f"\n--- exception\n{result.exception!r}"
    )


def succeeded(result: Result) -> Result:
    """``result``, after checking it exited 0."""
    assert result.exit_code == 0, explain(result)
    return result


def json_of(result: Result) -> Any:
    """The JSON a successful ``--json`` invocation printed."""
    return json.loads(succeeded(result).stdout)


def state_of(db: Path) -> dict[str, Any]:
    """Everything a command could change: bookings, balances, limits, runs and mutations."""
    with open_ledger(db) as ledger:
        numbers = [s.account.number for s in ledger.find_accounts(oa.AccountQuery())]
        return {
            "accounts": numbers,
            "transactions": sorted(t.id for t in ledger.transactions(numbers)),
            "states": {n: (s.balance, s.limit) for n, s in ledger.states(numbers).items()},
            "runs": [r.id for r in ledger.runs()],
            "mutations": [m.id for m in ledger.mutations()],
        }


def build_large_ledger(db: Path, accounts: int = 3000) -> Path:
    """A club of ``accounts`` accounts, most of which bought in October 2026.

    Every 100th account is a prepaid credit account (refused by a run), every 10th
    bought in September too and was never billed (an uninvoiced warning), every 50th
    bought nothing, and names run from short to longer than an 80-column table allows.
    """
    upgrade(db)
    opened = []
    bookings: list[oa.Transaction] = []
    for i in range(1, accounts + 1):
        number = f"{i:05d}"
        long = " van de Vereniging tot Bevordering der Sportieve Ontspanning" if i % 7 == 0 else ""
        credit = i % 100 == 0
        opened.append(
            oa.Account(
                number=number,
                name=f"Lid {i}{long}",
                kind=oa.AccountKind.CREDIT if credit else oa.AccountKind.LIMIT,
                limit=0 if credit else 500,
                group="teams" if i % 3 == 0 else "leden",
            )
        )
        if i % 50 == 0 and not credit:
            continue
        day = 1 + i % 31
        bookings.append(purchase(f"o{i}", number, local(2026, 10, day, 20, i % 60), (PILS, 2)))
        if i % 10 == 0:
            bookings.append(purchase(f"s{i}", number, local(2026, 9, 12, 21, 0), (KOFFIE, 1)))
    with contextlib.closing(SQLLedger(db)) as ledger:
        ledger.open_accounts(opened)
        ledger.record_many(bookings, allow_over_limit=True)
    return db
