"""Fixtures of the command-line tests: a small ledger, and the demo's ledger built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import attrs
import pytest
from click.testing import Result

from tests.cli._support import build_large_ledger, build_small_ledger, invoke

#: The demo pretends it is this day, so it bills October 2026 and its data never moves.
DEMO_TODAY = "2026-11-15"


@attrs.frozen
class Demo:
    """What one run of ``onaccount demo`` left behind."""

    result: Result
    directory: Path

    @property
    def db(self) -> Path:
        """The demo's SQLite file."""
        return self.directory / "onaccount.sqlite"


#: The variables the command line reads; a developer's own settings must not leak in. The
#: locale falls back to English with ISO dates without them.
VARIABLES = (
    "ONACCOUNT_DB",
    "ONACCOUNT_ROLE",
    "ONACCOUNT_ACTOR",
    "ONACCOUNT_TZ",
    "ONACCOUNT_DAY_STARTS_AT",
    "ONACCOUNT_LOCALE",
    "ONACCOUNT_OPTIONS_FILE",
    "LANGUAGE",
    "LC_ALL",
    "LC_MONETARY",
    "LC_NUMERIC",
    "LC_CTYPE",
    "LANG",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every command-line test without the ONACCOUNT_* variables of the caller."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    """A fresh SQLite file holding the small ledger of `build_small_ledger`."""
    return build_small_ledger(tmp_path / "small.sqlite")


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """``onaccount demo`` run once for the session; tests that write use `demo_db`."""
    directory = tmp_path_factory.mktemp("demo") / "canteen"
    result = invoke(None, "demo", str(directory), "--today", DEMO_TODAY, role="viewer")
    return Demo(result, directory)


@pytest.fixture
def demo_db(demo: Demo, tmp_path: Path) -> Path:
    """A private copy of the demo's SQLite file."""
    assert demo.result.exit_code == 0, demo.result.output
    copy = tmp_path / "demo.sqlite"
    shutil.copyfile(demo.db, copy)
    return copy


@pytest.fixture(scope="session")
def large_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger of 3,000 accounts (see `build_large_ledger`), built once; copy it to write."""
    return build_large_ledger(tmp_path_factory.mktemp("large") / "club.sqlite")
