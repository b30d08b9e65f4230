"""Counts and lists in the library's sentences: ``1 purchase``, ``3 purchases``."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["NAMED", "counted", "in_number", "named", "plural"]

#: How many items a sentence names before it counts the rest.
NAMED = 10


def in_number(n: int, one: str, other: str) -> str:
    """The word that agrees with ``n``: ``one`` for one, ``other`` for any other count."""
    return one if n == 1 else other


def plural(noun: str, n: int) -> str:
    """``noun`` for ``n`` of it: singular for one, with an ``s`` otherwise."""
    return in_number(n, noun, noun + "s")


def counted(n: int, noun: str) -> str:
    """``n`` with thousands separators and the noun: ``1 purchase``, ``10,006 refusals``."""
    return f"{n:,} {plural(noun, n)}"


def named(noun: str, items: Iterable[object], count: int | None = None) -> str:
    """The noun and what it names: ``account 1042``, ``accounts 1042, 2001``.

    Past `NAMED` items the rest are counted (``… and 278 more``), of ``count`` in all
    where ``items`` are only the first of them.
    """
    given = [str(item) for item in items]
    total = len(given) if count is None else count
    shown = given[:NAMED]
    listed = ", ".join(shown)
    if total > len(shown):
        listed += f" and {total - len(shown):,} more"
    return f"{plural(noun, total)} {listed}"
