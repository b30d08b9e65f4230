"""An account invoice's figures without VAT: VAT per category and rate, and net per line.

POS prices include VAT. DESIGN §3 computes VAT per (category, rate) on the invoice
total: ``tax = round(gross × rate / (1 + rate))`` and ``net = gross − tax``, so the
payable amount is the POS total to the cent. Accounting formats also want net amounts
per line (UBL) or per ledger account (journals) that add up *exactly* to each VAT
group's net amount. `spread` gives them: each part is its exact share rounded down to
the currency's minor unit, and the cents still missing go, one each, to the parts with
the largest remainders (ties to the earlier part). No part moves by a minor unit or
more from its exact share.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

import attrs

from onaccount import ProductTotal, Statement, VatCategory, minor_unit, vat_split

__all__ = ["Figures", "LineFigure", "VatGroup", "figures", "spread"]

_ZERO = Decimal(0)


def spread(target: Decimal, exacts: Sequence[Decimal], quantum: Decimal) -> tuple[Decimal, ...]:
    """Amounts in steps of ``quantum`` close to ``exacts`` that add up to ``target``.

    Largest remainder: every exact share is rounded down, and the steps still missing
    go to the shares with the largest remainders, ties to the earlier share. When
    ``target`` is within half a step of the exact sum, as a VAT group's net is of its
    lines' exact nets, each result is less than one step from its exact share.
    """
    if not exacts:
        return ()
    floors = [value.quantize(quantum, rounding=ROUND_FLOOR) for value in exacts]
    missing = int((target - sum(floors, _ZERO)) / quantum)
    base, extra = divmod(missing, len(exacts))
    order = sorted(range(len(exacts)), key=lambda i: (floors[i] - exacts[i], i))
    steps = [base] * len(exacts)
    for index in order[:extra]:
        steps[index] += 1
    return tuple(floor + step * quantum for floor, step in zip(floors, steps, strict=True))


@attrs.frozen
class LineFigure:
    """One product row of the statement with its net amount."""

    product: ProductTotal
    net: Decimal


@attrs.frozen
class VatGroup:
    """The products at one VAT category and rate: gross, VAT, net, and net per line.

    ``reasons`` are the exemption reasons of the group's products, sorted, without
    repeats. ``sum(line.net for line in lines) == net`` exactly.
    """

    category: VatCategory
    rate: Decimal
    reasons: tuple[str, ...]
    gross: Decimal
    tax: Decimal
    lines: tuple[LineFigure, ...]

    @property
    def net(self) -> Decimal:
        """The taxable amount: gross minus VAT."""
        return self.gross - self.tax

    def exact_net(self, gross: Decimal) -> Decimal:
        """The unrounded net part of a gross amount at this group's rate."""
        return gross / (1 + self.rate)


@attrs.frozen
class Figures:
    """An account invoice's VAT groups, in category and rate order, in one currency."""

    currency: str
    groups: tuple[VatGroup, ...]
    #: Every line, in the statement's product order.
    lines: tuple[LineFigure, ...]

    @property
    def total(self) -> Decimal:
        """The gross total, VAT included: what the POS receipts come to."""
        return sum((group.gross for group in self.groups), _ZERO)

    @property
    def net(self) -> Decimal:
        """The total without VAT."""
        return sum((group.net for group in self.groups), _ZERO)

    @property
    def tax(self) -> Decimal:
        """The VAT in the total."""
        return sum((group.tax for group in self.groups), _ZERO)

    @property
    def categories(self) -> frozenset[VatCategory]:
        """The VAT categories present."""
        return frozenset(group.category for group in self.groups)


def figures(statement: Statement) -> Figures:
    """The VAT groups and line nets of ``statement``, following DESIGN §3."""
    currency = statement.currency
    quantum = minor_unit(currency)
    rows: dict[tuple[VatCategory, Decimal], list[int]] = {}
    products = statement.products
    for index, product in enumerate(products):
        rows.setdefault((product.vat.category, product.vat.rate), []).append(index)
    groups = []
    lines: dict[int, LineFigure] = {}
    for (category, rate), indices in sorted(rows.items(), key=_group_order):
        chosen = [products[i] for i in indices]
        gross = sum((p.amount for p in chosen), _ZERO)
        tax = vat_split(gross, rate, currency).vat
        nets = spread(gross - tax, [p.amount / (1 + rate) for p in chosen], quantum)
        for index, product, net in zip(indices, chosen, nets, strict=True):
            lines[index] = LineFigure(product, net)
        reasons = {p.vat.exemption_reason for p in chosen if p.vat.exemption_reason}
        groups.append(
            VatGroup(
                category=category,
                rate=rate,
                reasons=tuple(sorted(reasons)),
                gross=gross,
                tax=tax,
                lines=tuple(lines[i] for i in indices),
            )
        )
    return Figures(
        currency=currency,
        groups=tuple(groups),
        lines=tuple(lines[i] for i in range(len(products))),
    )


def _group_order(item: tuple[tuple[VatCategory, Decimal], list[int]]) -> tuple[str, Decimal]:
    (category, rate), _ = item
    return (category.value, rate)
