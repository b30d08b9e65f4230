"""File labels: the options that tell one export's files from another's of the same run."""

from __future__ import annotations

from collections.abc import Sequence

from onaccount.exporting import ExportOptions

__all__ = ["given_options"]


def given_options(options: ExportOptions, names: Sequence[str]) -> list[str]:
    """Words for the options ``names`` that differ from their defaults, in that order.

    A choice is its value (``rfc4180``); a flag is its name when turned on and
    ``no-<name>`` when turned off (``no-header``). Defaults give no word, so the usual
    export keeps its short name.
    """
    defaults = type(options)()
    words = []
    for name in names:
        value = getattr(options, name)
        if value == getattr(defaults, name):
            continue
        if isinstance(value, bool):
            words.append(name if value else f"no-{name}")
        else:
            words.append(str(value))
    return words
