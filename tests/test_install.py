"""Parts of onaccount that need an extra say which one, and the command that installs it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from onaccount._install import extra_missing, pip_install


@pytest.mark.parametrize(
    ("module", "missing", "extra"),
    [
        ("onaccount.testing", "hypothesis", "testing"),
        ("onaccount.testing", "pytest", "testing"),
        ("onaccount.ledger.sql", "sqlalchemy", "sql"),
    ],
)
def test_importing_without_the_extra_names_it_and_how_to_install_it(
    module: str, missing: str, extra: str
) -> None:
    """Without hypothesis, ``import onaccount.testing`` names the testing extra and pip."""
    code = (
        "import sys\n"
        f"sys.modules[{missing!r}] = None  # as if the extra were not installed\n"
        f"import {module}\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    last = done.stderr.splitlines()[-1]
    assert last == (
        f"ModuleNotFoundError: {module} needs the {extra!r} extra ({missing} is not "
        f"installed); install it with: {pip_install('onaccount', extra)}"
    )


def test_the_refusal_keeps_the_missing_module_s_name() -> None:
    """The error is a ModuleNotFoundError naming the module, so ``except ImportError`` works."""
    error = extra_missing("x", "sql", ModuleNotFoundError("no", name="sqlalchemy.engine"))
    assert isinstance(error, ModuleNotFoundError)
    assert error.name == "sqlalchemy.engine"
    assert "(sqlalchemy is not installed)" in str(error)
