"""Files an import cannot read are named for what they are, by their name and by their bytes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from onaccount.cli import EXIT_USAGE
from tests.cli._support import explain, invoke, open_ledger, state_of, succeeded

#: What the import answers for each format it does not read.
SAVE_AS = "which import does not read; save it as .xlsx (Excel) or CSV UTF-8"

# The first bytes of every OLE2 compound file: Excel 97-2003 saves .xls in one.
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def _opendocument(path: Path) -> Path:
    """A spreadsheet as LibreOffice saves it: a zip whose first entry names its type."""
    with zipfile.ZipFile(path, "w") as archive:
        # The OpenDocument standard stores this entry first and uncompressed.
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            'manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>\n',
        )
        archive.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?>\n')
    return path


def _old_excel(path: Path) -> Path:
    """The header sector of an OLE2 compound file, as an .xls begins."""
    path.write_bytes(OLE2_MAGIC + bytes(16) + bytes.fromhex("3E000300FEFF0900") + bytes(488))
    return path


def _workbook(path: Path) -> Path:
    """An accounts workbook openpyxl writes, saved under ``path`` whatever its name."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["number", "name", "limit"])
    sheet.append(["2070", "Zoë Bakker", 100])
    with path.open("wb") as out:
        book.save(out)
    return path


@pytest.mark.parametrize(
    ("name", "make", "what"),
    [
        ("leden.ods", _opendocument, "an OpenDocument spreadsheet"),
        ("leden.csv", _opendocument, "an OpenDocument spreadsheet"),
        ("leden.xlsx", _opendocument, "an OpenDocument spreadsheet"),
        ("leden.xls", _old_excel, "an Excel 97-2003 workbook (.xls)"),
        ("leden.csv", _old_excel, "an Excel 97-2003 workbook (.xls)"),
    ],
    ids=["ods", "ods-renamed-csv", "ods-renamed-xlsx", "xls", "xls-renamed-csv"],
)
def test_a_spreadsheet_import_does_not_read_is_refused_naming_its_format(
    small_db: Path, tmp_path: Path, name: str, make: object, what: str
) -> None:
    """An .ods or .xls, named so or renamed, is refused as its format, not misread as CSV."""
    assert callable(make)
    path = make(tmp_path / name)
    before = state_of(small_db)
    result = invoke(small_db, "import", "accounts", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr == f"error: {path} is {what}, {SAVE_AS}\n"
    assert state_of(small_db) == before


def test_a_file_named_ods_or_xls_is_refused_by_its_name(small_db: Path, tmp_path: Path) -> None:
    """A file named .ods or .xls is refused as that format though its bytes say nothing."""
    for name, what in (("l.ods", "an OpenDocument spreadsheet"), ("l.xls", "an Excel 97-2003")):
        path = tmp_path / name
        path.write_bytes(b"\x87\x00\x01")
        result = invoke(small_db, "import", "accounts", str(path))
        assert result.exit_code == EXIT_USAGE, explain(result)
        assert result.stderr.startswith(f"error: {path} is named as {what}"), result.stderr
        assert SAVE_AS in result.stderr


def test_a_zip_that_is_no_workbook_is_refused_as_a_zip(small_db: Path, tmp_path: Path) -> None:
    """A zip archive of something else is named as one, not read as CSV."""
    path = tmp_path / "leden.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("leden.csv", "number,name\n1,A\n")
    result = invoke(small_db, "import", "accounts", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr == (
        f"error: {path} is a zip archive, not a CSV file or an Excel workbook; unpack it "
        "and import the file inside it\n"
    )


def test_an_excel_workbook_renamed_to_csv_is_read_as_the_workbook_it_is(
    small_db: Path, tmp_path: Path
) -> None:
    """A workbook saved as leden.csv imports as a workbook: its bytes say what it is."""
    path = _workbook(tmp_path / "leden.csv")
    result = succeeded(invoke(small_db, "import", "accounts", str(path)))
    assert result.stdout == f"imported 1 account from {path}\n"
    with open_ledger(small_db) as ledger:
        assert ledger.get_account("2070").name == "Zoë Bakker"


def test_a_workbook_with_a_password_is_refused_saying_so(small_db: Path, tmp_path: Path) -> None:
    """Excel saves a workbook with a password in OLE2: named as such, not as an .xls."""
    path = _old_excel(tmp_path / "leden.xlsx")
    result = invoke(small_db, "import", "accounts", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr == (
        f"error: {path} is a workbook with a password, which import does not read; save it "
        "without a password, as .xlsx (Excel) or CSV UTF-8\n"
    )


@pytest.mark.parametrize(
    ("entries", "said"),
    [
        (
            ["[Content_Types].xml", "xl/workbook.bin"],
            f"is an Excel binary workbook (.xlsb), {SAVE_AS}",
        ),
        (
            ["[Content_Types].xml", "word/document.xml"],
            "is an office document, not a spreadsheet; save the list as .xlsx (Excel) or "
            "CSV UTF-8",
        ),
    ],
    ids=["xlsb", "docx"],
)
def test_other_office_files_are_named_for_what_they_are(
    small_db: Path, tmp_path: Path, entries: list[str], said: str
) -> None:
    """A binary workbook or a text document, by the parts its zip holds, is refused as such."""
    path = tmp_path / "leden.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for entry in entries:
            archive.writestr(entry, "<x/>")
    result = invoke(small_db, "import", "accounts", str(path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr == f"error: {path} {said}\n"
