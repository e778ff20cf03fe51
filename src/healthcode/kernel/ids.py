"""Random identifiers: opaque, unguessable, and never derived from personal data."""

from __future__ import annotations

import secrets


def new_id() -> str:
    """A random 128-bit id as 32 hex characters."""
    return secrets.token_hex(16)
