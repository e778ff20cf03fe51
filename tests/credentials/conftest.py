"""Fixtures for the signed-code tests (the kit itself is in codekit.py)."""

from __future__ import annotations

import pytest
from codekit import Kit, city, seeded_key

from healthcode.credentials import Acceptance


@pytest.fixture(scope="session")
def kit() -> Kit:
    """The three cities (immutable keys, so safe to share across tests)."""
    return Kit(city("330100"), city("310000"), city("110000"), seeded_key("stranger"))


@pytest.fixture
def green_here() -> Acceptance:
    """A Hangzhou bus: green codes from Hangzhou and Shanghai pass."""
    return Acceptance.green_only({"330100", "310000"})
