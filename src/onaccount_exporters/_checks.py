"""Small checks the accounting exporters share: IBANs, creditor ids, VAT ids, dates, text.

These need no optional package, so options can be checked when they are built; the
``sepa`` exporter checks IBANs and BICs again, fully, with schwifty.
"""

from __future__ import annotations

import datetime as dt
import re

from onaccount._iban import iban_problem, mod97
from onaccount.exporting import InvalidOptions, remove_xml_forbidden

__all__ = [
    "COUNTRY",
    "bic_ok",
    "check_country",
    "check_iso_date",
    "creditor_id_ok",
    "iban_problem",
    "text",
    "vat_id_prefix_ok",
]

#: An ISO 3166-1 alpha-2 country code.
COUNTRY = re.compile(r"[A-Z]{2}")
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_CREDITOR_ID = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}")
_SPACES = re.compile(r"\s+")


def bic_ok(bic: str) -> bool:
    """Whether ``bic`` (compact, upper case) has a BIC's shape: 8 or 11 letters and digits."""
    return bool(_BIC.fullmatch(bic))


def creditor_id_ok(creditor_id: str) -> bool:
    """Whether ``creditor_id`` is a SEPA creditor identifier with correct check digits.

    The check digits cover the national identifier and the country, not the three
    characters of the business code (EPC262-08).
    """
    if not _CREDITOR_ID.fullmatch(creditor_id):
        return False
    country, digits, national = creditor_id[:2], creditor_id[2:4], creditor_id[7:]
    return 98 - mod97(national + country + "00") == int(digits)


def vat_id_prefix_ok(vat_id: str) -> bool:
    """Whether a VAT identifier starts with its country code, as EN 16931 BR-CO-9 wants."""
    return bool(COUNTRY.fullmatch(vat_id[:2])) and len(vat_id) > 2


def text(value: str | None) -> str | None:
    """``value`` fit for an XML element: forbidden characters gone, white space tidied.

    Returns None for None and for text with nothing left, so callers leave the element
    out instead of writing an empty one.
    """
    if value is None:
        return None
    cleaned = _SPACES.sub(" ", remove_xml_forbidden(value)).strip()
    return cleaned or None


def check_country(owner: object, name: str, value: str) -> None:
    """Raise `InvalidOptions` unless option ``name`` is an ISO 3166-1 alpha-2 code."""
    if not COUNTRY.fullmatch(value):
        raise InvalidOptions(
            f"{type(owner).__name__} option {name!r} is {value!r}; write an ISO 3166-1 "
            "alpha-2 country code such as 'NL'",
            value=value,
            obj=owner,
            field=name,
        )


def check_iso_date(owner: object, name: str, value: str) -> dt.date | None:
    """Option ``name`` as a date: None when empty, else ``YYYY-MM-DD`` or `InvalidOptions`."""
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidOptions(
            f"{type(owner).__name__} option {name!r} is {value!r}; write a date as "
            "YYYY-MM-DD, e.g. '2026-11-15', or leave it empty",
            value=value,
            obj=owner,
            field=name,
        ) from None
