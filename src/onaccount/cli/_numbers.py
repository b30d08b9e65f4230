"""Account numbers as a spreadsheet may have changed them: 0042 saved as 42."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import onaccount as oa

__all__ = ["held_with_zeros", "lost_zeros"]

# Longer numbers do not survive a spreadsheet anyway: it keeps 15 significant digits.
_WIDEST = 16


def held_with_zeros(
    held: Callable[[list[str]], Mapping[str, oa.AccountState]], numbers: Iterable[str]
) -> dict[str, oa.Account]:
    """The held account each of ``numbers`` names once its leading zeros are put back.

    A spreadsheet reads a number column's ``0042`` as the number 42 and saves it so.
    Only numbers of digits alone are looked up, with ``held`` (as `Ledger.states` looks
    numbers up); those the ledger holds with no more zeros are left out, and of several
    the one with the fewest zeros is taken.
    """
    padded = {
        "0" * zeros + number: number
        for number in set(numbers)
        if number.isascii() and number.isdigit()
        for zeros in range(1, _WIDEST - len(number) + 1)
    }
    found: dict[str, oa.Account] = {}
    if not padded:
        return found
    for number, state in sorted(held(list(padded)).items(), key=lambda item: len(item[0])):
        found.setdefault(padded[number], state.account)
    return found


def lost_zeros(column: str, *, many: bool = False) -> str:
    """What to say of numbers a spreadsheet saved without their zeros, in ``column``.

    Formatting the column as text afterwards does not bring the zeros back; a number
    format of zeros does, in the workbook and in the CSV the spreadsheet saves from it.
    """
    which, them = ("their", "numbers") if many else ("its", "number")
    return (
        f"a spreadsheet may have dropped {which} leading zeros: give the {column} column the "
        f"number format 0000, a zero for each digit, or correct the {them}"
    )
