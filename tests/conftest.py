"""Shared test set-up: Hypothesis's profiles and the PostgreSQL server the SQL tests use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import onaccount  # noqa: F401  # only to learn whether the project is installed
except ModuleNotFoundError:
    # Otherwise every test module fails to import, and the reason drowns in 47 tracebacks.
    pytest.exit(
        f"onaccount is not installed in the Python running pytest ({sys.executable}); "
        "install it with its test extra first, as the README says: python3 -m venv .venv "
        '&& .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest',
        returncode=4,
    )

from hypothesis import HealthCheck, settings  # after the check above

POSTGRES_URL_VARIABLE = "ONACCOUNT_TEST_POSTGRES_URL"
#: Names the Hypothesis profile to run with; without it, "ci" when CI is set, else "default".
HYPOTHESIS_PROFILE_VARIABLE = "ONACCOUNT_HYPOTHESIS_PROFILE"

# No deadline and no too_slow check: drawn ledgers and runs are large on purpose, and the
# test machines are shared, so a slow example says nothing about the code under test.
settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# CI keeps no example database between runs; a failure prints the blob that replays it.
settings.register_profile(
    "ci", parent=settings.get_profile("default"), database=None, print_blob=True
)
# Before a release, or after changing a guarantee: many more examples of every property.
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=1000)


def hypothesis_profile() -> str:
    """The profile this run uses: the variable's, else "ci" in CI, else "default"."""
    return os.environ.get(HYPOTHESIS_PROFILE_VARIABLE) or (
        "ci" if os.environ.get("CI") else "default"
    )


settings.load_profile(hypothesis_profile())


def postgres_url() -> str:
    """The test server's URL; skips without one, and fails in CI, where it must run."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(
            f"CI is set but {POSTGRES_URL_VARIABLE} is not: the PostgreSQL tests must run in "
            "CI; .ci/run starts a server and sets it"
        )
    pytest.skip(
        f"{POSTGRES_URL_VARIABLE} is not set; set it to a PostgreSQL URL such as "
        "postgresql://onaccount:onaccount@127.0.0.1:5432/onaccount_test to run these tests"
    )


def passing_pytest(directory: Path, *args: str, timeout: int = 300) -> str:
    """``python -m pytest -q ARGS`` run in ``directory``, its modules importable; its output.

    Fails, showing the output, unless the run passes.
    """
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=directory,
        env={**os.environ, "PYTHONPATH": str(directory)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output
