"""The shared test set-up: which Hypothesis profile a run uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from tests.conftest import HYPOTHESIS_PROFILE_VARIABLE, hypothesis_profile


def test_the_loaded_profile_is_the_one_the_environment_names() -> None:
    """Hypothesis runs with the profile the environment selects, not its own defaults."""
    chosen = settings.get_profile(hypothesis_profile())
    assert settings.default.max_examples == chosen.max_examples
    assert settings.default.deadline is None


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "default"),
        ({"CI": "1"}, "ci"),
        ({"CI": "1", HYPOTHESIS_PROFILE_VARIABLE: "thorough"}, "thorough"),
    ],
)
def test_the_profile_follows_ci_and_the_variable(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    """CI selects "ci", the variable overrides both; every profile named exists."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(HYPOTHESIS_PROFILE_VARIABLE, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert hypothesis_profile() == expected
    assert settings.get_profile(expected).deadline is None


def test_pytest_without_onaccount_installed_says_how_to_install_it() -> None:
    """Run by a Python lacking onaccount, the suite stops at once with the README's command."""
    blocked = (
        "import sys; sys.modules['onaccount'] = None; import pytest; "
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', 'tests/test_money.py']))"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", blocked], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 4, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "onaccount is not installed in the Python running pytest" in output
    assert '.venv/bin/pip install -e ".[test]"' in output
    assert "Traceback" not in output
