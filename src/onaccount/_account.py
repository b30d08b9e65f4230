"""Accounts and the billing details exporters need."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, TypeAlias

import attrs

from ._enums import parse_enum
from ._errors import InvalidValue
from ._iban import compact_iban
from ._money import (
    DecimalLike,
    check_currency,
    check_minor_units,
    check_stored_amount,
    to_decimal,
)
from ._party import PartyId, is_registration_scheme
from ._words import a_type, field_name, in_words

__all__ = [
    "MAX_KEY_LENGTH",
    "MAX_TEXT_LENGTH",
    "Account",
    "AccountKind",
    "AccountKindName",
    "Address",
    "BillingDetails",
]


class AccountKind(enum.Enum):
    """What kind of account: bought on credit up to a limit, or prepaid."""

    LIMIT = "limit"
    CREDIT = "credit"


#: An account kind as its name, which `Account` takes as well as the member.
AccountKindName: TypeAlias = Literal["limit", "credit"]


def account_kind(value: object) -> AccountKind:
    """``value`` as an `AccountKind`, or `InvalidValue` naming it."""
    return parse_enum(AccountKind, value, what="account kind", field="kind")


def _kind(value: AccountKind | AccountKindName) -> AccountKind:
    return account_kind(value)


#: The longest account number or booking id, in characters.
MAX_KEY_LENGTH = 200
#: The longest name, product, reason or other text, in characters.
MAX_TEXT_LENGTH = 1000

# Attributes that are keys: shorter, and an account number is matched exactly.
_KEYS = frozenset({"number", "account", "id"})
_NUMBERS = frozenset({"number", "account"})


def check_text(
    value: str,
    field: str,
    obj: object = None,
    *,
    limit: int = MAX_TEXT_LENGTH,
    name: str | None = None,
) -> None:
    """Refuse text that no database or document format keeps, or that is too long.

    A refusal opens with ``field``, the words for the text (``line product``); its
    ``field`` is ``name``, the attribute (``product``), as `field_name` says.
    """
    # No database or document format keeps a NUL character; it only ever arrives by mistake.
    if "\x00" in value:
        raise InvalidValue(
            f"{field} {value!r} contains a NUL character (\\x00); remove it",
            value=value,
            obj=obj,
            field=field_name(field, name),
        )
    if len(value) > limit:
        raise InvalidValue(
            f"{field} {value[:40]!r}… has {len(value)} characters; give at most {limit}",
            value=value,
            obj=obj,
            field=field_name(field, name),
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        # Half of a UTF-16 pair, e.g. from a badly decoded file: UTF-8 cannot hold it.
        raise InvalidValue(
            f"{field} {value!r} contains a lone surrogate ({value[error.start]!r} at "
            f"position {error.start}), which is not text; decode the source as UTF-8",
            value=value,
            obj=obj,
            field=field_name(field, name),
        ) from None


def non_empty(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    """Attrs validator: a string with something besides white space that storage keeps.

    Account numbers are keys matched exactly, so white space around one is refused
    rather than making ``" A "`` a second account beside ``"A"``.
    """
    name = attribute.name
    check_name_text(
        value,
        f"{in_words(type(instance).__name__)} {name}",
        name=name,
        obj=instance,
        limit=MAX_KEY_LENGTH if name in _KEYS else MAX_TEXT_LENGTH,
        exactly="account numbers are" if name in _NUMBERS else None,
    )


def check_name_text(
    value: object,
    words: str,
    *,
    name: str,
    obj: object = None,
    limit: int = MAX_KEY_LENGTH,
    exactly: str | None = None,
) -> None:
    """Refuse ``value`` unless it is non-empty text storage keeps, of at most ``limit``.

    ``words`` open the refusal (``account number``), ``name`` is its field; with
    ``exactly`` (``account numbers are``), white space around the text is refused too,
    as what is matched exactly must not become a second one beside the trimmed text.
    """
    if not isinstance(value, str):
        # A till that keys accounts by integer ids passes one: say so, not "empty".
        given = "is missing" if value is None else f"{value!r} is {a_type(value)}, not text"
        advice = f"pass {str(value)!r}" if isinstance(value, int) else "give a non-empty text"
        raise InvalidValue(f"{words} {given}; {advice}", value=value, obj=obj, field=name)
    if not value.strip():
        raise InvalidValue(
            f"{words} {value!r} is empty; give a non-empty text",
            value=value,
            obj=obj,
            field=name,
        )
    check_text(value, words, obj, limit=limit, name=name)
    if exactly is not None and value != value.strip():
        raise InvalidValue(
            f"{words} {value!r} has white space around it; {exactly} matched exactly, use "
            f"{value.strip()!r}",
            value=value,
            obj=obj,
            field=name,
        )


def stripped_text(value: str | None, name: str) -> str | None:
    """``value`` stripped, an empty string as None; refusals name attribute ``name``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue(
            f"{value!r} is not text; pass a string or None", value=value, field=name
        )
    check_text(value, "text", name=name)
    return value.strip() or None


def _text_of(value: str | None, attribute: attrs.Attribute[str | None]) -> str | None:
    return stripped_text(value, attribute.name)


if TYPE_CHECKING:
    # mypy's attrs plugin reads only functions as converters; this is the one it sees.
    def optional_text(value: str | None) -> str | None:
        """Attrs converter: strip text and turn an empty string into None."""
else:
    #: Attrs converter: strip text and turn an empty string into None. Given the attribute,
    #: so a refusal names it.
    optional_text = attrs.Converter(_text_of, takes_field=True)


def _tags(value: Iterable[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        # A bare string would become a set of its letters.
        value = [value]
    tags = frozenset(value)
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip():
            raise InvalidValue(
                f"tag {tag!r} is empty; give each tag some text", value=tag, field="tags"
            )
        check_text(tag, "tag", name="tags")
    return tags


@attrs.frozen(kw_only=True)
class Address:
    """A postal address; ``country`` is an ISO 3166-1 alpha-2 code."""

    street: str | None = attrs.field(default=None, converter=optional_text)
    postal_code: str | None = attrs.field(default=None, converter=optional_text)
    city: str | None = attrs.field(default=None, converter=optional_text)
    country: str = attrs.field(default="NL")

    @country.validator
    def _check_country(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not (
            isinstance(value, str) and len(value) == 2 and value.isalpha() and value.isupper()
        ):
            raise InvalidValue(
                f"country {value!r} is not an ISO 3166-1 alpha-2 code; write e.g. 'NL'",
                value=value,
                obj=self,
                field="country",
            )


def _iban(value: str | None) -> str | None:
    # IBANs are printed in groups of four; store them compact and upper case.
    text = stripped_text(value, "iban")
    return None if text is None else compact_iban(text)


@attrs.frozen(kw_only=True)
class BillingDetails:
    """Who receives the bill and how it is paid, as exporters need it."""

    name: str | None = attrs.field(default=None, converter=optional_text)
    address: Address | None = None
    email: str | None = attrs.field(default=None, converter=optional_text)
    vat_id: str | None = attrs.field(default=None, converter=optional_text)
    iban: str | None = attrs.field(
        default=None,
        converter=_iban,
    )
    bic: str | None = attrs.field(default=None, converter=optional_text)
    mandate_id: str | None = attrs.field(default=None, converter=optional_text)
    mandate_date: dt.date | None = attrs.field(default=None)
    #: The buyer's Peppol participant id, when it is known (its endpoint, BT-49).
    peppol_id: PartyId | None = attrs.field(default=None)
    #: The buyer's legal registration (BT-47): KvK, KBO/BCE, OIN or GLN.
    registration: PartyId | None = attrs.field(default=None)

    @peppol_id.validator
    def _check_peppol_id(self, attribute: attrs.Attribute[PartyId | None], value: object) -> None:
        _check_party_id(self, attribute.name, value)

    @registration.validator
    def _check_registration(
        self, attribute: attrs.Attribute[PartyId | None], value: object
    ) -> None:
        _check_party_id(self, attribute.name, value)
        if isinstance(value, PartyId) and not is_registration_scheme(value.scheme):
            raise InvalidValue(
                f"registration {value.label} is under a VAT-based Peppol scheme; a legal "
                "registration (BT-47) is in a register such as 0106 (KvK), 0208 (KBO/BCE), "
                "0190 (OIN) or 0088 (GLN): give that, and the VAT id as vat_id",
                value=value.label,
                obj=self,
                field="registration",
            )

    @email.validator
    def _check_email(self, attribute: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None and (
            "@" not in value or value.startswith("@") or value.endswith("@")
        ):
            raise InvalidValue(
                f"e-mail address {value!r} has no user and domain; write e.g. "
                "'treasurer@example.org'",
                value=value,
                obj=self,
                field="email",
            )

    @mandate_date.validator
    def _check_mandate(self, attribute: attrs.Attribute[dt.date | None], value: object) -> None:
        if value is not None and (
            not isinstance(value, dt.date) or isinstance(value, dt.datetime)
        ):
            raise InvalidValue(
                f"mandate date {value!r} is not a date; pass datetime.date(2026, 1, 31)",
                value=value,
                obj=self,
                field="mandate_date",
            )
        if (value is None) != (self.mandate_id is None):
            missing = "mandate_date" if value is None else "mandate_id"
            raise InvalidValue(
                f"a direct-debit mandate needs both its id and its date; {missing} is missing",
                value=self.mandate_id or value,
                obj=self,
                field=missing,
            )


def _check_party_id(owner: object, name: str, value: object) -> None:
    if value is not None and not isinstance(value, PartyId):
        raise InvalidValue(
            f"{name} {value!r} is not a PartyId; pass PartyId(scheme='0208', value='0203201340')",
            value=value,
            obj=owner,
            field=name,
        )


def _limit(value: DecimalLike) -> Decimal:
    return to_decimal(value, field="limit")


@attrs.frozen(kw_only=True)
class Account:
    """An account people buy on.

    ``number`` is the key. A limit account buys on credit up to ``limit``; a credit
    account is prepaid, has no limit and is never invoiced. ``limit`` is the limit the
    account was opened with: later changes are mutations, so the ledger reports the
    current one.
    """

    number: str = attrs.field(validator=non_empty)
    name: str = attrs.field(validator=non_empty)
    kind: AccountKind = attrs.field(default=AccountKind.LIMIT, converter=_kind)
    limit: Decimal = attrs.field(default=Decimal(0), converter=_limit)
    currency: str = attrs.field(default="EUR")
    group: str | None = attrs.field(default=None, converter=optional_text)
    tags: frozenset[str] = attrs.field(factory=frozenset, converter=_tags)
    billing: BillingDetails | None = None

    @currency.validator
    def _check_currency(self, attribute: attrs.Attribute[str], value: str) -> None:
        check_currency(
            value, field=f"account {self.number} currency", obj=self, name=attribute.name
        )

    def __attrs_post_init__(self) -> None:
        said = f"account {self.number} limit"
        check_stored_amount(self.limit, self.currency, field=said, obj=self, name="limit")
        check_minor_units(self.limit, self.currency, field=said, obj=self, name="limit")
        if self.limit < 0:
            raise InvalidValue(
                f"account {self.number} {self.name!r} has limit {self.limit}, below zero; "
                "a limit is the most the account may owe, give 0 or more",
                value=self.limit,
                obj=self,
                field="limit",
            )
        if self.kind is AccountKind.CREDIT and self.limit != 0:
            raise InvalidValue(
                f"account {self.number} {self.name!r} is a credit account with limit "
                f"{self.limit}; credit accounts are prepaid, give limit 0 or make it a "
                "limit account",
                value=self.limit,
                obj=self,
                field="limit",
            )

    @property
    def label(self) -> str:
        """Number and name, the way messages and exports name the account."""
        return f"{self.number} {self.name!r}"
