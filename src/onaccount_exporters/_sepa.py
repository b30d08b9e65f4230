"""The ``sepa`` exporter: a SEPA direct debit collection (pain.008) of a committed run.

One collection per run, with one transaction per active account invoice, built with the
``sepaxml`` package and checked against its pain.008.001.08 (default) or pain.008.001.02
schema; IBANs and BICs are checked with ``schwifty``. Both come with the ``sepa`` extra
(``pip install 'onaccount[sepa]'``) and are imported only when a collection is written,
so the exporter is listed, and its options can be shown, without them.

What cannot be collected is refused by account, naming the field to fix, and the rest
is still collected (or, with ``on_refusal="raise"``, nothing is written):

- an account without a valid mandate (``billing.mandate_id`` and ``mandate_date``, the
  date not after the collection date), IBAN (valid, in the SEPA zone) or usable name;
- a negative total, a credit note (a collection cannot be negative), or one in another
  currency than EUR; a zero total is nothing to invoice, so no debit and no refusal;
- every account of a statement or plan: money is collected for committed runs only.

Dates follow the EPC rulebooks: the file's creation time is the run's commit time, or
the start of ``sent_on``, the later day the file goes to the bank; the collection date
is a TARGET2 business day at least ``lead_days`` business days after the creation (1
for CORE and B2B, FRST and RCUR alike, since the rulebooks of November 2016); a mandate
signed after the creation is refused. A date left empty is ``collection_days`` after
the invoice date, moved on to the first date that works, so a file sent late collects
as soon as the lead time allows (and says so); one given that does not work is refused
with the first that does.

A run keeps the billing details it was committed with. Two options bring in what the
ledger knows besides: ``previous_mandates`` (from `previous_mandates`) names the
mandate id and IBAN each account was last collected under, read from the billing
details earlier runs committed, so a changed one is sent with amendment information;
``current_billing`` collects under the mandates the accounts have now, for a member whose
mandate came after the run: ``"ledger"`` reads them from the ledger the export is
given, `current_billing` builds the same as JSON.

The sequence type comes from the mandate's history, which an export cannot see (exports
are pure functions of the run). ``sequence="auto"`` approximates it from the run: a
mandate signed on or after the first day of the billed period cannot have been used for
an earlier period's invoice, so its collection is the first (FRST); an older mandate
collects a recurring one (RCUR). Since the EPC rulebook of November 2016, a first
collection may also be sent as RCUR, so the approximation errs on the accepted side;
hosts that track mandates can force ``"FRST"`` or ``"RCUR"``.

Message and payment ids are digests of the run and the collection, and the creation time
is the run's commit time, so the same run and options give the same bytes, and a bank
that refuses duplicate message ids refuses a file sent twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any, BinaryIO

import attrs
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from onaccount import InvoiceRun, InvoiceState, Ledger
from onaccount._words import named
from onaccount.exporting import (
    DocumentKind,
    Exportable,
    ExportDocument,
    ExportedAccount,
    Exporter,
    ExportError,
    ExportProgress,
    ExportReport,
    LedgerRequired,
    Requirements,
    export_document,
    option,
    remove_xml_forbidden,
)

from ._archive import (
    ON_REFUSAL_CHOICES,
    ON_REFUSAL_HELP,
    REFUSED_MEMBER,
    MemberNames,
    settle,
    write_zip,
)
from ._checks import check_iso_date
from ._errors import ExportRefusal, ExtraNotInstalled
from ._invoices import (
    debtor_name,
    invoice_date,
    invoice_number,
    invoiced,
    is_credit,
    is_draft,
    nothing_to_invoice,
)
from ._seller import SellerOptions, compact
from ._target2 import add_business_days, debit_day, is_business_day, next_business_day

__all__ = ["SepaExporter", "SepaOptions", "current_billing", "previous_mandates"]

#: The ``current_billing`` that reads the accounts' billing details from the ledger.
FROM_LEDGER = "ledger"

_VERSIONS = ("pain.008.001.08", "pain.008.001.02")
# The identifiers the EPC accepts: Latin letters, digits and a few marks, no spaces.
_SEPA_ID = re.compile(r"[A-Za-z0-9+?/:().,'-]{1,35}")
# Text outside the EPC's basic Latin set becomes a space.
_NOT_SEPA_TEXT = re.compile(r"[^A-Za-z0-9/?:().,'+ -]+")
_SPACES = re.compile(r" +")
_INSTALL = "pip install 'onaccount[sepa]'"


@attrs.frozen(kw_only=True)
class SepaOptions(SellerOptions):
    """The creditor (the seller, see `SellerOptions`) and how the ``sepa`` exporter collects.

    The seller collects into ``seller_iban`` under ``creditor_id``; ``seller_name`` and
    the seller's address name the creditor.
    """

    version: str = option(
        "pain.008.001.08",
        choices=_VERSIONS,
        help="The pain.008 version: 001.08 (the EPC's current one) or 001.02 (older banks).",
    )
    collection_date: str = option(
        "",
        help="The requested collection date, YYYY-MM-DD, a TARGET2 business day at least "
        "lead_days after the file is sent; empty: collection_days after the invoice "
        "date, moved on to the first business day the lead time allows.",
    )
    sent_on: str = option(
        "",
        help="The day the file goes to the bank, YYYY-MM-DD, not before the invoice date; "
        "empty: the invoice date (the run's commit day). The collection is lead_days or "
        "more business days after it. The command line gives today.",
    )
    collection_days: int = option(
        14, help="Days from the invoice date to the collection when collection_date is empty."
    )
    lead_days: int = option(
        1,
        help="The scheme's lead time in TARGET2 business days between the file's creation "
        "and the collection: 1 for CORE and B2B (FRST and RCUR alike) in the current EPC "
        "rulebooks; a bank may ask for more.",
    )
    sequence: str = option(
        "auto",
        choices=("auto", "FRST", "RCUR"),
        help="auto: FRST for a mandate signed on or after the period's first day, RCUR for "
        "older ones; FRST or RCUR: that for every transaction.",
    )
    instrument: str = option(
        "CORE", choices=("CORE", "B2B"), help="The direct debit scheme: CORE or B2B."
    )
    previous_mandates: str = option(
        "{}",
        help="The mandate id and IBAN each account was last collected under, as a JSON "
        'object such as {"1042": {"mandate_id": "ZWA-1042", "iban": "NL20INGB0001234567"}}; '
        "previous_mandates(ledger, run) reads it from the ledger's earlier runs. A changed "
        "mandate id or IBAN is sent with amendment information.",
    )
    current_billing: str = option(
        "{}",
        help="Mandates and IBANs to collect under instead of those committed with the "
        "run, for a member whose mandate came after it: ledger, the accounts' details as "
        "the ledger the export reads has them now, or a JSON object such as "
        '{"1042": {"mandate_id": "ZWA-1042", "mandate_date": "2025-06-01", '
        '"iban": "NL20INGB0001234567", "bic": null}} (current_billing(ledger, run) '
        "builds it).",
    )
    batch_booking: bool = option(
        True,
        help="true: the bank books each batch as one amount on the creditor's statement; "
        "false: one booking per debit.",
    )
    on_refusal: str = option("list", choices=ON_REFUSAL_CHOICES, help=ON_REFUSAL_HELP)

    def __attrs_post_init__(self) -> None:
        self._check_seller()
        check_iso_date(self, "collection_date", self.collection_date)
        check_iso_date(self, "sent_on", self.sent_on)
        if not 0 <= self.collection_days <= 366:
            self._refuse("collection_days", "must be from 0 to 366 days")
        if not 0 <= self.lead_days <= 30:
            self._refuse("lead_days", "must be from 0 to 30 business days")
        self.previous()
        self.current()

    def current(self) -> dict[str, tuple[str, dt.date, str, str | None]]:
        """``current_billing`` read: account number to (mandate id, date, IBAN, BIC).

        ``"ledger"`` reads as nothing here: the exporter puts the ledger's details in
        its place (`SepaExporter.export`).
        """
        if self.current_billing == FROM_LEDGER:
            return {}
        try:
            data = json.loads(self.current_billing)
            result = {
                str(number): (
                    _text_field(details, "mandate_id"),
                    dt.date.fromisoformat(_text_field(details, "mandate_date")),
                    compact(_text_field(details, "iban")),
                    details.get("bic") or None,
                )
                for number, details in data.items()
            }
        except (ValueError, TypeError, AttributeError, KeyError):
            self._refuse(
                "current_billing",
                "is not 'ledger' or a JSON object of account numbers to {\"mandate_id\": "
                '..., "mandate_date": "YYYY-MM-DD", "iban": ..., "bic": ...}; give ledger to '
                "collect under the details the accounts have now",
            )
        return result

    def previous(self) -> dict[str, tuple[str, str]]:
        """``previous_mandates`` read: account number to (mandate id, IBAN)."""
        try:
            data = json.loads(self.previous_mandates)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not all(
            isinstance(v, dict)
            and isinstance(v.get("mandate_id"), str)
            and isinstance(v.get("iban"), str)
            for v in data.values()
        ):
            self._refuse(
                "previous_mandates",
                'is not a JSON object of account numbers to {"mandate_id": ..., "iban": ...}; '
                "build it with previous_mandates(ledger, run)",
            )
        return {str(k): (v["mandate_id"], compact(v["iban"])) for k, v in data.items()}

    @property
    def requested_date(self) -> dt.date | None:
        """``collection_date`` as a date, or None when it is left empty."""
        return check_iso_date(self, "collection_date", self.collection_date)

    @property
    def sent_date(self) -> dt.date | None:
        """``sent_on`` as a date, or None when it is left empty."""
        return check_iso_date(self, "sent_on", self.sent_on)


@attrs.frozen(kw_only=True)
class _Debit:
    """One transaction, checked: who pays how much under which mandate."""

    entry: ExportedAccount
    number: str
    name: str
    iban: str
    bic: str | None
    cents: int
    mandate_id: str
    mandate_date: dt.date
    sequence: str
    address: dict[str, str]
    #: Amendment information: the original mandate id, the original IBAN (same bank) and
    #: whether the debtor moved to another bank (SMNDA); None when nothing changed.
    amendment: tuple[str | None, str | None, bool] | None = None


def _text_field(details: Mapping[str, object], name: str) -> str:
    value = details[name]
    if not isinstance(value, str):
        raise TypeError(name)
    return value


def _libraries() -> tuple[Any, Any, Any]:
    """The SEPA libraries: sepaxml's SepaDD and validator, and schwifty; or `ExtraNotInstalled`."""
    try:
        import schwifty
        import text_unidecode  # type: ignore[import-untyped]  # sepaxml's; no type hints
        from sepaxml import SepaDD  # type: ignore[import-untyped]  # sepaxml has no hints
        from sepaxml.validation import try_valid_xml  # type: ignore[import-untyped]
    except ImportError as error:
        raise ExtraNotInstalled(
            f"the sepa exporter needs sepaxml and schwifty ({error.name} is missing); "
            f"install them with: {_INSTALL}",
            value=error.name,
            field="extra",
        ) from error
    del text_unidecode  # imported only to fail early; sepa_text uses it
    return SepaDD, try_valid_xml, schwifty


def sepa_text(value: str | None, limit: int) -> str:
    """``value`` in the EPC's Latin character set, at most ``limit`` characters."""
    from text_unidecode import unidecode  # sepaxml's; checked by _libraries

    latin: str = unidecode(remove_xml_forbidden(value or ""))
    return _SPACES.sub(" ", _NOT_SEPA_TEXT.sub(" ", latin)).strip()[:limit].strip()


def _address(
    street: str | None, postcode: str | None, town: str | None, country: str
) -> dict[str, str]:
    fields = {
        "street_name": sepa_text(street, 70),
        "postcode": sepa_text(postcode, 16),
        "town": sepa_text(town, 35),
        "country": country,
    }
    return {key: value for key, value in fields.items() if value}


class _Collection:
    """Checks a document's account invoices against the options, collecting refusals."""

    def __init__(self, document: ExportDocument, options: SepaOptions, schwifty: Any) -> None:
        self.document = document
        self.options = options
        self.schwifty = schwifty
        self.refusals: list[ExportRefusal] = []
        self.invoiced = invoice_date(document)
        #: The day the file is made for the bank: the invoice date, or a later sent_on.
        self.created = self._sent_on()
        #: The collection date of invoices due on it without a later sent_on.
        self.due = debit_day(self.invoiced, options.collection_days, options.lead_days)
        self.date = self._collection_date()

    def _sent_on(self) -> dt.date:
        sent = self.options.sent_date
        if sent is None:
            return self.invoiced
        if sent < self.invoiced:
            self.refuse_option(
                "sent_on",
                f"is {sent}, before the run's invoice date {self.invoiced}; give the day "
                "the file goes to the bank, or leave it empty",
            )
            return self.invoiced
        return sent

    def _collection_date(self) -> dt.date:
        """The requested collection date: on a business day, after the lead time."""
        options = self.options
        earliest = add_business_days(self.created, options.lead_days)
        requested = options.requested_date
        if requested is None:
            # Sent late, the invoices' due date has passed: collect as soon as allowed.
            return max(self.due, earliest)
        if requested < earliest:
            self.refuse_option(
                "collection_date",
                f"is {requested}, but the file is sent on {self.created} and the "
                f"{options.instrument} scheme needs the collection {options.lead_days} or "
                f"more TARGET2 business days later: give {earliest} or later",
            )
        elif not is_business_day(requested):
            self.refuse_option(
                "collection_date",
                f"is {requested}, a day TARGET2 is closed (a weekend or holiday), so "
                f"nothing settles then: give {next_business_day(requested)}",
            )
        return requested

    def refuse_option(self, name: str, problem: str) -> None:
        self.refusals.append(
            ExportRefusal(account=None, field=name, message=f"sepa option {name} {problem}")
        )

    def creditor(self) -> dict[str, Any] | None:
        """The sepaxml configuration, or None when the options lack something."""
        options = self.options
        name = sepa_text(options.seller_name, 70)
        iban = compact(options.seller_iban)
        bic = compact(options.seller_bic)
        creditor_id = compact(options.creditor_id)
        for field, value in (
            ("seller_name", name),
            ("seller_iban", iban),
            ("creditor_id", creditor_id),
        ):
            if not value:
                self.refuse_option(field, "is empty; set it to collect anything")
        if options.version == "pain.008.001.02" and not bic:
            self.refuse_option("seller_bic", "is empty; pain.008.001.02 needs it, set it")
        if iban:
            problem = self._iban_problem(iban)
            if problem:
                self.refuse_option("seller_iban", f"{problem}; correct it")
        if bic and not self._bic_ok(bic):
            self.refuse_option("seller_bic", f"{bic!r} is no valid BIC; correct it")
        if self.refusals:
            return None
        config: dict[str, Any] = {
            "name": name,
            "IBAN": iban,
            "batch": options.batch_booking,
            "creditor_id": creditor_id,
            "currency": "EUR",
            "instrument": options.instrument,
            "address": _address(
                options.seller_street,
                options.seller_postal_code,
                options.seller_city,
                options.seller_country,
            ),
        }
        if bic:
            config["BIC"] = bic
        return config

    def _amendment(
        self, account: str, mandate_id: str, iban: str
    ) -> tuple[str | None, str | None, bool] | None:
        previous = self.options.previous().get(account)
        if previous is None or previous == (mandate_id, iban):
            return None
        old_mandate, old_iban = previous
        moved = old_iban != iban
        other_bank = moved and self._bank(old_iban) != self._bank(iban)
        return (
            old_mandate if old_mandate != mandate_id else None,
            old_iban if moved and not other_bank else None,
            other_bank,
        )

    def _bank(self, iban: str) -> tuple[str, str]:
        try:
            parsed = self.schwifty.IBAN(iban)
        except ValueError:  # schwifty's errors are ValueErrors
            return (iban[:2], iban[4:8])
        return (iban[:2], str(parsed.bank_code))

    def _iban_problem(self, iban: str) -> str | None:
        try:
            parsed = self.schwifty.IBAN(iban)
        except ValueError as error:  # schwifty's errors are ValueErrors
            return f"{iban!r} is no valid IBAN ({error})"
        if not parsed.in_sepa_zone:
            return f"{iban!r} is an IBAN outside the SEPA zone"
        return None

    def _bic_ok(self, bic: str) -> bool:
        try:
            self.schwifty.BIC(bic)
        except ValueError:
            return False
        return True

    def debit(self, entry: ExportedAccount) -> _Debit | None:
        """The transaction for ``entry``, or None after recording why it is refused."""
        document = self.document
        account = entry.account
        number = invoice_number(document, entry)
        before = len(self.refusals)

        def refuse(field: str, problem: str) -> None:
            self.refusals.append(
                ExportRefusal(
                    account=account.number,
                    field=field,
                    message=f"account {account.label}: {problem}",
                    invoice=number,
                )
            )

        if is_draft(document):
            refuse(
                "source",
                f"is in a {document.kind.value}, and money is collected for committed runs "
                "only; commit the run and export it",
            )
            return None
        if entry.currency != "EUR":
            refuse("currency", f"its currency is {entry.currency}; SEPA collects euros only")
        elif is_credit(entry):
            refuse(
                "total",
                f"has a total of {entry.total} EUR, a credit note, and a collection cannot "
                "be negative; pay the amount back by credit transfer",
            )
        billing = account.billing
        name = sepa_text(debtor_name(account), 70)
        if not name:
            refuse("billing.name", "has no name in Latin letters; set billing.name")
        mandate_id = billing.mandate_id if billing else None
        mandate_date = billing.mandate_date if billing else None
        iban = compact(billing.iban if billing else None)
        bic = compact(billing.bic if billing else None) or None
        current = self.options.current().get(account.number)
        if current is not None:
            mandate_id, mandate_date, iban, bic = current
        # A run keeps the details it was committed with; the account may have them now.
        committed, now = (
            ("", "")
            if is_draft(document) or current is not None
            else (
                " in the billing details committed with the run",
                ", and if the member has them now, collect under them with option "
                "current_billing=ledger",
            )
        )
        if mandate_id is None or mandate_date is None:
            refuse(
                "billing.mandate_id",
                f"has no direct-debit mandate{committed}; set billing.mandate_id and "
                f"mandate_date{now}",
            )
        elif not _SEPA_ID.fullmatch(mandate_id):
            refuse(
                "billing.mandate_id",
                f"has mandate id {mandate_id!r}; SEPA allows at most 35 letters, digits "
                "and + ? / - : ( ) . , ' without spaces: correct billing.mandate_id",
            )
        elif mandate_date > self.created:
            refuse(
                "billing.mandate_date",
                f"has a mandate signed on {mandate_date}, after the collection file is sent "
                f"on {self.created}, so it cannot be collected under yet; correct "
                f"billing.mandate_date, send the file on {mandate_date} or later (option "
                "sent_on), or collect it in a later run",
            )
        if not iban:
            refuse(
                "billing.iban", f"has no IBAN to collect from{committed}; set billing.iban{now}"
            )
        else:
            problem = self._iban_problem(iban)
            if problem:
                refuse("billing.iban", f"has {problem}; correct billing.iban")
        if bic is not None and not self._bic_ok(bic):
            refuse("billing.bic", f"has BIC {bic!r}, which is not valid; correct billing.bic")
        if len(self.refusals) > before or mandate_id is None or mandate_date is None:
            return None
        address = billing.address if billing else None
        sequence = self.options.sequence
        if sequence == "auto":
            sequence = "FRST" if mandate_date >= entry.statement.period.first else "RCUR"
        return _Debit(
            amendment=self._amendment(account.number, mandate_id, iban),
            entry=entry,
            number=number,
            name=name,
            iban=iban,
            bic=bic,
            cents=int(entry.total * 100),
            mandate_id=mandate_id,
            mandate_date=mandate_date,
            sequence=sequence,
            address={}
            if address is None
            else _address(address.street, address.postal_code, address.city, address.country),
        )


def _end_to_end(number: str) -> str:
    if _SEPA_ID.fullmatch(number):
        return number
    return "OA" + hashlib.sha256(number.encode()).hexdigest()[:33]


def _message_id(
    document: ExportDocument, options: SepaOptions, debits: list[_Debit], date: dt.date
) -> str:
    parts = [
        str(document.run_id),
        options.version,
        date.isoformat(),
        *(
            f"{d.number}:{d.cents}:{d.sequence}:{d.mandate_id}:{d.iban}:{d.amendment}"
            for d in debits
        ),
    ]
    return "OA" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:33]


def _amend(root: Any, version: str, debits: list[_Debit]) -> None:
    """Add amendment information, which sepaxml does not write, after each DtOfSgntr."""
    namespace = f"urn:iso:std:iso:20022:tech:xsd:{version}"
    ns = {"p": namespace}

    def add(parent: Any, path: str, value: str | None = None) -> Any:
        for step in path.split("/"):
            parent = etree.SubElement(parent, f"{{{namespace}}}{step}")
        if value is not None:
            parent.text = value
        return parent

    amended = {_end_to_end(d.number): d.amendment for d in debits if d.amendment}
    for tx in root.iterfind("p:CstmrDrctDbtInitn/p:PmtInf/p:DrctDbtTxInf", ns):
        amendment = amended.get(tx.findtext("p:PmtId/p:EndToEndId", namespaces=ns))
        if amendment is None:
            continue
        mandate, iban, other_bank = amendment
        signed = tx.find("p:DrctDbtTx/p:MndtRltdInf/p:DtOfSgntr", ns)
        info = signed.getparent()
        position = info.index(signed) + 1
        indicator = etree.Element(f"{{{namespace}}}AmdmntInd")
        indicator.text = "true"
        details = etree.Element(f"{{{namespace}}}AmdmntInfDtls")
        if mandate is not None:
            add(details, "OrgnlMndtId", mandate)
        if iban is not None:
            add(details, "OrgnlDbtrAcct/Id/IBAN", iban)
        if other_bank:
            # EPC: a debtor who moved to another bank is amended with "SMNDA".
            add(details, "OrgnlDbtrAgt/FinInstnId/Othr/Id", "SMNDA")
        info.insert(position, indicator)
        info.insert(position + 1, details)


def _pin(xml: bytes, version: str, message_id: str, created: str, debits: list[_Debit]) -> bytes:
    """``xml`` with fixed ids and time instead of sepaxml's, and amendment information."""
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
    root = etree.fromstring(xml)
    _amend(root, version, debits)
    root.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:MsgId", ns).text = message_id
    root.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:CreDtTm", ns).text = created
    for batch in root.iterfind("p:CstmrDrctDbtInitn/p:PmtInf", ns):
        sequence = batch.find("p:PmtTpInf/p:SeqTp", ns).text
        batch.find("p:PmtInfId", ns).text = f"{message_id[:30]}-{sequence}"
    result: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return result


class SepaExporter(Exporter[SepaOptions]):
    """A SEPA direct debit initiation (pain.008) for a run's positive account invoices.

    Written as a zip holding the pain.008 XML and, when accounts were refused,
    ``refused.txt``; ``refusals`` tells a host beforehand what would be refused.
    """

    identifier = "sepa"
    title = "SEPA direct debit (pain.008)"
    description = (
        "A pain.008 collection of a committed run, one transaction per account invoice "
        "with a mandate, for the creditor's bank; needs the sepa extra."
    )
    media_type = "application/zip"
    extension = "sepa.zip"
    requires = Requirements(modules=("sepaxml", "schwifty", "text_unidecode"), extra="sepa")
    Options = SepaOptions

    def _check(
        self, document: ExportDocument, options: SepaOptions
    ) -> tuple[_Collection, dict[str, Any] | None, list[_Debit]]:
        _, _, schwifty = _libraries()
        collection = _Collection(document, options, schwifty)
        config = collection.creditor()
        debits = [d for entry in invoiced(document) if (d := collection.debit(entry)) is not None]
        return collection, config, debits

    def refusals(
        self,
        source: Exportable,
        options: SepaOptions | Mapping[str, object] | str | None = None,
        *,
        ledger: Ledger | None = None,
    ) -> tuple[ExportRefusal, ...]:
        """What writing ``source`` with ``options`` would refuse, options first.

        ``ledger`` is read for ``current_billing="ledger"``.
        """
        document = export_document(source, ledger)
        chosen = _with_ledger_billing(document, self.options(options))
        collection, _, _ = self._check(document, chosen)
        return settle(self.identifier, collection.refusals, "list")

    def write(
        self,
        document: ExportDocument,
        stream: BinaryIO,
        options: SepaOptions,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write the collection (if anything can be collected) and ``refused.txt``.

        The report counts the direct debits collected; ``progress`` hears of the
        collection as one step, which sepaxml builds and checks as a whole.
        """
        options = _with_ledger_billing(document, options)
        collection, config, debits = self._check(document, options)
        refused = settle(self.identifier, collection.refusals, options.on_refusal)
        members = []
        if progress is not None:
            progress(0, 1, "collections")
        if config is not None and debits:
            stem = f"{options.version} {document.run_key or document.run_id}"
            members.append(
                (
                    MemberNames()(stem, "xml"),
                    self._xml(document, options, config, debits, collection),
                )
            )
        write_zip(stream, members, refused)
        if progress is not None:
            progress(1, 1, "collections")
        count = len(debits) if members else 0
        current = options.current()
        updated = sorted(
            d.entry.account.number for d in debits if d.entry.account.number in current
        )
        notes: tuple[str, ...] = (
            (
                "collected under the billing details the accounts have now (option "
                f"current_billing), not those committed with the run: {', '.join(updated)}",
            )
            if members and updated
            else ()
        )
        if members and options.requested_date is None and collection.date > collection.due:
            notes += (
                f"collected on {collection.date}, {options.lead_days} or more TARGET2 "
                f"business days after the file is sent on {collection.created}: later than "
                f"{collection.due}, collection_days after the invoice date {collection.invoiced}",
            )
        amended = sorted(d.entry.account.number for d in debits if d.amendment is not None)
        if members and amended:
            notes += (
                f"{named('account', amended)} collected under another mandate or IBAN than "
                "last time: sent as amended, with the one collected under then",
            )
        return ExportReport(
            exporter=self.identifier,
            unit="debits",
            written=count,
            accounts=count,
            refusals=refused,
            refusals_listed_in=REFUSED_MEMBER if refused else None,
            nothing_to_invoice=nothing_to_invoice(document),
            notes=notes,
        )

    def _xml(
        self,
        document: ExportDocument,
        options: SepaOptions,
        config: dict[str, Any],
        debits: list[_Debit],
        checked: _Collection,
    ) -> bytes:
        date = checked.date
        sepa_dd, validate, _ = _libraries()
        collection = sepa_dd(config, schema=options.version, clean=True)
        for debit in debits:
            payment: dict[str, Any] = {
                "name": debit.name,
                "IBAN": debit.iban,
                "amount": debit.cents,
                "type": debit.sequence,
                "collection_date": date,
                "mandate_id": debit.mandate_id,
                "mandate_date": debit.mandate_date,
                "description": sepa_text(f"{debit.number} {document.period.label}", 140),
                "endtoend_id": _end_to_end(debit.number),
            }
            if debit.bic:
                payment["BIC"] = debit.bic
            if debit.address:
                payment["address"] = debit.address
            collection.add_payment(payment)
        zone = zoneinfo.ZoneInfo(document.period.tz)
        if document.created_at is not None and checked.created == checked.invoiced:
            local = document.created_at.astimezone(zone)
        else:
            # Made for the day it is sent: that day's start, the same bytes all day.
            local = dt.datetime.combine(checked.created, dt.time(), zone)
        xml = _pin(
            collection.export(validate=False),
            options.version,
            _message_id(document, options, debits, date),
            local.replace(tzinfo=None, microsecond=0).isoformat(),
            debits,
        )
        try:
            validate(xml, options.version)
        except Exception as error:  # sepaxml raises its own ValidationError, an Exception
            raise ExportError(
                f"the {options.version} collection of run {document.run_key or document.run_id} "
                f"fails the schema ({error.__cause__ or error}); this is a bug in onaccount's "
                "checks, please report it with the run",
                value=document.run_id,
                field="version",
            ) from error
        return xml


def previous_mandates(ledger: Ledger, run: InvoiceRun) -> str:
    """The ``previous_mandates`` option for ``run``: each account's last collection.

    The ledger keeps each run's billing details as committed, so the mandate id and IBAN
    an account was collected under are those of its latest earlier run in which it had
    an active, positive euro account invoice with a mandate and an IBAN.
    """
    place = (run.created_at, run.id)
    earlier = sorted(
        (r for r in ledger.runs() if (r.created_at, r.id) < place),
        key=lambda r: (r.created_at, r.id),
    )
    last: dict[str, dict[str, str]] = {}
    for previous in earlier:
        for invoice in previous.invoices:
            billing = invoice.account.billing
            if (
                invoice.state is InvoiceState.ACTIVE
                and invoice.total > 0
                and invoice.account.currency == "EUR"
                and billing is not None
                and billing.mandate_id is not None
                and billing.iban is not None
            ):
                last[invoice.account.number] = {
                    "mandate_id": billing.mandate_id,
                    "iban": compact(billing.iban),
                }
    return json.dumps(dict(sorted(last.items())))


def _with_ledger_billing(document: ExportDocument, options: SepaOptions) -> SepaOptions:
    """``options`` with ``current_billing="ledger"`` replaced by what the ledger holds now."""
    if options.current_billing != FROM_LEDGER or document.kind is not DocumentKind.RUN:
        # A plan bills the accounts as they are already.
        return options
    ledger = document.ledger
    if not isinstance(ledger, Ledger):
        raise LedgerRequired(
            "option current_billing=ledger reads the accounts' billing details from the "
            f"ledger, and the export of {document.title} was given "
            f"{'no ledger' if ledger is None else 'no ledger that holds accounts'}; pass "
            "ledger= (the ledger the run came from)",
            value=ledger,
            obj=document,
            field="ledger",
        )
    numbers = [entry.account.number for entry in document.accounts]
    return attrs.evolve(options, current_billing=_billing_now(ledger, numbers))


def current_billing(ledger: Ledger, run: InvoiceRun) -> str:
    """The ``current_billing`` option for ``run``: its accounts' mandates as they are now.

    For each account of the run whose current billing details have a mandate and an
    IBAN. Passing it collects under those instead of the details committed with the run.
    """
    return _billing_now(ledger, [invoice.account.number for invoice in run.invoices])


def _billing_now(ledger: Ledger, numbers: list[str]) -> str:
    current: dict[str, dict[str, str | None]] = {}
    for number in numbers:
        billing = ledger.get_account(number).billing
        if billing is None or billing.mandate_id is None or billing.mandate_date is None:
            continue
        if billing.iban is None:
            continue
        current[number] = {
            "mandate_id": billing.mandate_id,
            "mandate_date": billing.mandate_date.isoformat(),
            "iban": billing.iban,
            "bic": billing.bic,
        }
    return json.dumps(dict(sorted(current.items())))
