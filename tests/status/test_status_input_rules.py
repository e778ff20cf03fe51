"""Declarations under the text and date rules: a lone surrogate or NUL in a note is a 422, not
a 500 in the personal-data encryption; travel dates outside 2000-2099 are refused; a test result
proposed with a bad sample time is refused once, naming it."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput
from healthcode.status.declarations import declare_health
from identity_helpers import add_test_official, website_citizen
from presence_helpers import person
from status_helpers import propose_positive_pcr

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"temperature": 36.5, "note": "fine\ud800"}, "note"),
        ({"temperature": 36.5, "note": "fine\x00"}, "note"),
        ({"temperature": 36.5, "symptoms": ["cough\ud800"]}, "symptoms.0"),
    ],
)
def test_health_declarations_with_bad_text_are_a_422(
    client: TestClient, body: dict[str, object], field: str
) -> None:
    """A surrogate or NUL in a health declaration is refused naming the field."""
    _, citizen = website_citizen(client)
    answer = client.post(
        "/api/v1/me/declarations/health", content=json.dumps(body), headers={**JSON, **citizen}
    )
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_the_declaration_use_case_refuses_a_surrogate_note(
    client: TestClient, container: Container
) -> None:
    """The use case itself (the CLI calls it too) refuses the note before encrypting it."""
    subject, _ = website_citizen(client)
    with pytest.raises(InvalidInput) as refused:
        declare_health(
            uow=container.uow(),
            clock=container.clock,
            subject=subject,
            temperature=36.5,
            note="ok\udc80",
        )
    assert [p.field for p in refused.value.problems] == ["note"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_travel_dates_out_of_range_are_a_422(client: TestClient, day: str) -> None:
    """A travel date outside 2000-2099 is refused naming the field."""
    _, citizen = website_citizen(client)
    body = {"place": "310000", "from_date": day, "to_date": "2026-02-28"}
    answer = client.post("/api/v1/me/declarations/travel", json=body, headers=citizen)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["from_date"]


@pytest.mark.parametrize(
    ("sampled_at", "message"),
    [
        ("yesterday", "'yesterday' is not an ISO 8601 time"),
        ("2026-03-01T08:00:00", "must include a time zone"),
        (None, "is required (ISO 8601 with a zone)"),
        ("9999-12-31T23:59:59+08:00", "must be a time from 2000-01-01 to before 2100-01-01 (UTC)"),
    ],
)
def test_a_test_result_proposed_with_a_bad_sample_time_names_it_once(
    container: Container, sampled_at: str | None, message: str
) -> None:
    """A sample time missing, unreadable, without a zone or out of range: one problem."""
    subject = person(container, 1)
    add_test_official(container, "wang")
    with pytest.raises(InvalidInput) as refused:
        propose_positive_pcr(
            container,
            "wang",
            subject=subject,
            sampled_at=sampled_at,
            reason="typed from the lab's sheet",
        )
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("payload.sampled_at", message)
    ]
