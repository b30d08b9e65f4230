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
- a total that is zero or negative (only positive amounts can be collected), or one in
  another currency than EUR;
- every account of a statement or plan: money is collected for committed runs only.

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
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any, BinaryIO, NoReturn

import attrs

from onaccount.exporting import (
    Exportable,
    ExportDocument,
    ExportedAccount,
    Exporter,
    ExportError,
    ExportOptions,
    ExportProgress,
    ExportReport,
    InvalidOptions,
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
from ._checks import bic_ok, check_country, check_iso_date, creditor_id_ok, iban_checksum_ok
from ._errors import ExportRefusal, ExtraNotInstalled
from ._invoices import billable, invoice_date, invoice_number, is_draft

__all__ = ["SepaExporter", "SepaOptions"]

_VERSIONS = ("pain.008.001.08", "pain.008.001.02")
# The identifiers the EPC accepts: Latin letters, digits and a few marks, no spaces.
_SEPA_ID = re.compile(r"[A-Za-z0-9+?/:().,'-]{1,35}")
# Text outside the EPC's basic Latin set becomes a space.
_NOT_SEPA_TEXT = re.compile(r"[^A-Za-z0-9/?:().,'+ -]+")
_SPACES = re.compile(r" +")
_INSTALL = "pip install 'onaccount[sepa]'"


def _compact(value: str | None) -> str:
    return "".join((value or "").split()).upper()


@attrs.frozen(kw_only=True)
class SepaOptions(ExportOptions):
    """The creditor's details and how the ``sepa`` exporter collects."""

    version: str = option(
        "pain.008.001.08",
        choices=_VERSIONS,
        help="The pain.008 version: 001.08 (the EPC's current one) or 001.02 (older banks).",
    )
    creditor_name: str = option("", help="The creditor's name; required.")
    creditor_iban: str = option("", help="The IBAN the money is collected into; required.")
    creditor_bic: str = option(
        "", help="The BIC of creditor_iban; required for pain.008.001.02, optional otherwise."
    )
    creditor_id: str = option(
        "", help="The SEPA creditor identifier, e.g. NL69ZZZ123456780000; required."
    )
    creditor_street: str = option("", help="The creditor's street and number (structured).")
    creditor_postal_code: str = option("", help="The creditor's postal code.")
    creditor_city: str = option("", help="The creditor's town.")
    creditor_country: str = option("NL", help="The creditor's ISO 3166-1 alpha-2 country.")
    collection_date: str = option(
        "",
        help="The requested collection date, YYYY-MM-DD; empty: collection_days after the "
        "invoice date (the run's commit day).",
    )
    collection_days: int = option(
        14, help="Days from the invoice date to the collection when collection_date is empty."
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
    on_refusal: str = option("list", choices=ON_REFUSAL_CHOICES, help=ON_REFUSAL_HELP)

    def __attrs_post_init__(self) -> None:
        check_country(self, "creditor_country", self.creditor_country)
        check_iso_date(self, "collection_date", self.collection_date)
        iban = _compact(self.creditor_iban)
        if iban and not iban_checksum_ok(iban):
            self._refuse("creditor_iban", "is no IBAN (its check digits are wrong); correct it")
        bic = _compact(self.creditor_bic)
        if bic and not bic_ok(bic):
            self._refuse("creditor_bic", "is no BIC; write 8 or 11 characters like ABNANL2A")
        creditor_id = _compact(self.creditor_id)
        if creditor_id and not creditor_id_ok(creditor_id):
            self._refuse(
                "creditor_id",
                "is no SEPA creditor identifier (its check digits are wrong); write it like "
                "NL69ZZZ123456780000",
            )
        if not 0 <= self.collection_days <= 366:
            self._refuse("collection_days", "must be from 0 to 366 days")

    def _refuse(self, name: str, problem: str) -> NoReturn:
        value = getattr(self, name)
        raise InvalidOptions(
            f"SepaOptions option {name!r} {value!r} {problem}", value=value, obj=self, field=name
        )

    @property
    def requested_date(self) -> dt.date | None:
        """``collection_date`` as a date, or None when it is left empty."""
        return check_iso_date(self, "collection_date", self.collection_date)


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
        self.date = options.requested_date or (
            invoice_date(document) + dt.timedelta(days=options.collection_days)
        )

    def refuse_option(self, name: str, problem: str) -> None:
        self.refusals.append(
            ExportRefusal(account=None, field=name, message=f"sepa option {name} {problem}")
        )

    def creditor(self) -> dict[str, Any] | None:
        """The sepaxml configuration, or None when the options lack something."""
        options = self.options
        name = sepa_text(options.creditor_name, 70)
        iban = _compact(options.creditor_iban)
        bic = _compact(options.creditor_bic)
        creditor_id = _compact(options.creditor_id)
        for field, value in (
            ("creditor_name", name),
            ("creditor_iban", iban),
            ("creditor_id", creditor_id),
        ):
            if not value:
                self.refuse_option(field, "is empty; set it to collect anything")
        if options.version == "pain.008.001.02" and not bic:
            self.refuse_option("creditor_bic", "is empty; pain.008.001.02 needs it, set it")
        if iban:
            problem = self._iban_problem(iban)
            if problem:
                self.refuse_option("creditor_iban", f"{problem}; correct it")
        if bic and not self._bic_ok(bic):
            self.refuse_option("creditor_bic", f"{bic!r} is no valid BIC; correct it")
        if self.refusals:
            return None
        config: dict[str, Any] = {
            "name": name,
            "IBAN": iban,
            "batch": True,
            "creditor_id": creditor_id,
            "currency": "EUR",
            "instrument": options.instrument,
            "address": _address(
                options.creditor_street,
                options.creditor_postal_code,
                options.creditor_city,
                options.creditor_country,
            ),
        }
        if bic:
            config["BIC"] = bic
        return config

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
        elif entry.total <= 0:
            refuse(
                "total",
                f"has a total of {entry.total} EUR; only positive amounts can be collected, "
                "settle it by credit transfer",
            )
        billing = account.billing
        name = sepa_text((billing.name if billing else None) or account.name, 70)
        if not name:
            refuse("billing.name", "has no name in Latin letters; set billing.name")
        mandate_id = billing.mandate_id if billing else None
        mandate_date = billing.mandate_date if billing else None
        if mandate_id is None or mandate_date is None:
            refuse(
                "billing.mandate_id",
                "has no direct-debit mandate; set billing.mandate_id and mandate_date",
            )
        elif not _SEPA_ID.fullmatch(mandate_id):
            refuse(
                "billing.mandate_id",
                f"has mandate id {mandate_id!r}; SEPA allows at most 35 letters, digits "
                "and + ? / - : ( ) . , ' without spaces: correct billing.mandate_id",
            )
        elif mandate_date > self.date:
            refuse(
                "billing.mandate_date",
                f"has a mandate signed on {mandate_date}, after the collection date "
                f"{self.date}; correct billing.mandate_date or collect later",
            )
        iban = _compact(billing.iban if billing else None)
        if not iban:
            refuse("billing.iban", "has no IBAN to collect from; set billing.iban")
        else:
            problem = self._iban_problem(iban)
            if problem:
                refuse("billing.iban", f"has {problem}; correct billing.iban")
        bic = _compact(billing.bic if billing else None) or None
        if bic is not None and not self._bic_ok(bic):
            refuse("billing.bic", f"has BIC {bic!r}, which is not valid; correct billing.bic")
        if len(self.refusals) > before or mandate_id is None or mandate_date is None:
            return None
        address = billing.address if billing else None
        sequence = self.options.sequence
        if sequence == "auto":
            sequence = "FRST" if mandate_date >= entry.statement.period.first else "RCUR"
        return _Debit(
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
        *(f"{d.number}:{d.cents}:{d.sequence}" for d in debits),
    ]
    return "OA" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:33]


def _pin(xml: bytes, version: str, message_id: str, created: str) -> bytes:
    """``xml`` with sepaxml's random ids and clock time replaced by fixed ones."""
    from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
    root = etree.fromstring(xml)
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
        debits = [d for entry in billable(document) if (d := collection.debit(entry)) is not None]
        return collection, config, debits

    def refusals(
        self,
        source: Exportable,
        options: SepaOptions | Mapping[str, object] | str | None = None,
    ) -> tuple[ExportRefusal, ...]:
        """What writing ``source`` with ``options`` would refuse, options first."""
        collection, _, _ = self._check(export_document(source), self.options(options))
        return settle(self.identifier, collection.refusals, "list")

    def write(
        self,
        source: Exportable,
        stream: BinaryIO,
        options: SepaOptions,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write the collection (if anything can be collected) and ``refused.txt``.

        The report counts the direct debits collected; ``progress`` hears of the
        collection as one step, which sepaxml builds and checks as a whole.
        """
        document = export_document(source)
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
                    self._xml(document, options, config, debits, collection.date),
                )
            )
        write_zip(stream, members, refused)
        if progress is not None:
            progress(1, 1, "collections")
        count = len(debits) if members else 0
        return ExportReport(
            exporter=self.identifier,
            unit="debits",
            written=count,
            accounts=count,
            refusals=refused,
            refusals_listed_in=REFUSED_MEMBER if refused else None,
        )

    def _xml(
        self,
        document: ExportDocument,
        options: SepaOptions,
        config: dict[str, Any],
        debits: list[_Debit],
        date: dt.date,
    ) -> bytes:
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
        created = document.created_at or dt.datetime.combine(date, dt.time(), dt.UTC)
        local = created.astimezone(zoneinfo.ZoneInfo(document.period.tz))
        xml = _pin(
            collection.export(validate=False),
            options.version,
            _message_id(document, options, debits, date),
            local.replace(tzinfo=None, microsecond=0).isoformat(),
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
