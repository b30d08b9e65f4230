"""Zip archives with the same bytes every time, and what to do with refusals.

The ``ubl`` and ``sepa`` exporters write several documents per run, so they write a zip:
members in a fixed order, with fixed times and permissions. Refused account invoices are
either listed in a ``refused.txt`` member (``on_refusal="list"``) or refuse the whole
export with `ExportRefused` before anything is written (``on_refusal="raise"``).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from typing import BinaryIO

from onaccount.exporting import UniqueNames, refusal_list

from ._errors import ExportRefusal, ExportRefused

__all__ = [
    "ON_REFUSAL_CHOICES",
    "ON_REFUSAL_HELP",
    "REFUSED_MEMBER",
    "MemberNames",
    "settle",
    "write_zip",
]

#: The member that lists what an export left out.
REFUSED_MEMBER = "refused.txt"
#: The choices of every ``on_refusal`` option.
ON_REFUSAL_CHOICES = ("list", "raise")
#: The help text of every ``on_refusal`` option.
ON_REFUSAL_HELP = (
    "list: leave refused account invoices out and name each, with the field to fix, in "
    "refused.txt inside the zip; raise: refuse the whole export, writing nothing, "
    "when any is refused (ExportRefused in Python)."
)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class MemberNames(UniqueNames):
    """Unique, safe member names: ``name.xml``, then ``name-2.xml`` and so on."""

    def __init__(self) -> None:
        super().__init__([REFUSED_MEMBER])


def settle(
    identifier: str, refusals: Iterable[ExportRefusal], on_refusal: str
) -> tuple[ExportRefusal, ...]:
    """The refusals in report order; with ``on_refusal="raise"``, `ExportRefused` if any."""
    ordered = tuple(sorted(refusals, key=lambda r: r.sort_key))
    if ordered and on_refusal == "raise":
        shown = "; ".join(r.message for r in ordered[:5])
        more = f"; and {len(ordered) - 5} more" if len(ordered) > 5 else ""
        raise ExportRefused(
            f"exporter {identifier!r} refused, nothing was written: {shown}{more}",
            refusals=ordered,
        )
    return ordered


def write_zip(
    stream: BinaryIO,
    members: Sequence[tuple[str, bytes]],
    refusals: Sequence[ExportRefusal] = (),
) -> None:
    """Write ``members`` (and a ``refused.txt`` when there are refusals) as a zip."""
    entries = list(members)
    if refusals:
        entries.append((REFUSED_MEMBER, refusal_list(refusals)))
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
