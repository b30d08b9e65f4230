"""ExporterContract: the behaviour every exporter must show, as a pytest test base class.

Subclass it in a test module, name the subclass ``Test…`` and set ``exporter``; pytest
then runs every check below against it::

    from onaccount.testing import ExporterContract

    class TestAcmeExporter(ExporterContract):
        exporter = AcmeExporter()
        option_examples = ({"layout": "days"},)

The built-in ``csv`` and ``xlsx`` exporters pass it.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import time
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from onaccount._admin import statement
from onaccount._invoices import Plan
from onaccount._statement import Statement
from onaccount.exporting import (
    FORMULA_TRIGGERS,
    IDENTIFIER_PATTERN,
    Exportable,
    Exporter,
    ExportOptions,
    ExportReport,
    InvalidOptions,
    JsonScalar,
    UnsupportedSource,
    export_document,
    validate_exporter,
)
from onaccount.ledger import Ledger
from onaccount.testing import strategies
from onaccount.testing._registry import isolated_registry
from onaccount.testing._samples import (
    FORMULA_PRODUCT,
    sample_ledger,
    sample_plan,
    sample_run,
    sample_statement,
)

__all__ = ["ExporterContract", "formula_cells"]

_CSV_TYPES = frozenset({"text/csv", "application/csv", "text/tab-separated-values"})
_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Words in the media types CSV is sent under besides text/csv (application/x-csv,
# application/vnd.ms-excel).
_CSV_WORDS = ("csv", "excel", "tab-separated")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")
# The sums a totals row holds with totals="formulas": one column's data rows, nothing else.
_TOTALS_SUM = r"SUBTOTAL\(109,([A-Z]{1,3})[1-9][0-9]*:\1[1-9][0-9]*\)"
_TOTALS_FORMULA = re.compile("=" + _TOTALS_SUM)
_TOTALS_ELEMENT = re.compile(rb"<(?:\w+:)?f>" + _TOTALS_SUM.encode() + rb"</")
#: What a determinism check asks of an exporter whose output differs.
_SAME_BYTES = "write the same bytes for the same input: no clock, random ids or hash order"
#: What the checks of untouched input ask of an exporter that changed it.
_UNTOUCHED = "read the document, and copy what you would change"


def _dangerous(text: str) -> bool:
    return bool(text) and text[0] in FORMULA_TRIGGERS and not _NUMBER.fullmatch(text)


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    first = text.splitlines()[0] if text else ""
    delimiter = max(",;\t|", key=first.count)
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def _xlsx_formulas(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not name.startswith("xl/worksheets/"):
                continue
            xml = archive.read(name)
            sums = len(_TOTALS_ELEMENT.findall(xml))
            if len(_FORMULA_ELEMENT.findall(xml)) > sums:
                found.append(f"a formula element in {name}")
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" and _TOTALS_FORMULA.fullmatch(str(cell.value)):
                    continue
                if cell.data_type == "f":
                    found.append(f"{sheet.title}!{cell.coordinate} = {cell.value!r}")
                elif isinstance(cell.value, str) and _dangerous(cell.value):
                    found.append(f"{sheet.title}!{cell.coordinate} {cell.value!r}")
    return found


def formula_cells(data: bytes, media_type: str) -> list[str]:
    """The cells of an export that a spreadsheet would run as a formula.

    A text cell is one when it starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
    return and is not a plain number; in XLSX a formula element counts too, except the
    ``SUBTOTAL`` sum of one column a totals row holds with ``totals="formulas"``. CSV is
    recognised by its media type whatever its spelling (``text/csv; charset=utf-8``,
    ``application/vnd.ms-excel``); in other text the fields that start with ``=``
    count. A zip's ``.csv``, ``.tsv`` and ``.xlsx`` members are checked, each finding
    named by its member; other formats have none.
    """
    kind = media_type.partition(";")[0].strip().lower()
    if kind == _XLSX_TYPE:
        return _xlsx_formulas(data)
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _zipped_formulas(data)
    if kind in _CSV_TYPES or any(word in kind for word in _CSV_WORDS):
        return [cell for cell in _text_cells(data) if _dangerous(cell)]
    if kind.startswith("text/"):
        return [cell for cell in _text_cells(data) if cell.startswith("=")]
    return []


def _text_cells(data: bytes) -> list[str]:
    try:
        return _csv_cells(data)
    except (UnicodeDecodeError, csv.Error):
        return []  # not text a spreadsheet would read as a table


def _zipped_formulas(data: bytes) -> list[str]:
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if any(name.startswith("xl/worksheets/") for name in archive.namelist()):
            return _xlsx_formulas(data)
        for name in archive.namelist():
            suffix = name.rpartition(".")[2].lower()
            if suffix in ("csv", "tsv"):
                cells = [c for c in _text_cells(archive.read(name)) if _dangerous(c)]
            elif suffix == "xlsx":
                cells = _xlsx_formulas(archive.read(name))
            else:
                continue
            found += [f"{name}: {cell}" for cell in cells]
    return found


def _wrong_value(default: JsonScalar) -> JsonScalar:
    if isinstance(default, bool):
        return "yes"
    if isinstance(default, int):
        return "many"
    return 12345


def _named(source: Exportable, options: ExportOptions) -> str:
    """``the plan for 2026-10 with TotalsOptions(...)``: what a check wrote, for its message."""
    if isinstance(source, Statement):
        what = f"the statement of account {source.account.number!r} for {source.period.label}"
    elif isinstance(source, Plan):
        what = f"the plan for {source.period.label}"
    else:
        what = f"run {source.id!r} for {source.period.label}"
    return f"{what} with {options!r}"


def _wait_for_the_clock() -> None:
    """Sleep past the next even second, so zip times (2 s steps) and seconds change."""
    time.sleep(2.05 - time.time() % 2)


class _Recorder:
    """A progress callback that keeps every call."""

    def __init__(self, calls: list[tuple[int, int, str]]) -> None:
        self.calls = calls

    def __call__(self, done: int, total: int, unit: str) -> None:
        self.calls.append((done, total, unit))


class ExporterContract:
    """Checks every exporter must pass; subclasses set ``exporter``.

    ``option_examples`` lists option sets (JSON objects) that the output checks run with
    besides the defaults, so every layout or dialect gets written. The generated-runs
    check runs `generated_examples_share` of the active Hypothesis profile's examples.
    """

    #: The exporter under test, an instance.
    exporter: ClassVar[Exporter[Any]]
    #: Further option sets to write with, as JSON objects.
    option_examples: ClassVar[Sequence[Mapping[str, JsonScalar]]] = ()
    #: The share of the active Hypothesis profile's ``max_examples`` (at least one) that
    #: the check writing generated runs runs; each example writes every option set, so
    #: a small share keeps the contract cheap, and a thorough profile scales it.
    generated_examples_share: ClassVar[float] = 0.15

    def option_sets(self) -> list[ExportOptions]:
        """The defaults followed by every option example, built."""
        exporter = self.exporter
        return [exporter.Options(), *(exporter.options(dict(o)) for o in self.option_examples)]

    def sources(self) -> list[Exportable]:
        """The sample statement, plan and run every output check writes.

        Their account 1042 has billing details and the others none, so an exporter that
        refuses accounts without them writes some of each sample and refuses the rest.
        """
        return [sample_statement(), sample_plan(), sample_run()]

    def ledger(self) -> Ledger:
        """The ledger the samples' purchases are read back from (they all hold the same)."""
        return sample_ledger()

    def _write(
        self, source: Exportable, options: ExportOptions, ledger: Ledger | None = None
    ) -> bytes:
        buffer = io.BytesIO()
        self.exporter.export(source, buffer, options, ledger=ledger or self.ledger())
        return buffer.getvalue()

    # -- metadata --------------------------------------------------------------------------

    def test_keeps_the_exporter_contract(self) -> None:
        """The exporter has an identifier, title, description, media type, extension, Options."""
        assert validate_exporter(self.exporter) is self.exporter

    def test_identifier_is_a_lowercase_slug(self) -> None:
        """The identifier is a lowercase slug such as csv or exact-online."""
        assert IDENTIFIER_PATTERN.fullmatch(self.exporter.identifier), self.exporter.identifier

    def test_registers_through_the_plugin_hook(self) -> None:
        """An isolated registry lists the exporter under its identifier with its metadata."""
        registry = isolated_registry(self.exporter)
        assert registry.get(self.exporter.identifier) is self.exporter
        (info,) = registry.describe()
        assert (info.identifier, info.title, info.plugin) == (
            self.exporter.identifier,
            self.exporter.title,
            "test",
        )

    # -- options ---------------------------------------------------------------------------

    def test_default_options_build(self) -> None:
        """Options() builds without arguments and equals the exporter's default options."""
        assert self.exporter.Options() == self.exporter.options(None)

    def test_options_round_trip_through_json(self) -> None:
        """Every option set survives json.dumps and from_json unchanged."""
        for options in self.option_sets():
            text = json.dumps(options.to_json(), sort_keys=True)
            assert type(options).from_json(json.loads(text)) == options
            assert type(options).from_json(text) == options

    def test_options_describe_every_option(self) -> None:
        """Options.describe() lists each option once, with a help text and its default."""
        described = self.exporter.Options.describe()
        defaults = self.exporter.Options().to_json()
        assert [info.name for info in described] == list(defaults)
        for info in described:
            assert info.help.strip(), f"option {info.name!r} has no help text"
            assert info.default == defaults[info.name]

    def test_unknown_option_is_refused(self) -> None:
        """An option name the exporter does not know raises InvalidOptions naming it."""
        name = "no_such_option_42"
        with pytest.raises(InvalidOptions, match=name):
            self.exporter.options({name: True})

    def test_option_of_the_wrong_type_is_refused(self) -> None:
        """An option value of the wrong JSON type raises InvalidOptions naming the option."""
        for info in self.exporter.Options.describe():
            with pytest.raises(InvalidOptions, match=re.escape(info.name)):
                self.exporter.options({info.name: _wrong_value(info.default)})

    # -- output ----------------------------------------------------------------------------

    def test_writes_a_statement(self) -> None:
        """The sample statement is written, with every option set, to a non-empty stream."""
        for options in self.option_sets():
            source = sample_statement()
            assert self._write(source, options), f"nothing written for {_named(source, options)}"

    def test_writes_a_plan(self) -> None:
        """The sample plan (a preview) is written with every option set."""
        for options in self.option_sets():
            source = sample_plan()
            assert self._write(source, options), f"nothing written for {_named(source, options)}"

    def test_writes_a_run(self) -> None:
        """The sample run, one of its invoices undone, is written with every option set."""
        for options in self.option_sets():
            source = sample_run()
            assert self._write(source, options), f"nothing written for {_named(source, options)}"

    def test_writes_a_plan_with_nothing_to_invoice(self) -> None:
        """A plan without drafts is written without error."""
        empty = attrs.evolve(sample_plan(), drafts=())
        for options in self.option_sets():
            self._write(empty, options)

    def test_reports_what_it_wrote(self) -> None:
        """export() returns an ExportReport that counts what it wrote and names refusals."""
        for options in self.option_sets():
            for source in self.sources():
                report = self.exporter.export(source, io.BytesIO(), options, ledger=self.ledger())
                assert isinstance(report, ExportReport), report
                assert report.exporter == self.exporter.identifier
                assert report.written is not None, "write() returns no count"
                numbers = {entry.account.number for entry in export_document(source).accounts}
                unknown = set(report.refused_accounts()) - numbers
                assert not unknown, f"refusals name accounts not in the source: {unknown}"
                for refusal in report.refusals:
                    assert refusal.field.strip(), refusal
                    assert refusal.message.strip(), refusal

    def test_progress_rises_to_its_total(self) -> None:
        """The progress callback hears counts that rise, stay within the total, and end there."""
        for source in self.sources():
            calls: list[tuple[int, int, str]] = []
            self.exporter.export(
                source, io.BytesIO(), ledger=self.ledger(), progress=_Recorder(calls)
            )
            done = [call[0] for call in calls]
            assert done == sorted(done), f"progress went back: {calls}"
            for count, total, unit in calls:
                assert 0 <= count <= total, (count, total)
                assert unit.strip(), f"progress unit {unit!r} is blank"
            if calls:
                count, total, _ = calls[-1]
                assert count == total, f"progress ended at {count} of {total}"

    def test_refuses_what_is_not_a_statement_plan_or_run(self) -> None:
        """Exporting anything else raises UnsupportedSource."""
        not_a_source: Any = "a run"
        with pytest.raises(UnsupportedSource):
            self.exporter.export(not_a_source, io.BytesIO())

    def test_output_is_deterministic(self) -> None:
        """The same input gives the same bytes: twice, from an equal copy, and later in time."""
        for options in self.option_sets():
            for source in self.sources():
                first = self._write(source, options)
                named = _named(source, options)
                again = self._write(source, options)
                assert again == first, f"{named} is written differently twice; {_SAME_BYTES}"
                copied = self._write(copy.deepcopy(source), options)
                assert copied == first, (
                    f"{named} is written differently from an equal copy; {_SAME_BYTES}"
                )
        firsts = [self._write(source, self.exporter.Options()) for source in self.sources()]
        _wait_for_the_clock()
        later = [self._write(source, self.exporter.Options()) for source in self.sources()]
        assert later == firsts, "the output depends on the clock"

    def test_formula_in_a_product_name_does_not_become_a_formula(self) -> None:
        """A product named =SUM(A1) (and hostile account names) are never formulas."""
        source = sample_statement()
        purchases = source.purchases(self.ledger())
        assert any(line.product == FORMULA_PRODUCT for p in purchases for line in p.lines)
        for options in self.option_sets():
            for sample in self.sources():
                data = self._write(sample, options)
                found = formula_cells(data, self.exporter.media_type)
                assert not found, f"formulas in the output with {options}: {found[:5]}"

    def test_input_is_not_mutated(self) -> None:
        """Writing leaves the statement, plan and run equal to copies taken before."""
        for options in self.option_sets():
            for source in self.sources():
                before = copy.deepcopy(source)
                self._write(source, options)
                assert source == before, (
                    f"writing {_named(source, options)} changed it; {_UNTOUCHED}"
                )

    def test_writes_generated_statements_plans_and_runs(self) -> None:
        """Any generated run, its plan and a statement are written deterministically."""
        # The profile loaded when the check runs, not when this module was imported.
        profile = settings()
        examples = max(1, round(profile.max_examples * self.generated_examples_share))

        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=[
                *profile.suppress_health_check,
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
            ],
        )
        @given(generated=strategies.generated_runs())
        def writes_deterministically(generated: strategies.GeneratedRun) -> None:
            self._writes_deterministically(generated)

        writes_deterministically()

    def _writes_deterministically(self, generated: strategies.GeneratedRun) -> None:
        ledger = generated.generated
        sources: list[Exportable] = [generated.run, generated.plan]
        if ledger.accounts:
            sources.append(
                statement(
                    ledger.ledger, ledger.accounts[0].number, ledger.period, actor=ledger.actor
                )
            )
        for options in self.option_sets():
            for source in sources:
                before = copy.deepcopy(source)
                data = self._write(source, options, ledger.ledger)
                named = _named(source, options)
                again = self._write(source, options, ledger.ledger)
                assert again == data, f"{named} is written differently twice; {_SAME_BYTES}"
                assert source == before, f"writing {named} changed it; {_UNTOUCHED}"
                found = formula_cells(data, self.exporter.media_type)
                assert not found, f"formulas in the output with {options}: {found[:5]}"
