"""What a host's type checker says: the value constructors take exact types, not object.

One mypy run checks every case: each call is one line of a module written to a temporary
directory, and the errors are matched to the cases by line.
"""

from __future__ import annotations

import enum
import importlib.util
import re
import subprocess
import sys
import typing

import pytest

from onaccount import AccountKind, CreditKind
from onaccount._account import AccountKindName
from onaccount._transaction import CreditKindName

_HEADER = """\
import datetime as dt
from decimal import Decimal

import onaccount as oa

AT = dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC)
VAT = oa.Vat.standard("0.21")
LINE = oa.Line(product="Beer", quantity=1, unit_price="2.80", vat=VAT)
"""

_AMOUNT = '"Decimal | int | str"'

#: Calls a type checker must refuse, with what its message has to say.
REFUSED: dict[str, tuple[str, str]] = {
    "line-float-price": (
        'oa.Line(product="Beer", quantity=1, unit_price=2.80, vat=VAT)',
        f'"unit_price" to "Line" has incompatible type "float"; expected {_AMOUNT}',
    ),
    "line-float-quantity": (
        'oa.Line(product="Beer", quantity=0.5, unit_price="2.80", vat=VAT)',
        f'"quantity" to "Line" has incompatible type "float"; expected {_AMOUNT}',
    ),
    "line-vat-text": (
        'oa.Line(product="Beer", quantity=1, unit_price="2.80", vat="0.21")',
        'expected "Vat"',
    ),
    "account-float-limit": (
        'oa.Account(number="1", name="x", limit=12.5)',
        f'"limit" to "Account" has incompatible type "float"; expected {_AMOUNT}',
    ),
    "account-kind-typo": (
        'oa.Account(number="1", name="x", kind="creditt")',
        '"kind" to "Account" has incompatible type "Literal[\'creditt\']"',
    ),
    "credit-float": (
        'oa.CreditBooking(account="1", at=AT, credit=1.5, reason="r", kind="top-up")',
        f'"credit" to "CreditBooking" has incompatible type "float"; expected {_AMOUNT}',
    ),
    "credit-kind-typo": (
        'oa.CreditBooking(account="1", at=AT, credit="1.50", reason="r", kind="topup")',
        '"kind" to "CreditBooking" has incompatible type "Literal[\'topup\']"',
    ),
    "credit-at-text": (
        'oa.CreditBooking(account="1", at="2026-10-05T12:00:00+02:00", credit=1, reason="r")',
        '"at" to "CreditBooking" has incompatible type "str"; expected "datetime"',
    ),
    "purchase-at-text": (
        'oa.Purchase(account="1", at="yesterday", lines=[LINE], currency="USD")',
        '"at" to "Purchase" has incompatible type "str"; expected "datetime"',
    ),
    "mutation-float-delta": (
        'oa.Mutation(account="1", kind=oa.MutationKind.MANUAL, balance_delta=0.5, actor="a", '
        'at=AT, reason="r")',
        f'"balance_delta" to "Mutation" has incompatible type "float"; expected {_AMOUNT}',
    ),
    "mutation-at-date": (
        'oa.Mutation(account="1", kind=oa.MutationKind.MANUAL, limit_delta=5, actor="a", '
        'at=dt.date(2026, 10, 5), reason="r")',
        '"at" to "Mutation" has incompatible type "date"; expected "datetime"',
    ),
    "vat-float-rate": (
        "oa.Vat(oa.VatCategory.STANDARD, 0.21)",
        f'has incompatible type "float"; expected {_AMOUNT}',
    ),
    "standard-vat-float": ("oa.Vat.standard(0.21)", f'"float"; expected {_AMOUNT}'),
    "period-day-start-number": (
        'oa.Period("2026-10-01", "2026-10-31", tz="UTC", day_starts_at=4)',
        '"day_starts_at" to "Period" has incompatible type "int"',
    ),
}

#: Calls a type checker must accept: every form the constructors take at run time.
ACCEPTED: dict[str, str] = {
    "line-amounts": 'oa.Line(product="Beer", quantity=Decimal("0.5"), unit_price=3, vat=VAT)',
    "line-text-amounts": 'oa.Line(product="Beer", quantity="-1", unit_price="2.80", vat=VAT)',
    "account-kind-text": 'oa.Account(number="1", name="x", kind="credit")',
    "account-kind-member": 'oa.Account(number="1", name="x", kind=oa.AccountKind.LIMIT)',
    "account-limit": 'oa.Account(number="1", name="x", limit="12.50", kind="limit")',
    "credit-kind-text": (
        'oa.CreditBooking(account="1", at=AT, credit=Decimal("1.50"), reason="r", kind="top-up")'
    ),
    "credit-kind-member": (
        'oa.CreditBooking(account="1", at=AT, credit=2, reason="r", kind=oa.CreditKind.REFUND)'
    ),
    "purchase": 'oa.Purchase(account="1", at=AT, lines=[LINE], currency="USD", note="n")',
    "mutation": (
        'oa.Mutation(account="1", kind=oa.MutationKind.MANUAL, balance_delta="-0.50", '
        'limit_delta=Decimal(5), actor="a", at=AT, reason="r")'
    ),
    "vat-category-text": 'oa.Vat("AE", 0, "Reverse charge")',
    "vat-category-member": 'oa.Vat(oa.VatCategory.STANDARD, "0.09")',
    "vat-exempt-text": 'oa.Vat.exempt("Outside the scope of VAT", "O")',
    "period": (
        'oa.Period("2026-10-01", dt.date(2026, 10, 31), tz="Europe/Amsterdam", '
        'day_starts_at="04:00")'
    ),
    "period-time": 'oa.Period(dt.date(2026, 10, 1), "2026-10-31", tz="UTC", '
    "day_starts_at=dt.time(4))",
    "period-zone": 'oa.Period("2026-10-01", "2026-10-31", tz=dt.UTC)',
    "period-parse-zone": 'oa.Period.parse("2026-10", tz=dt.timezone.utc)',
    "period-month-zone": "oa.Period.month(2026, 10, tz=dt.UTC)",
    "period-day-zone": 'oa.Period.day("2026-10-05", tz=dt.UTC)',
    "period-quarter-zone": "oa.Period.quarter(2026, 4, tz=dt.UTC)",
    "period-year-zone": "oa.Period.year(2026, tz=dt.UTC)",
    "period-week-zone": "oa.Period.iso_week(2026, 43, tz=dt.UTC)",
}

_ERROR = re.compile(r"^case\.py:(?P<line>\d+): error: (?P<message>.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def errors_by_case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Run mypy --strict once over every case; the errors it reports, by case name."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed: install the test extra, pip install -e '.[test]'")
    directory = tmp_path_factory.mktemp("typing")
    lines = _HEADER.splitlines()
    case_at_line: dict[int, str] = {}
    for name, call in [*((n, c) for n, (c, _) in REFUSED.items()), *ACCEPTED.items()]:
        lines.append(f"{name.replace('-', '_')} = {call}")
        case_at_line[len(lines)] = name
    (directory / "case.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(directory / "cache"),
            "case.py",
        ],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    found: dict[str, list[str]] = {name: [] for name in [*REFUSED, *ACCEPTED]}
    for match in _ERROR.finditer(output):
        case = case_at_line.get(int(match["line"]))
        assert case is not None, f"mypy refused the module's set-up:\n{output}"
        found[case].append(match["message"])
    assert done.returncode == (1 if any(found.values()) else 0), output
    return found


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_wrong_type_is_a_type_error_for_mypy(
    errors_by_case: dict[str, list[str]], case: str
) -> None:
    """A float amount, a text instant or a misspelt kind is an arg-type error under mypy."""
    expected = REFUSED[case][1]
    messages = errors_by_case[case]
    assert any(expected in m and m.endswith("[arg-type]") for m in messages), messages


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_every_form_taken_at_run_time_passes_mypy(
    errors_by_case: dict[str, list[str]], case: str
) -> None:
    """Decimals, ints, numeric text, aware datetimes, members and their names type-check."""
    assert errors_by_case[case] == []


@pytest.mark.parametrize(
    ("names", "kind"),
    [(AccountKindName, AccountKind), (CreditKindName, CreditKind)],
)
def test_the_names_a_hint_allows_are_the_enums_values(
    names: object, kind: type[enum.Enum]
) -> None:
    """Each Literal of names lists exactly the values its enum parses, so none is refused."""
    assert typing.get_args(names) == tuple(member.value for member in kind)
