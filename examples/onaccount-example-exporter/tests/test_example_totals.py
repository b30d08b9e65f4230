"""Tests of the example plugin: onaccount's contract, its output, and its entry point."""

from __future__ import annotations

import io
import json
import tomllib
from decimal import Decimal
from pathlib import Path

import openpyxl
from hypothesis import given, settings
from onaccount_example_exporter import TotalsJsonLines, TotalsWorkbook

from onaccount import InvoiceRun
from onaccount.testing import (
    ExporterContract,
    entry_points_from,
    isolated_registry,
    sample_plan,
    sample_run,
    strategies,
    write_distribution,
)

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


class TestTotalsJsonLines(ExporterContract):
    """The example exporter keeps onaccount's exporter contract."""

    exporter = TotalsJsonLines()
    option_examples = ({"vat_breakdown": False}, {"keys": "camel"})


class TestTotalsWorkbook(ExporterContract):
    """The workbook exporter, on the table base, keeps the contract too."""

    exporter = TotalsWorkbook()
    option_examples = ({"language": "en", "totals": "none"},)


def test_one_line_per_account_with_exact_amounts() -> None:
    """Each account the sample run bills is one JSON line; amounts are exact decimal strings."""
    lines = TotalsJsonLines().export_bytes(sample_run()).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["account"] for r in records] == ["1042", "2001", "3003"]  # -7 was undone
    team = records[0]
    assert (team["total"], team["net"], team["vat"], team["state"]) == (
        "27.65",
        "24.09",
        "3.56",
        "active",
    )
    assert team["vat_by_rate"] == {"S 9%": "1.13", "S 21%": "2.43"}
    assert records[2]["total"] == "1700"  # yen have no minor unit


def test_keys_can_be_camel_case() -> None:
    """With keys='camel' the keys read balanceBefore, limitAfter and vatByRate."""
    data = TotalsJsonLines().export_bytes(sample_plan(), {"keys": "camel"})
    first = json.loads(data.splitlines()[0])
    assert {"balanceBefore", "limitAfter", "vatByRate"} <= set(first)
    assert first["account"] == "-7"


def test_the_workbook_has_labels_formats_and_a_totals_row() -> None:
    """The table base writes Dutch labels, money formats and a totals row per currency."""
    data = TotalsWorkbook().export_bytes(sample_run())
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Totalen"]
    assert [c.value for c in sheet[1]] == ["Rekening", "Naam", "Totaal", "Netto", "Btw"]
    assert sheet["C3"].number_format == '#,##0.00 "EUR"_-'
    assert [row[0] for row in sheet.iter_rows(values_only=True)][-2:] == [
        "Totaal EUR",
        "Totaal JPY",
    ]


@settings(max_examples=25, deadline=None)
@given(run=strategies.runs())
def test_totals_read_back_equal_the_run(run: InvoiceRun) -> None:
    """For any run, the totals read back per currency equal what the run still bills."""
    totals: dict[str, Decimal] = {}
    for line in TotalsJsonLines().export_bytes(run).splitlines():
        record = json.loads(line)
        currency = record["currency"]
        totals[currency] = totals.get(currency, Decimal(0)) + Decimal(record["total"])
    assert totals == run.standing_totals


def test_the_entry_point_in_pyproject_registers_the_exporters(tmp_path: Path) -> None:
    """The entry point declared in pyproject.toml loads the plugin and both its exporters."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    entry_points = project["project"]["entry-points"]["onaccount"]
    write_distribution(tmp_path, "onaccount-example-exporter", entry_points=entry_points)
    registry = isolated_registry(entry_points=entry_points_from([tmp_path]))
    assert [(i.identifier, i.plugin, i.distribution) for i in registry.describe()] == [
        ("totals-jsonl", "example-totals", "onaccount-example-exporter"),
        ("totals-xlsx", "example-totals", "onaccount-example-exporter"),
    ]
