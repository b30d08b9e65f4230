import builtins
import datetime as dt
import functools
import pickle
import re
import textwrap
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import onaccount
from onaccount import (
    Account,
    Actor,
    Capability,
    FloatNotAllowed,
    InvalidPeriod,
    InvalidValue,
    NotAnInstant,
    OnAccountError,
    Period,
    PeriodParseError,
    PermissionDenied,
    Purchase,
    UnknownTimeZone,
    Vat,
    _errors,
)
from onaccount._money import to_decimal
from onaccount.testing import strategies as oas
from onaccount.testing._machine import assert_travels

ERRORS: list[type[OnAccountError]] = [getattr(_errors, name) for name in _errors.__all__]

_TREE_LINE = re.compile(
    r"(?P<indent>(?:[│ ]   )*)(?P<branch>[├└]── )?(?P<name>[A-Z]\w+)(?: \((?P<base>\w+)\))?"
)


def _documented_tree() -> list[tuple[str, str | None, str | None]]:
    """(class, documented parent, documented extra base) for each line of the drawn tree."""
    doc = _errors.__doc__ or ""
    block = doc.split("::", 1)[1].split("\n\n")[1]
    rows: list[tuple[str, str | None, str | None]] = []
    stack: list[str] = []
    for line in textwrap.dedent(block).splitlines():
        match = _TREE_LINE.match(line)
        assert match, line
        depth = len(match["indent"]) // 4 + (1 if match["branch"] else 0)
        del stack[depth:]
        parent = stack[-1] if stack else None
        rows.append((match["name"], parent, match["base"]))
        stack.append(match["name"])
    return rows


def test_every_error_is_an_onaccount_error() -> None:
    """Every exception the library defines derives from OnAccountError."""
    assert len(ERRORS) > 10
    for error in ERRORS:
        assert issubclass(error, OnAccountError), error


def test_errors_are_also_the_matching_builtin_errors() -> None:
    """Bad values are ValueErrors, floats and non-instants TypeErrors, lookups LookupErrors."""
    assert issubclass(_errors.InvalidValue, ValueError)
    assert issubclass(_errors.InvalidAmount, ValueError)
    assert issubclass(_errors.PeriodParseError, _errors.InvalidPeriod)
    assert issubclass(_errors.FloatNotAllowed, TypeError)
    assert not issubclass(_errors.FloatNotAllowed, ValueError)
    assert issubclass(_errors.NotAnInstant, TypeError)
    assert issubclass(_errors.NotAnInstant, _errors.InvalidValue)
    assert not issubclass(_errors.NotAnInstant, _errors.NaiveDatetime)
    assert issubclass(_errors.UnknownAccount, LookupError)
    assert issubclass(_errors.UnknownRun, LookupError)
    assert issubclass(_errors.LimitExceeded, _errors.LedgerError)


def test_docstring_tree_matches_the_class_hierarchy() -> None:
    """The hierarchy drawn in the _errors docstring is the real one, class for class."""
    rows = _documented_tree()
    names = [name for name, _, _ in rows]
    assert sorted(names) == sorted(_errors.__all__)
    for name, parent, base in rows:
        cls = getattr(_errors, name)
        if parent is None:
            assert cls is OnAccountError
        else:
            assert getattr(_errors, parent) in cls.__bases__, (name, parent)
        if base is not None:
            assert issubclass(cls, getattr(builtins, base)), (name, base)


def test_every_error_is_exported_from_the_package() -> None:
    """Each exception is re-exported by onaccount and listed in its __all__."""
    for error in ERRORS:
        assert getattr(onaccount, error.__name__) is error
        assert error.__name__ in onaccount.__all__


def test_error_carries_message_value_obj_and_field() -> None:
    """An error keeps its message as str() and exposes value, obj and field."""
    account = Account(number="1", name="Jan")
    error = InvalidValue("limit -1 is below zero", value=Decimal(-1), obj=account, field="limit")
    assert str(error) == "limit -1 is below zero"
    assert error.message == "limit -1 is below zero"
    assert error.value == Decimal(-1)
    assert error.obj is account
    assert error.field == "limit"


def test_error_attributes_default_to_none() -> None:
    """Without value, obj or field an error reports None for each."""
    error = OnAccountError("something broke")
    assert (error.value, error.obj, error.field) == (None, None, None)


@pytest.mark.parametrize("error_type", ERRORS, ids=lambda cls: cls.__name__)
def test_pickling_keeps_message_value_obj_and_field(error_type: type[OnAccountError]) -> None:
    """Every error type survives pickling with its message, value, obj and field."""
    obj = Actor("clerk", ["view"])
    error = error_type("bad value 12.50", value=Decimal("12.50"), obj=obj, field="amount")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        restored = pickle.loads(pickle.dumps(error, protocol=protocol))
        assert type(restored) is error_type
        assert str(restored) == "bad value 12.50"
        assert restored.message == "bad value 12.50"
        assert restored.args == ("bad value 12.50",)
        assert restored.value == Decimal("12.50")
        assert restored.obj == obj
        assert restored.field == "amount"


@given(
    error_type=st.sampled_from(ERRORS),
    message=st.text(),
    value=st.none() | st.integers() | st.text() | st.decimals(allow_nan=False),
    field=st.none() | st.text(),
)
def test_pickling_round_trips_any_message_value_and_field(
    error_type: type[OnAccountError], message: str, value: object, field: str | None
) -> None:
    """Pickling any error type round-trips arbitrary messages, values and field names."""
    error = error_type(message, value=value, field=field)
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is error_type
    assert (restored.message, restored.value, restored.field) == (message, value, field)
    assert str(restored) == str(error)


def _at() -> dt.datetime:
    """A fixed aware instant."""
    return dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC)


RAISERS: dict[str, tuple[Callable[[], object], type[OnAccountError]]] = {
    "period-last-before-first": (
        lambda: Period("2026-10-02", "2026-10-01", tz="UTC"),
        InvalidPeriod,
    ),
    "purchase-without-lines": (
        lambda: Purchase(account="1001", at=_at(), lines=[]),
        InvalidValue,
    ),
    "account-negative-limit": (lambda: Account(number="1", name="Jan", limit=-5), InvalidValue),
    "vat-percent-rate": (lambda: Vat.standard(21), InvalidValue),
    "float-amount": (lambda: to_decimal(0.5, field="amount"), FloatNotAllowed),
    "purchase-at-text": (
        lambda: Purchase(account="1001", at="2026-10-05T12:00", lines=[]),  # type: ignore[arg-type]  # untyped caller
        NotAnInstant,
    ),
    "unknown-zone": (lambda: Period.month(2026, 10, tz="Mars/Olympus"), UnknownTimeZone),
    "unreadable-period": (lambda: Period.parse("October", tz="UTC"), PeriodParseError),
    "permission": (
        lambda: Actor("clerk").require(Capability.UNDO, "undo a run"),
        PermissionDenied,
    ),
}


@pytest.mark.parametrize("case", sorted(RAISERS))
def test_errors_raised_by_the_library_survive_pickling(case: str) -> None:
    """Errors raised by real constructors, even about half-built objects, can be pickled."""
    raiser, error_type = RAISERS[case]
    with pytest.raises(error_type) as caught:
        raiser()
    restored = pickle.loads(pickle.dumps(caught.value))
    assert type(restored) is type(caught.value)
    assert restored.message == caught.value.message
    assert restored.value == caught.value.value
    assert restored.field == caught.value.field


def _raised(call: Callable[[], object]) -> list[OnAccountError]:
    """The library error ``call`` raises, as a list of none or one."""
    try:
        call()
    except OnAccountError as error:
        return [error]
    return []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=oas.generated_runs(), strategy=oas.reset_strategies())
def test_every_error_a_run_raises_pickles_with_its_payload(
    generated: oas.GeneratedRun, strategy: onaccount.ResetStrategy
) -> None:
    """Refusals, empty runs, conflicts, used keys and double undos travel with their objects."""
    ledger, actor, run = generated.ledger, generated.generated.actor, generated.run
    period = generated.plan.period
    numbers = list(generated.generated.numbers)
    errors: list[OnAccountError] = []
    plan = onaccount.plan_run(ledger, period, [*numbers, "404"], strategy, actor=actor)
    errors += _raised(plan.raise_for_refusals)
    # The period is billed already: this plan is empty, or its key is another plan's.
    errors += _raised(lambda: onaccount.commit_run(ledger, plan, actor=actor))
    errors += _raised(lambda: onaccount.commit_run(ledger, generated.plan, actor=actor))
    other = onaccount.Period.day(period.first, tz=period.tz, day_starts_at=period.day_starts_at)
    later = onaccount.plan_run(ledger, other, numbers, strategy, actor=actor)
    errors += _raised(lambda: onaccount.commit_run(ledger, later, actor=actor, key=run.key or "k"))
    errors += _raised(lambda: run.invoice_for("404"))
    for invoice in run.invoices:
        if invoice.state is onaccount.InvoiceState.UNDONE:
            undo = functools.partial(
                onaccount.undo_invoice, ledger, run.id, invoice.account.number
            )
            errors += _raised(lambda undo=undo: undo(actor=actor, reason="again"))
    if numbers:
        stale = functools.partial(onaccount.change_limit, ledger, numbers[0], "1")
        errors += _raised(lambda: stale(actor=actor, reason="stale", expected="99999"))
    assert errors
    for error in errors:
        assert_travels(error)


def test_what_does_not_pickle_travels_as_its_repr() -> None:
    """An error about something that cannot be pickled still pickles, naming it by repr."""
    lock = threading.Lock()
    error = InvalidValue("lock refused", value=lock, obj=lambda: None, field="lock")
    restored = pickle.loads(pickle.dumps(error))
    assert (type(restored), restored.message, restored.field) == (
        InvalidValue,
        "lock refused",
        "lock",
    )
    assert restored.value == repr(lock)
    assert isinstance(restored.obj, str)
    assert restored.obj.startswith("<function ")
