"""Reset strategies: how a committed run corrects an account's balance and limit."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Protocol, runtime_checkable

import attrs

from ._errors import UnknownStrategy
from ._query import AccountState
from ._statement import Statement

__all__ = [
    "BUILTIN_STRATEGIES",
    "Correction",
    "LimitMinusInvoiced",
    "NoCorrection",
    "ResetStrategy",
    "ZeroBalance",
    "resolve_strategy",
]

_ZERO = Decimal(0)


@attrs.frozen
class Correction:
    """What a run books on one account: the change to its balance and to its limit."""

    balance_delta: Decimal = _ZERO
    limit_delta: Decimal = _ZERO

    @property
    def is_zero(self) -> bool:
        """Whether nothing changes, so no mutation is booked."""
        return self.balance_delta == 0 and self.limit_delta == 0

    def __neg__(self) -> Correction:
        return Correction(-self.balance_delta, -self.limit_delta)


@runtime_checkable
class ResetStrategy(Protocol):
    """How a run corrects an account once its invoice is committed.

    A strategy is given the account's state when the run is planned and the statement
    being invoiced, whose ``total`` is the invoiced amount T, and returns the deltas.
    It must be a pure function of those two: planning calls it, and undo books exactly
    the reverse of what it returned.
    """

    @property
    def name(self) -> str:
        """The name runs record and the command line accepts, a lowercase slug."""
        ...

    @property
    def description(self) -> str:
        """One line saying what the strategy does to balance and limit."""
        ...

    def correction(self, state: AccountState, statement: Statement) -> Correction:
        """The balance and limit deltas for invoicing ``statement``."""
        ...


@attrs.frozen
class NoCorrection:
    """Invoice only: balance and limit stay as they are."""

    name: ClassVar[str] = "none"
    description: ClassVar[str] = "Leave balance and limit unchanged."

    def correction(self, state: AccountState, statement: Statement) -> Correction:
        """No change."""
        return Correction()


@attrs.frozen
class ZeroBalance:
    """Clear the invoiced purchases from the balance; purchases outside the period stay."""

    name: ClassVar[str] = "zero-balance"
    description: ClassVar[str] = (
        "Raise the balance by the invoiced amount, clearing the period's purchases."
    )

    def correction(self, state: AccountState, statement: Statement) -> Correction:
        """Balance + T, limit unchanged: the spending room is restored."""
        return Correction(balance_delta=statement.total)


@attrs.frozen
class LimitMinusInvoiced:
    """Clear the invoiced purchases and lower the limit by the same amount."""

    name: ClassVar[str] = "limit-minus-invoiced"
    description: ClassVar[str] = (
        "Raise the balance and lower the limit by the invoiced amount; the spent "
        "budget stays spent."
    )

    def correction(self, state: AccountState, statement: Statement) -> Correction:
        """Balance + T, limit − T: the spending room is unchanged."""
        return Correction(balance_delta=statement.total, limit_delta=-statement.total)


#: The built-in strategies by name.
BUILTIN_STRATEGIES: dict[str, ResetStrategy] = {
    s.name: s for s in (NoCorrection(), ZeroBalance(), LimitMinusInvoiced())
}


def resolve_strategy(strategy: ResetStrategy | str) -> ResetStrategy:
    """The strategy itself, or the built-in one called ``strategy``."""
    if isinstance(strategy, str):
        try:
            return BUILTIN_STRATEGIES[strategy]
        except KeyError:
            known = ", ".join(sorted(BUILTIN_STRATEGIES))
            raise UnknownStrategy(
                f"reset strategy {strategy!r} is unknown; use one of {known} or pass a "
                "ResetStrategy object",
                value=strategy,
                field="strategy",
            ) from None
    if not isinstance(strategy, ResetStrategy):
        raise UnknownStrategy(
            f"{strategy!r} is not a reset strategy; it needs a name, a description and "
            "a correction(state, statement) method",
            value=strategy,
            field="strategy",
        )
    return strategy
