import ast
import builtins
import datetime as dt
import functools
import pathlib
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


# -- field: the attribute or parameter an error is about ---------------------------------

_NAIVE = dt.datetime(2026, 10, 5, 12)
_BEER = Vat.standard("0.21")
#: Just inside the range onaccount stores, in EUR (10^13 less a cent).
_NEAR_MAX = Decimal(10**13) - Decimal("0.01")
_ADMIN = Actor.superuser("admin")
_OCTOBER = Period.month(2026, 10, tz="Europe/Amsterdam")


def _line(**given: object) -> onaccount.Line:
    values: dict[str, object] = {
        "product": "Beer",
        "quantity": 1,
        "unit_price": "2.80",
        "vat": _BEER,
        **given,
    }
    return onaccount.Line(**values)  # type: ignore[arg-type]  # untyped caller


def _purchase(**given: object) -> Purchase:
    values: dict[str, object] = {
        "account": "1042",
        "at": _at(),
        "lines": [_line()],
        "id": "e22",
        **given,
    }
    return Purchase(**values)  # type: ignore[arg-type]  # untyped caller


def _credit(**given: object) -> onaccount.CreditBooking:
    values: dict[str, object] = {
        "account": "1042",
        "at": _at(),
        "credit": "5",
        "reason": "cash",
        **given,
    }
    return onaccount.CreditBooking(**values)  # type: ignore[arg-type]  # untyped caller


def _mutation(**given: object) -> onaccount.Mutation:
    values: dict[str, object] = {
        "account": "1042",
        "kind": onaccount.MutationKind.MANUAL,
        "actor": "admin",
        "at": _at(),
        "reason": "fix",
        **given,
    }
    return onaccount.Mutation(**values)  # type: ignore[arg-type]  # untyped caller


def _account(**given: object) -> Account:
    values: dict[str, object] = {"number": "1042", "name": "Team A", "limit": 100, **given}
    return Account(**values)  # type: ignore[arg-type]  # untyped caller


def _ledger() -> onaccount.MemoryLedger:
    ledger = onaccount.MemoryLedger()
    ledger.open_accounts(
        [_account(), _account(number="9000", name="Prepaid", kind="credit", limit=0)]
    )
    ledger.record(_purchase(at=dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC)))
    return ledger


def _change_limit(new_limit: object, **given: object) -> object:
    return onaccount.change_limit(
        _ledger(),
        "1042",
        new_limit,
        actor=_ADMIN,
        reason="season",
        **given,  # type: ignore[arg-type]  # untyped caller
    )


def _correct_balance(delta: object, **given: object) -> object:
    return onaccount.correct_balance(
        _ledger(),
        "1042",
        delta,
        actor=_ADMIN,
        reason="cash",
        **given,  # type: ignore[arg-type]  # untyped caller
    )


def _commit(**given: object) -> onaccount.InvoiceRun:
    ledger = _ledger()
    plan = onaccount.plan_run(ledger, _OCTOBER, ["1042"], "zero-balance", actor=_ADMIN)
    return onaccount.commit_run(ledger, plan, actor=_ADMIN, **given)  # type: ignore[arg-type]  # untyped caller


def _undo(at: object) -> object:
    ledger = _ledger()
    plan = onaccount.plan_run(ledger, _OCTOBER, ["1042"], "zero-balance", actor=_ADMIN)
    run = onaccount.commit_run(ledger, plan, actor=_ADMIN)
    return onaccount.undo_invoice(ledger, run.id, "1042", actor=_ADMIN, reason="oops", at=at)  # type: ignore[arg-type]  # untyped caller


def _overdrawn_booking() -> None:
    ledger = onaccount.MemoryLedger()
    ledger.open_accounts([_account()])
    big = [_line(unit_price=_NEAR_MAX)]
    ledger.record(_purchase(id="p1", lines=big), allow_over_limit=True)
    ledger.record(_purchase(id="p2", lines=big), allow_over_limit=True)


def _overdrawn_mutation() -> None:
    ledger = onaccount.MemoryLedger()
    ledger.open_accounts([_account()])
    ledger.book(_mutation(id="m1", balance_delta=_NEAR_MAX))
    ledger.book(_mutation(id="m2", balance_delta=_NEAR_MAX))


def _fractional_mutation() -> None:
    ledger = onaccount.MemoryLedger()
    ledger.open_accounts([_account()])
    ledger.book(_mutation(limit_delta="0.001"))


def _money_cell(amount: object, currency: str = "EUR") -> object:
    from onaccount.exporting._xlsx import Money, money_amount

    return money_amount(Money(amount, currency))  # type: ignore[arg-type]  # untyped caller


#: (case, call, the field its refusal names). Every check that builds a refusal from the
#: words of its message (to_decimal, to_utc, check_text, ...) is reached at least once.
FIELD_CASES: list[tuple[str, Callable[[], object], str]] = [
    ("line-unit-price-float", lambda: _line(unit_price=2.8), "unit_price"),
    ("line-unit-price-text", lambda: _line(unit_price="cheap"), "unit_price"),
    ("line-unit-price-huge", lambda: _line(unit_price=Decimal("1e20")), "unit_price"),
    ("line-quantity-float", lambda: _line(quantity=1.5), "quantity"),
    ("line-product-nul", lambda: _line(product="a\x00b"), "product"),
    ("line-product-blank", lambda: _line(product=" "), "product"),
    ("line-product-long", lambda: _line(product="x" * 1001), "product"),
    ("line-code-nul", lambda: _line(code="a\x00b"), "code"),
    ("line-group-surrogate", lambda: _line(group="\ud800"), "group"),
    ("purchase-at-naive", lambda: _purchase(at=_NAIVE), "at"),
    ("purchase-at-text", lambda: _purchase(at="2026-10-05T12:00"), "at"),
    ("purchase-at-1850", lambda: _purchase(at=dt.datetime(1850, 1, 1, tzinfo=dt.UTC)), "at"),
    ("purchase-currency", lambda: _purchase(currency="eur"), "currency"),
    ("purchase-account-nul", lambda: _purchase(account="1\x00"), "account"),
    ("purchase-id-long", lambda: _purchase(id="x" * 201), "id"),
    ("purchase-note-nul", lambda: _purchase(note="a\x00"), "note"),
    (
        "purchase-line-total-huge",
        lambda: _purchase(lines=[_line(quantity=10**8, unit_price=Decimal(10**12))]),
        "lines",
    ),
    (
        "purchase-total-huge",
        lambda: _purchase(lines=[_line(unit_price=_NEAR_MAX)] * 2),
        "lines",
    ),
    ("credit-float", lambda: _credit(credit=5.0), "credit"),
    ("credit-huge", lambda: _credit(credit=Decimal(10**14)), "credit"),
    ("credit-fraction", lambda: _credit(credit="5.001"), "credit"),
    ("credit-zero", lambda: _credit(credit=0), "credit"),
    ("credit-reason-nul", lambda: _credit(reason="\x00"), "reason"),
    ("credit-at-naive", lambda: _credit(at=_NAIVE), "at"),
    ("mutation-balance-float", lambda: _mutation(balance_delta=0.5), "balance_delta"),
    ("mutation-limit-text", lambda: _mutation(limit_delta="much"), "limit_delta"),
    ("mutation-at-naive", lambda: _mutation(at=_NAIVE), "at"),
    ("mutation-actor-nul", lambda: _mutation(actor="a\x00"), "actor"),
    ("account-limit-float", lambda: _account(limit=12.5), "limit"),
    ("account-limit-huge", lambda: _account(limit=Decimal(10**14)), "limit"),
    ("account-limit-fraction", lambda: _account(limit="10.001"), "limit"),
    ("account-currency", lambda: _account(currency="XXY"), "currency"),
    ("account-number-nul", lambda: _account(number="1\x00"), "number"),
    ("account-name-long", lambda: _account(name="x" * 1001), "name"),
    ("account-group-nul", lambda: _account(group="a\x00"), "group"),
    ("account-tag-nul", lambda: _account(tags=["a\x00"]), "tags"),
    ("billing-name-nul", lambda: onaccount.BillingDetails(name="a\x00"), "name"),
    ("billing-email-not-text", lambda: onaccount.BillingDetails(email=5), "email"),  # type: ignore[arg-type]  # untyped caller
    ("billing-iban-nul", lambda: onaccount.BillingDetails(iban="NL91\x00"), "iban"),
    ("address-street-nul", lambda: onaccount.Address(street="a\x00"), "street"),
    ("vat-rate-float", lambda: Vat.standard(0.21), "rate"),  # type: ignore[arg-type]  # untyped caller
    ("vat-split-rate", lambda: onaccount.vat_split(Decimal(10), 0.21), "rate"),  # type: ignore[arg-type]  # untyped caller
    ("balance-filter-value", lambda: onaccount.BalanceFilter("<", 0.5), "value"),  # type: ignore[arg-type]  # untyped caller
    ("change-limit-float", lambda: _change_limit(10.5), "new_limit"),
    ("change-limit-fraction", lambda: _change_limit("10.001"), "new_limit"),
    ("change-limit-negative", lambda: _change_limit(-1), "new_limit"),
    ("change-limit-expected", lambda: _change_limit(150, expected=1.5), "expected"),
    ("change-limit-at", lambda: _change_limit(150, at=_NAIVE), "at"),
    ("correct-balance-float", lambda: _correct_balance(0.1), "delta"),
    ("correct-balance-fraction", lambda: _correct_balance("0.001"), "delta"),
    ("correct-balance-zero", lambda: _correct_balance(0), "delta"),
    ("correct-balance-at", lambda: _correct_balance(1, at=_NAIVE), "at"),
    (
        "plan-currency",
        lambda: onaccount.plan_run(
            _ledger(), _OCTOBER, ["1042"], "none", actor=_ADMIN, currency="eur"
        ),
        "currency",
    ),
    ("commit-at-naive", lambda: _commit(at=_NAIVE), "at"),
    ("undo-at-naive", lambda: _undo(_NAIVE), "at"),
    ("period-first", lambda: Period("October", "2026-10-31", tz="UTC"), "first"),
    ("period-last", lambda: Period("2026-10-01", dt.datetime(2026, 10, 31), tz="UTC"), "last"),  # type: ignore[arg-type]  # untyped caller
    ("period-contains-naive", lambda: _NAIVE in _OCTOBER, "instant"),
    ("ledger-states-at-naive", lambda: _ledger().states(["1042"], at=_NAIVE), "at"),
    ("ledger-booking-past-range", _overdrawn_booking, "amount"),
    ("ledger-mutation-past-range", _overdrawn_mutation, "balance_delta"),
    ("ledger-mutation-fraction", _fractional_mutation, "limit_delta"),
    ("money-cell-float", lambda: _money_cell(1.5), "amount"),
    ("money-cell-fraction", lambda: _money_cell(Decimal("1.005")), "amount"),
    ("money-cell-currency", lambda: _money_cell(Decimal(1), "ZZZ"), "currency"),
]


@pytest.mark.parametrize(
    ("call", "field"),
    [pytest.param(call, field, id=case) for case, call, field in FIELD_CASES],
)
def test_every_refusal_names_the_attribute_or_parameter(
    call: Callable[[], object], field: str
) -> None:
    """Every refusal's field is the attribute or parameter it is about."""
    with pytest.raises(OnAccountError) as caught:
        call()
    assert caught.value.field == field, caught.value.message
    assert re.fullmatch(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*", field)


def test_a_refusal_s_words_stay_those_of_its_message() -> None:
    """Naming the attribute leaves the words of the message as they were."""
    with pytest.raises(FloatNotAllowed, match=r"^unit price 2\.8 is a float") as caught:
        _line(unit_price=2.8)
    assert caught.value.field == "unit_price"
    with pytest.raises(InvalidValue, match=r"^line product 'a\\x00b' contains a NUL") as nul:
        _line(product="a\x00b")
    assert nul.value.field == "product"
    with pytest.raises(InvalidValue, match=r"^line 'Beer' of purchase e22 amount ") as big:
        _purchase(lines=[_line(quantity=10**8, unit_price=Decimal(10**12))])
    assert big.value.field == "lines"


def test_money_cell_refusals_are_still_cell_errors() -> None:
    """A money cell refused for its amount or currency is still told apart as a cell's."""
    from onaccount.exporting._xlsx import is_cell_error

    for call in (lambda: _money_cell(1.5), lambda: _money_cell(Decimal(1), "ZZZ")):
        with pytest.raises(InvalidValue) as caught:
            call()
        assert is_cell_error(caught.value)
    assert not is_cell_error(InvalidValue("limit 1 is wrong", field="amount"))


#: The checks that word a refusal with ``field`` (or the argument at this position) and
#: name it with ``name``, as `onaccount._words.field_name` decides.
_NAMING_CHECKS = {
    "check_currency": None,
    "check_magnitude": None,
    "check_minor_units": None,
    "check_stored_amount": None,
    "check_text": 1,
    "require_aware": None,
    "stored_minor": 2,
    "to_date": 1,
    "to_decimal": None,
    "to_utc": None,
    "typed_amount": 1,
}
_FIELD_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _unnamed_checks(source: str) -> list[str]:
    """The calls in ``source`` that give a check words that are no name, and no name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = node.func.attr if isinstance(node.func, ast.Attribute) else None
        called = getattr(node.func, "id", called)
        if called not in _NAMING_CHECKS:
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        position = _NAMING_CHECKS[called]
        words = keywords.get("field")
        if words is None and position is not None and len(node.args) > position:
            words = node.args[position]
        named = "name" in keywords or (position is not None and len(node.args) > position + 1)
        if words is None or named:
            continue
        if isinstance(words, ast.Constant) and _FIELD_NAME.fullmatch(str(words.value)):
            continue
        # A check forwarding its own words and name to another.
        if isinstance(words, ast.Name) and words.id == "field":
            continue
        found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_every_check_given_words_is_given_the_name_too() -> None:
    """A check worded other than by a name (``unit price``) is told the name (``unit_price``)."""
    source = pathlib.Path(onaccount.__file__).parent
    unnamed = {
        str(path.relative_to(source)): calls
        for path in sorted(source.rglob("*.py"))
        if (calls := _unnamed_checks(path.read_text(encoding="utf-8")))
    }
    assert unnamed == {}
    assert _unnamed_checks('to_decimal(v, field="unit price")')
    assert not _unnamed_checks('to_decimal(v, field="unit price", name="unit_price")')
