"""Case reports, proposals and path ids under the text and time rules: surrogates, NUL and
absurd times are 422s naming the field (never a 500), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight import proposals
from identity_helpers import add_test_official, official_headers, principal
from tracing_helpers import hours, resident

JSON = {"Content-Type": "application/json"}
FAR_FUTURE, FAR_PAST = "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"


def _officials(client: TestClient, container: Container) -> dict[str, dict[str, str]]:
    now = container.clock.now()
    return {
        name: official_headers(client, add_test_official(container, name, role), now)
        for name, role in (("wang", "official"), ("li", "supervisor"))
    }


def _post(client: TestClient, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    """POST with non-ASCII escaped: a lone surrogate travels as ``\\ud800``."""
    return client.post(url, content=json.dumps(body), headers={**JSON, **headers})


def _fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [e["field"] for e in response.json()["errors"]]


def _case(container: Container, **changes: Any) -> dict[str, Any]:
    now = container.clock.now()
    return {
        "subject": resident(container, 1),
        "sampled_at": (now - hours(5)).isoformat(),
        "asymptomatic": True,
        "test_reference": "HZ-PCR-9",
        "reason": "positive at the fever clinic",
        **changes,
    }


@pytest.mark.parametrize("field", ["test_reference", "reason", "subject"])
@pytest.mark.parametrize("bad", ["HZ\ud800", "HZ\x00", "HZ\u202e"])
def test_case_reports_with_bad_text_are_a_422(
    client: TestClient, container: Container, field: str, bad: str
) -> None:
    """A surrogate, NUL or bidi override in a case report is refused naming the field."""
    who = _officials(client, container)
    answer = _post(client, "/api/v1/cases", _case(container, **{field: bad}), who["wang"])
    assert field in _fields(answer)


@pytest.mark.parametrize("field", ["sampled_at", "isolated_at"])
@pytest.mark.parametrize("moment", [FAR_FUTURE, FAR_PAST, "1999-12-31T23:00:00Z"])
def test_case_times_out_of_range_are_a_422(
    client: TestClient, container: Container, field: str, moment: str
) -> None:
    """Times with no UTC form, or before 2000, are refused naming the field."""
    who = _officials(client, container)
    answer = _post(client, "/api/v1/cases", _case(container, **{field: moment}), who["wang"])
    assert _fields(answer) == [field]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/%00",
        "/api/v1/cases/%00/preview",
        "/api/v1/proposals/ab%00cd",
        "/api/v1/people/%00",
        "/api/v1/audit/access-log/%00",
    ],
)
def test_path_ids_with_nul_are_a_422(client: TestClient, container: Container, url: str) -> None:
    """A NUL in a path id is a 422 naming it (PostgreSQL would refuse the query)."""
    admin = official_headers(
        client, add_test_official(container, "root", "admin"), container.clock.now()
    )
    who = {**_officials(client, container), "root": admin}
    auditor = official_headers(
        client, add_test_official(container, "zhou", "auditor"), container.clock.now()
    )
    for headers in (who["li"], auditor, admin):
        answer = client.get(url, headers=headers)
        assert answer.status_code in (403, 422), answer.text
        if answer.status_code == 422:
            break
    else:
        pytest.fail(f"no role reached the path check of {url}")


def test_decisions_with_nul_in_the_path_or_note_are_a_422(
    client: TestClient, container: Container
) -> None:
    """Confirming /cases/%00 or with a NUL in the note is refused, nothing decided."""
    who = _officials(client, container)
    reported = _post(client, "/api/v1/cases", _case(container), who["wang"])
    case_id = reported.json()["payload"]["case_id"]
    assert _fields(client.post("/api/v1/cases/%00/confirm", json={}, headers=who["li"]))
    answer = _post(client, f"/api/v1/cases/{case_id}/confirm", {"note": "ok\x00"}, who["li"])
    assert _fields(answer) == ["note"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=who["li"]).json()["state"] == "reported"


def _proposal(container: Container, subject: str, **changes: Any) -> dict[str, Any]:
    return {
        "action": "override_colour",
        "payload": {
            "subject": subject,
            "colour": "red",
            "reason_category": "positive_result_not_yet_reported",
            "expires_at": (container.clock.now() + timedelta(days=3)).isoformat(),
        },
        "reason": "fever clinic phoned",
        **changes,
    }


def test_proposals_with_nul_in_reason_or_payload_are_a_422(
    client: TestClient, container: Container
) -> None:
    """A NUL in a proposal's reason or anywhere in its payload is refused naming where."""
    who = _officials(client, container)
    subject = resident(container, 2)
    body = _proposal(container, subject, reason="phoned\x00")
    assert _fields(_post(client, "/api/v1/proposals", body, who["wang"])) == ["reason"]
    body = _proposal(container, subject)
    body["payload"]["note"] = {"deep": ["x\ud800"]}
    answer = _post(client, "/api/v1/proposals", body, who["wang"])
    assert _fields(answer) == ["payload"] and "payload.note.deep[0]" in answer.text
    body = _proposal(container, subject)
    body["payload"]["expires_at"] = FAR_FUTURE
    answer = _post(client, "/api/v1/proposals", body, who["wang"])
    assert _fields(answer) == ["payload.expires_at"]
    assert client.get("/api/v1/proposals", headers=who["li"]).json() == []


def test_the_proposal_use_case_refuses_nul_whatever_the_entry_point(
    client: TestClient, container: Container
) -> None:
    """The service itself refuses a NUL reason or payload string (the CLI calls it too)."""
    _officials(client, container)
    body = _proposal(container, resident(container, 2))
    for reason, payload in (
        ("phoned\x00", body["payload"]),
        ("phoned", {**body["payload"], "subject": "x\x00"}),
    ):
        with pytest.raises(InvalidInput):
            proposals.propose(
                uow=container.uow(),
                clock=container.clock,
                kinds=container.proposal_kinds,
                principal=principal(container, "wang"),
                action="override_colour",
                payload=payload,
                reason=reason,
            )


def test_risk_areas_out_of_range_or_with_bad_names_are_a_422(
    client: TestClient, container: Container
) -> None:
    """A risk area ending in year 9999 or named with an override is refused."""
    who = _officials(client, container)
    now = container.clock.now()
    body = {
        "name": "文三路",
        "level": "high",
        "cells": ["8830e1d8b1fffff"],
        "starts_at": (now - hours(2)).isoformat(),
        "ends_at": FAR_FUTURE,
        "reason": "cluster",
    }
    assert _fields(_post(client, "/api/v1/risk-areas", body, who["wang"])) == ["ends_at"]
    body = {**body, "ends_at": now.isoformat(), "name": "文\u202e三路"}
    assert _fields(_post(client, "/api/v1/risk-areas", body, who["wang"])) == ["name"]
