"""Valid inputs for tests, so each test states only what it varies."""

from __future__ import annotations

from typing import Any

from healthcode.identity.registration import Register
from healthcode.identity.validation import check_character

VALID_ID = "11010519491231002X"


def resident_id(seq: int, *, birth: str = "19900101", region: str = "330106") -> str:
    """A valid resident ID number; different ``seq`` give different people."""
    first17 = f"{region}{birth}{seq % 1000:03d}"
    return first17 + check_character(first17)


def registration(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "张三丰",
        "id_type": "resident",
        "id_number": VALID_ID,
        "phone": "13812341234",
        "address": "杭州市西湖区文三路1号",
        "consent_location": True,
    }
    values.update(overrides)
    return values


def register(**overrides: Any) -> Register:
    """What a valid person registers with (``registration`` with ``overrides``), as the command
    the registration use cases take."""
    return Register(**registration(**overrides))
