"""Golden files: compare an export with a reviewed copy kept beside the tests.

``assert_golden(data, path)`` passes when ``data`` equals the file at ``path``. Set the
environment variable ``ONACCOUNT_UPDATE_GOLDEN=1`` (or pass ``update=True``) to write the
files instead, then review the change and commit it. Zip-based files (XLSX, ODS, …) are
compared member by member, uncompressed, so a different zlib does not fail the test.
"""

from __future__ import annotations

import difflib
import io
import os
import zipfile
from pathlib import Path

__all__ = ["UPDATE_GOLDEN_VARIABLE", "assert_golden"]

#: Set this environment variable to ``1`` to write golden files instead of comparing.
UPDATE_GOLDEN_VARIABLE = "ONACCOUNT_UPDATE_GOLDEN"
_MAX_DIFF_LINES = 60


def _members(data: bytes) -> dict[str, bytes] | None:
    if not data.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}
    except zipfile.BadZipFile:
        return None


def _text_diff(expected: bytes, actual: bytes, name: str) -> str | None:
    try:
        old = expected.decode("utf-8")
        new = actual.decode("utf-8")
    except UnicodeDecodeError:
        return None
    diff = list(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{name} (golden)",
            tofile=f"{name} (actual)",
        )
    )
    if len(diff) > _MAX_DIFF_LINES:
        diff = [*diff[:_MAX_DIFF_LINES], f"... {len(diff) - _MAX_DIFF_LINES} more lines\n"]
    return "".join(repr(line)[1:-1] + "\n" if "\r" in line else line for line in diff)


def _byte_diff(expected: bytes, actual: bytes, name: str) -> str:
    offset = next(
        (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
        min(len(expected), len(actual)),
    )
    return (
        f"{name}: {len(expected)} bytes golden, {len(actual)} bytes actual; first difference "
        f"at byte {offset}: golden {expected[offset : offset + 16]!r}, actual "
        f"{actual[offset : offset + 16]!r}\n"
    )


def _describe(expected: bytes, actual: bytes, name: str) -> str:
    old, new = _members(expected), _members(actual)
    if old is not None and new is not None:
        parts = []
        if sorted(old) != sorted(new):
            parts.append(
                f"{name}: members differ; only golden: {sorted(set(old) - set(new))}, only "
                f"actual: {sorted(set(new) - set(old))}\n"
            )
        for member in sorted(set(old) & set(new)):
            if old[member] != new[member]:
                label = f"{name}!{member}"
                parts.append(
                    _text_diff(old[member], new[member], label)
                    or _byte_diff(old[member], new[member], label)
                )
        return "".join(parts)
    return _text_diff(expected, actual, name) or _byte_diff(expected, actual, name)


def _same(expected: bytes, actual: bytes) -> bool:
    if expected == actual:
        return True
    old, new = _members(expected), _members(actual)
    return old is not None and old == new


def assert_golden(
    data: bytes, path: str | os.PathLike[str], *, update: bool | None = None
) -> None:
    """Assert that ``data`` equals the golden file at ``path``, showing a diff if not.

    With ``update`` (by default: whether ``ONACCOUNT_UPDATE_GOLDEN`` is ``1``) the file is
    written instead and the assertion passes. A missing golden file fails, saying how to
    create it: a test that writes its own expectation would prove nothing.
    """
    target = Path(path)
    if update is None:
        update = os.environ.get(UPDATE_GOLDEN_VARIABLE) == "1"
    if update:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return
    if not target.exists():
        raise AssertionError(
            f"golden file {target} does not exist; run the test with "
            f"{UPDATE_GOLDEN_VARIABLE}=1 to write it, then review and commit it"
        )
    expected = target.read_bytes()
    if _same(expected, data):
        return
    raise AssertionError(
        f"output differs from golden file {target}; if the change is intended, run with "
        f"{UPDATE_GOLDEN_VARIABLE}=1 and commit the new file\n"
        + _describe(expected, data, target.name)
    )
