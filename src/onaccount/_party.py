"""Party identifiers: how Peppol addresses a party and under which register it is known.

A `PartyId` is a scheme and a value. The scheme is a code of the Peppol Electronic
Address Scheme list (EAS), which holds the ISO 6523 registers (four digits starting
with 0: KvK 0106, KBO/BCE 0208, OIN 0190, GLN 0088, …) and Peppol's own VAT-based
schemes (9925 Belgian VAT, 9944 Dutch VAT, …). Peppol does not accept ``EM`` (an
e-mail address), so neither does `PartyId`.

Values are stored compact (no spaces or dots, upper case) and checked where Peppol's
rules check them: KBO numbers and Belgian VAT numbers by their mod-97 check digits,
GLNs by their GS1 check digit, KvK numbers (8 digits), OINs (20 digits) and Dutch VAT
numbers (``NL`` + 9 digits + ``B`` + 2 digits) by their shape.
"""

from __future__ import annotations

import re

import attrs

from ._errors import InvalidValue

__all__ = ["ICD_SCHEMES", "PEPPOL_SCHEMES", "PartyId", "is_registration_scheme"]

#: The Peppol EAS codes a party may be addressed or identified under (``EM`` is not one).
PEPPOL_SCHEMES = frozenset(
    [
        "0002",
        "0007",
        "0009",
        "0037",
        "0060",
        "0088",
        "0096",
        "0097",
        "0106",
        "0130",
        "0135",
        "0142",
        "0147",
        "0151",
        "0154",
        "0158",
        "0170",
        "0177",
        "0183",
        "0184",
        "0188",
        "0190",
        "0191",
        "0192",
        "0193",
        "0194",
        "0195",
        "0196",
        "0198",
        "0199",
        "0200",
        "0201",
        "0202",
        "0203",
        "0204",
        "0205",
        "0208",
        "0209",
        "0210",
        "0211",
        "0212",
        "0213",
        "0215",
        "0216",
        "0217",
        "0218",
        "0221",
        "0225",
        "0230",
        "0235",
        "0240",
        "9910",
        "9913",
        "9914",
        "9915",
        "9918",
        "9919",
        "9920",
        "9922",
        "9923",
        "9924",
        "9925",
        "9926",
        "9927",
        "9928",
        "9929",
        "9930",
        "9931",
        "9932",
        "9933",
        "9934",
        "9935",
        "9936",
        "9937",
        "9938",
        "9939",
        "9940",
        "9941",
        "9942",
        "9943",
        "9944",
        "9945",
        "9946",
        "9947",
        "9948",
        "9949",
        "9950",
        "9951",
        "9952",
        "9953",
        "9957",
        "9959",
    ]
)
#: The ISO 6523 registers among them: the schemes of a legal registration (BT-30, BT-47).
ICD_SCHEMES = frozenset(scheme for scheme in PEPPOL_SCHEMES if scheme.startswith("0"))

_SEPARATORS = re.compile(r"[\s.]+")
_VALUE = re.compile(r"[A-Z0-9:+\-/_@]{1,50}")


def is_registration_scheme(scheme: str) -> bool:
    """Whether ``scheme`` is an ISO 6523 register, fit for a legal registration."""
    return scheme in ICD_SCHEMES


def _mod97_ok(digits: str) -> bool:
    # KBO/BCE: 97 minus the first eight digits modulo 97 gives the last two.
    return 97 - int(digits[:-2]) % 97 == int(digits[-2:])


def _gs1_ok(digits: str) -> bool:
    # GS1: weights 3 and 1 from the right, the check digit makes the sum a multiple of 10.
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _kbo_problem(digits: str) -> str | None:
    if not re.fullmatch(r"[0-9]{10}", digits):
        return "is no KBO/BCE number: write its 10 digits, e.g. 0203201340"
    if not _mod97_ok(digits):
        return "has wrong check digits for a KBO/BCE number; correct it"
    return None


def _problem(scheme: str, value: str) -> str | None:
    """What is wrong with ``value`` under ``scheme``, or None."""
    if scheme == "0208":
        return _kbo_problem(value)
    if scheme == "9925":
        if not value.startswith("BE"):
            return "is no Belgian VAT number: write BE and the 10-digit KBO number"
        problem = _kbo_problem(value[2:])
        return None if problem is None else problem.replace("KBO/BCE number", "Belgian VAT id")
    if scheme == "0106" and not re.fullmatch(r"[0-9]{8}", value):
        return "is no KvK number: write its 8 digits, e.g. 12345678"
    if scheme == "0190" and not re.fullmatch(r"[0-9]{20}", value):
        return "is no OIN: write its 20 digits"
    if scheme == "0088":
        if not re.fullmatch(r"[0-9]{13}", value):
            return "is no GLN: write its 13 digits"
        if not _gs1_ok(value):
            return "has a wrong GS1 check digit for a GLN; correct it"
    if scheme == "9944" and not re.fullmatch(r"NL[0-9]{9}B[0-9]{2}", value):
        return "is no Dutch VAT id: write it like NL123456789B01"
    if not _VALUE.fullmatch(value):
        return "is no identifier: use letters, digits and - + : / _ only, at most 50"
    return None


def _compact(value: object) -> object:
    if not isinstance(value, str):
        return value
    return _SEPARATORS.sub("", value).upper()


@attrs.frozen
class PartyId:
    """A party's identifier in one scheme: its Peppol participant id or its registration.

    ``scheme`` is a Peppol EAS code (``"0208"`` KBO/BCE, ``"0106"`` KvK, ``"0190"`` OIN,
    ``"0088"`` GLN, ``"9944"`` Dutch VAT, …); ``value`` is stored compact and checked
    for the scheme's length and check digits.
    """

    scheme: str = attrs.field(kw_only=True)
    value: str = attrs.field(kw_only=True, converter=_compact)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.scheme, str) or self.scheme not in PEPPOL_SCHEMES:
            hint = (
                "Peppol does not accept e-mail addresses (EM); give the party's registration "
                "or Peppol id instead"
                if self.scheme == "EM"
                else "use a code such as 0106 (KvK), 0208 (KBO/BCE), 0190 (OIN), 0088 (GLN) "
                "or 9944 (Dutch VAT)"
            )
            raise InvalidValue(
                f"scheme {self.scheme!r} is not a Peppol identifier scheme; {hint}",
                value=self.scheme,
                obj=self,
                field="scheme",
            )
        if not isinstance(self.value, str) or not self.value:
            raise InvalidValue(
                f"identifier under scheme {self.scheme} is empty; give its number",
                value=self.value,
                obj=self,
                field="value",
            )
        problem = _problem(self.scheme, self.value)
        if problem is not None:
            raise InvalidValue(
                f"identifier {self.value!r} under scheme {self.scheme} {problem}",
                value=self.value,
                obj=self,
                field="value",
            )

    @property
    def label(self) -> str:
        """``scheme:value``, the way Peppol writes a participant id."""
        return f"{self.scheme}:{self.value}"
