"""A canteen bills October on account: the example the README shows."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import onaccount as oa

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ledger = oa.MemoryLedger()
admin = oa.Actor.superuser("treasurer")

team_a = oa.Account(number="1042", name="Team A", limit=Decimal("250"))
oa.open_account(ledger, team_a, actor=admin)
beer, fries = oa.Vat.standard("0.21"), oa.Vat.standard("0.09")
ledger.record(
    oa.Purchase(
        account="1042",
        at=dt.datetime(2026, 10, 3, 23, 40, tzinfo=AMSTERDAM),
        lines=[
            oa.Line(product="Beer", quantity=6, unit_price=Decimal("2.80"), vat=beer),
            oa.Line(product="Fries", quantity=3, unit_price=Decimal("3.50"), vat=fries),
        ],
    )
)
# Sold at 01:30 on 4 October: with days starting at 04:00 it belongs to 3 October.
ledger.record(
    oa.Purchase(
        account="1042",
        at=dt.datetime(2026, 10, 4, 1, 30, tzinfo=AMSTERDAM),
        lines=[oa.Line(product="Beer", quantity=2, unit_price=Decimal("2.80"), vat=beer)],
    )
)

october = oa.Period.parse("2026-10", tz="Europe/Amsterdam", day_starts_at="04:00")
plan = oa.plan_run(ledger, october, ["1042"], "zero-balance", actor=admin)
draft = plan.drafts[0]
print(f"invoice {draft.account.name}: {draft.total} EUR")
for day in draft.statement.days:
    print(f"  {day.date}: {day.total}")
for vat in draft.statement.vat:
    print(f"  VAT {vat.vat}: net {vat.net} + VAT {vat.tax} = {vat.gross}")
print(f"balance {draft.balance_before} -> {draft.balance_after}")

run = oa.commit_run(ledger, plan, actor=admin, key="2026-10")
print(f"committed run {run.key}: {run.totals['EUR']} EUR invoiced")
