"""Counts and lists in the library's sentences: ``1 purchase``, ``3 purchases``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = [
    "NAMED",
    "a_type",
    "counted",
    "either_way",
    "field_name",
    "for_command_line",
    "in_number",
    "in_words",
    "joined",
    "named",
    "plural",
    "reversal_advice",
    "with_article",
]

#: How many items a sentence names before it counts the rest.
NAMED = 10


def in_number(n: int, one: str, other: str) -> str:
    """The word that agrees with ``n``: ``one`` for one, ``other`` for any other count."""
    return one if n == 1 else other


def reversal_advice(n: int) -> str:
    """What to do of ``n`` undone invoices an export made before the undo still holds."""
    return (
        f"an export of this run made before {in_number(n, 'it was', 'they were')} undone "
        f"still holds {in_number(n, 'it', 'them')}: book or send "
        f"{in_number(n, 'its', 'their')} reversal where that export went"
    )


def plural(noun: str, n: int) -> str:
    """``noun`` for ``n`` of it: singular for one, with an ``s`` otherwise."""
    return in_number(n, noun, noun + "s")


def counted(n: int, noun: str) -> str:
    """``n`` with thousands separators and the noun: ``1 purchase``, ``10,006 refusals``."""
    return f"{n:,} {plural(noun, n)}"


def joined(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1]])) if items else ""


def named(noun: str, items: Iterable[object], count: int | None = None) -> str:
    """The noun and what it names: ``account 1042``, ``accounts 1042, 2001``.

    Past `NAMED` items the rest are counted (``… and 278 more``), of ``count`` in all
    where ``items`` are only the first of them.
    """
    given = [str(item) for item in items]
    total = len(given) if count is None else count
    shown = given[:NAMED]
    listed = ", ".join(shown)
    if total > len(shown):
        listed += f" and {total - len(shown):,} more"
    return f"{plural(noun, total)} {listed}"


_ON_THE_COMMAND_LINE = " on the command line)"
# What `either_way` writes: a program's way (no spaces) and the command in parentheses.
_EITHER_WAY = re.compile(r"\S+ \(([^()]+?)" + re.escape(_ON_THE_COMMAND_LINE))


def either_way(program: str, command: str) -> str:
    """How to do it in a program and with the command line, in one phrase.

    ``Ledger.runs() (onaccount runs on the command line)``; the command line shows only
    the command (`for_command_line`). ``program`` has no spaces.
    """
    return f"{program} ({command}{_ON_THE_COMMAND_LINE}"


def for_command_line(message: str) -> str:
    """``message`` with each `either_way` phrase reduced to its command."""
    return _EITHER_WAY.sub(r"\1", message)


#: An attribute's or parameter's name, or a dotted path to one (``billing.iban``).
_FIELD_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def field_name(words: str, name: str | None = None) -> str | None:
    """The ``field`` of a refusal whose message begins with ``words``.

    The checks that build refusals (`to_decimal`, `to_utc`, `check_text`, …) open their
    message with ``words`` as a reader says them (``unit price``, ``transaction instant
    'at'``), and name the attribute or parameter the refusal is about in its ``field``,
    so a host can point at the input: ``name`` (``unit_price``, ``at``) when the caller
    gives it, else the words when they are such a name already (``quantity``). Words
    that are not a name are never passed off as one: without ``name`` the field is None.
    """
    if name is not None:
        return name
    return words if _FIELD_NAME.fullmatch(words) else None


def in_words(class_name: str) -> str:
    """A class's name as a sentence says it: ``CreditBooking`` is ``credit booking``."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", class_name).lower()


#: Letters whose names start with a vowel sound, for words read letter by letter (an SQL…).
_VOWEL_NAMED_LETTERS = frozenset("AEFHILMNORSX")
#: Starts written with a vowel but said with a consonant (a unit, a user), and the reverse.
_SAID_WITH_A_CONSONANT = ("one", "once", "uni", "use", "usu", "uti", "eu", "ewe")
_SAID_WITH_A_VOWEL = ("hour", "honest", "honor", "honour", "heir")


def with_article(word: str) -> str:
    """``word`` after "a" or "an", as it is said: a CsvExporter, an XlsxTableExporter, an int.

    A word that starts with capitals (``SQLLedger``) or with an x before a consonant
    (``Xlsx…``) is read letter by letter, so its first letter's name decides.
    """
    lower = word.lower()
    spelt = word[:2].isupper() or (lower[:1] == "x" and lower[1:2] not in ("", *"aeiouy"))
    if spelt:
        vowel = word[0].upper() in _VOWEL_NAMED_LETTERS
    elif lower.startswith(_SAID_WITH_A_VOWEL):
        vowel = True
    elif lower.startswith(_SAID_WITH_A_CONSONANT):
        vowel = False
    else:
        vowel = lower[:1] != "" and lower[0] in "aeiou"
    return f"{'an' if vowel else 'a'} {word}"


def a_type(value: object) -> str:
    """``an int``, ``a Decimal``: the type of ``value`` with its article."""
    return with_article(type(value).__name__)
