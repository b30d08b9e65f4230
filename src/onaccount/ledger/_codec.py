"""Plain-data forms of accounts and periods, for storage that keeps them as JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeAlias

from onaccount._account import Account, Address, BillingDetails
from onaccount._money import Vat
from onaccount._party import PartyId
from onaccount._period import Period
from onaccount._statement import (
    DayTotal,
    ProductTotal,
    Statement,
    VatTotal,
)

__all__ = [
    "StatementMemo",
    "account_from_json",
    "account_to_json",
    "billing_to_dict",
    "from_minor",
    "period_from_row",
    "statement_from_json",
    "statement_to_json",
    "to_minor",
]


def to_minor(amount: Decimal, places: int) -> int:
    """``amount`` in whole minor units; it must have no more places than ``places``."""
    scaled = amount.scaleb(places)
    integral = scaled.to_integral_value()
    if scaled != integral:
        raise ValueError(f"{amount} has more than {places} decimal places")
    return int(integral)


def from_minor(minor: int, places: int) -> Decimal:
    """Whole minor units back to an amount with ``places`` decimals."""
    return Decimal(minor).scaleb(-places)


def billing_to_dict(billing: BillingDetails) -> dict[str, Any]:
    address = billing.address
    return {
        "name": billing.name,
        "address": None
        if address is None
        else {
            "street": address.street,
            "postal_code": address.postal_code,
            "city": address.city,
            "country": address.country,
        },
        "email": billing.email,
        "vat_id": billing.vat_id,
        "iban": billing.iban,
        "bic": billing.bic,
        "mandate_id": billing.mandate_id,
        "mandate_date": None if billing.mandate_date is None else billing.mandate_date.isoformat(),
        "peppol_id": _party_id_to_dict(billing.peppol_id),
        "registration": _party_id_to_dict(billing.registration),
    }


def _party_id_to_dict(party: PartyId | None) -> dict[str, str] | None:
    return None if party is None else {"scheme": party.scheme, "value": party.value}


def _party_id_from_dict(data: dict[str, str] | None) -> PartyId | None:
    return None if data is None else PartyId(scheme=data["scheme"], value=data["value"])


def _billing_from_dict(data: dict[str, Any]) -> BillingDetails:
    address = data.get("address")
    mandate_date = data.get("mandate_date")
    return BillingDetails(
        name=data.get("name"),
        address=None if address is None else Address(**address),
        email=data.get("email"),
        vat_id=data.get("vat_id"),
        iban=data.get("iban"),
        bic=data.get("bic"),
        mandate_id=data.get("mandate_id"),
        mandate_date=None if mandate_date is None else dt.date.fromisoformat(mandate_date),
        peppol_id=_party_id_from_dict(data.get("peppol_id")),
        registration=_party_id_from_dict(data.get("registration")),
    )


def account_to_json(account: Account) -> str:
    """The account as a JSON text (sorted keys, so equal accounts give equal text)."""
    return json.dumps(
        {
            "number": account.number,
            "name": account.name,
            "kind": account.kind.value,
            "limit": str(account.limit),
            "currency": account.currency,
            "group": account.group,
            "tags": sorted(account.tags),
            "billing": None if account.billing is None else billing_to_dict(account.billing),
        },
        sort_keys=True,
        ensure_ascii=False,
    )


def account_from_json(text: str) -> Account:
    """The account `account_to_json` wrote."""
    data = json.loads(text)
    billing = data.get("billing")
    return Account(
        number=data["number"],
        name=data["name"],
        kind=data["kind"],
        limit=Decimal(data["limit"]),
        currency=data["currency"],
        group=data.get("group"),
        tags=frozenset(data.get("tags", ())),
        billing=None if billing is None else _billing_from_dict(billing),
    )


def period_from_row(first: str, last: str, tz: str, day_starts_at: str) -> Period:
    """A period from the four texts a run row stores."""
    return Period(
        dt.date.fromisoformat(first),
        dt.date.fromisoformat(last),
        tz=tz,
        day_starts_at=dt.time.fromisoformat(day_starts_at),
    )


def _vat(vat: Vat) -> list[str | None]:
    return [vat.category.value, str(vat.rate), vat.exemption_reason]


def _product(p: ProductTotal) -> list[object]:
    return [
        p.product,
        p.code,
        p.group,
        str(p.unit_price),
        _vat(p.vat),
        str(p.quantity),
        str(p.amount),
    ]


def statement_to_json(statement: Statement) -> str:
    """A statement's totals as JSON text; its purchases are not part of it."""
    return json.dumps(
        {
            "total": str(statement.total),
            "days": [[d.date.isoformat(), str(d.total), d.count] for d in statement.days],
            "products": [_product(p) for p in statement.products],
            "vat": [[_vat(v.vat), str(v.gross), str(v.net), str(v.tax)] for v in statement.vat],
        },
        ensure_ascii=False,
    )


#: Values decoded once and shared by the statements of one read, by what was stored.
StatementMemo: TypeAlias = dict[tuple[Any, ...], Any]


def statement_from_json(
    text: str,
    account: Account,
    period: Period,
    ids: Iterable[str],
    *,
    memo: StatementMemo | None = None,
) -> Statement:
    """The statement `statement_to_json` wrote, holding the purchase ``ids``.

    Pass one ``memo`` to the statements of a whole read: a club's few VAT rates and the
    product rows that repeat from month to month are then built once and shared (they
    are frozen values), where each statement would build its own.
    """
    data = json.loads(text)
    if memo is None:
        memo = {}

    def vat(parts: list[str | None]) -> Vat:
        key = ("vat", *parts)
        found = memo.get(key)
        if found is None:
            category, rate, reason = parts
            found = memo[key] = Vat(category, Decimal(str(rate)), reason)
        return found

    def product(row: list[Any]) -> ProductTotal:
        name, code, group, price, v, q, a = row
        key = ("product", name, code, group, price, *v, q, a)
        found = memo.get(key)
        if found is None:
            found = memo[key] = ProductTotal(
                name, code, group, Decimal(price), vat(v), Decimal(q), Decimal(a)
            )
        return found

    return Statement(
        account=account,
        period=period,
        total=Decimal(data["total"]),
        days=tuple(
            DayTotal(dt.date.fromisoformat(d), Decimal(t), int(n)) for d, t, n in data["days"]
        ),
        products=tuple(product(row) for row in data["products"]),
        vat=tuple(
            VatTotal(vat(v), Decimal(g), Decimal(n), Decimal(t)) for v, g, n, t in data["vat"]
        ),
        ids=ids,
    )
