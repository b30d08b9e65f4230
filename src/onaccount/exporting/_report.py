"""What an export wrote and what it left out, and how an exporter tells of its progress.

`Exporter.write` returns an `ExportReport`: how many documents or rows it wrote, the
account invoices it refused (each an `ExportRefusal` naming the field to fix) and the
accounts with nothing to invoice. While it writes it may call an `ExportProgress`
callback with what is done of a known total, so a host can show a progress bar.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

import attrs

from onaccount._errors import InvalidValue

__all__ = [
    "ExportProgress",
    "ExportRefusal",
    "ExportReport",
    "refusal_list",
    "tracked",
]

_T = TypeVar("_T")


@attrs.frozen(kw_only=True)
class ExportRefusal:
    """One thing an exporter refuses: an account invoice, or the export's own options.

    ``account`` is the account number, or None when the exporter's options lack what
    every document needs; ``field`` is the field to fix, such as ``billing.address`` or
    ``seller_vat_id``; ``message`` is a sentence that names both and says what to do.
    ``invoice`` is the number the refused account invoice's document would have carried
    (``2026-10-1042``, ``DRAFT-2026-10-1042`` for a plan): set it when your format writes
    a numbered document per account invoice (an e-invoice, a debit, a journal entry), so
    a host can match the refusal to the document that is missing; leave it None for rows
    of a table and for refusals of the options. Only the report carries it: neither
    `refusal_list` nor the command line shows it.
    """

    account: str | None
    field: str
    message: str
    invoice: str | None = None

    @property
    def sort_key(self) -> tuple[int, str, str]:
        """Options first, then accounts in number order, then fields."""
        return (0 if self.account is None else 1, self.account or "", self.field)


def refusal_list(refusals: Iterable[ExportRefusal]) -> bytes:
    """``refusals`` as a tab-separated text file (``refused.txt``): account, field, what to do.

    Options' refusals name ``(options)`` as their account; every cell is on one line.
    """
    lines = [
        "\t".join(
            " ".join(cell.split()) for cell in (r.account or "(options)", r.field, r.message)
        )
        for r in refusals
    ]
    return ("\n".join(["account\tfield\twhat to do", *lines]) + "\n").encode("utf-8")


class ExportProgress(Protocol):
    """Told what is done: ``done`` of ``total`` ``unit`` (``"accounts"``, ``"rows"``, …).

    Exporters call it as they go, with ``done`` rising from 0 to ``total``. A host may
    pass a bound method of its progress bar; what the callback raises stops the export
    and reaches the host as itself (`Exporter.export` does not blame the exporter for it).
    """

    def __call__(self, done: int, total: int, unit: str) -> None:
        """Record that ``done`` of ``total`` ``unit`` are written."""


def tracked(
    items: Sequence[_T], progress: ExportProgress | None, unit: str = "accounts"
) -> Iterator[_T]:
    """Yield ``items``, telling ``progress`` ``(0, n)`` first and ``(i, n)`` after the i-th.

    For an exporter's loop over the document's accounts::

        for entry in tracked(document.billed, progress):
            ...
    """
    total = len(items)
    if progress is None:
        yield from items
        return
    progress(0, total, unit)
    for done, item in enumerate(items, 1):
        yield item
        progress(done, total, unit)


def _counts_or_none(
    report: ExportReport, attribute: attrs.Attribute[int | None], value: object
) -> None:
    if value is not None and (type(value) is not int or value < 0):
        raise InvalidValue(
            f"ExportReport {attribute.name} is {value!r}; give a count of 0 or more, or None "
            "when the exporter does not count",
            value=value,
            field=attribute.name,
        )


def _unit(report: ExportReport, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(
            f"ExportReport unit is {value!r}; name what is counted, e.g. 'rows' or 'invoices'",
            value=value,
            field=attribute.name,
        )


def _sorted_refusals(items: Iterable[ExportRefusal]) -> tuple[ExportRefusal, ...]:
    return tuple(sorted(items, key=lambda r: r.sort_key))


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _paths(items: Iterable[str | os.PathLike[str]]) -> tuple[Path, ...]:
    return tuple(Path(p) for p in items)


@attrs.frozen(kw_only=True)
class ExportReport:
    """What one export wrote and what it left out.

    ``written`` counts the ``unit`` written (``"rows"``, ``"invoices"``, ``"debits"``,
    …), or is None for an exporter that does not count (a plugin whose ``write``
    returns None). ``accounts`` is how many accounts the output covers. ``refusals``
    lists what was refused and why, options first; ``refusals_listed_in`` names the
    part of the output that lists them (``refused.txt``), if one does.
    ``nothing_to_invoice`` holds the account numbers a plan had nothing to invoice for;
    ``paths`` the files written, when the export went to files, and ``unchanged`` those
    of them that held this export's bytes already and were left as they were (a
    repeated export). ``notes`` says what the export did that its reader should know,
    in a sentence each (e.g. that it collected under the accounts' current billing
    details rather than those committed with the run).
    """

    exporter: str
    unit: str = attrs.field(default="rows", validator=_unit)
    written: int | None = attrs.field(default=None, validator=_counts_or_none)
    accounts: int | None = attrs.field(default=None, validator=_counts_or_none)
    refusals: tuple[ExportRefusal, ...] = attrs.field(default=(), converter=_sorted_refusals)
    refusals_listed_in: str | None = None
    nothing_to_invoice: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    paths: tuple[Path, ...] = attrs.field(default=(), converter=_paths)
    unchanged: tuple[Path, ...] = attrs.field(default=(), converter=_paths)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_strings)

    @property
    def nothing_written(self) -> bool:
        """Whether refusals left nothing to write: something was asked for, none written."""
        return self.written == 0 and bool(self.refusals)

    def refused_accounts(self) -> tuple[str, ...]:
        """The numbers of the accounts refused, each once, in number order."""
        return tuple(sorted({r.account for r in self.refusals if r.account is not None}))

    def refused_options(self) -> tuple[str, ...]:
        """The options the export lacked or could not use, each once, by name.

        What the options lack stops every document, so a caller names them in full.
        """
        return tuple(sorted({r.field for r in self.refusals if r.account is None}))

    def refusals_by_field(self, *, accounts: bool = False) -> tuple[tuple[str, int], ...]:
        """``(field, count)`` per refused field, most frequent first, then by field.

        With ``accounts``, only the refusals of account invoices count, not those of
        the export's options.
        """
        counts = Counter(r.field for r in self.refusals if not accounts or r.account is not None)
        return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    @classmethod
    def combine(cls, reports: Iterable[ExportReport]) -> ExportReport:
        """One report for several exports by the same exporter (one file per account).

        Counts add up (None if any part did not count); refusals (each once), accounts
        with nothing to invoice and paths (written and unchanged) are joined.
        """
        parts = tuple(reports)
        if not parts:
            raise InvalidValue(
                "ExportReport.combine() got no reports; pass the report of each part",
                value=parts,
                field="reports",
            )
        first = parts[0]
        others = {p.exporter for p in parts} - {first.exporter}
        if others:
            raise InvalidValue(
                f"ExportReport.combine() got reports of {first.exporter!r} and "
                f"{', '.join(repr(o) for o in sorted(others))}; combine one exporter's reports",
                value=tuple(sorted(others)),
                field="reports",
            )

        def total(counts: Iterable[int | None]) -> int | None:
            listed = tuple(counts)
            return None if None in listed else sum(c for c in listed if c is not None)

        return cls(
            exporter=first.exporter,
            unit=first.unit,
            written=total(p.written for p in parts),
            accounts=total(p.accounts for p in parts),
            # Each part refuses the same options again: list each refusal once.
            refusals=dict.fromkeys(r for p in parts for r in p.refusals),
            refusals_listed_in=next(
                (p.refusals_listed_in for p in parts if p.refusals_listed_in), None
            ),
            nothing_to_invoice=sorted({n for p in parts for n in p.nothing_to_invoice}),
            paths=[x for p in parts for x in p.paths],
            unchanged=[x for p in parts for x in p.unchanged],
            notes=dict.fromkeys(n for p in parts for n in p.notes),
        )
