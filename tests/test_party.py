"""Party identifiers: Peppol participant ids and legal registrations, checked on entry."""

from __future__ import annotations

import pickle

import pytest

from onaccount import BillingDetails, InvalidValue, OnAccountError, PartyId


@pytest.mark.parametrize(
    ("scheme", "value", "stored"),
    [
        ("0208", "0203.201.340", "0203201340"),
        ("0106", "12345678", "12345678"),
        ("0190", "00000001003214345000", "00000001003214345000"),
        ("0088", "8712345678906", "8712345678906"),
        ("9925", "be0203201340", "BE0203201340"),
        ("9944", "NL123456789B01", "NL123456789B01"),
        ("0007", "5567321707", "5567321707"),
    ],
)
def test_well_formed_identifiers_are_kept_compact(scheme: str, value: str, stored: str) -> None:
    """Dots and spaces go, letters are upper case, and the scheme is kept as given."""
    party = PartyId(scheme=scheme, value=value)
    assert (party.scheme, party.value) == (scheme, stored)
    assert party.label == f"{scheme}:{stored}"


@pytest.mark.parametrize(
    ("scheme", "value", "words"),
    [
        ("EM", "treasurer@example.org", "EM"),
        ("1234", "x", "not a Peppol"),
        ("0208", "0203201341", "check digits"),
        ("0208", "203201340", "10 digits"),
        ("0106", "1234567", "8 digits"),
        ("0190", "1234", "20 digits"),
        ("0088", "8712345678905", "check digit"),
        ("9944", "NL12345678B01", "NL123456789B01"),
        ("9925", "BE0203201341", "check digits"),
        ("0106", "", "empty"),
    ],
)
def test_malformed_identifiers_are_refused_naming_the_value(
    scheme: str, value: str, words: str
) -> None:
    """A wrong scheme, length or check digit is refused with what to write instead."""
    with pytest.raises(InvalidValue, match=words) as caught:
        PartyId(scheme=scheme, value=value)
    assert isinstance(caught.value, OnAccountError)
    assert pickle.loads(pickle.dumps(caught.value)).message == caught.value.message


def test_billing_details_carry_a_peppol_id_and_a_legal_registration() -> None:
    """A buyer reachable under KBO 0208 and registered there is stored with both."""
    kbo = PartyId(scheme="0208", value="0203201340")
    billing = BillingDetails(peppol_id=kbo, registration=kbo)
    assert billing.peppol_id == billing.registration == kbo


def test_a_legal_registration_must_be_an_iso_6523_scheme() -> None:
    """BT-47 takes ISO 6523 schemes (KvK, KBO, OIN, GLN), not a VAT-based Peppol scheme."""
    with pytest.raises(InvalidValue, match="registration") as caught:
        BillingDetails(registration=PartyId(scheme="9944", value="NL123456789B01"))
    assert caught.value.field == "registration"


def test_billing_party_ids_must_be_party_ids() -> None:
    """A bare string for peppol_id is refused, saying to build a PartyId."""
    with pytest.raises(InvalidValue, match="PartyId"):
        BillingDetails(peppol_id="0208:0203201340")  # type: ignore[arg-type]  # the point
