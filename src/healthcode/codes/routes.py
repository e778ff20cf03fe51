"""Signed codes: a citizen's own code, the published trust list, and online verification."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Response

from healthcode.api.auth import CurrentSubject, Public
from healthcode.api.deps import ContainerDep, MetricsDep
from healthcode.api.responses import SIGNED
from healthcode.checkpoint.acceptance import acceptance_for
from healthcode.codes.issuing import issue_code
from healthcode.codes.keys import trust_list_document
from healthcode.codes.online import check_code
from healthcode.codes.schemas import CodeOut, TrustListOut, VerifyIn, VerifyOut
from healthcode.container import Container
from healthcode.credentials.qr import qr_version
from healthcode.credentials.verify import Acceptance
from healthcode.federation.trust import federated_trust_store
from healthcode.kernel.facts import Colour
from healthcode.oversight.access import Action
from healthcode.presence.settings import accepted_colours
from healthcode.presence.status_lookups import SignedLookup, lookup_status
from healthcode.presence.venue_kinds import VenueKind
from healthcode.presence.venues import venue_policy

router = APIRouter(tags=["codes"])


SVG = "image/svg+xml"


@router.get(
    "/api/v1/me/code",
    response_model=CodeOut,
    responses={
        200: {"content": {SVG: {"schema": {"type": "string"}}}, "description": "The code"},
        **SIGNED,
    },
)
def my_code(
    subject: CurrentSubject,
    container: ContainerDep,
    metrics: MetricsDep,
    qr: Annotated[
        Literal["svg"] | None,
        Query(description="svg: include the token's QR code as SVG (qr_svg)"),
    ] = None,
    accept: Annotated[str, Header(include_in_schema=False)] = "",
) -> CodeOut | Response:
    """A freshly signed, short-lived code with the caller's colour now and masked name; the
    client draws its QR code. ``?qr=svg`` adds the SVG; ``Accept: image/svg+xml`` (without
    JSON) answers the SVG image alone. A blocking notice (e.g. identity re-check overdue)
    withholds the code with the reason."""
    code = issue_code(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        subject=subject,
        lifetime=container.settings.code_lifetime,
    )
    metrics.codes_issued.labels(code.colour).inc()
    if _wants_svg_only(accept):
        svg = container.qr_svgs.svg(code.token)
        return Response(svg, media_type=SVG, headers={"Cache-Control": "no-store"})
    return CodeOut(
        token=code.token,
        colour=code.colour,
        masked_name=code.masked_name,
        issuer=code.issuer,
        issued_at=code.issued_at,
        expires_at=code.expires_at,
        qr_version=qr_version(code.token),
        qr_svg=container.qr_svgs.svg(code.token) if qr == "svg" else None,
    )


def _wants_svg_only(accept: str) -> bool:
    """Whether the Accept header names the SVG image and not JSON (a browser's or a
    generic client's ``*/*`` gets JSON)."""
    kinds = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return SVG in kinds and not kinds & {"application/json", "application/*", "*/*"}


@router.get(
    "/.well-known/healthcode/trust-list",
    dependencies=[Depends(Public(Action.READ_TRUST_LIST))],
    responses={200: {"model": TrustListOut, "description": "The signed trust list"}, **SIGNED},
)
def trust_list(container: ContainerDep) -> Response:
    """This jurisdiction's signed trust list: its code-signing keys with validity periods,
    the root key id, a sequence number and issue time, signed by the root key."""
    document = trust_list_document(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=container.settings.jurisdiction,
        code_lifetime=container.settings.code_lifetime,
        clock_skew=container.settings.clock_skew,
        list_lifetime=container.settings.trust_list_lifetime,
    )
    return Response(document, media_type="application/json")


@router.post(
    "/api/v1/verify",
    response_model=VerifyOut,
    dependencies=[Depends(Public(Action.VERIFY_CODE))],
    responses=SIGNED,
)
def verify_code(body: VerifyIn, container: ContainerDep, metrics: MetricsDep) -> VerifyOut:
    """Verify a code: the offline decision for anyone (a refused code gets its reason only).
    Codes of this jurisdiction and of its peers are accepted, each checked against its own
    jurisdiction's list (a peer's last good list, under the root pinned for it). With ``kind``
    (a venue kind) the decision is this jurisdiction's active policy's for that kind: its entry
    colours for its own codes, its acceptance rules for a peer's (the message names the rule);
    without it every held jurisdiction's codes pass in ``colours``. A registered
    checkpoint device that signs the request (``device``) also learns, for a valid code of this
    jurisdiction, whether the holder's status changed since issue; each such lookup is in the
    access log. A bad device signature is refused (422 on ``device.*``)."""
    settings = container.settings
    store, issuers = federated_trust_store(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=settings.jurisdiction,
        code_lifetime=settings.code_lifetime,
        clock_skew=settings.clock_skew,
        cache=container.federated_stores,
        list_lifetime=settings.trust_list_lifetime,
    )
    acceptance = (
        Acceptance(issuers, frozenset(Colour(c) for c in body.colours))
        if body.kind is None
        else _venue_acceptance(container, body.kind, issuers)
    )
    if body.device is None:
        check = check_code(
            clock=container.clock, trust_store=store, token=body.token, acceptance=acceptance
        )
    else:
        check = lookup_status(
            uow=container.uow(),
            clock=container.clock,
            trust_store=store,
            acceptance=acceptance,
            jurisdiction=settings.jurisdiction,
            lookup=SignedLookup(
                device=body.device.id,
                at=body.device.at,
                token=body.token,
                signature=body.device.signature,
            ),
        )
    metrics.verifications.labels(check.decision.outcome.value).inc()
    return VerifyOut.of(check)


def _venue_acceptance(container: Container, kind: VenueKind, trusted: frozenset[str]) -> Acceptance:
    """What a checkpoint at a venue of ``kind`` accepts under this jurisdiction's active
    policy: its own codes in the kind's entry colours, each other held jurisdiction's as the
    policy's acceptance rules say, as an offline checkpoint decides."""
    policy = venue_policy(uow=container.uow(), jurisdiction=container.settings.jurisdiction)
    own = accepted_colours(policy, kind)
    return acceptance_for(policy, kind=kind.value, own_colours=own, trusted=trusted)
