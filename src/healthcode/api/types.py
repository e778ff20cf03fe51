"""Field types the API's answers share."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema


def _isoformat(moment: datetime) -> str:
    return moment.isoformat()


IsoDateTime = Annotated[
    datetime,
    PlainSerializer(_isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A time written as ``datetime.isoformat()`` gives it (``2026-03-01T01:00:00+00:00``), as the
status and verification answers have always written their times (not Pydantic's ``…Z``)."""
