"""The checkpoint scanner (``/checkpoint``): a guard's, driver's or shop's phone as a checkpoint
device. The page is the same HTML for everyone; its scripts make the device's Ed25519 key in
the browser, verify codes offline against the cached trust list and the root pinned at
enrolment, and upload the signed scans through the API (``POST /api/v1/scans/batches``).

``/checkpoint/enrolment/{device}`` tells a browser whose public key an official registered
(``healthcode device add --public-key``) what it needs to check codes: its venue, the colours
that pass there and the jurisdiction's root public key, which the page pins from then on, and
the acceptance rules of the jurisdiction's active policy for other cities' codes at that kind
of venue.
None of it is personal: a venue's rule is printed on its poster, a root key is public."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep
from healthcode.checkpoint.acceptance import foreign_rules, max_trust_list_age
from healthcode.checkpoint.batches import b64
from healthcode.codes.keys import NoSigningKey, root_key
from healthcode.oversight.access import Action
from healthcode.policy.model import Policy
from healthcode.presence.venues import entry_rule, get_venue, venue_policy
from healthcode.web.pages import HEADERS, STATIC, page_language, render
from healthcode.web.texts import texts

router = APIRouter(
    prefix="/checkpoint",
    include_in_schema=False,
    dependencies=[Depends(Public(Action.READ_WEB_PAGE))],
)
_DEVICE_ID = re.compile(r"[0-9a-f]{16}")
_COLOURS = ("green", "yellow", "red")
_NO_STORE = {**HEADERS, "Cache-Control": "no-store"}


@router.get("", response_class=HTMLResponse)
def scanner_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """The scanner: camera and manual entry, the full-screen answer, the device and its queue."""
    settings = container.settings
    return render(
        request,
        "checkpoint/scanner.html",
        lang=page_language(request, settings.language),
        jurisdiction=settings.jurisdiction,
    )


@router.get("/sw.js", response_class=FileResponse)
async def service_worker() -> FileResponse:
    """The scanner's service worker, allowed the scope ``/checkpoint`` (it opens offline)."""
    return FileResponse(
        STATIC / "js" / "scanner" / "sw.js",
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/checkpoint", "Cache-Control": "no-cache"},
    )


@router.get("/manifest.webmanifest")
def manifest(request: Request, container: ContainerDep) -> JSONResponse:
    """The web app manifest: the scanner installs as an app opening at ``/checkpoint``."""
    words = texts(page_language(request, container.settings.language))
    body = {
        "name": words["scanner_app_name"],
        "short_name": words["scanner_short_name"],
        "start_url": "/checkpoint",
        "scope": "/checkpoint",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#1d4ed8",
        "icons": [{"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"}],
    }
    return JSONResponse(body, media_type="application/manifest+json", headers=HEADERS)


@router.get("/enrolment/{device_id}")
def enrolment(device_id: str, container: ContainerDep) -> JSONResponse:
    """What a registered device checks codes with: its venue, the colours that pass there,
    the jurisdiction and its root public key, the acceptance rules for other jurisdictions'
    codes there (``registered: false`` until an official registered the key)."""
    if not _DEVICE_ID.fullmatch(device_id):
        return _problem(404, "device", "must be a registered device's id (16 hex digits)")
    uow = container.uow()
    with uow:
        device = uow.venues.device(device_id)
    if device is None:  # asked before an official registered the key: not an error
        return JSONResponse({"device": device_id, "registered": False}, headers=_NO_STORE)
    venue = get_venue(uow=container.uow(), venue_id=device.venue_id)
    colours = entry_rule(uow=container.uow(), jurisdiction=venue.jurisdiction, kind=venue.kind)
    codes_uow = container.uow()
    try:
        with codes_uow:
            root = root_key(codes_uow, jurisdiction=venue.jurisdiction, now=container.clock.now())
    except NoSigningKey:
        return _problem(409, "root", "no root key yet: run healthcode keys init")
    body: dict[str, Any] = {
        "device": device.id,
        "registered": True,
        "active": device.active,
        "venue": venue.id,
        "venue_name": {"zh": venue.name_zh, "en": venue.name_en},
        "kind": venue.kind.value,
        "jurisdiction": venue.jurisdiction,
        "colours": [c for c in _COLOURS if c in {x.value for x in colours}],
        "root_public_key": b64(root.public_key),
        "acceptance": acceptance_answer(
            venue_policy(uow=container.uow(), jurisdiction=venue.jurisdiction), venue.kind.value
        ),
    }
    return JSONResponse(body, headers=_NO_STORE)


def acceptance_answer(policy: Policy, kind: str) -> dict[str, Any]:
    """What the scanner decides other jurisdictions' codes by at a venue of ``kind`` (as
    ``checkpoint.acceptance.acceptance_for`` does): the policy's rules that name the kind, in
    order (``issuers`` null: any), or ``foreign`` null when the policy has no rules (every held
    jurisdiction's codes then take the venue's own colours); and the age past which a held
    trust list is stale."""
    rules = foreign_rules(policy)
    return {
        "policy": policy.jurisdiction,
        "kind": kind,
        "max_trust_list_age_seconds": int(max_trust_list_age(policy).total_seconds()),
        "foreign": None
        if rules is None
        else [
            {
                "id": rule.id,
                "issuers": None if rule.issuers is None else sorted(rule.issuers),
                "colours": [c for c in _COLOURS if c in {x.value for x in rule.colours}],
            }
            for rule in rules
            if rule.kinds is None or kind in rule.kinds
        ],
    }


def _problem(status: int, field: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"field": field, "message": message}]}, status_code=status, headers=_NO_STORE
    )
