"""Who may do what: actors and their capabilities."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from ._account import non_empty
from ._errors import InvalidValue, PermissionDenied

__all__ = ["Actor", "Capability"]


class Capability(enum.Enum):
    """A right an actor can hold. Hosts map their roles onto these."""

    VIEW = "view"
    INVOICE = "invoice"
    BULK_INVOICE = "bulk-invoice"
    UNDO = "undo"
    MANAGE_ACCOUNTS = "manage-accounts"


def _capabilities(value: Iterable[Capability | str]) -> frozenset[Capability]:
    if isinstance(value, (str, Capability)):
        value = [value]
    result = set()
    for item in value:
        try:
            result.add(Capability(item))
        except ValueError:
            known = ", ".join(c.value for c in Capability)
            raise InvalidValue(
                f"capability {item!r} is unknown; use {known}", value=item, field="capabilities"
            ) from None
    return frozenset(result)


@attrs.frozen
class Actor:
    """Someone or something acting on the ledger, recorded on runs and mutations."""

    id: str = attrs.field(validator=non_empty)
    capabilities: frozenset[Capability] = attrs.field(factory=frozenset, converter=_capabilities)

    @classmethod
    def superuser(cls, id: str) -> Actor:
        """An actor with every capability."""
        return cls(id, frozenset(Capability))

    def can(self, capability: Capability) -> bool:
        """Whether the actor holds ``capability``."""
        return capability in self.capabilities

    def require(self, capability: Capability, action: str) -> None:
        """Raise `PermissionDenied` unless the actor holds ``capability``."""
        if capability not in self.capabilities:
            held = ", ".join(sorted(c.value for c in self.capabilities)) or "none"
            raise PermissionDenied(
                f"actor {self.id!r} may not {action}: it lacks the {capability.value!r} "
                f"capability (it holds: {held}); ask an administrator for it",
                value=capability,
                obj=self,
                field="capabilities",
            )
