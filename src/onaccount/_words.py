"""Counts and lists in the library's sentences: ``1 purchase``, ``3 purchases``."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["counted", "in_number", "named", "plural"]


def in_number(n: int, one: str, other: str) -> str:
    """The word that agrees with ``n``: ``one`` for one, ``other`` for any other count."""
    return one if n == 1 else other


def plural(noun: str, n: int) -> str:
    """``noun`` for ``n`` of it: singular for one, with an ``s`` otherwise."""
    return in_number(n, noun, noun + "s")


def counted(n: int, noun: str) -> str:
    """``n`` with thousands separators and the noun: ``1 purchase``, ``10,006 refusals``."""
    return f"{n:,} {plural(noun, n)}"


def named(noun: str, items: Iterable[object]) -> str:
    """The noun and what it names: ``account 1042``, ``accounts 1042, 2001``."""
    shown = [str(item) for item in items]
    return f"{plural(noun, len(shown))} {', '.join(shown)}"
