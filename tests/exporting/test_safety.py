"""Formula neutralising, XML character removal and file name sanitising."""

from __future__ import annotations

import re
import subprocess
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onaccount.exporting import (
    FORMULA_TRIGGERS,
    RFC4180,
    CsvWriter,
    InvalidExporter,
    XlsxWorkbook,
    clean_text,
    neutralise,
    remove_xml_forbidden,
    safe_filename,
)
from onaccount.exporting._writers import file_names
from onaccount.testing import strategies
from tests.exporting.test_xlsx import _soffice

#: What may stand before a formula trigger and still let a spreadsheet run it.
INVISIBLE = " \t\r\n\u00a0\u2000\u2001\u2002\u2003\u200a\u200b\u200c\u200d\u2060\u3000\ufeff"
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


@pytest.mark.parametrize(
    "text", ["=SUM(A1)", "+31 6", "-1+1", "@cmd", "\t=1", "\r=1", "=", "-", "-7-1", "--7"]
)
def test_text_starting_with_a_formula_trigger_gets_an_apostrophe(text: str) -> None:
    """Text starting with = + - @ tab or CR is prefixed with an apostrophe."""
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    [
        " =1+1",
        "\u00a0=1+1",
        "\u200b=1+1",
        "\ufeff=1+1",
        "\n=1+1",
        "\r\n=1+1",
        " \t @SUM(A1)",
        "\u2003\u2060+cmd",
        "\uff1d1+1",
        "\uff0b1",
        "\uff0d1+1",
        "\uff20SUM(A1)",
        "  \uff1dHYPERLINK()",
    ],
)
def test_a_trigger_after_leading_white_space_or_invisible_characters_is_neutralised(
    text: str,
) -> None:
    """Spaces, NBSP, zero-width, BOM or line breaks before a trigger (full-width too) hide none."""
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["-7", "-2.80", "+31", "-0,5", " -7", "-1042", "+2.5"])
def test_text_that_is_a_plain_number_is_left_alone(text: str) -> None:
    """A plain number, even negative, is no formula: bookkeeping imports need it as it is."""
    assert neutralise(text) == text


@pytest.mark.parametrize("text", ["", "Beer", "'=already", "a=b", "1-2", "Team =A", "x\n=1"])
def test_other_text_is_left_alone(text: str) -> None:
    """Text whose first visible character is no trigger is returned unchanged."""
    assert neutralise(text) == text


def test_xml_forbidden_characters_are_removed_and_allowed_ones_kept() -> None:
    """C0 controls, lone surrogates and U+FFFE/U+FFFF go; tab, LF and CR stay."""
    assert remove_xml_forbidden("a\x00b\x01\x08c\x0b\x0c\x1fd") == "abcd"
    assert remove_xml_forbidden("x\ud800y\udfffz\ufffe\uffff") == "xyz"
    assert remove_xml_forbidden("tab\tlf\ncr\r🍺é") == "tab\tlf\ncr\r🍺é"


def test_clean_text_removes_before_it_neutralises() -> None:
    """A NUL in front of a formula cannot hide it: it is removed, then the text neutralised."""
    assert clean_text("\x00=SUM(A1)") == "'=SUM(A1)"
    assert clean_text("\x01\x02") == ""


@given(st.text() | st.sampled_from(strategies.HOSTILE_TEXTS))
def test_clean_text_is_safe_for_spreadsheets_and_xml(text: str) -> None:
    """Cleaned text never starts with a trigger and survives a trip through an XML parser."""
    cleaned = clean_text(text)
    visible = cleaned.lstrip(INVISIBLE)
    if visible and visible[0] in FORMULA_TRIGGERS:
        assert cleaned.startswith("'") or PLAIN_NUMBER.fullmatch(cleaned.strip())
    element = ET.Element("t")
    element.text = cleaned
    # expat refuses XML-forbidden characters; line ends may be normalised, nothing else.
    parsed = ET.fromstring(ET.tostring(element, encoding="unicode")).text or ""
    assert parsed.replace("\r", "\n") == cleaned.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("1042 Team A 2026-10", "1042-Team-A-2026-10.csv"),
        ("../../etc/passwd", "_.._etc_passwd.csv"),
        ('a<b>c:d"e|f?g*h\\i', "a_b_c_d_e_f_g_h_i.csv"),
        ("CON", "CON_.csv"),
        ("lpt1.backup", "lpt1_.backup.csv"),
        ("...hidden", "hidden.csv"),
        ("-rf", "_rf.csv"),
        ("-7 @admin", "_7-@admin.csv"),
        ("trailing dots...  ", "trailing-dots.csv"),
        ("tabs\tand\nlines  here", "tabs-and-lines-here.csv"),
        ("Team - A", "Team-A.csv"),
        ("", "export.csv"),
        ("\x00\x01", "export.csv"),
        ("Café Zoë", "Café-Zoë.csv"),
    ],
)
def test_safe_filename_examples(stem: str, expected: str) -> None:
    """Separators, reserved names, hidden and option-like names are made safe."""
    assert safe_filename(stem, "csv") == expected


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("Team \u202excod.exe", "Team-xcod.exe.csv"),
        ("\u2067evil\u2069 \u200fname\u200e", "evil-name.csv"),
        ("zero\u200bwidth\u200c\u200d\u2060\ufeffspace", "zerowidthspace.csv"),
        ("\ufeff\u200b", "export.csv"),
        ("soft\u00adhyphen", "softhyphen.csv"),
    ],
)
def test_safe_filename_removes_bidi_and_zero_width_controls(stem: str, expected: str) -> None:
    """Bidi overrides and zero-width characters go, so a name shows what it is."""
    assert safe_filename(stem, "csv") == expected


@pytest.mark.parametrize(
    "stem", ["COM\u00b9", "com\u00b2", "LPT\u00b3", "lpt\u2074", "COM\u2079.backup", "CONIN$"]
)
def test_safe_filename_treats_superscript_com_and_lpt_as_reserved(stem: str) -> None:
    """Windows reserves COM¹-⁹ and LPT¹-⁹ like COM1-9: they get an underscore too."""
    head, dot, tail = stem.partition(".")
    assert safe_filename(stem, "csv") == f"{head}_{dot}{tail}.csv"


def test_safe_filename_cuts_long_names_at_a_character_boundary() -> None:
    """A name longer than 200 UTF-8 bytes is cut without splitting a character."""
    name = safe_filename("é" * 300, "xlsx")
    assert len(name.encode()) <= 200
    assert name.endswith(".xlsx")
    assert set(name[:-5]) == {"é"}


def test_safe_filename_refuses_a_bad_extension() -> None:
    """An extension with a dot, capitals or separators is refused, saying how to write it."""
    for extension in (".csv", "CSV", "c/v", ""):
        with pytest.raises(InvalidExporter, match="without the dot"):
            safe_filename("x", extension)


@given(st.text(max_size=300) | st.sampled_from(strategies.HOSTILE_TEXTS))
def test_any_name_becomes_a_file_that_can_be_created(stem: str) -> None:
    """Any text gives a name under 200 bytes that is one real file directly in its folder."""
    name = safe_filename(stem, "csv")
    assert len(name.encode()) <= 200
    assert not name.startswith((".", "-", " "))
    assert "/" not in name
    assert " " not in name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(b"ok")
        assert [p.name for p in Path(folder).iterdir()] == [name]


def test_names_from_hostile_texts_create_real_files(tmp_path: Path) -> None:
    """Every hostile text (and some odd ones) gives a distinct creatable file in the folder."""
    stems = [*strategies.HOSTILE_TEXTS, "a/b", "a\\b", "..", ".", " ", "NUL.txt", "x" * 400]
    for index, stem in enumerate(stems):
        name = safe_filename(f"{index} {stem}", "csv")
        assert len(name.encode()) <= 200
        path = tmp_path / name
        path.write_bytes(b"ok")
        assert path.parent == tmp_path
    assert len(list(tmp_path.iterdir())) == len(stems)


_WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
_RESERVED_HEADS = {"con", "prn", "aux", "nul", "conin$", "conout$"} | {
    f"{port}{digit}" for port in ("com", "lpt") for digit in "0123456789¹²³⁴⁵⁶⁷⁸⁹"
}


@given(
    st.lists(
        st.tuples(strategies.account_numbers(), strategies.account_names()),
        min_size=1,
        max_size=12,
        unique_by=lambda account: account[0],
    )
    | st.lists(
        st.tuples(st.text(max_size=30), st.sampled_from(strategies.HOSTILE_TEXTS)),
        min_size=1,
        max_size=12,
        unique_by=lambda account: account[0],
    ),
    st.sampled_from(["csv", "xlsx", "journal.csv"]),
)
def test_per_account_file_names_are_safe_and_unique_everywhere(
    accounts: list[tuple[str, str]], extension: str
) -> None:
    """Per-account names stay in the folder, are non-empty, unique, valid on every system."""
    stems = [f"{number} {name} 2026-10" for number, name in accounts]
    names = file_names(stems, extension)
    assert len(names) == len(stems)
    # Windows and macOS compare names without case (macOS without normalisation too).
    folded = {unicodedata.normalize("NFD", name).casefold() for name in names}
    assert len(folded) == len(names)
    for name in names:
        stem = name.removesuffix(f".{extension}")
        assert stem
        assert name.endswith(f".{extension}")
        assert len(name.encode("utf-8")) <= 255
        assert not _WINDOWS_FORBIDDEN & set(name)
        assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in name)
        assert name[0] not in ".- "
        assert not name.endswith((".", " "))
        assert " " not in name
        assert stem.partition(".")[0].casefold() not in _RESERVED_HEADS
        assert unicodedata.is_normalized("NFC", name)
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            path = Path(folder) / name
            path.write_bytes(b"ok")
            assert path.resolve().parent == Path(folder).resolve()
        assert len(list(Path(folder).iterdir())) == len(names)


# What may come before a trigger, the triggers, and what follows: the payload classes.
_PREFIXES = ("", " ", "  ", "\u00a0", "\u200b", "\ufeff", "\n", "\r\n", "\t", " \u3000")
_TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_BODIES = ("1+1", "SUM(1;2)", 'HYPERLINK("http://x";"y")')
_PLAIN_NUMBERS = ("-7", "-2.80", "+31", "-1042")


def _payloads(extra: list[str]) -> list[str]:
    found = [p + t + b for p in _PREFIXES for t in _TRIGGERS for b in _BODIES]
    return [*found, *_PLAIN_NUMBERS, *extra]


def _libreoffice_cells(soffice: str, source: Path, trim: bool, workdir: Path) -> list[Any]:
    """The cells LibreOffice makes of ``source`` (CSV or XLSX), saved as XLSX and read back."""
    out = workdir / ("trimmed" if trim else "kept")
    # CSV import tokens: ',' and '"', UTF-8, from line 1, ..., token 11 trims spaces, token
    # 13 evaluates formulas: the most dangerous way to open a file.
    options = f"44,34,76,1,,0,false,false,false,false,{'true' if trim else 'false'},-1,true"
    command = [soffice, "--headless", f"-env:UserInstallation=file://{workdir / 'profile'}"]
    if source.suffix == ".csv":
        command.append(f"--infilter=CSV:{options}")
    command += ["--convert-to", "xlsx", "--outdir", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    book = openpyxl.load_workbook(out / (source.stem + ".xlsx"))
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    extra=st.lists(
        st.builds(
            lambda p, t, b: p + t + b,
            st.text(alphabet=" \t\n\r\u00a0\u200b\u200d\u2060\ufeff\u3000", max_size=4),
            st.sampled_from(_TRIGGERS),
            st.text(max_size=12),
        ),
        max_size=40,
    )
)
def test_libreoffice_and_openpyxl_find_no_formula_in_any_payload(extra: list[str]) -> None:
    """Payloads around every trigger stay text in LibreOffice, trimmed or not, and openpyxl."""
    soffice = _soffice()
    payloads = _payloads(extra)
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        csv_file, xlsx_file = workdir / "payloads.csv", workdir / "payloads.xlsx"
        with csv_file.open("wb") as stream, CsvWriter(stream, RFC4180) as writer:
            writer.writerows((payload,) for payload in payloads)
        book = XlsxWorkbook()
        sheet = book.sheet("Payloads", ["text"])
        for payload in payloads:
            sheet.append((payload,))
        with xlsx_file.open("wb") as stream:
            book.save(stream)
        read = openpyxl.load_workbook(xlsx_file)["Payloads"]
        assert all(cell.data_type != "f" for row in read.iter_rows() for cell in row)
        for source in (csv_file, xlsx_file):
            for trim in (False, True):
                cells = _libreoffice_cells(soffice, source, trim, workdir)
                formulas = [c.value for c in cells if c.data_type == "f"]
                assert not formulas, f"{source.suffix} trim={trim}: {formulas[:5]}"
                values = {c.value for c in cells}
                # Plain numbers are left alone: CSV readers take them as numbers, and the
                # workbook's text cells hold them without an apostrophe.
                plain = {-7, -2.8, -1042} if source is csv_file else {"-7", "-2.80", "-1042"}
                assert plain <= values
