"""Whether a text is an IBAN: its shape and its ISO 13616 check digits.

Checked where an IBAN comes in (an import) and where one goes out (e-invoices, a
seller's options), without an optional package; the ``sepa`` exporter checks the
country's own layout as well, with schwifty.
"""

from __future__ import annotations

import re

__all__ = ["compact_iban", "iban_problem", "mod97", "no_iban"]

_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")


def compact_iban(text: str) -> str:
    """``text`` as an IBAN is stored: without spaces, upper case."""
    return "".join(text.split()).upper()


def iban_problem(iban: str) -> str | None:
    """Why ``iban`` (compact, upper case) is no IBAN, or None when it is one.

    The reason reads after "is no IBAN: ", e.g. "its check digits are wrong".
    """
    if not _SHAPE.fullmatch(iban):
        return "an IBAN is two letters, two check digits and 11 to 30 letters or digits"
    # The country and check digits move to the end.
    if mod97(iban[4:] + iban[:4]) != 1:
        return "its check digits are wrong"
    return None


def no_iban(iban: str) -> str | None:
    """Why an account holder's ``iban`` is refused and what to do; None for an IBAN.

    ``'NL91…01' is no IBAN: its check digits are wrong; correct it from the account
    holder's bank details``, after the field it was given in.
    """
    problem = iban_problem(iban)
    if problem is None:
        return None
    return f"{iban!r} is no IBAN: {problem}; correct it from the account holder's bank details"


def mod97(text: str) -> int:
    """``text`` modulo 97 as ISO 7064 reads it: letters count as 10 to 35 (A to Z)."""
    return int("".join(str(int(char, 36)) for char in text)) % 97
