"""The sepa exporter: pain.008 collections valid in both versions, refusals by account."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints
from sepaxml.validation import try_valid_xml  # type: ignore[import-untyped]  # no hints
from text_unidecode import unidecode  # type: ignore[import-untyped]  # no hints

from onaccount import (
    Account,
    AccountInvoice,
    BillingDetails,
    InvoiceRun,
    InvoiceState,
    Line,
    MemoryLedger,
    Period,
    Purchase,
    Vat,
    commit_run,
    open_account,
    plan_run,
    update_account,
)
from onaccount.exporting import Exportable, InvalidOptions, LedgerRequired
from onaccount.exporting._requirements import pip_install
from onaccount.testing import SAMPLE_PERIOD, ExporterContract
from onaccount_exporters import ExportRefused, SepaExporter, current_billing, previous_mandates
from tests.exporters._billing import (
    ADMIN,
    AMS,
    CREDITOR,
    DUTCH,
    RUN_AT,
    billed_plan,
    billed_run,
    billed_runs,
    returns_run,
)
from tests.exporters._ubl_rules import members

SEPA = SepaExporter()
VERSIONS = ("pain.008.001.08", "pain.008.001.02")
# The generated runs lie anywhere in 2026: collect 14 days after each run's commit.
_CREDITOR_BY_DEFAULT_DATE = {k: v for k, v in CREDITOR.items() if k != "collection_date"}


class TestSepaExporter(ExporterContract):
    exporter = SEPA
    option_examples = (
        CREDITOR,
        {**CREDITOR, "version": "pain.008.001.02"},
        {**CREDITOR, "sequence": "FRST", "instrument": "B2B"},
    )

    def sources(self) -> list[Exportable]:
        """The samples, and the samples with billing details so something is collected."""
        return [*super().sources(), billed_plan(), billed_run(), returns_run()]


def _xml(data: bytes) -> tuple[bytes | None, str]:
    """The pain.008 member (None without one) and refused.txt ('' without one)."""
    found = members(data)
    xml = [body for name, body in found.items() if name.endswith(".xml")]
    assert len(xml) <= 1
    return (xml[0] if xml else None), found.get("refused.txt", b"").decode()


def _find(root: Any, path: str) -> list[Any]:
    namespace = etree.QName(root).namespace
    steps = "/".join(f"{{{namespace}}}{step}" for step in path.split("/"))
    return list(root.iterfind(steps))


def _text(root: Any, path: str) -> str:
    (node,) = _find(root, path)
    return str(node.text)


def _collectible(run: InvoiceRun) -> list[AccountInvoice]:
    return [
        i
        for i in run.invoices
        if i.state is InvoiceState.ACTIVE
        and i.account.currency == "EUR"
        and i.total > 0
        and i.account.billing is not None
        and i.account.billing.mandate_id is not None
    ]


@pytest.mark.parametrize("version", VERSIONS)
# Each example validates a collection against the pain.008 schema, in every version;
# billable runs are big draws, which Hypothesis would otherwise cut short as too large.
@settings(max_examples=10, suppress_health_check=[HealthCheck.data_too_large])
@given(run=billed_runs(currency="EUR"))
def test_generated_collections_validate_and_their_header_matches_the_run(
    version: str, run: InvoiceRun
) -> None:
    """The package's schema accepts the file; NbOfTxs and CtrlSum are the run's.

    Debtors whose name has no Latin letter or digit, even transliterated, are refused.
    """
    options = {**_CREDITOR_BY_DEFAULT_DATE, "version": version}
    data = SEPA.export_bytes(run, options)
    xml, refused = _xml(data)
    nameless = {r.account for r in SEPA.refusals(run, options) if r.field == "billing.name"}
    for account in nameless:
        billing = run.invoice_for(str(account)).account.billing
        assert billing is not None
        name = billing.name or run.invoice_for(str(account)).account.name
        assert not re.search("[A-Za-z0-9]", unidecode(name)), name
    expected = [i for i in _collectible(run) if i.account.number not in nameless]
    if not expected:
        assert xml is None
        return
    assert xml is not None
    try_valid_xml(xml, version)
    root = etree.fromstring(xml)
    assert etree.QName(root).namespace == f"urn:iso:std:iso:20022:tech:xsd:{version}"
    assert int(_text(root, "CstmrDrctDbtInitn/GrpHdr/NbOfTxs")) == len(expected)
    total = sum((i.total for i in expected), Decimal(0))
    assert Decimal(_text(root, "CstmrDrctDbtInitn/GrpHdr/CtrlSum")) == total
    batches = _find(root, "CstmrDrctDbtInitn/PmtInf")
    assert sum(Decimal(_text(b, "CtrlSum")) for b in batches) == total
    amounts = [
        Decimal(str(node.text))
        for node in _find(root, "CstmrDrctDbtInitn/PmtInf/DrctDbtTxInf/InstdAmt")
    ]
    assert sorted(amounts) == sorted(i.total for i in expected)
    refused_accounts = {line.split("\t")[0] for line in refused.splitlines()[1:]}
    assert not refused_accounts & {i.account.number for i in expected}


def _run(*accounts: tuple[str, BillingDetails | None, str]) -> InvoiceRun:
    """A run over accounts given as (number, billing details, unit price of one coffee)."""
    ledger = MemoryLedger()
    for number, billing, price in accounts:
        open_account(
            ledger,
            Account(number=number, name=f"Member {number}", limit=100, billing=billing),
            actor=ADMIN,
        )
        ledger.record(
            Purchase(
                account=number,
                id=f"tx-{number}",
                at=dt.datetime(2026, 10, 5, 12, tzinfo=AMS),
                lines=(
                    Line(product="Coffee", quantity=1, unit_price=price, vat=Vat.standard("0.09")),
                ),
            )
        )
    plan = plan_run(ledger, SAMPLE_PERIOD, [a[0] for a in accounts], "none", actor=ADMIN)
    return commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)


def _transactions(data: bytes) -> dict[str, str]:
    """End-to-end id to the mandate id of each transaction in the collection."""
    xml, _ = _xml(data)
    assert xml is not None
    root = etree.fromstring(xml)
    return {
        _text(tx, "PmtId/EndToEndId"): _text(tx, "DrctDbtTx/MndtRltdInf/MndtId")
        for tx in _find(root, "CstmrDrctDbtInitn/PmtInf/DrctDbtTxInf")
    }


def _iban_with_check_digits(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


@pytest.mark.parametrize(
    "iban",
    ["NL91ABNA0417164301", _iban_with_check_digits("NL", "ABNA041716430")],
    ids=["wrong-check-digits", "wrong-length-for-nl"],
)
def test_a_bad_iban_is_refused_by_account_and_the_rest_collected(iban: str) -> None:
    """An IBAN that schwifty rejects refuses that account only, naming billing.iban."""
    run = _run(("1", attrs.evolve(DUTCH, iban=iban), "10.00"), ("2", DUTCH, "5.00"))
    refusals = SEPA.refusals(run, CREDITOR)
    assert [(r.account, r.field) for r in refusals] == [("1", "billing.iban")]
    assert "account 1 'Member 1'" in refusals[0].message
    data = SEPA.export_bytes(run, CREDITOR)
    assert _transactions(data) == {"2026-10-2": "ZWA-1042"}
    _, refused = _xml(data)
    assert refused.splitlines()[1].startswith("1\tbilling.iban\taccount 1 'Member 1': has ")


def test_a_missing_mandate_is_refused_by_account_and_the_rest_collected() -> None:
    """Accounts without billing details or mandate are refused by name; others collected."""
    no_mandate = attrs.evolve(DUTCH, mandate_id=None, mandate_date=None)
    run = _run(("1", no_mandate, "10.00"), ("2", None, "4.00"), ("3", DUTCH, "2.40"))
    refusals = SEPA.refusals(run, CREDITOR)
    assert [(r.account, r.field) for r in refusals] == [
        ("1", "billing.mandate_id"),
        ("2", "billing.iban"),
        ("2", "billing.mandate_id"),
    ]
    assert list(_transactions(SEPA.export_bytes(run, CREDITOR))) == ["2026-10-3"]
    with pytest.raises(ExportRefused, match=r"account 1 'Member 1': has no direct-debit mandate"):
        SEPA.export_bytes(run, {**CREDITOR, "on_refusal": "raise"})


def test_negative_and_foreign_currency_totals_are_refused_by_name() -> None:
    """Only positive euro totals are collected: returns and yen are refused, zero is not."""
    refused = {(r.account, r.field) for r in SEPA.refusals(returns_run(), CREDITOR)}
    assert refused == {("1042", "total")}
    zero = _run(("1", DUTCH, "0"))
    assert SEPA.refusals(zero, CREDITOR) == ()
    fields = {(r.account, r.field) for r in SEPA.refusals(billed_run(), CREDITOR)}
    assert ("3003", "currency") in fields


def test_raise_mode_refuses_before_writing_anything() -> None:
    """With on_refusal=raise an export with any refusal writes no byte."""
    stream = io.BytesIO()
    with pytest.raises(ExportRefused) as caught:
        SEPA.export(billed_run(), stream, {**CREDITOR, "on_refusal": "raise"})
    assert stream.getvalue() == b""
    assert {r.account for r in caught.value.refusals} == {"-7", "2001", "3003"}


def test_plans_and_statements_are_never_collected() -> None:
    """Money is collected for committed runs only: a plan's accounts are all refused."""
    refusals = SEPA.refusals(billed_plan(), CREDITOR)
    assert {r.field for r in refusals} == {"source"}
    assert {r.account for r in refusals} == {"-7", "1042", "2001", "3003"}
    xml, _ = _xml(SEPA.export_bytes(billed_plan(), CREDITOR))
    assert xml is None


def test_the_sequence_type_comes_from_the_mandate_date_unless_forced() -> None:
    """auto: FRST for a mandate signed in the period, RCUR for an older one; or forced."""
    fresh = attrs.evolve(DUTCH, mandate_id="NEW-1", mandate_date=dt.date(2026, 10, 10))
    run = _run(("1", fresh, "3.00"), ("2", DUTCH, "4.00"))

    def sequences(options: dict[str, Any]) -> dict[str, str]:
        xml, _ = _xml(SEPA.export_bytes(run, options))
        root = etree.fromstring(xml)
        return {
            _text(tx, "PmtId/EndToEndId"): _text(batch, "PmtTpInf/SeqTp")
            for batch in _find(root, "CstmrDrctDbtInitn/PmtInf")
            for tx in _find(batch, "DrctDbtTxInf")
        }

    assert sequences(CREDITOR) == {"2026-10-1": "FRST", "2026-10-2": "RCUR"}
    assert sequences({**CREDITOR, "sequence": "RCUR"}) == {
        "2026-10-1": "RCUR",
        "2026-10-2": "RCUR",
    }


def test_a_mandate_signed_after_the_collection_date_is_refused() -> None:
    """A mandate dated after the requested collection date cannot be used yet."""
    late = attrs.evolve(DUTCH, mandate_date=dt.date(2026, 12, 1))
    refusals = SEPA.refusals(_run(("1", late, "3.00")), CREDITOR)
    assert [(r.account, r.field) for r in refusals] == [("1", "billing.mandate_date")]


def test_header_ids_and_times_are_fixed_by_the_run() -> None:
    """MsgId is a digest of run and collection, CreDtTm the commit time, no clock used."""
    xml, _ = _xml(SEPA.export_bytes(billed_run(), CREDITOR))
    root = etree.fromstring(xml)
    assert _text(root, "CstmrDrctDbtInitn/GrpHdr/CreDtTm") == "2026-11-01T10:00:00"
    message_id = _text(root, "CstmrDrctDbtInitn/GrpHdr/MsgId")
    assert message_id.startswith("OA")
    assert len(message_id) == 35
    assert _text(root, "CstmrDrctDbtInitn/PmtInf/ReqdColltnDt") == "2026-11-20"
    later, _ = _xml(SEPA.export_bytes(billed_run(), {**CREDITOR, "collection_date": "2026-11-27"}))
    assert _text(etree.fromstring(later), "CstmrDrctDbtInitn/GrpHdr/MsgId") != message_id
    assert b"AdrLine" not in xml


def test_missing_creditor_details_are_refused_naming_the_option() -> None:
    """Without creditor details nothing is collected and refused.txt names each option."""
    refusals = SEPA.refusals(billed_run(), {"version": "pain.008.001.02"})
    options = [r.field for r in refusals if r.account is None]
    assert options == ["creditor_id", "seller_bic", "seller_iban", "seller_name"]
    xml, refused = _xml(SEPA.export_bytes(billed_run()))
    assert xml is None
    assert "(options)\tseller_iban\tsepa option seller_iban is empty" in refused


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"creditor_id": "NL70ZZZ123456780000"}, "creditor_id"),
        ({"seller_iban": "NL91ABNA0417164301"}, "seller_iban"),
        ({"seller_bic": "ABN"}, "seller_bic"),
        ({"collection_date": "20-11-2026"}, "collection_date"),
        ({"seller_country": "Netherlands"}, "seller_country"),
    ],
)
def test_malformed_options_are_refused_when_built(options: dict[str, object], field: str) -> None:
    """Options that can never work raise InvalidOptions naming the option."""
    with pytest.raises(InvalidOptions, match=field) as caught:
        SEPA.options({**CREDITOR, **options})
    assert caught.value.field == field


def test_without_the_sepa_extra_the_exporter_says_how_to_install_it() -> None:
    """With sepaxml unimportable, exporting is refused before writing, naming the pip command."""
    code = (
        "import io, sys\n"
        "sys.modules['sepaxml'] = None  # the way Python marks a module as not importable\n"
        "from onaccount.exporting import ExporterUnavailable\n"
        "from onaccount.testing import sample_run\n"
        "from onaccount_exporters import SepaExporter\n"
        "stream = io.BytesIO()\n"
        "try:\n"
        "    SepaExporter().export(sample_run(), stream)\n"
        "except ExporterUnavailable as error:\n"
        "    print(len(stream.getvalue()), error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("0 exporter 'sepa' needs the 'sepa' extra (sepaxml missing): ")
    assert result.stdout.rstrip().endswith(pip_install("onaccount", "sepa"))


def _collection_date(data: bytes) -> str:
    xml, _ = _xml(data)
    assert xml is not None
    return _text(etree.fromstring(xml), "CstmrDrctDbtInitn/PmtInf/ReqdColltnDt")


def test_a_collection_date_before_the_creation_and_lead_time_is_refused() -> None:
    """A file created on Sunday 1 November cannot collect on 15 October, nor before 3 November."""
    for early in ("2026-10-15", "2026-11-02"):
        refusals = SEPA.refusals(billed_run(), {**CREDITOR, "collection_date": early})
        assert [(r.account, r.field) for r in refusals if r.account is None] == [
            (None, "collection_date")
        ]
        message = next(r.message for r in refusals if r.field == "collection_date")
        assert early in message
        assert "2026-11-03" in message
    assert (
        _collection_date(
            SEPA.export_bytes(billed_run(), {**CREDITOR, "collection_date": "2026-11-03"})
        )
        == "2026-11-03"
    )


def test_the_lead_time_is_an_option_counted_in_target2_business_days() -> None:
    """lead_days=3 from Sunday 1 November (first business day Monday 2) gives 5 November."""
    options = {**CREDITOR, "collection_date": "2026-11-04", "lead_days": 3}
    assert {r.field for r in SEPA.refusals(billed_run(), options)} >= {"collection_date"}
    options = {**CREDITOR, "collection_date": "2026-11-05", "lead_days": 3}
    assert "collection_date" not in {r.field for r in SEPA.refusals(billed_run(), options)}


def test_target2_holidays_and_weekends_are_skipped() -> None:
    """A default date on Christmas moves to Monday 28 December; an explicit one is refused."""
    run = _run(("1", DUTCH, "3.00"))
    christmas = {**_CREDITOR_BY_DEFAULT_DATE, "collection_days": 54}  # 1 Nov + 54 = 25 Dec
    assert _collection_date(SEPA.export_bytes(run, christmas)) == "2026-12-28"
    refusals = SEPA.refusals(run, {**CREDITOR, "collection_date": "2026-12-25"})
    (refusal,) = [r for r in refusals if r.field == "collection_date"]
    assert "TARGET2" in refusal.message
    assert "2026-12-28" in refusal.message


def test_a_mandate_signed_after_the_file_was_created_is_refused() -> None:
    """A mandate dated 5 November cannot be in a file created on 1 November."""
    late = attrs.evolve(DUTCH, mandate_date=dt.date(2026, 11, 5))
    refusals = SEPA.refusals(_run(("1", late, "3.00")), CREDITOR)
    assert [(r.account, r.field) for r in refusals] == [("1", "billing.mandate_date")]
    assert "2026-11-01" in refusals[0].message
    assert "send the file on 2026-11-05 or later (option sent_on)" in refusals[0].message


@pytest.mark.parametrize("version", VERSIONS)
def test_a_file_sent_after_the_due_date_collects_after_it_is_sent(version: str) -> None:
    """Sent on 7 December, a run invoiced on 1 November collects on 8 December and says so."""
    options = {**_CREDITOR_BY_DEFAULT_DATE, "version": version, "sent_on": "2026-12-07"}
    data = SEPA.export_bytes(billed_run(), options)
    xml, _ = _xml(data)
    assert xml is not None
    try_valid_xml(xml, version)
    root = etree.fromstring(xml)
    assert _text(root, "CstmrDrctDbtInitn/GrpHdr/CreDtTm") == "2026-12-07T00:00:00"
    assert _collection_date(data) == "2026-12-08"
    (note,) = SEPA.export(billed_run(), io.BytesIO(), options).notes
    assert "collected on 2026-12-08" in note
    assert "sent on 2026-12-07" in note
    assert "2026-11-16" in note


def test_a_file_sent_before_the_due_date_keeps_it() -> None:
    """Sent on the invoice date or before the collection falls due, the file is unchanged."""
    run = billed_run()
    alone = SEPA.export_bytes(run, _CREDITOR_BY_DEFAULT_DATE)
    same_day = {**_CREDITOR_BY_DEFAULT_DATE, "sent_on": "2026-11-01"}
    assert SEPA.export_bytes(run, same_day) == alone
    later = {**_CREDITOR_BY_DEFAULT_DATE, "sent_on": "2026-11-10"}
    assert _collection_date(SEPA.export_bytes(run, later)) == "2026-11-16"
    assert SEPA.export(run, io.BytesIO(), later).notes == ()


def test_a_collection_date_is_checked_against_the_day_the_file_is_sent() -> None:
    """Sent on 7 December, 20 November is refused naming 8 December; 8 December is kept."""
    options = {**CREDITOR, "sent_on": "2026-12-07"}
    (refusal,) = [r for r in SEPA.refusals(billed_run(), options) if r.account is None]
    assert refusal.field == "collection_date"
    assert "sent on 2026-12-07" in refusal.message
    assert "2026-12-08" in refusal.message
    kept = {**options, "collection_date": "2026-12-08"}
    assert _collection_date(SEPA.export_bytes(billed_run(), kept)) == "2026-12-08"


def test_a_file_cannot_be_sent_before_the_run_is_invoiced() -> None:
    """sent_on before the invoice date is refused naming both days."""
    options = {**CREDITOR, "sent_on": "2026-10-30"}
    (refusal,) = [r for r in SEPA.refusals(billed_run(), options) if r.account is None]
    assert refusal.field == "sent_on"
    assert "2026-10-30" in refusal.message
    assert "2026-11-01" in refusal.message


def test_a_mandate_signed_before_the_file_is_sent_is_collected_under() -> None:
    """A mandate of 5 November is refused for a file of 1 November, used for one sent later."""
    late = attrs.evolve(DUTCH, mandate_date=dt.date(2026, 11, 5))
    run = _run(("1", late, "3.00"))
    options = {**_CREDITOR_BY_DEFAULT_DATE, "sent_on": "2026-11-06"}
    assert SEPA.refusals(run, options) == ()
    assert _collection_date(SEPA.export_bytes(run, options)) == "2026-11-16"


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_booking_is_an_option(version: str) -> None:
    """batch_booking=false asks the bank to book each debit on its own."""
    for booking, expected in ((True, "true"), (False, "false")):
        options = {**CREDITOR, "version": version, "batch_booking": booking}
        xml, _ = _xml(SEPA.export_bytes(billed_run(), options))
        assert xml is not None
        try_valid_xml(xml, version)
        (node,) = _find(etree.fromstring(xml), "CstmrDrctDbtInitn/PmtInf/BtchBookg")
        assert node.text == expected


def _two_months(
    october: BillingDetails, november: BillingDetails
) -> tuple[MemoryLedger, InvoiceRun]:
    """A ledger whose account 1 was collected in October and is billed again in November."""
    ledger = MemoryLedger()
    open_account(
        ledger, Account(number="1", name="Member 1", limit=100, billing=october), actor=ADMIN
    )
    run = None
    for month, billing in ((10, october), (11, november)):
        account = ledger.get_account("1")
        update_account(ledger, attrs.evolve(account, billing=billing), actor=ADMIN)
        ledger.record(
            Purchase(
                account="1",
                id=f"tx-{month}",
                at=dt.datetime(2026, month, 5, 12, tzinfo=AMS),
                lines=(
                    Line(product="Tea", quantity=1, unit_price="3.00", vat=Vat.standard("0.09")),
                ),
            )
        )
        period = Period.month(2026, month, tz="Europe/Amsterdam")
        plan = plan_run(ledger, period, ["1"], "none", actor=ADMIN)
        run = commit_run(
            ledger, plan, actor=ADMIN, key=f"2026-{month}", at=period.end + dt.timedelta(hours=9)
        )
    assert run is not None
    return ledger, run


def _mandate_info(data: bytes) -> Any:
    xml, _ = _xml(data)
    assert xml is not None
    (info,) = _find(
        etree.fromstring(xml), "CstmrDrctDbtInitn/PmtInf/DrctDbtTxInf/DrctDbtTx/MndtRltdInf"
    )
    return info


@pytest.mark.parametrize("version", VERSIONS)
def test_a_changed_mandate_or_iban_carries_amendment_information(version: str) -> None:
    """Since October's collection the mandate id and the IBAN changed: November says so."""
    new = attrs.evolve(DUTCH, mandate_id="ZWA-1042-B", iban="NL91ABNA0417164300")
    ledger, november = _two_months(DUTCH, new)
    options = {
        **_CREDITOR_BY_DEFAULT_DATE,
        "version": version,
        "previous_mandates": previous_mandates(ledger, november),
    }
    data = SEPA.export_bytes(november, options)
    xml, _ = _xml(data)
    try_valid_xml(xml, version)
    info = _mandate_info(data)
    assert _text(info, "AmdmntInd") == "true"
    assert _text(info, "AmdmntInfDtls/OrgnlMndtId") == "ZWA-1042"
    assert _text(info, "AmdmntInfDtls/OrgnlDbtrAgt/FinInstnId/Othr/Id") == "SMNDA"
    unchanged = previous_mandates(*_two_months(DUTCH, DUTCH))
    info = _mandate_info(
        SEPA.export_bytes(
            _two_months(DUTCH, DUTCH)[1], {**options, "previous_mandates": unchanged}
        )
    )
    assert not _find(info, "AmdmntInd")


def test_an_iban_changed_within_the_bank_names_the_original_account() -> None:
    """A new IBAN at the same bank is amended with the original debtor account."""
    new = attrs.evolve(DUTCH, iban="NL69INGB0123456789")
    ledger, november = _two_months(DUTCH, new)
    options = {
        **_CREDITOR_BY_DEFAULT_DATE,
        "previous_mandates": previous_mandates(ledger, november),
    }
    info = _mandate_info(SEPA.export_bytes(november, options))
    assert _text(info, "AmdmntInfDtls/OrgnlDbtrAcct/Id/IBAN") == "NL20INGB0001234567"


def test_a_mandate_added_after_the_run_is_used_when_the_host_says_so() -> None:
    """The committed snapshot has no mandate; current_billing collects under today's one."""
    no_mandate = attrs.evolve(DUTCH, mandate_id=None, mandate_date=None)
    ledger = MemoryLedger()
    open_account(
        ledger, Account(number="1", name="Member 1", limit=100, billing=no_mandate), actor=ADMIN
    )
    ledger.record(
        Purchase(
            account="1",
            id="tx-1",
            at=dt.datetime(2026, 10, 5, 12, tzinfo=AMS),
            lines=(Line(product="Tea", quantity=1, unit_price="3.00", vat=Vat.standard("0.09")),),
        )
    )
    plan = plan_run(ledger, SAMPLE_PERIOD, ["1"], "none", actor=ADMIN)
    run = commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)
    update_account(ledger, attrs.evolve(ledger.get_account("1"), billing=DUTCH), actor=ADMIN)
    (refusal,) = SEPA.refusals(run, CREDITOR)
    assert refusal.field == "billing.mandate_id"
    assert "current_billing" in refusal.message
    options = {**CREDITOR, "current_billing": current_billing(ledger, run)}
    assert SEPA.refusals(run, options) == ()
    assert _transactions(SEPA.export_bytes(run, options)) == {"2026-10-1": "ZWA-1042"}
    report = SEPA.export(run, io.BytesIO(), options)
    assert report.notes == (
        "collected under the billing details the accounts have now (option "
        "current_billing), not those committed with the run: 1",
    )
    assert SEPA.export(run, io.BytesIO(), CREDITOR).notes == ()
    # "ledger" reads the same from the ledger the export is given.
    from_ledger = {**CREDITOR, "current_billing": "ledger"}
    assert SEPA.refusals(run, from_ledger, ledger=ledger) == ()
    assert SEPA.export_bytes(run, from_ledger, ledger=ledger) == SEPA.export_bytes(run, options)
    assert SEPA.export(run, io.BytesIO(), from_ledger, ledger=ledger).notes == report.notes
    with pytest.raises(LedgerRequired, match="current_billing=ledger reads"):
        SEPA.export_bytes(run, from_ledger)
    with pytest.raises(LedgerRequired, match="current_billing=ledger reads"):
        SEPA.refusals(run, from_ledger)
    with pytest.raises(InvalidOptions, match="'ledger' or a JSON object"):
        SEPA.options({**CREDITOR, "current_billing": "today"})
