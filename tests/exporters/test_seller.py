"""The seller's identity, declared once in SellerOptions and taken by every exporter alike."""

from __future__ import annotations

import pytest

from onaccount.exporting import InvalidOptions
from onaccount_exporters import SellerOptions, SepaExporter, UblExporter
from tests.exporters._billing import SELLER

_IDENTITY = {k: v for k, v in SELLER.items() if k in {a.name for a in SellerOptions.describe()}}


def test_one_seller_identity_serves_every_exporter() -> None:
    """The same seller options build the ubl and the sepa options, with equal values."""
    ubl = UblExporter().options(_IDENTITY)
    sepa = SepaExporter().options(_IDENTITY)
    for name in _IDENTITY:
        assert getattr(ubl, name) == getattr(sepa, name)
    assert ubl.endpoint == sepa.endpoint
    assert ubl.endpoint is not None
    assert ubl.endpoint.label == "0106:12345678"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"seller_registration": "1234567"}, "seller_registration"),
        (
            {"seller_registration": "0203201341", "seller_registration_scheme": "0208"},
            "seller_registration",
        ),
        ({"seller_peppol_id": "x@y.nl", "seller_peppol_scheme": "EM"}, "seller_peppol_id"),
        ({"creditor_id": "NL70ZZZ123456780000"}, "creditor_id"),
        ({"seller_bic": "ABN"}, "seller_bic"),
    ],
)
def test_malformed_seller_identities_are_refused_by_every_exporter(
    options: dict[str, object], field: str
) -> None:
    """A wrong registration, Peppol id or creditor id is refused, naming the option."""
    for exporter in (UblExporter(), SepaExporter()):
        with pytest.raises(InvalidOptions, match=field) as caught:
            exporter.options({**_IDENTITY, **options})
        assert caught.value.field == field
