"""Finding accounts, and an account's position at a moment."""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal

import attrs

from ._account import Account, AccountKind, account_kind, optional_text
from ._errors import InvalidValue
from ._money import to_decimal

__all__ = ["AccountQuery", "AccountState", "BalanceFilter", "fold_text", "split_balance_filter"]


def fold_text(text: str) -> str:
    """Text folded for searching: case and accents ignored ("Café" finds "cafe")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@attrs.frozen(kw_only=True)
class AccountState:
    """An account with its balance and limit at one moment.

    ``revision`` counts the changes to the account record and its mutations; a plan
    remembers it so that commit can tell the account changed in between.
    """

    account: Account
    balance: Decimal
    limit: Decimal
    revision: int = 0

    @property
    def spending_room(self) -> Decimal:
        """What the account may still spend: limit plus (signed) balance."""
        return self.limit + self.balance


_OPERATORS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
}
_FILTER = re.compile(r"\s*(<=|>=|<|>|=)\s*(\S+)\s*")


def _op(value: str) -> str:
    if value not in _OPERATORS:
        raise InvalidValue(
            f"balance comparison {value!r} is unknown; use one of {', '.join(_OPERATORS)}",
            value=value,
            field="op",
        )
    return value


def _filter_value(value: object) -> Decimal:
    return to_decimal(value, field="balance filter value", name="value")


@attrs.frozen
class BalanceFilter:
    """A comparison of the balance with a value: ``BalanceFilter("<", 0)`` is "below 0"."""

    op: str = attrs.field(converter=_op)
    value: Decimal = attrs.field(converter=_filter_value)

    @classmethod
    def parse(cls, text: str) -> BalanceFilter:
        """Read ``"<0"``, ``"<= -25.00"``, ``"=0"`` and the like."""
        return cls(*split_balance_filter(text))

    def matches(self, balance: Decimal) -> bool:
        """Whether ``balance`` satisfies the comparison."""
        return _OPERATORS[self.op](balance, self.value)

    def __str__(self) -> str:
        return f"{self.op}{self.value}"


def split_balance_filter(text: str) -> tuple[str, str]:
    """``"<= -25"`` as its operator and the text of its number, ``("<=", "-25")``.

    Refuses a text that is not one operator and one number, naming what to write:
    ``=<0`` has two operators, of which ``<=0`` is the one meant.
    """
    match = _FILTER.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidValue(
            f"balance filter {text!r} cannot be read; write an operator and a number "
            "such as '<0' or '>=-50'",
            value=text,
            field="balance",
        )
    op, number = match[1], match[2]
    rest = number.lstrip("<>=")
    if rest != number:
        given = op + number[: len(number) - len(rest)]
        meant = ("<" if "<" in given else "") + (">" if ">" in given else "")
        meant += "=" if "=" in given else ""
        hint = f"; write {meant + rest!r}" if meant in _OPERATORS and rest else ""
        raise InvalidValue(
            f"balance filter {text!r} has more than one operator ({given}){hint}; use one "
            f"of {', '.join(_OPERATORS)}",
            value=text,
            field="balance",
        )
    return op, number


def _balance_filter(value: BalanceFilter | str | None) -> BalanceFilter | None:
    if value is None or isinstance(value, BalanceFilter):
        return value
    return BalanceFilter.parse(value)


def _optional_kind(value: AccountKind | str | None) -> AccountKind | None:
    return None if value is None else account_kind(value)


def _numbers(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


@attrs.frozen(kw_only=True)
class AccountQuery:
    """The administrator's account search; every given criterion must match.

    ``name`` matches a substring of the account name, ignoring case and accents;
    ``balance`` compares the current balance (``"<0"`` finds accounts that owe).
    """

    name: str | None = attrs.field(default=None, converter=optional_text)
    numbers: frozenset[str] | None = attrs.field(default=None, converter=_numbers)
    group: str | None = attrs.field(default=None, converter=optional_text)
    tag: str | None = attrs.field(default=None, converter=optional_text)
    kind: AccountKind | None = attrs.field(default=None, converter=_optional_kind)
    balance: BalanceFilter | None = attrs.field(default=None, converter=_balance_filter)

    def matches(self, state: AccountState) -> bool:
        """Whether the account in ``state`` meets every criterion."""
        account = state.account
        return (
            (self.numbers is None or account.number in self.numbers)
            and (self.kind is None or account.kind is self.kind)
            and (self.group is None or account.group == self.group)
            and (self.tag is None or self.tag in account.tags)
            and (self.name is None or fold_text(self.name) in fold_text(account.name))
            and (self.balance is None or self.balance.matches(state.balance))
        )
