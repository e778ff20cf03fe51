"""The policies API on both databases: the policy in force, its published rules, a check naming
every wrong field, the impact by colour, activation proposed and approved by four eyes, and who
may do these."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.status.declarations import declare_health
from identity_helpers import add_test_official, official_headers
from policy_helpers import bundled_source, fever_free_hangzhou, with_bad_tracing
from presence_helpers import person


def _headers(client: TestClient, container: Container, name: str, role: str) -> dict[str, str]:
    kit = add_test_official(container, name, role)
    return official_headers(client, kit, container.clock.now())


def test_the_policy_in_force_is_the_bundled_one_until_one_is_activated(
    container: Container, client: TestClient
) -> None:
    """Before any activation the bundled policy answers with no activation record."""
    wang = _headers(client, container, "wang", "official")
    answer = client.get("/api/v1/policies", headers=wang)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["jurisdiction"] == "330100"
    assert body["activated"] is None and body["history"] == []
    assert "fever" in body["rules"]


def test_the_rules_in_force_are_published_in_their_words_to_anyone(
    container: Container, client: TestClient
) -> None:
    """With no login, each rule of the policy in force reads as its file words it."""
    answer = client.get("/api/v1/policies/rules")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["jurisdiction"], body["version"]) == ("330100", "2020.2")
    rules = {r["id"]: r for r in body["rules"]}
    assert rules["close-contact"] == {
        "id": "close-contact",
        "fact": "exposure",
        "colour": "red",
        "text": {"zh": "密切接触者，集中隔离14天", "en": "Close contact - 14 days of quarantine"},
        "clears_when": {
            "zh": "连续14天健康打卡正常后转绿",
            "en": "Green after 14 consecutive days of normal daily check-ins",
        },
    }
    assert all(set(r["text"]) == {"zh", "en"} for r in body["rules"])
    [notice] = body["notices"]
    assert (notice["id"], notice["blocks_code"]) == ("identity-recheck", True)


def test_the_published_rules_follow_an_activation(container: Container, client: TestClient) -> None:
    """Once a version without the fever rule is in force, the published rules lose it."""
    assert "fever" in {r["id"] for r in client.get("/api/v1/policies/rules").json()["rules"]}
    wang = _headers(client, container, "wang", "official")
    li = _headers(client, container, "li", "supervisor")
    proposed = client.post(
        "/api/v1/policies/activate",
        json={"source": fever_free_hangzhou(version="2026.6"), "reason": "fever rule retired"},
        headers=wang,
    )
    client.post(f"/api/v1/proposals/{proposed.json()['id']}/approve", json={}, headers=li)
    body = client.get("/api/v1/policies/rules").json()
    assert body["version"] == "2026.6"
    assert "fever" not in {r["id"] for r in body["rules"]}


def test_a_check_names_the_wrong_field_and_a_good_policy_passes(
    container: Container, client: TestClient
) -> None:
    """A negative tracing overlap is refused by its key; the bundled policy is fine."""
    wang = _headers(client, container, "wang", "official")
    bad = with_bad_tracing(bundled_source("330100", version="2026.1"))
    refused = client.post("/api/v1/policies/check", json={"source": bad}, headers=wang)
    assert refused.status_code == 422
    assert "tracing.venue.min_overlap_minutes" in {e["field"] for e in refused.json()["errors"]}
    good = client.post(
        "/api/v1/policies/check", json={"source": bundled_source("330100")}, headers=wang
    )
    assert good.status_code == 200, good.text
    assert good.json()["jurisdiction"] == "330100"
    assert good.json()["sha256"] == hashlib.sha256(bundled_source("330100").encode()).hexdigest()


def test_the_impact_counts_who_would_change_colour_by_colour(
    container: Container, client: TestClient
) -> None:
    """Without the fever rule the feverish person would turn green; nothing is applied."""
    feverish = person(container, 1)
    person(container, 2)
    declare_health(uow=container.uow(), clock=container.clock, subject=feverish, temperature=38.4)
    wang = _headers(client, container, "wang", "official")
    answer = client.post(
        "/api/v1/policies/impact", json={"source": fever_free_hangzhou()}, headers=wang
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["people"], body["changed"], body["changed_to"]) == (2, 1, {"green": 1})
    assert {"before": "yellow", "after": "green", "people": 1} in body["moves"]
    assert client.get("/api/v1/policies", headers=wang).json()["activated"] is None


def test_activation_is_proposed_and_a_supervisor_approves_it(
    container: Container, client: TestClient
) -> None:
    """The proposal waits; a supervisor's approval makes the version the one in force."""
    wang = _headers(client, container, "wang", "official")
    li = _headers(client, container, "li", "supervisor")
    proposed = client.post(
        "/api/v1/policies/activate",
        json={"source": fever_free_hangzhou(version="2026.5"), "reason": "fever rule retired"},
        headers=wang,
    )
    assert proposed.status_code == 201, proposed.text
    assert proposed.json()["status"] == "pending"
    # the approver is shown the simulator's runs of this exact text by its digest
    source = fever_free_hangzhou(version="2026.5")
    assert proposed.json()["payload"]["sha256"] == hashlib.sha256(source.encode()).hexdigest()
    proposal_id = proposed.json()["id"]
    approved = client.post(f"/api/v1/proposals/{proposal_id}/approve", json={}, headers=li)
    assert approved.status_code == 200, approved.text
    body = client.get("/api/v1/policies", headers=wang).json()
    assert body["version"] == "2026.5"
    assert body["activated"]["activated_by"] == "wang"
    assert body["activated"]["approved_by"] == "li"


def test_auditors_and_admins_may_not_use_the_policies_api(
    container: Container, client: TestClient
) -> None:
    """Only officials who may propose a policy read, check or measure one."""
    source = {"source": bundled_source("330100")}
    for name, role in (("he", "auditor"), ("root", "admin")):
        headers = _headers(client, container, name, role)
        assert client.get("/api/v1/policies", headers=headers).status_code == 403
        assert (
            client.post("/api/v1/policies/check", json=source, headers=headers).status_code == 403
        )
        assert (
            client.post("/api/v1/policies/impact", json=source, headers=headers).status_code == 403
        )
    assert client.get("/api/v1/policies").status_code == 401
