"""How the SQL ledger stores a statement's totals as JSON and reads them back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import onaccount as oa
from onaccount._statement import build_statement
from onaccount.ledger._codec import StatementMemo, statement_from_json, statement_to_json

OCTOBER = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
ACCOUNT = oa.Account(number="1042", name="Team A", limit=200)
HIGH = oa.Vat.standard(Decimal("0.21"))


def _statement(*prices: str) -> oa.Statement:
    """A statement of one coffee per price given, on 3 October."""
    at = dt.datetime(2026, 10, 3, 12, tzinfo=dt.UTC)
    purchases = [
        oa.Purchase(
            id=f"p{i}",
            account=ACCOUNT.number,
            at=at,
            lines=(oa.Line(product="Koffie", quantity=1, unit_price=Decimal(p), vat=HIGH),),
        )
        for i, p in enumerate(prices)
    ]
    return build_statement(ACCOUNT, OCTOBER, purchases)


def test_a_statement_reads_back_as_it_was_stored() -> None:
    """Totals, days, products and VAT come back equal, with the ids given."""
    statement = _statement("2.50", "3.10")
    read = statement_from_json(statement_to_json(statement), ACCOUNT, OCTOBER, ["p0", "p1"])
    assert read.total == statement.total
    assert read.days == statement.days
    assert read.products == statement.products
    assert read.vat == statement.vat


def test_statements_read_with_one_memo_share_their_equal_rows() -> None:
    """One memo for a whole read: a product row and VAT rate stored alike are one value."""
    memo: StatementMemo = {}
    text = statement_to_json(_statement("2.50"))
    first = statement_from_json(text, ACCOUNT, OCTOBER, ["p0"], memo=memo)
    second = statement_from_json(text, ACCOUNT, OCTOBER, ["p9"], memo=memo)
    assert first.products[0] is second.products[0]
    assert first.vat[0].vat is second.vat[0].vat
    alone = statement_from_json(text, ACCOUNT, OCTOBER, ["p0"])
    assert alone.products[0] == first.products[0]
    assert alone.products[0] is not first.products[0]


def test_a_memo_keeps_apart_what_was_stored_differently() -> None:
    """2.5 and 2.50 are equal numbers but stored apart; each reads back as it was written."""
    memo: StatementMemo = {}
    texts = [
        statement_to_json(_statement("2.50")),
        statement_to_json(_statement("2.5")),
    ]
    read = [statement_from_json(t, ACCOUNT, OCTOBER, [], memo=memo) for t in texts]
    assert [str(s.products[0].unit_price) for s in read] == ["2.50", "2.5"]
