"""The tables the CSV and XLSX exporters share: lines, days, a summary, and a statement.

Each table is described once, its columns (field name, Dutch and English label, kind)
and its rows; the ``csv`` exporter writes one of them, the ``xlsx`` exporter several, both
through the table base in `onaccount.exporting`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal

import attrs

from onaccount import Vat, VatCategory
from onaccount.exporting import (
    Cell,
    Column,
    ExportDocument,
    ExportedAccount,
    ExportProgress,
    Money,
    Table,
    fitted_width,
    pad_amount,
    sheet_title,
    tracked,
    vat_label,
)

from ._invoices import invoice_date, invoice_number, is_draft

__all__ = [
    "DAY_COLUMNS",
    "LINE_COLUMNS",
    "day_rows",
    "day_table",
    "line_rows",
    "line_table",
    "statement_tables",
    "summary_columns",
    "summary_rows",
    "summary_table",
]


def _column(
    name: str,
    nl: str,
    en: str,
    kind: str = "text",
    *,
    total: bool = False,
    words: Mapping[str, tuple[str, str]] | None = None,
) -> Column:
    """A column labelled ``nl`` and ``en``; ``words`` gives its codes' Dutch and English."""
    return Column(
        name=name,
        labels={"nl": nl, "en": en},
        kind=kind,  # type: ignore[arg-type]  # the kinds below are literals
        total=total,
        value_labels={code: {"nl": d, "en": e} for code, (d, e) in (words or {}).items()},
    )


# People read words; programs (header="names") get the codes the library uses.
_STATES = {
    "statement": ("specificatie", "statement"),
    "planned": ("concept", "draft"),
    "active": ("gefactureerd", "invoiced"),
    "undone": ("teruggedraaid", "undone"),
}
_STRATEGIES = {
    "none": ("geen correctie", "no correction"),
    "zero-balance": ("saldo op nul", "zero balance"),
    "limit-minus-invoiced": ("limiet min gefactureerd", "limit minus invoiced"),
}


_ACCOUNT = _column("account", "Rekening", "Account")
_NAME = _column("account_name", "Naam", "Name")
_CURRENCY = _column("currency", "Valuta", "Currency", "currency")
# The business day a sale counts for (01:30 counts for the day before when days start at
# 04:00): "Kassadag", not "Boekdatum", which an accountant reads as the posting date.
_BUSINESS_DATE = _column("business_date", "Kassadag", "Business date", "date")

#: One row per purchase line: the sale's local date and time, and its business date.
LINE_COLUMNS = (
    _BUSINESS_DATE,
    _column("sale_date", "Verkoopdatum", "Sale date", "date"),
    _column("sale_time", "Verkooptijd", "Sale time", "time"),
    _ACCOUNT,
    _NAME,
    _column("transaction", "Transactie", "Transaction"),
    _column("product", "Product", "Product"),
    _column("code", "Code", "Code"),
    _column("quantity", "Aantal", "Quantity", "quantity"),
    _column("unit_price", "Stukprijs", "Unit price", "price"),
    _column("amount", "Bedrag", "Amount", "money", total=True),
    _CURRENCY,
    _column("vat_category", "Btw-categorie", "VAT category"),
    _column("vat_percent", "Btw %", "VAT %", "percent"),
)

#: One row per account per business day with purchases.
DAY_COLUMNS = (
    _BUSINESS_DATE,
    _ACCOUNT,
    _NAME,
    _column("purchases", "Aankopen", "Purchases", "integer", total=True),
    _column("amount", "Bedrag", "Amount", "money", total=True),
    _CURRENCY,
)

_ONE_DAY = dt.timedelta(days=1)


#: What a document is, in Dutch, for the page header of a Dutch workbook.
_DUTCH_KINDS = {"statement": "specificatie", "plan": "concept", "run": "facturatie"}


def _page_header(document: ExportDocument) -> str | Mapping[str, str]:
    if len(document.accounts) == 1:
        account = document.accounts[0].account
        return f"{account.number} {account.name} · {document.period.label}"
    dutch = _DUTCH_KINDS.get(document.kind.value, document.kind.value)
    return {"nl": f"{dutch} {document.period.label}", "en": document.title}


def line_rows(
    document: ExportDocument, progress: ExportProgress | None = None
) -> Iterator[tuple[Cell, ...]]:
    """The rows under `LINE_COLUMNS`; ``progress`` hears of the accounts done.

    ``sale_date`` and ``sale_time`` are the local calendar date and wall-clock time of
    the sale; ``business_date`` the day it counts for (a sale at 02:00 belongs to the
    previous business day when days start at 04:00).
    """
    start = document.period.day_starts_at
    # What repeats is worked out once and shared by the rows: the calendar date after
    # each business date, a Money per amount, each unit price padded to the currency's
    # places (2.8 is written 2.80, as the workbook shows it), the category and percent
    # of each rate.
    next_day: dict[dt.date, dt.date] = {}
    money: dict[str, dict[Decimal, Money]] = {}
    prices: dict[str, dict[Decimal, Decimal]] = {}
    rates: dict[Vat, tuple[str, Decimal]] = {}
    for row in document.lines(progress):
        line = row.line
        date = row.date
        # Before the business day starts, the sale's calendar date is the next day.
        if row.time >= start:
            sale_date = date
        else:
            sale_date = next_day.get(date) or next_day.setdefault(date, date + _ONE_DAY)
        currency = row.currency
        amounts = money.get(currency) or money.setdefault(currency, {})
        # Amounts in one currency have its places, so equal ones are written alike.
        cash = amounts.get(row.amount) or amounts.setdefault(
            row.amount, Money(row.amount, currency)
        )
        by_price = prices.get(currency) or prices.setdefault(currency, {})
        price = by_price.get(line.unit_price)
        if price is None:
            price = by_price[line.unit_price] = pad_amount(line.unit_price, currency)
        vat = line.vat
        rate = rates.get(vat)
        if rate is None:
            rate = rates[vat] = (vat.category.value, vat.percent)
        account = row.account
        yield (
            date,
            sale_date,
            row.time,
            account.number,
            account.name,
            row.transaction,
            line.product,
            line.code,
            line.quantity,
            price,
            # Line amounts are rounded to the currency's minor unit already.
            cash,
            currency,
            *rate,
        )


def day_rows(
    document: ExportDocument, progress: ExportProgress | None = None
) -> Iterator[tuple[Cell, ...]]:
    """The rows under `DAY_COLUMNS`; ``progress`` hears of the accounts done."""
    for row in document.days(progress):
        yield (
            row.date,
            row.account.number,
            row.account.name,
            row.purchases,
            Money(pad_amount(row.total, row.currency), row.currency),
            row.currency,
        )


def summary_columns(document: ExportDocument) -> tuple[Column, ...]:
    """The summary's columns: fixed ones plus, per rate in the document, net and VAT."""
    rates = tuple(
        _column(
            f"{name}_{category.value.lower()}_{label.split()[1].rstrip('%').replace('.', '_')}",
            f"{nl} {label}",
            f"{en} {label}",
            "money",
            total=True,
        )
        for category, rate in document.vat_rates()
        for label in [vat_label(category, rate)]
        for name, nl, en in (("net", "Netto", "Net"), ("vat", "Btw", "VAT"))
    )
    return (
        _ACCOUNT,
        _NAME,
        _CURRENCY,
        _column("state", "Status", "State", words=_STATES),
        _column("total", "Totaal", "Total", "money", total=True),
        _column("net", "Netto", "Net", "money", total=True),
        _column("vat", "Btw", "VAT", "money", total=True),
        *rates,
        _column("balance_before", "Saldo voor", "Balance before", "money"),
        _column("balance_after", "Saldo na", "Balance after", "money"),
        _column("limit_before", "Limiet voor", "Limit before", "money"),
        _column("limit_after", "Limiet na", "Limit after", "money"),
        _column("strategy", "Strategie", "Strategy", words=_STRATEGIES),
    )


def summary_rows(
    document: ExportDocument, progress: ExportProgress | None = None
) -> Iterator[tuple[Cell, ...]]:
    """One row per account under `summary_columns`; ``progress`` hears of each."""
    rates = document.vat_rates()
    for entry in tracked(document.billed, progress):
        currency = entry.currency
        net, tax = entry.net_by_rate(), entry.vat_by_rate()
        yield (
            entry.account.number,
            entry.account.name,
            currency,
            entry.state,
            _cash(entry.total, currency),
            _cash(entry.net, currency),
            _cash(entry.tax, currency),
            *(_cash(part.get(key), currency) for key in rates for part in (net, tax)),
            _cash(entry.balance_before, currency),
            _cash(entry.balance_after, currency),
            _cash(entry.limit_before, currency),
            _cash(entry.limit_after, currency),
            document.strategy,
        )


def _names_fitted(columns: tuple[Column, ...], document: ExportDocument) -> tuple[Column, ...]:
    """``columns`` with the name column as wide as every billed account's name.

    A sheet fits a column to its first rows; a long name further down would be cut.
    """
    names = [entry.account.name for entry in document.billed]
    width = max(fitted_width(label, names) for label in _NAME.labels.values())
    return tuple(attrs.evolve(c, width=width) if c is _NAME else c for c in columns)


def line_table(document: ExportDocument, progress: ExportProgress | None = None) -> Table:
    """The lines as a table."""
    return Table(
        titles={"nl": "Regels", "en": "Lines"},
        columns=_names_fitted(LINE_COLUMNS, document),
        rows=line_rows(document, progress),
        page_header=_page_header(document),
    )


def day_table(document: ExportDocument, progress: ExportProgress | None = None) -> Table:
    """The days as a table."""
    return Table(
        titles={"nl": "Dagen", "en": "Days"},
        columns=_names_fitted(DAY_COLUMNS, document),
        rows=day_rows(document, progress),
        page_header=_page_header(document),
    )


def summary_table(document: ExportDocument, progress: ExportProgress | None = None) -> Table:
    """The summary as a table."""
    return Table(
        titles={"nl": "Overzicht", "en": "Summary"},
        columns=_names_fitted(summary_columns(document), document),
        rows=summary_rows(document, progress),
        page_header=_page_header(document),
    )


_STATEMENT_DAY_COLUMNS = (
    _BUSINESS_DATE,
    _column("purchases", "Aankopen", "Purchases", "integer", total=True),
    _column("amount", "Bedrag", "Amount", "money", total=True),
)
_PRODUCT_COLUMNS = (
    _column("product", "Product", "Product"),
    _column("code", "Code", "Code"),
    _column("quantity", "Aantal", "Quantity", "quantity"),
    _column("unit_price", "Stukprijs", "Unit price", "price"),
    _column("vat_percent", "Btw %", "VAT %", "percent"),
    _column("amount", "Bedrag", "Amount", "money", total=True),
)
_BALANCE_LABELS = (
    ("balance_before", "Saldo voor", "Balance before"),
    ("total", "Gefactureerd", "Invoiced"),
    ("balance_after", "Saldo na", "Balance after"),
)


def statement_tables(
    document: ExportDocument, language: str, progress: ExportProgress | None = None
) -> Iterator[Table]:
    """Per account the seed's view: its balance at the top, the days, the products.

    Each account gets two sheets, the days with purchases (under its balance for the
    period) and the product specification; with several accounts their titles start
    with the account number.
    """
    several = len(document.billed) > 1
    taken: set[str] = set()

    def title(number: str, label: str, place: int) -> str:
        # Numbers that only differ past what fits are told apart by their place instead.
        found = sheet_title(number, label) if several else label
        if found.casefold() in taken:
            found = sheet_title(f"#{place}", label)
        taken.add(found.casefold())
        return found

    for place, entry in enumerate(tracked(document.billed, progress), 1):
        account = entry.account
        number = account.number
        header = f"{account.number} {account.name} · {document.period.label}"
        yield Table(
            titles={"nl": title(number, "Dagen", place), "en": title(number, "Days", place)},
            columns=_STATEMENT_DAY_COLUMNS,
            rows=_statement_days(entry),
            above=_balance(entry, document, language),
            page_header=header,
        )
        yield Table(
            titles={
                "nl": title(number, "Producten", place),
                "en": title(number, "Products", place),
            },
            columns=_PRODUCT_COLUMNS,
            rows=_statement_products(entry),
            page_header=header,
        )


def _balance(
    entry: ExportedAccount, document: ExportDocument, language: str
) -> tuple[tuple[Cell, ...], ...]:
    dutch = language == "nl"
    account = entry.account
    rows: list[tuple[Cell, ...]] = [
        ("Rekening" if dutch else "Account", f"{account.number} {account.name}"),
        ("Periode" if dutch else "Period", document.period.label),
    ]
    if not is_draft(document) and not entry.total.is_zero():
        # What the sheet is attached to: a committed run's invoice, by number and date
        # (a zero total is no invoice the other exporters issue).
        rows.append(("Factuur" if dutch else "Invoice", invoice_number(document, entry)))
        rows.append(("Factuurdatum" if dutch else "Invoice date", invoice_date(document)))
    for field, nl, en in _BALANCE_LABELS:
        value = getattr(entry, field)
        if value is not None:
            rows.append((nl if dutch else en, _cash(value, entry.currency)))
    # What an invoice must show of the total: per rate the taxable amount and the VAT.
    per_rate: dict[tuple[VatCategory, Decimal], tuple[Decimal, Decimal]] = {}
    for row in entry.statement.vat:
        key = (row.vat.category, row.vat.rate)
        net, tax = per_rate.get(key, (Decimal(0), Decimal(0)))
        per_rate[key] = (net + row.net, tax + row.tax)
    for (category, rate), (net, tax) in per_rate.items():
        label = vat_label(category, rate)
        rows.append((f"{'Netto' if dutch else 'Net'} {label}", _cash(net, entry.currency)))
        rows.append((f"{'Btw' if dutch else 'VAT'} {label}", _cash(tax, entry.currency)))
    return tuple(rows)


def _statement_days(entry: ExportedAccount) -> Iterator[tuple[Cell, ...]]:
    currency = entry.currency
    for day in entry.statement.days:
        if day.count:
            yield (day.date, day.count, Money(pad_amount(day.total, currency), currency))


def _statement_products(entry: ExportedAccount) -> Iterator[tuple[Cell, ...]]:
    currency = entry.currency
    for product in entry.statement.products:
        yield (
            product.product,
            product.code,
            product.quantity,
            product.unit_price,
            product.vat.percent,
            Money(pad_amount(product.amount, currency), currency),
        )


def _cash(value: Decimal | None, currency: str) -> Cell:
    return None if value is None else Money(pad_amount(value, currency), currency)
