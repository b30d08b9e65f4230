"""The built-in exporters keep the exporter contract."""

from __future__ import annotations

from onaccount.testing._contract import ExporterContract
from onaccount_exporters import CsvExporter, XlsxExporter


class TestCsvExporter(ExporterContract):
    exporter = CsvExporter()
    option_examples = (
        {"layout": "days"},
        {"layout": "summary"},
        {"dialect": "rfc4180"},
        {"dialect": "rfc4180", "layout": "summary", "header": "none"},
        {"language": "en", "header": "names"},
    )


class TestXlsxExporter(ExporterContract):
    exporter = XlsxExporter()
    option_examples = (
        {"lines": False, "days": False},
        {"language": "en", "totals": "none"},
        {"layout": "statement"},
    )


class TestXlsxExporterWithATinyRowCap(ExporterContract):
    exporter = XlsxExporter(max_rows=3)
