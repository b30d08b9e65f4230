"""Spreadsheet safety: formula neutralising, XML character removal and safe file names.

The shared writers apply these to every text cell, so an exporter built on them cannot
forget; plugins writing their own formats can call them directly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ._errors import InvalidExporter

__all__ = [
    "FORMULA_TRIGGERS",
    "UniqueNames",
    "clean_text",
    "neutralise",
    "remove_xml_forbidden",
    "safe_filename",
]

#: Characters that make a spreadsheet read a cell as a formula when they come first, after
#: any white space or invisible characters (or that tools strip to reach one): ``=``,
#: ``+``, ``-``, ``@``, tab and carriage return, and the full-width and small forms of the
#: first four, which some spreadsheets read as the ASCII ones.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")

# What a spreadsheet (or its "trim spaces" import option) skips before reading the first
# character: white space of every kind, and format characters such as zero-width spaces,
# joiners, bidi marks and the byte-order mark (Unicode category Cf).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc"})
# Text that is only a number, as a spreadsheet reads it: it computes nothing.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")

# XML 1.0 allows #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD and #x10000-#x10FFFF; everything
# else (other C0 controls, lone surrogates, U+FFFE and U+FFFF) is refused by parsers.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Windows refuses these names with any extension, the superscript port numbers included;
# other systems accept them, so a name is made safe everywhere.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"{port}{digit}" for port in ("com", "lpt") for digit in "0123456789¹²³⁴⁵⁶⁷⁸⁹"}
)
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*]')
# White space, with any dashes around it, becomes one dash: names a shell needs no quotes for.
_SPACES = re.compile(r"[\s-]*\s[\s-]*")
_MAX_NAME_BYTES = 200
_EXTENSION = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")


def remove_xml_forbidden(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (most C0 controls, lone surrogates).

    Tab, line feed and carriage return stay: XML allows them.
    """
    return XML_FORBIDDEN.sub("", text)


def _first_visible(text: str) -> str | None:
    for char in text:
        if not (char.isspace() or unicodedata.category(char) in _INVISIBLE_CATEGORIES):
            return char
    return None


def neutralise(text: str) -> str:
    """``text`` made harmless as spreadsheet cell text, as OWASP advises.

    Text whose first character is a tab or carriage return, or whose first character
    after any white space or invisible characters (spaces, no-break spaces, zero-width
    characters, the byte-order mark, line breaks) is ``=``, ``+``, ``-`` or ``@`` (or
    their full-width forms), gets a leading apostrophe, so a spreadsheet shows it as
    text instead of running it: ``=SUM(A1)`` and ``" =1+1"`` become ``'=SUM(A1)`` and
    ``"' =1+1"``. Text that is a plain number (``-7``, ``-2.80``) computes nothing and
    is returned unchanged, as is all other text.
    """
    if not text:
        return text
    first = text[0]
    if first == "\t" or first == "\r":
        return "'" + text
    if not (first in FORMULA_TRIGGERS or first.isspace() or not first.isprintable()):
        # The usual case, a name or a product, is decided by its first character.
        return text
    visible = _first_visible(text)
    if visible is None or visible not in FORMULA_TRIGGERS:
        return text
    if _PLAIN_NUMBER.fullmatch(text.strip()):
        return text
    return "'" + text


def clean_text(text: str) -> str:
    """Cell text as the shared writers store it.

    XML-forbidden characters are removed first, then the text is neutralised, so a NUL
    followed by ``=1`` becomes ``'=1``.
    """
    return neutralise(remove_xml_forbidden(text))


def safe_filename(stem: str, extension: str | None = None) -> str:
    """A file name built from ``stem`` (e.g. an account name) that is safe on every system.

    Invisible format characters (bidi overrides and isolates, zero-width characters, the
    BOM, soft hyphens) are removed, so a name shows what it is; runs of white space
    become one ``-``, so no name needs quotes in a shell; path separators, characters
    Windows refuses and control characters become ``_``; leading and trailing dots go and
    a leading dash becomes ``_``; names Windows reserves (``CON``, ``LPT1``, ``COM¹``, …)
    get a ``_``; the name is cut to 200 UTF-8 bytes; an empty result becomes ``export``.
    ``extension`` is added after a dot; it must be lowercase letters and digits such as
    ``csv`` or ``tar.gz``.
    """
    if extension is not None and not _EXTENSION.fullmatch(extension):
        raise InvalidExporter(
            f"file extension {extension!r} is not lowercase letters and digits; "
            "write it without the dot, e.g. 'csv'",
            value=extension,
            field="extension",
        )
    visible = "".join(c for c in remove_xml_forbidden(stem) if unicodedata.category(c) != "Cf")
    name = unicodedata.normalize("NFC", visible).strip()
    name = _SPACES.sub("-", name)
    name = _UNSAFE_IN_NAME.sub("_", name)
    name = name.strip(".")
    if name.startswith("-"):
        # A leading dash reads as an option to command-line tools; keep the character count.
        name = "_" + name[1:]
    suffix = f".{extension}" if extension else ""
    budget = _MAX_NAME_BYTES - len(suffix.encode())
    encoded = name.encode("utf-8")
    if len(encoded) > budget:
        name = encoded[:budget].decode("utf-8", errors="ignore").rstrip(".-")
    if not name:
        name = "export"
    head, dot, tail = name.partition(".")
    if head.casefold() in _RESERVED:
        name = f"{head}_{dot}{tail}"
    return name + suffix


class UniqueNames:
    """Safe file names that never repeat within one folder or archive.

    Each call gives `safe_filename` of the stem, or, when an earlier call (or ``taken``)
    has that name, the stem with ``-2``, ``-3``, … added. Names are compared as Windows
    and macOS compare them: without case, after Unicode normalisation.
    """

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._taken = {_comparable(name) for name in taken}

    def __call__(self, stem: str, extension: str | None = None) -> str:
        """A safe name from ``stem`` that no earlier call returned."""
        name = safe_filename(stem, extension)
        base, counter = name, 2
        while _comparable(name) in self._taken:
            name = safe_filename(f"{stem}-{counter}", extension)
            if name == base:  # pragma: no cover - the stem was cut at the byte limit
                name = safe_filename(f"{counter}-{stem}", extension)
            counter += 1
        self._taken.add(_comparable(name))
        return name


def _comparable(name: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", name).casefold())
