"""Amounts as a person types them, refused where a reader may mean another one."""

from __future__ import annotations

import re
from decimal import Decimal

import onaccount as oa
from onaccount._money import to_decimal
from onaccount._query import split_balance_filter
from onaccount._words import field_name

__all__ = ["ambiguity", "typed_amount", "typed_balance"]

_AMOUNT = re.compile(r"-?\d+(\.\d+)?")
# A thousands separator follows one to three digits, never a lone 0 (0.125 is a fraction).
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}([.,])\d{3}")
#: Cents after a comma, and thousands grouped before the cents, as Dutch or English
#: write them: each is read one way only.
_WRITTEN = (
    # A comma before one, two or four and more places, or after a lone 0, is no
    # thousands separator.
    (re.compile(r"-?(\d+,\d{1,2}|\d+,\d{4,}|0,\d+)"), str.maketrans(",", ".")),
    (re.compile(r"-?\d{1,3}(\.\d{3})+,\d{1,2}"), str.maketrans(",", ".", ".")),
    (re.compile(r"-?\d{1,3}(,\d{3})+\.\d{1,2}"), str.maketrans("", "", ",")),
)
#: Which language reads the separator between thousands.
_GROUPS_THOUSANDS = {".": ("a point", "Dutch"), ",": ("a comma", "English")}


def ambiguity(text: str, what: str, *, fractions: bool = False) -> str | None:
    """Why ``text`` may mean two amounts (``1.500``: 1.5, or 1500 in Dutch), or None.

    An amount is suggested in cents; with ``fractions`` (a unit price or a quantity,
    which may have more places) a fraction is suggested with a fourth place that no
    reader takes for thousands, ``1.8590``.
    """
    typed = text.strip()
    match = _THOUSANDS.fullmatch(typed)
    if match is None:
        return None
    separator, language = _GROUPS_THOUSANDS[match[1]]
    whole = typed.replace(match[1], "")
    fraction = Decimal(typed.replace(",", "."))
    cents = fraction.quantize(Decimal("0.01"))
    # 2.105 is no amount of cents: only the thousands are worth suggesting.
    if cents == fraction:
        choice = f"{whole} or {cents}, whichever you mean"
    elif fractions:
        choice = f"{whole} or {fraction}0, whichever you mean"
    else:
        choice = f"{whole} if that is what you mean"
    return (
        f"{what} {text!r} is ambiguous: three digits after {separator} read as thousands in "
        f"{language}; write {choice}"
    )


def typed_amount(text: str, what: str, *, name: str | None = None) -> Decimal:
    """``text`` as an amount, refused where a person may have meant another one.

    A point or a comma may stand before the cents, and thousands may be grouped before
    them (``1.500,00``, ``1,500.00``); three digits after a lone separator may mean
    thousands or a fraction, and are refused. A refusal says ``what`` the amount is
    and names parameter ``name`` (see `field_name`).
    """
    said = ambiguity(text, what)
    if said is not None:
        raise oa.InvalidAmount(said, value=text, field=field_name(what, name))
    typed = text.strip()
    for pattern, table in _WRITTEN:
        if pattern.fullmatch(typed):
            typed = typed.translate(table)
            break
    if not _AMOUNT.fullmatch(typed):
        # A number all the same (1e3, +5, Infinity), or not one, and not an amount.
        raise oa.InvalidAmount(
            f"{what} {text!r} is not an amount; write digits with a point or a comma before "
            "the cents, such as 250, 250.50 or 250,50",
            value=text,
            field=field_name(what, name),
        )
    return to_decimal(typed, field=what, name=name)


def typed_balance(text: str | None) -> oa.BalanceFilter | None:
    """A typed ``--balance`` comparison, its amount read as `typed_amount` reads one."""
    if text is None:
        return None
    op, number = split_balance_filter(text)
    return oa.BalanceFilter(op, typed_amount(number, "balance"))
