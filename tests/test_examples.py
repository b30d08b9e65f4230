"""The examples the README shows run and print what they promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quickstart_runs_and_bills_the_late_sale_on_the_previous_day() -> None:
    """The README's quickstart runs and puts the 01:30 sale on 3 October's total."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "invoice Team A: 32.90 EUR" in result.stdout
    assert "2026-10-03: 32.90" in result.stdout
    assert "balance -32.90 -> 0.00" in result.stdout
    assert "committed run 2026-10: 32.90 EUR invoiced" in result.stdout


def test_readme_shows_the_quickstart_verbatim() -> None:
    """The code block in the README is the quickstart script, so it cannot drift."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    script = (ROOT / "examples" / "quickstart.py").read_text(encoding="utf-8")
    body = script.split('"""', 2)[2].strip()
    assert body in readme
