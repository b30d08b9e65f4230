"""LedgerContract itself: it closes what it makes, and its checks fail on broken ledgers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from onaccount import MemoryLedger
from onaccount.ledger import Ledger
from onaccount.testing import LedgerContract

_HOST_SUITE = """\
import pytest

from onaccount import MemoryLedger
from onaccount.testing import LedgerContract


class ClosingLedger(MemoryLedger):
    def __init__(self, made):
        super().__init__()
        self.closed = 0
        made.append(self)

    def close(self):
        self.closed += 1


class TestClosedByClose(LedgerContract):
    @pytest.fixture(autouse=True)
    def _database(self):
        self.made = []
        yield
        # The contract closed every ledger before this fixture's teardown, each once.
        assert self.made and [ledger.closed for ledger in self.made] == [1] * len(self.made)

    def make_ledger(self):
        # The property check closes each example's ledger before it makes the next.
        assert all(ledger.closed for ledger in self.made)
        return ClosingLedger(self.made)


class TestClosedByTheHook(LedgerContract):
    @pytest.fixture(autouse=True)
    def _database(self):
        self.made, self.released = [], []
        yield
        assert self.released == self.made
        assert [ledger.closed for ledger in self.made] == [0] * len(self.made)

    def make_ledger(self):
        return ClosingLedger(self.made)

    def close_ledger(self, ledger):
        self.released.append(ledger)
"""


def test_every_ledger_made_is_closed_before_the_hosts_fixtures_end(tmp_path: Path) -> None:
    """Each ledger is closed once after its check, by close() or a close_ledger override."""
    (tmp_path / "test_host.py").write_text(_HOST_SUITE, encoding="utf-8")
    checks = "test_duplicate_account or test_plans_and_runs_equal_the_reference_ledger"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"]
    done = subprocess.run(
        [*command, "-k", checks, "test_host.py"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "4 passed" in output, output


class _Counting(LedgerContract):
    """The contract on MemoryLedger, counting the ledgers its checks make."""

    def __init__(self) -> None:
        self.made = 0

    def make_ledger(self) -> Ledger:
        self.made += 1
        return MemoryLedger()


class _CountingTwiceAsMany(_Counting):
    reference_examples_share = 0.5


@pytest.mark.parametrize("contract", [_Counting, _CountingTwiceAsMany], ids=["default", "0.5"])
def test_the_property_check_runs_its_share_of_the_profiles_examples(
    contract: type[_Counting],
) -> None:
    """The reference comparison runs reference_examples_share of the profile's max_examples."""
    checks = contract()
    checks.test_plans_and_runs_equal_the_reference_ledger()
    wanted = round(settings().max_examples * contract.reference_examples_share)
    assert checks.made == max(1, wanted)
