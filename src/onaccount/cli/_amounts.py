"""Amounts as a person types them, refused where a Dutch reader may mean another one."""

from __future__ import annotations

import re
from decimal import Decimal

import onaccount as oa
from onaccount._money import to_decimal

__all__ = ["ambiguity", "typed_amount", "typed_balance"]

_AMOUNT = re.compile(r"-?\d+(\.\d+)?")
# A thousands separator follows one to three digits, never a lone 0 (0.125 is a fraction).
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")


def ambiguity(text: str, what: str) -> str | None:
    """Why ``text`` may mean two amounts (``1.500``: 1.5, or 1500 in Dutch), or None."""
    typed = text.strip()
    if not _THOUSANDS.fullmatch(typed):
        return None
    return (
        f"{what} {text!r} is ambiguous: three digits after a point read as thousands in "
        f"Dutch; write {typed.replace('.', '')} or {Decimal(typed):.2f}, whichever you mean"
    )


def typed_amount(text: str, what: str) -> Decimal:
    """``text`` as an amount, refused where a person may have meant another one."""
    said = ambiguity(text, what)
    if said is not None:
        raise oa.InvalidAmount(said, value=text, field=what)
    typed = text.strip()
    amount = to_decimal(typed, field=what)
    if not _AMOUNT.fullmatch(typed):
        # A number all the same (1e3, +5, Infinity), and not how anyone writes an amount.
        raise oa.InvalidAmount(
            f"{what} {text!r} is not an amount; write digits with a point before the cents, "
            "such as 250 or 250.50",
            value=text,
            field=what,
        )
    return amount


def typed_balance(text: str | None) -> oa.BalanceFilter | None:
    """A typed ``--balance`` comparison, its amount read as `typed_amount` reads one."""
    if text is None:
        return None
    parsed = oa.BalanceFilter.parse(text)
    return oa.BalanceFilter(parsed.op, typed_amount(text.strip()[len(parsed.op) :], "balance"))
