"""One parser for the enumerations a host may pass as text ("limit", "top-up", "S", …)."""

from __future__ import annotations

import enum
from typing import TypeVar

from ._errors import InvalidValue

__all__ = ["parse_enum"]

E = TypeVar("E", bound=enum.Enum)


def parse_enum(
    kind: type[E],
    value: object,
    *,
    what: str,
    field: str,
    error: type[InvalidValue] = InvalidValue,
) -> E:
    """``value`` as a member of ``kind`` (a member, or its value), or ``error`` naming it.

    The refusal lists the values there are: "account kind 'lmit' is unknown; use one of
    'limit', 'credit'".
    """
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(repr(member.value) for member in kind)
        raise error(
            f"{what} {value!r} is unknown; use one of {known}", value=value, field=field
        ) from None
