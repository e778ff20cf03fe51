"""Cases, previews, risk areas and quarantines through HTTP: an official reports, a supervisor
sees the preview and confirms, the contact sees their evidence; withdrawal undoes it."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from factories import resident_id
from healthcode.app import create_app
from healthcode.container import Container
from healthcode.settings import Settings
from identity_helpers import add_test_official, official_headers, website_citizen
from tracing_helpers import confirm, hours, officials, report, resident, stay, work


def _officials(client: TestClient, container: Container) -> dict[str, dict[str, str]]:
    now = container.clock.now()
    headers = {}
    for name, role in (("wang", "official"), ("li", "supervisor")):
        kit = add_test_official(container, name, role)
        headers[name] = official_headers(client, kit, now)
    return headers


def test_case_from_report_to_the_contacts_evidence(
    client: TestClient, container: Container
) -> None:
    """A confirmed case turns its contact red, evidence shown; its withdrawal turns it green."""
    who = _officials(client, container)
    case = resident(container, 1)
    contact, contact_headers = website_citizen(
        client, id_number=resident_id(2), phone="13900000002", address="杭州市西湖区文三路2号"
    )
    now = container.clock.now()
    stay(container, case, "louwailou", now - hours(30), now - hours(29))
    stay(container, contact, "louwailou", now - hours(29.5), now - hours(28))
    body = {
        "subject": case,
        "sampled_at": (now - hours(5)).isoformat(),
        "asymptomatic": True,
        "test_reference": "HZ-PCR-9",
        "reason": "positive at the fever clinic",
    }
    naive = client.post(
        "/api/v1/cases", json={**body, "sampled_at": "2026-02-28T10:00:00"}, headers=who["wang"]
    )
    assert naive.status_code == 422
    reported = client.post("/api/v1/cases", json=body, headers=who["wang"])
    assert reported.status_code == 201, reported.text
    case_id = reported.json()["payload"]["case_id"]
    preview = client.get(f"/api/v1/cases/{case_id}/preview", headers=who["li"])
    assert preview.status_code == 200
    assert preview.json()["by_rule"] == {"venue": 1} and preview.json()["state"] == "reported"
    own = client.post(f"/api/v1/cases/{case_id}/confirm", json={}, headers=who["wang"])
    assert own.status_code == 403
    confirmed = client.post(f"/api/v1/cases/{case_id}/confirm", json={}, headers=who["li"])
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["result"]["colour"] == "red"
    work(container)
    status = client.get("/api/v1/me/status", headers=contact_headers).json()
    assert status["colour"] == "red"
    exposures = client.get("/api/v1/me/exposures", headers=contact_headers).json()
    (exposure,) = [e for e in exposures if e["kind"] == "exposure"]
    assert exposure["rule"] == "venue" and exposure["overlap_minutes"] == 30
    (evidence,) = exposure["contacts"]
    assert evidence["place_id"] == "louwailou" and evidence["minutes"] == 30
    assert case not in str(exposures)  # the case is never named to the contact
    shown = client.get(f"/api/v1/cases/{case_id}", headers=who["wang"]).json()
    assert shown["state"] == "confirmed" and shown["trace_counts"] == {"venue": 1}
    orders = client.get("/api/v1/quarantines", headers=who["wang"]).json()
    assert [o["subject"] for o in orders] == [contact]
    proposed = client.post(
        f"/api/v1/cases/{case_id}/withdraw", json={"reason": "mix-up"}, headers=who["wang"]
    )
    assert proposed.status_code == 201, proposed.text
    assert (proposed.json()["action"], proposed.json()["status"]) == ("withdraw_case", "pending")
    shown = client.get(f"/api/v1/cases/{case_id}", headers=who["wang"]).json()
    assert shown["state"] == "confirmed" and shown["pending_withdrawal"] == proposed.json()["id"]
    own = client.post(f"/api/v1/cases/{case_id}/withdrawal/approve", json={}, headers=who["wang"])
    assert own.status_code == 403
    withdrawn = client.post(
        f"/api/v1/cases/{case_id}/withdrawal/approve", json={"note": "ok"}, headers=who["li"]
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "approved" and withdrawn.json()["decided_by"] == "li"
    shown = client.get(f"/api/v1/cases/{case_id}", headers=who["wang"]).json()
    assert (shown["state"], shown["withdrawn_by"], shown["withdrawal_proposed_by"]) == (
        "withdrawn",
        "li",
        "wang",
    )
    work(container)
    assert client.get("/api/v1/me/status", headers=contact_headers).json()["colour"] == "green"
    history = client.get("/api/v1/me/status/history", headers=contact_headers).json()
    assert history[-1]["cause"] == f"correction: case {case_id} withdrawn"


def test_a_pending_report_is_withdrawn_by_a_supervisor_alone(
    client: TestClient, container: Container
) -> None:
    """A pending report is withdrawn by a supervisor alone, never by an official (403)."""
    # approving a withdrawal nobody proposed is a conflict (409), not a silent success
    who = _officials(client, container)
    case = resident(container, 1)
    body = {
        "subject": case,
        "sampled_at": (container.clock.now() - hours(5)).isoformat(),
        "asymptomatic": True,
        "test_reference": "HZ-PCR-9",
        "reason": "positive at the fever clinic",
    }
    case_id = client.post("/api/v1/cases", json=body, headers=who["wang"]).json()["payload"][
        "case_id"
    ]
    official = client.post(
        f"/api/v1/cases/{case_id}/withdraw", json={"reason": "duplicate"}, headers=who["wang"]
    )
    assert official.status_code == 403
    rejected = client.post(
        f"/api/v1/cases/{case_id}/withdraw", json={"reason": "duplicate"}, headers=who["li"]
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["action"], rejected.json()["status"]) == ("confirm_case", "rejected")
    assert client.get(f"/api/v1/cases/{case_id}", headers=who["li"]).json()["state"] == (
        "withdrawn"
    )
    nothing = client.post(f"/api/v1/cases/{case_id}/withdrawal/approve", json={}, headers=who["li"])
    assert nothing.status_code == 409


def test_risk_areas_are_proposed_approved_and_published(
    client: TestClient, container: Container
) -> None:
    """A risk area proposed by one official and approved by another is listed publicly."""
    who = _officials(client, container)
    now = container.clock.now()
    area = {
        "name": "文三路",
        "level": "medium",
        "cells": ["8830e1d8c1fffff"],
        "starts_at": (now - timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=6)).isoformat(),
        "reason": "cluster",
    }
    proposed = client.post("/api/v1/risk-areas", json=area, headers=who["wang"])
    assert proposed.status_code == 201, proposed.text
    assert client.get("/api/v1/risk-areas").json() == []
    approved = client.post(
        f"/api/v1/proposals/{proposed.json()['id']}/approve", json={}, headers=who["li"]
    )
    assert approved.status_code == 200, approved.text
    published = client.get("/api/v1/risk-areas").json()
    assert [(a["name"], a["level"], a["cells"]) for a in published] == [
        ("文三路", "medium", ["8830e1d8c1fffff"])
    ]


def test_serve_runs_a_worker_thread_on_sqlite(settings: Settings) -> None:
    """On SQLite the app runs the background worker in a thread and stops it on shutdown."""
    # on PostgreSQL workers are separate processes (`healthcode worker`) unless asked
    app = create_app(settings)
    with TestClient(app):
        worker = app.state.worker
        assert (worker is not None) is settings.database_is_sqlite
        if worker is not None:
            assert worker.alive
    if worker is not None:
        assert not worker.alive
    forced = create_app(settings.model_copy(update={"in_process_worker": True}))
    with TestClient(forced):
        assert forced.state.worker is not None and forced.state.worker.alive


def test_a_household_contacts_evidence_is_at_home_with_no_place(
    client: TestClient, container: Container
) -> None:
    """A housemate's evidence names no place (null, kind home), never the text "None"."""
    who = officials(container)
    case = resident(container, 1, home=7)
    _, headers = website_citizen(
        client, id_number=resident_id(2), phone="13900000002", address="杭州市西湖区文三路7号"
    )
    now = container.clock.now()
    confirm(container, who["li"], report(container, who["wang"], case, sampled_at=now - hours(5)))
    work(container)
    exposures = client.get("/api/v1/me/exposures", headers=headers).json()
    (exposure,) = [e for e in exposures if e["kind"] == "exposure"]
    assert exposure["rule"] == "household"
    (evidence,) = exposure["contacts"]
    assert (evidence["place_id"], evidence["place_kind"]) == (None, "home")
