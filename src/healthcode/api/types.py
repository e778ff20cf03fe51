"""Field types the API shares: times in answers, and the text and time rules of requests.

Every free-text field of a request body is one of the text types below, each the kernel's one
text rule (``kernel/text.py``) for a kind of field; every time of a request is ``RequestTime``
(``kernel/times.py``). Refusals are 422 problem details naming the field and the rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from healthcode.kernel.text import (
    MAX_SECRET,
    TextKind,
    json_problem,
    normalise,
    secret_problem,
    text_problem,
)
from healthcode.kernel.times import EARLIEST, LATEST, time_problem


def _isoformat(moment: datetime) -> str:
    return moment.isoformat()


IsoDateTime = Annotated[
    datetime,
    PlainSerializer(_isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A time written as ``datetime.isoformat()`` gives it (``2026-03-01T01:00:00+00:00``), as the
status and verification answers have always written their times (not Pydantic's ``…Z``)."""


def _text_rule(kind: TextKind) -> Callable[[str], str]:
    def check(value: str) -> str:
        clean = normalise(value)
        problem = text_problem(clean, kind)
        if problem is not None:
            raise PydanticCustomError("text_rule", problem)
        return clean

    return check


def _schema(kind: TextKind) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "maxLength": kind.limit})


_ID, _NAME, _LINE, _TEXT, _TOKEN = (
    TextKind.IDENTIFIER,
    TextKind.NAME,
    TextKind.LINE,
    TextKind.TEXT,
    TextKind.TOKEN,
)
Identifier = Annotated[str, AfterValidator(_text_rule(_ID)), _schema(_ID)]
"""An id, subject, username, client id, test reference, code or vehicle (64 characters)."""
Name = Annotated[str, AfterValidator(_text_rule(_NAME)), _schema(_NAME)]
"""A name of a person, organisation, venue, channel or risk area (200 characters)."""
Line = Annotated[str, AfterValidator(_text_rule(_LINE)), _schema(_LINE)]
"""One line of prose: an address, a URL, a symptom (500 characters)."""
Text = Annotated[str, AfterValidator(_text_rule(_TEXT)), _schema(_TEXT)]
"""A reason or note: may hold tabs and line breaks (2,000 characters)."""
Token = Annotated[str, AfterValidator(_text_rule(_TOKEN)), _schema(_TOKEN)]
"""An opaque token or signed text: an assertion, a code, a place code (8,192 characters)."""


def _secret_rule(value: str) -> str:
    problem = secret_problem(value)
    if problem is not None:
        raise PydanticCustomError("text_rule", problem)
    return value


Secret = Annotated[
    str, AfterValidator(_secret_rule), WithJsonSchema({"type": "string", "maxLength": MAX_SECRET})
]
"""A password: taken exactly as typed (never normalised), refused with a lone surrogate or NUL."""


def _time_rule(value: datetime) -> datetime:
    problem = time_problem(value)
    if problem is not None:
        raise PydanticCustomError("time_rule", problem)
    return value


RequestTime = Annotated[
    datetime,
    AfterValidator(_time_rule),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A time in a request: ISO 8601 with a zone, from 2000-01-01 to before 2100-01-01 (UTC)."""


def _json_rule(value: dict[str, Any]) -> dict[str, Any]:
    found = json_problem(value, field="payload")
    if found is not None:
        raise PydanticCustomError(
            "text_rule", "{path}: {rule}", {"path": found[0], "rule": found[1]}
        )
    return value


JsonPayload = Annotated[dict[str, Any], AfterValidator(_json_rule)]
"""A JSON object whose every key and string follows the character rules of ``Text``."""


def _date_rule(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise PydanticCustomError("time_rule", "must be a date from 2000-01-01 to 2099-12-31")
    return value


RequestDate = Annotated[date, AfterValidator(_date_rule)]
"""A calendar date in a request, from 2000-01-01 to 2099-12-31."""
