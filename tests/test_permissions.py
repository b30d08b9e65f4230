import pytest
from hypothesis import given
from hypothesis import strategies as st

from onaccount import Actor, Capability, InvalidValue, OnAccountError, PermissionDenied


def test_require_without_the_capability_is_denied() -> None:
    """Actor.require raises PermissionDenied naming the actor, the action and the capability."""
    clerk = Actor("clerk-7", [Capability.VIEW, Capability.INVOICE])
    with pytest.raises(PermissionDenied) as caught:
        clerk.require(Capability.BULK_INVOICE, "invoice many accounts at once")
    error = caught.value
    message = str(error)
    assert "'clerk-7'" in message
    assert "'bulk-invoice'" in message
    assert "invoice many accounts at once" in message
    assert "invoice, view" in message
    assert error.value is Capability.BULK_INVOICE
    assert error.obj is clerk
    assert error.field == "capabilities"
    assert isinstance(error, OnAccountError)


def test_actor_without_capabilities_holds_none() -> None:
    """An actor with no capabilities is denied everything, and the message says it holds none."""
    guest = Actor("guest")
    assert guest.capabilities == frozenset()
    with pytest.raises(PermissionDenied) as caught:
        guest.require(Capability.VIEW, "view a statement")
    assert "holds: none" in str(caught.value)


def test_require_with_the_capability_passes() -> None:
    """Actor.require returns quietly when the actor holds the capability."""
    Actor("clerk", [Capability.UNDO]).require(Capability.UNDO, "undo a run")


def test_superuser_has_every_capability() -> None:
    """Actor.superuser holds every capability and passes every require."""
    root = Actor.superuser("root")
    assert root.capabilities == frozenset(Capability)
    for capability in Capability:
        assert root.can(capability)
        root.require(capability, "do anything")


def test_capabilities_are_read_from_text() -> None:
    """Capabilities may be given by their text values, singly or as a list."""
    assert Actor("a", ["view", "bulk-invoice"]).capabilities == {
        Capability.VIEW,
        Capability.BULK_INVOICE,
    }
    assert Actor("a", "undo").capabilities == {Capability.UNDO}
    assert Actor("a", Capability.VIEW).capabilities == {Capability.VIEW}


def test_unknown_capability_is_refused() -> None:
    """A capability nobody defined raises InvalidValue naming it."""
    with pytest.raises(InvalidValue) as caught:
        Actor("a", ["view", "fly"])
    assert "'fly'" in str(caught.value)
    assert caught.value.value == "fly"
    assert caught.value.field == "capabilities"


@pytest.mark.parametrize("actor_id", ["", "  "])
def test_actor_needs_an_id(actor_id: str) -> None:
    """An actor with a blank id raises InvalidValue naming it."""
    with pytest.raises(InvalidValue) as caught:
        Actor(actor_id)
    assert repr(actor_id) in str(caught.value)
    assert caught.value.value == actor_id


@given(held=st.frozensets(st.sampled_from(Capability)), wanted=st.sampled_from(Capability))
def test_can_and_require_agree_with_the_capabilities_held(
    held: frozenset[Capability], wanted: Capability
) -> None:
    """For any set of capabilities, can() tells and require() enforces exactly that set."""
    actor = Actor("someone", held)
    assert actor.can(wanted) == (wanted in held)
    if wanted in held:
        actor.require(wanted, "act")
    else:
        with pytest.raises(PermissionDenied) as caught:
            actor.require(wanted, "act")
        assert caught.value.value is wanted
