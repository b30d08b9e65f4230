"""How the command line words its notes in a terminal."""

from __future__ import annotations

import io
from decimal import Decimal

import babel
from rich.console import Console

from onaccount.cli._group import _say
from onaccount.cli._rendering import Display


def _said(text: str, width: int) -> list[str]:
    out = io.StringIO()
    _say(Console(file=out, width=width, force_terminal=True, color_system=None), text)
    return out.getvalue().splitlines()


def test_a_note_never_parts_the_currency_symbol_from_its_amount() -> None:
    """A Dutch amount ('€ 12,50') wraps as one word, whatever the width."""
    amount = Display(babel.Locale.parse("nl_NL")).money(Decimal("12.50"), "EUR")
    assert amount == "€\xa012,50", "babel joins them with a no-break space"
    text = f"the run bills aaaa bbbb {amount} in all, for ten accounts of the club"
    for width in range(20, 40):
        lines = _said(text, width)
        assert not any(line.rstrip().endswith("€") for line in lines), (width, lines)
        assert " ".join(" ".join(lines).split()) == " ".join(text.split()), (width, lines)
