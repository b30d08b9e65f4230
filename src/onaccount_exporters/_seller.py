"""The seller's identity, declared once for every exporter that names the seller.

`SellerOptions` holds who sends the invoices and collects the money: name, address,
VAT id, legal registration, Peppol participant id, contact e-mail, bank account and
SEPA creditor identifier. The ``ubl``, ``sepa`` and ``xaf`` exporters take these same
options (their ``Options`` subclass it), so a host writes the seller down once and
passes the same values to each.

Peppol addresses a party by a participant id in one of its schemes, never by e-mail
(``EM``). `peppol_endpoint` chooses it, for the seller and for buyers alike: the Peppol
id when one is given, else the legal registration (KvK 0106, KBO/BCE 0208, OIN 0190,
GLN 0088, …), else a VAT-based scheme for the countries Peppol has one for (9925
Belgium, 9930 Germany, 9944 the Netherlands, 9957 France).
"""

from __future__ import annotations

from typing import NoReturn

import attrs

from onaccount import InvalidValue, PartyId
from onaccount.exporting import ExportOptions, InvalidOptions, option

from ._checks import bic_ok, check_country, creditor_id_ok, iban_problem, vat_id_prefix_ok

__all__ = ["SellerOptions", "compact", "peppol_endpoint", "vat_endpoint"]

#: Peppol's VAT-based endpoint schemes by the VAT id's country prefix.
VAT_ENDPOINT_SCHEMES = {"BE": "9925", "DE": "9930", "FR": "9957", "NL": "9944"}


def compact(value: str | None) -> str:
    """``value`` without white space, upper case; the empty string for None."""
    return "".join((value or "").split()).upper()


def vat_endpoint(vat_id: str | None) -> PartyId | None:
    """The Peppol id a VAT id gives in its country's VAT-based scheme, if it has one."""
    number = compact(vat_id)
    scheme = VAT_ENDPOINT_SCHEMES.get(number[:2])
    if scheme is None:
        return None
    try:
        return PartyId(scheme=scheme, value=number)
    except InvalidValue:
        return None


def peppol_endpoint(
    peppol_id: PartyId | None, registration: PartyId | None, vat_id: str | None
) -> PartyId | None:
    """A party's Peppol address: its Peppol id, else its registration, else its VAT id."""
    return peppol_id or registration or vat_endpoint(vat_id)


# Not slotted, so that an exporter's options can combine it with other option sets.
@attrs.frozen(kw_only=True, slots=False)
class SellerOptions(ExportOptions):
    """Who sells, invoices and collects: the options every accounting exporter shares."""

    seller_name: str = option("", help="The seller's legal name (BT-27); required.")
    seller_street: str = option(
        "", help="The seller's street and number (BT-35); required for Dutch sellers."
    )
    seller_postal_code: str = option(
        "", help="The seller's postal code (BT-38); required for Dutch sellers."
    )
    seller_city: str = option("", help="The seller's city (BT-37); required for Dutch sellers.")
    seller_country: str = option(
        "NL", help="The seller's country as an ISO 3166-1 alpha-2 code (BT-40)."
    )
    seller_vat_id: str = option(
        "",
        help="The seller's VAT identifier with its country prefix, e.g. NL001234567B01 "
        "(BT-31); required for invoices with VAT.",
    )
    seller_registration: str = option(
        "",
        help="The seller's legal registration number (BT-30): KvK in the Netherlands, "
        "KBO/BCE in Belgium; also the seller's Peppol address unless seller_peppol_id is "
        "set. Required for Dutch sellers.",
    )
    seller_registration_scheme: str = option(
        "0106",
        choices=("0106", "0190", "0208", "0088"),
        help="The register of seller_registration: 0106 KvK, 0190 Dutch OIN, 0208 KBO/BCE, "
        "0088 GLN.",
    )
    seller_peppol_id: str = option(
        "",
        help="The seller's Peppol participant id (BT-34), when it differs from its "
        "registration; empty: the registration, else a Belgian or Dutch VAT id.",
    )
    seller_peppol_scheme: str = option(
        "0106",
        help="The Peppol scheme (EAS code) of seller_peppol_id, e.g. 0106, 0190, 0208, 9944.",
    )
    seller_email: str = option(
        "", help="The seller's contact e-mail (BT-43); Peppol never uses it as an address."
    )
    seller_iban: str = option(
        "",
        help="The seller's IBAN: buyers pay into it by credit transfer (BT-84), direct "
        "debits are collected into it.",
    )
    seller_bic: str = option("", help="The BIC of seller_iban (BT-86); optional.")
    creditor_id: str = option(
        "",
        help="The seller's SEPA creditor identifier, e.g. NL69ZZZ123456780000 (BT-90); "
        "required for direct debits.",
    )

    def __attrs_post_init__(self) -> None:
        self._check_seller()

    def _check_seller(self) -> None:
        check_country(self, "seller_country", self.seller_country)
        vat_id = compact(self.seller_vat_id)
        if vat_id and not vat_id_prefix_ok(vat_id):
            self._refuse(
                "seller_vat_id",
                f"is {self.seller_vat_id!r}; write the VAT id with its country prefix, "
                "e.g. 'NL001234567B01'",
            )
        iban = compact(self.seller_iban)
        problem = iban_problem(iban) if iban else None
        if problem is not None:
            self._refuse(
                "seller_iban", f"is {self.seller_iban!r}, which is no IBAN: {problem}; correct it"
            )
        if compact(self.seller_bic) and not bic_ok(compact(self.seller_bic)):
            self._refuse(
                "seller_bic", f"is {self.seller_bic!r}; write 8 or 11 characters like ABNANL2A"
            )
        creditor_id = compact(self.creditor_id)
        if creditor_id and not creditor_id_ok(creditor_id):
            self._refuse(
                "creditor_id",
                f"is {self.creditor_id!r}, which is no SEPA creditor identifier (its check "
                "digits are wrong); write it like NL69ZZZ123456780000",
            )
        self._party_id("seller_registration", "seller_registration_scheme")
        self._party_id("seller_peppol_id", "seller_peppol_scheme")

    def _party_id(self, name: str, scheme: str) -> PartyId | None:
        value = getattr(self, name)
        if not value.strip():
            return None
        try:
            return PartyId(scheme=getattr(self, scheme), value=value)
        except InvalidValue as error:
            self._refuse(name, f"is {value!r}: {error.message}")

    def _refuse(self, name: str, problem: str) -> NoReturn:
        raise InvalidOptions(
            f"{type(self).__name__} option {name!r} {problem}",
            value=getattr(self, name),
            obj=self,
            field=name,
        )

    @property
    def registration(self) -> PartyId | None:
        """The seller's legal registration (BT-30), or None when not given."""
        return self._party_id("seller_registration", "seller_registration_scheme")

    @property
    def endpoint(self) -> PartyId | None:
        """The seller's Peppol address (BT-34): never an e-mail address."""
        peppol_id = self._party_id("seller_peppol_id", "seller_peppol_scheme")
        return peppol_endpoint(peppol_id, self.registration, self.seller_vat_id)
