"""The fuzzing stage's seed: from HEALTHCODE_FUZZ_SEED, else a fresh one, printed first."""

from __future__ import annotations

import os
import secrets

import pytest

SEED = int(os.environ.get("HEALTHCODE_FUZZ_SEED") or secrets.randbelow(2**32))


def pytest_report_header() -> str:
    return f"fuzz seed: {SEED} (replay: make fuzz HEALTHCODE_FUZZ_SEED={SEED})"


@pytest.fixture(scope="session")
def fuzz_seed() -> int:
    """The seed every operation's examples are drawn from (printed in the header)."""
    return SEED
