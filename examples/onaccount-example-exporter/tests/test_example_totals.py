"""Tests of the example plugin: the exporter contract, its output, and its entry point."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from onaccount_example_exporter import TotalsJsonLines

from onaccount import InvoiceRun
from onaccount.exporting import load_exporters
from onaccount.testing import ExporterContract, sample_plan, sample_run, strategies


class TestTotalsJsonLines(ExporterContract):
    """The example exporter keeps onaccount's exporter contract."""

    exporter = TotalsJsonLines()
    option_examples = ({"vat_breakdown": False}, {"keys": "camel"})


def test_one_line_per_account_with_exact_amounts() -> None:
    """Each account of the sample run is one JSON line; amounts are exact decimal strings."""
    lines = TotalsJsonLines().export_bytes(sample_run()).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["account"] for r in records] == ["-7", "1042", "2001", "3003"]
    team = records[1]
    assert (team["total"], team["net"], team["vat"], team["state"]) == (
        "27.65",
        "24.09",
        "3.56",
        "active",
    )
    assert team["vat_by_rate"] == {"S 9%": "1.13", "S 21%": "2.43"}
    assert records[3]["total"] == "1700"


def test_keys_can_be_camel_case() -> None:
    """With keys='camel' the keys read balanceBefore, limitAfter and vatByRate."""
    data = TotalsJsonLines().export_bytes(sample_plan(), {"keys": "camel"})
    first = json.loads(data.splitlines()[0])
    assert {"balanceBefore", "limitAfter", "vatByRate"} <= set(first)
    assert first["account"] == "-7"


def test_the_plugin_is_found_through_its_entry_point() -> None:
    """Once installed, the host finds totals-jsonl through the entry point 'example-totals'."""
    registry = load_exporters(allow=["example-totals"])
    (info,) = registry.describe()
    assert (info.identifier, info.plugin, info.distribution) == (
        "totals-jsonl",
        "example-totals",
        "onaccount-example-exporter",
    )


@settings(max_examples=25, deadline=None)
@given(run=strategies.runs())
def test_totals_read_back_equal_the_run(run: InvoiceRun) -> None:
    """For any run, the totals read back per currency equal the run's totals."""
    data = TotalsJsonLines().export_bytes(run)
    totals: dict[str, Decimal] = {}
    for line in data.splitlines():
        record = json.loads(line)
        totals[record["currency"]] = totals.get(record["currency"], Decimal(0)) + Decimal(
            record["total"]
        )
    assert totals == run.totals
