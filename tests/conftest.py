"""Shared test set-up: the PostgreSQL server the SQL ledger tests run against."""

from __future__ import annotations

import os

import pytest

POSTGRES_URL_VARIABLE = "ONACCOUNT_TEST_POSTGRES_URL"


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
