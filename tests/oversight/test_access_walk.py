"""Every route and command that shows someone a person's data writes an access record: the
walk calls each one in a seeded scene and counts the person's records before and after. A
route or command that reads no one's data is listed below with the reason; one in neither
list (a new one) fails the walk until it is put in one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import pytest
from fastapi.testclient import TestClient

from access_walk_helpers import (
    ADMIN,
    AUDIT,
    BREAK_GLASS,
    DEVICE_WRITE,
    LOGIN,
    OWN,
    PLACES,
    PUBLIC,
    WEB_PAGE,
    Response,
    Walk,
    operations,
    walk_scene,
)
from api_helpers import api_routes
from arrivals_helpers import walk_arrival_status
from healthcode.app import create_app
from healthcode.container import Container
from scope_helpers import access_records

Call = Callable[[Walk], tuple[Response, str]]
TRANSPARENCY = "the public transparency report: counts and durations, no one named"
RULES = "the published rules of the policy in force: what each means, no one named"
DASHBOARD = (
    "the console's dashboard and map, for officials: counts of the jurisdiction per day and "
    "per H3 cell (a cell counting fewer than 3 people is left out), no one named"
)
PEERS = "peer jurisdictions, their root keys and trust lists: no one's data"
VISITORS = (
    "a visitor of another city, known by issuer and opaque subject: the read is in the access "
    "log under that subject, walked in tests/federation/test_arrivals_api.py (two cities)"
)


def _appeal_queue(w: Walk) -> tuple[Response, str]:
    w.appealed()
    return w.get("wang", "/api/v1/appeals"), w.mine.subject


def _case_contacts(w: Walk) -> tuple[Response, str]:
    contact = w.traced_contact()
    return w.get("wang", f"/api/v1/cases/{w.mine.case_id}/contacts"), contact


API_READS: Final[dict[tuple[str, str], Call]] = {
    ("GET", "/api/v1/people/{subject}"): lambda w: (
        w.get("wang", f"/api/v1/people/{w.mine.subject}"),
        w.mine.subject,
    ),
    ("GET", "/api/v1/proposals"): lambda w: (w.get("wang", "/api/v1/proposals"), w.mine.subject),
    ("GET", "/api/v1/proposals/{proposal_id}"): lambda w: (
        w.get("wang", f"/api/v1/proposals/{w.mine.proposal_id}"),
        w.mine.subject,
    ),
    ("POST", "/api/v1/proposals"): lambda w: (
        w.post(
            "wang",
            "/api/v1/proposals",
            {
                "action": "override_colour",
                "payload": {
                    "subject": w.mine.subject,
                    "colour": "yellow",
                    "reason_category": "symptoms_seen_by_clinic",
                    "expires_at": "2026-03-02T01:00:00+00:00",
                },
                "reason": "fever reported by the clinic",
            },
        ),
        w.mine.subject,
    ),
    ("POST", "/api/v1/proposals/{proposal_id}/approve"): lambda w: (
        w.post("li", f"/api/v1/proposals/{w.mine.proposal_id}/approve", {"note": "checked"}),
        w.mine.subject,
    ),
    ("POST", "/api/v1/proposals/{proposal_id}/reject"): lambda w: (
        w.post("li", f"/api/v1/proposals/{w.mine.proposal_id}/reject", {"note": "no result"}),
        w.mine.subject,
    ),
    ("GET", "/api/v1/audit/access-log/{subject}"): lambda w: (
        w.get("audit", f"/api/v1/audit/access-log/{w.mine.subject}"),
        w.mine.subject,
    ),
    ("GET", "/api/v1/checkins/flagged"): lambda w: (
        w.get("wang", "/api/v1/checkins/flagged"),
        w.mine.subject,
    ),
    ("POST", "/api/v1/checkins/{checkin_id}/confirm"): lambda w: (
        w.post("wang", f"/api/v1/checkins/{w.mine.checkin_id}/confirm"),
        w.mine.subject,
    ),
    ("POST", "/api/v1/checkins/{checkin_id}/reject"): lambda w: (
        w.post("wang", f"/api/v1/checkins/{w.mine.checkin_id}/reject"),
        w.mine.subject,
    ),
    ("POST", "/api/v1/cases"): lambda w: (
        w.post(
            "wang",
            "/api/v1/cases",
            {
                "subject": w.bystander,
                "sampled_at": w.sampled,
                "asymptomatic": True,
                "test_reference": "HZ-PCR-0002",
            },
        ),
        w.bystander,
    ),
    ("GET", "/api/v1/cases"): lambda w: (w.get("wang", "/api/v1/cases"), w.mine.subject),
    ("GET", "/api/v1/cases/{case_id}"): lambda w: (
        w.get("wang", f"/api/v1/cases/{w.mine.case_id}"),
        w.mine.subject,
    ),
    ("GET", "/api/v1/cases/{case_id}/preview"): lambda w: (
        w.get("wang", f"/api/v1/cases/{w.mine.case_id}/preview"),
        w.mine.subject,
    ),
    ("POST", "/api/v1/cases/{case_id}/confirm"): lambda w: (
        w.post("li", f"/api/v1/cases/{w.reported_case()}/confirm", {}),
        w.bystander,
    ),
    ("POST", "/api/v1/cases/{case_id}/corrections"): lambda w: (
        w.post(
            "wang",
            f"/api/v1/cases/{w.mine.case_id}/corrections",
            {"test_reference": "HZ-PCR-0003", "reason": "the lab's number was mistyped"},
        ),
        w.mine.subject,
    ),
    ("POST", "/api/v1/cases/{case_id}/withdraw"): lambda w: (
        w.post("wang", f"/api/v1/cases/{w.mine.case_id}/withdraw", {"reason": "false positive"}),
        w.mine.subject,
    ),
    ("POST", "/api/v1/cases/{case_id}/withdrawal/approve"): lambda w: (
        w.post("li", f"/api/v1/cases/{w.withdrawal_proposed()}/withdrawal/approve", {}),
        w.mine.subject,
    ),
    ("GET", "/api/v1/cases/{case_id}/contacts"): _case_contacts,
    ("POST", "/api/v1/cases/{case_id}/contacts/{subject}/phone"): lambda w: (
        w.post(
            "wang",
            f"/api/v1/cases/{w.mine.case_id}/contacts/{w.traced_contact()}/phone",
            {"purpose": "call to arrange a PCR test"},
        ),
        w.bystander,
    ),
    ("GET", "/api/v1/quarantines"): lambda w: (
        w.get("wang", "/api/v1/quarantines"),
        w.mine.subject,
    ),
    ("POST", "/api/v1/quarantines/release"): lambda w: (
        w.post(
            "wang",
            "/api/v1/quarantines/release",
            {"subject": w.mine.subject, "reason": "negative tests on days 1 and 3"},
        ),
        w.mine.subject,
    ),
    ("GET", "/api/v1/appeals"): _appeal_queue,
    ("GET", "/api/v1/appeals/{appeal_id}"): lambda w: (
        w.get("wang", f"/api/v1/appeals/{w.appealed()}"),
        w.mine.subject,
    ),
    ("POST", "/api/v1/appeals/{appeal_id}/uphold"): lambda w: (
        w.post("wang", f"/api/v1/appeals/{w.appealed()}/uphold", {"reason": "the case stands"}),
        w.mine.subject,
    ),
    ("POST", "/api/v1/verify"): lambda w: (
        w.device_post("/api/v1/verify", w.lookup()),
        w.bystander,
    ),
    ("POST", "/api/v1/staff-checks"): lambda w: (
        w.device_post("/api/v1/staff-checks", w.staff_check()),
        w.bystander,
    ),
    ("POST", "/api/v1/federation/arrival-status"): walk_arrival_status,
}

API_NOT_PERSONAL: Final[dict[tuple[str, str], str]] = {
    (
        "POST",
        "/api/v1/registrations",
    ): "a channel registers its own user: the answer is what it sent",
    ("GET", "/api/v1/me"): OWN,
    ("GET", "/healthz"): "the process is up: no one's data",
    ("GET", "/readyz"): "the database answers: no one's data",
    ("GET", "/metrics"): "counts and latencies by route, colour and job kind: no one's data",
    ("GET", "/api/v1/me/access-log"): OWN,
    ("POST", "/api/v1/website/sign-up"): "a person signs up: the answer is the same for everyone",
    ("POST", "/api/v1/website/sign-up/start"): "a code is sent: the same answer for everyone",
    (
        "POST",
        "/api/v1/identity-confirmations",
    ): "a channel confirms its own face-checked user: the answer is what it sent",
    ("POST", "/api/v1/website/login"): LOGIN,
    ("POST", "/api/v1/website/login/channel"): LOGIN,
    ("POST", "/api/v1/officials/login"): LOGIN,
    ("POST", "/api/v1/sessions/logout"): LOGIN,
    ("POST", "/api/v1/oauth/token"): LOGIN,
    ("POST", "/api/v1/officials"): ADMIN,
    ("GET", "/api/v1/officials"): ADMIN,
    ("GET", "/api/v1/officials/proposals"): ADMIN,
    ("GET", "/api/v1/sunset"): "the instance's state and final report: counts, no one named",
    ("GET", "/api/v1/simulations"): "the simulator's reports: a synthetic city, no one's data",
    ("GET", "/api/v1/simulations/{name}"): "a simulator's report: synthetic measures and plots",
    ("GET", "/api/v1/simulations/measured/{sha256}"): (
        "the simulator's runs of one policy text: synthetic measures, no one's data"
    ),
    ("POST", "/api/v1/peers"): PEERS,
    ("GET", "/api/v1/peers"): PEERS,
    ("GET", "/api/v1/peers/proposals"): PEERS,
    ("POST", "/api/v1/peers/{jurisdiction}/remove"): PEERS,
    ("POST", "/api/v1/peers/sync"): PEERS,
    ("POST", "/api/v1/peers/{jurisdiction}/sync"): PEERS,
    ("GET", "/.well-known/healthcode/trust-bundle"): PUBLIC,
    (
        "POST",
        "/api/v1/federation/exposures",
    ): "a peer city writes an exposure of a resident, signed by its root; the answer is the "
    "message id and whether it was new: no one's data read (the write is in the access log)",
    (
        "POST",
        "/api/v1/visitors/checkins",
    ): "a visitor checks in on their own home code: the answer is pass or stop, the venue and "
    "the colour the code carries, nothing the caller did not send (the write is a presence)",
    ("POST", "/api/v1/me/arrival-consent"): OWN,
    ("POST", "/api/v1/arrivals"): VISITORS,
    ("GET", "/api/v1/arrivals/{jurisdiction}/{subject}"): VISITORS,
    ("POST", "/api/v1/sunset"): "a four-eyes proposal to end the emergency: no person",
    ("POST", "/api/v1/sunset/reactivation"): "a four-eyes proposal to collect again: no person",
    (
        "POST",
        "/api/v1/sunset/{proposal_id}/approve",
    ): "approves a sunset or a reactivation only: about the instance, no person",
    ("POST", "/api/v1/channels"): ADMIN,
    ("GET", "/api/v1/channels"): ADMIN,
    ("GET", "/api/v1/audit/break-glass"): BREAK_GLASS,
    ("POST", "/api/v1/channels/{client_id}/rotate-secrets"): ADMIN,
    ("GET", "/api/v1/me/status"): OWN,
    ("GET", "/api/v1/me/status/history"): OWN,
    ("POST", "/api/v1/me/declarations/health"): OWN,
    ("POST", "/api/v1/me/declarations/travel"): OWN,
    ("GET", "/api/v1/me/declarations"): OWN,
    ("GET", "/api/v1/me/code"): OWN,
    ("GET", "/.well-known/healthcode/trust-list"): PUBLIC,
    ("GET", "/api/v1/audit/verify"): AUDIT,
    ("GET", "/api/v1/audit/anchor"): AUDIT,
    ("POST", "/api/v1/me/checkins"): OWN,
    ("GET", "/api/v1/me/checkins"): OWN,
    ("POST", "/api/v1/me/rides"): OWN,
    ("POST", "/api/v1/me/locations"): OWN,
    ("POST", "/api/v1/locations/batches"): DEVICE_WRITE,
    ("GET", "/api/v1/me/itinerary"): OWN,
    ("GET", "/api/v1/me/presences"): OWN,
    ("GET", "/api/v1/me/employers"): OWN,
    ("POST", "/api/v1/me/employers/{organisation_id}"): OWN,
    ("DELETE", "/api/v1/me/employers/{organisation_id}"): OWN,
    ("POST", "/api/v1/organisations"): PLACES,
    ("GET", "/api/v1/organisations"): PLACES,
    ("POST", "/api/v1/organisations/{organisation_id}/staff"): (
        "an organisation lists someone as staff: the answer is that listing (pending until "
        "the person consents), nothing of the person"
    ),
    ("POST", "/api/v1/venues"): PLACES,
    ("GET", "/api/v1/venues"): PLACES,
    ("GET", "/api/v1/venues/{venue_id}/poster.svg"): PLACES,
    ("GET", "/api/v1/venues/{venue_id}/poster.pdf"): PLACES,
    ("POST", "/api/v1/venues/{venue_id}/devices"): PLACES,
    ("POST", "/api/v1/devices/{device_id}/revoke"): PLACES,
    ("POST", "/api/v1/scans/batches"): DEVICE_WRITE,
    ("POST", "/api/v1/risk-areas"): PLACES,
    ("GET", "/api/v1/risk-areas"): PLACES,
    ("POST", "/api/v1/risk-areas/{area_id}/end"): PLACES,
    ("GET", "/api/v1/me/exposures"): OWN,
    ("POST", "/api/v1/me/appeals"): OWN,
    ("GET", "/api/v1/me/appeals"): OWN,
    ("GET", "/api/v1/me/export"): OWN,
    ("GET", "/api/v1/transparency"): TRANSPARENCY,
    ("GET", "/transparency"): TRANSPARENCY,
    ("GET", "/api/v1/policies/rules"): RULES,
    ("GET", "/rules"): RULES,
    ("GET", "/visit"): (
        "a visitor's check-in page: the same HTML for everyone; the code it sends is read by "
        "POST /api/v1/visitors/checkins"
    ),
    ("POST", "/api/v1/me/close"): OWN,
    ("GET", "/"): (
        "the start page: the city, the policy version and the trust list's sequence, no one's data"
    ),
    ("GET", "/docs"): "the API documentation: no one's data",
    ("GET", "/docs/oauth2-redirect"): "where the API documentation's OAuth2 flow returns",
    ("GET", "/citizen"): WEB_PAGE,
    ("GET", "/citizen/login"): WEB_PAGE,
    ("GET", "/citizen/sign-up"): WEB_PAGE,
    ("GET", "/citizen/declare"): WEB_PAGE,
    ("GET", "/citizen/history"): WEB_PAGE,
    ("GET", "/citizen/exposures"): WEB_PAGE,
    ("GET", "/citizen/access-log"): WEB_PAGE,
    ("GET", "/citizen/appeals"): WEB_PAGE,
    ("GET", "/citizen/my-data"): WEB_PAGE,
    ("GET", "/citizen/check-in"): WEB_PAGE,
    ("GET", "/citizen/from-channel"): WEB_PAGE,
    ("GET", "/console"): WEB_PAGE,
    ("GET", "/console/login"): WEB_PAGE,
    ("GET", "/console/cases"): WEB_PAGE,
    ("GET", "/console/cases/{case_id}"): WEB_PAGE,
    ("GET", "/console/inbox"): WEB_PAGE,
    ("GET", "/console/appeals"): WEB_PAGE,
    ("GET", "/citizen/sw.js"): "the pages' service worker script: the same file for everyone",
    ("GET", "/api/v1/dashboard"): DASHBOARD,
    ("GET", "/api/v1/dashboard/map"): DASHBOARD,
    ("GET", "/console/map"): WEB_PAGE,
    ("GET", "/checkpoint"): WEB_PAGE,
    ("GET", "/checkpoint/sw.js"): "the scanner's service worker script: the same for everyone",
    ("GET", "/checkpoint/manifest.webmanifest"): "the scanner's app manifest: the same for all",
    ("GET", "/checkpoint/enrolment/{device_id}"): (
        "a registered device's venue, the colours that pass there and the public root key: "
        "what the venue's poster and the trust list publish, no one's personal data"
    ),
    # the policies API (officials who may propose one): rules and counts, no one named
    ("GET", "/api/v1/policies"): "the policy in force and its history: rules, no person",
    ("POST", "/api/v1/policies/check"): "checks the policy text sent: the answer is about it",
    ("POST", "/api/v1/policies/impact"): "how many would change colour: counts, no one named",
    ("POST", "/api/v1/policies/activate"): "a four-eyes proposal of a policy: no person",
    # the console's frame and its administrative pages (web/routes/console*.py)
    ("GET", "/console/areas"): WEB_PAGE,
    ("GET", "/console/quarantines"): WEB_PAGE,
    ("GET", "/console/flagged"): WEB_PAGE,
    ("GET", "/console/policies"): WEB_PAGE,
    ("GET", "/console/access-log"): WEB_PAGE,
    ("GET", "/console/peers"): WEB_PAGE,
    ("GET", "/console/simulations"): WEB_PAGE,
}


def test_every_route_is_walked_or_listed_with_a_reason() -> None:
    """Each operation of the app reads a person's data (and is walked) or is listed as not."""
    found = set(operations(list(api_routes(create_app().routes))))
    assert not set(API_READS) & set(API_NOT_PERSONAL)
    assert found - set(API_READS) - set(API_NOT_PERSONAL) == set(), "route in neither list"
    assert (set(API_READS) | set(API_NOT_PERSONAL)) - found == set(), "listed route is gone"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("operation", sorted(API_READS), ids=" ".join)
def test_route_reading_a_person_writes_an_access_record(
    container: Container, client: TestClient, operation: tuple[str, str]
) -> None:
    """The route, called by an official or a signed device, adds a record of the person shown."""
    scene = walk_scene(container, client)
    before = {s: access_records(container, s) for s in (scene.mine.subject, scene.bystander)}
    answer, subject = API_READS[operation](scene)
    assert answer.status_code < 300, answer.text
    assert access_records(container, subject) > before[subject], operation
