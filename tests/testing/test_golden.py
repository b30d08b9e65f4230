"""The golden-file helper."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from onaccount.testing._golden import UPDATE_GOLDEN_VARIABLE, assert_golden


def test_equal_bytes_pass(tmp_path: Path) -> None:
    """Data equal to the golden file passes."""
    golden = tmp_path / "a.csv"
    golden.write_bytes(b"a;b\r\n")
    assert_golden(b"a;b\r\n", golden)


def test_a_missing_golden_file_fails_saying_how_to_write_it(tmp_path: Path) -> None:
    """Without the golden file the assertion fails and names the update variable."""
    with pytest.raises(AssertionError, match=f"{UPDATE_GOLDEN_VARIABLE}=1 to write it"):
        assert_golden(b"x", tmp_path / "missing.csv")
    assert not (tmp_path / "missing.csv").exists()


def test_update_writes_the_golden_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the environment variable (or update=True) the file is written and the test passes."""
    monkeypatch.setenv(UPDATE_GOLDEN_VARIABLE, "1")
    assert_golden(b"new", tmp_path / "sub" / "g.csv")
    assert (tmp_path / "sub" / "g.csv").read_bytes() == b"new"
    monkeypatch.delenv(UPDATE_GOLDEN_VARIABLE)
    assert_golden(b"newer", tmp_path / "g2.csv", update=True)
    assert (tmp_path / "g2.csv").read_bytes() == b"newer"


def test_a_text_difference_shows_a_unified_diff(tmp_path: Path) -> None:
    """Differing text shows the changed lines, carriage returns made visible."""
    golden = tmp_path / "g.csv"
    golden.write_bytes(b"a;1\r\nb;2\r\n")
    with pytest.raises(AssertionError) as caught:
        assert_golden(b"a;1\r\nb;3\r\n", golden)
    message = str(caught.value)
    assert "-b;2\\r\\n" in message
    assert "+b;3\\r\\n" in message


def test_a_binary_difference_shows_the_first_differing_byte(tmp_path: Path) -> None:
    """Differing binary data shows sizes and the offset of the first difference."""
    golden = tmp_path / "g.bin"
    golden.write_bytes(b"\xff\x00\x01")
    with pytest.raises(AssertionError, match="first difference at byte 2"):
        assert_golden(b"\xff\x00\x02", golden)


def _zip(members: dict[str, bytes], level: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_files_compare_by_member_content(tmp_path: Path) -> None:
    """Zips with equal members pass even if compressed differently; a changed member is named."""
    content = {"xl/a.xml": b"<a>" + b"x" * 500 + b"</a>", "docProps/core.xml": b"<c/>"}
    golden = tmp_path / "g.xlsx"
    golden.write_bytes(_zip(content, 9))
    other = _zip(content, 1)
    assert other != golden.read_bytes()
    assert_golden(other, golden)
    with pytest.raises(AssertionError, match=r"g\.xlsx!xl/a\.xml"):
        assert_golden(_zip({**content, "xl/a.xml": b"<a>y</a>"}, 9), golden)
    with pytest.raises(AssertionError, match=r"only actual: \['extra'\]"):
        assert_golden(_zip({**content, "extra": b""}, 9), golden)
