"""The onaccount.testing package: what a host's pytest run shows when a contract check fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# A host's suite with a ledger and an exporter that each break one check.
_HOST_SUITE = """\
import attrs

from onaccount import MemoryLedger
from onaccount.exporting import Exporter, ExportOptions
from onaccount.testing import ExporterContract, LedgerContract


class RenamingLedger(MemoryLedger):
    def get_account(self, number):
        return attrs.evolve(super().get_account(number), name="Renamed")


class TestRenamingLedger(LedgerContract):
    def make_ledger(self):
        return RenamingLedger()


@attrs.frozen(kw_only=True)
class TickOptions(ExportOptions):
    pass


class Ticking(Exporter[TickOptions]):
    identifier = "ticking"
    title = "Ticking"
    description = "How often it has written."
    media_type = "text/plain"
    extension = "txt"
    Options = TickOptions
    writes = 0

    def write(self, document, stream, options):
        type(self).writes += 1
        stream.write(f"tick {self.writes}".encode())


class TestTicking(ExporterContract):
    exporter = Ticking()
"""


def test_a_failing_contract_check_shows_the_values_it_compared(tmp_path: Path) -> None:
    """A failing contract check shows the values it compared, as the host's own asserts do."""
    (tmp_path / "test_host.py").write_text(_HOST_SUITE, encoding="utf-8")
    checks = "test_open_and_get_account_round_trips_every_field or test_output_is_deterministic"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", checks],
        cwd=tmp_path,
        # The host's module importable, beside whatever onaccount this run imports.
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert "2 failed" in output, output
    assert "PytestAssertRewriteWarning" not in output, output
    # The ledger's account as it read back, against the one opened.
    assert "name: 'Renamed' != 'Équipe Zoë 🍺'" in output, output
    # The exporter's two outputs, and which source and options they came from.
    assert "assert b'tick 2' == b'tick 1'" in output, output
    assert "with TickOptions() is written differently twice" in output, output
