"""The fuzzing stage's scene: a small city with one actor of every kind holding real
credentials, and the ids of real things for path parameters (docs/fuzzing.md)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from factories import registration, resident_id
from healthcode.codes.issuing import issue_code
from healthcode.container import Container
from healthcode.identity.channels import issue_channel_token
from healthcode.identity.model import AuthSession
from healthcode.identity.officials import log_in_official
from healthcode.identity.passwords import token_hash
from healthcode.identity.website import log_in_citizen
from healthcode.oversight.access import PUBLIC_ACTIONS, Action, Principal, Role, is_allowed
from healthcode.oversight.proposals import approve, list_proposals, propose
from healthcode.presence.employers import list_staff_member
from identity_helpers import (
    PASSWORD,
    ChannelKit,
    OfficialKit,
    add_test_channel,
    add_test_official,
    bearer,
    principal,
    register_via_channel,
    totp_code,
)
from presence_helpers import FAR_AWAY, DeviceKit, check_in_at, city, device, person
from sign_up_helpers import confirm_identity_through, website_sign_up
from tracing_helpers import report

DEVICE_ACTIONS = frozenset({Action.UPLOAD_SCANS, Action.CHECK_STAFF, Action.VERIFY_CODE})


@dataclass
class Actor:
    """Someone calling the API: how their requests are authenticated, and how to get a new
    session when the fuzzer logged them out."""

    name: str
    role: Role | None  # None: anonymous or a checkpoint device (no bearer token)
    headers: Callable[[], dict[str, str]]
    renew: Callable[[], None] = lambda: None

    def may(self, action: Action) -> bool:
        """Whether the access table lets this actor do ``action`` (a device: only its own)."""
        if self.name == "device":
            return action in DEVICE_ACTIONS
        if action in PUBLIC_ACTIONS:
            return self.role is None
        return self.role is not None and is_allowed(self.role, action)


@dataclass
class Scene:
    """What the fuzzer acts on: actors by name, real ids by path parameter, the device."""

    container: Container
    actors: dict[str, Actor] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)
    device: DeviceKit | None = None
    channel: ChannelKit | None = None
    gatekeeper: OfficialKit | None = None  # an official whose logins the fuzzer tries


class _Session:
    """A bearer token that can be replaced after a logout ended it."""

    def __init__(self, container: Container, kind: str, principal_id: str, token: str) -> None:
        self.container, self.kind, self.principal_id, self.token = (
            container,
            kind,
            principal_id,
            token,
        )

    def renew(self) -> None:
        # the login use cases accept each TOTP code once, and the fixed clock never moves on:
        # a new session is stored as the login stores it
        self.token = secrets.token_urlsafe(32)
        now = self.container.clock.now()
        with self.container.uow() as uow:
            uow.sessions.add(
                AuthSession(
                    token_hash=token_hash(self.token),
                    kind=self.kind,
                    principal_id=self.principal_id,
                    created_at=now,
                    expires_at=now + timedelta(hours=8),
                )
            )
            uow.commit()


def build_scene(container: Container) -> Scene:
    """Keys, an organisation with venues and a device, a website citizen who is its staff, a
    channel with a registered user, an official of every role, a reported case, a flagged
    check-in."""
    scene = Scene(container)
    town = city(container)
    scene.device = device(container, town.restaurant)
    scene.actors["anonymous"] = Actor("anonymous", None, dict)
    scene.actors["device"] = Actor("device", None, dict)
    subject = _website_citizen(scene)
    _channel(scene)
    # confirmed through the channel, so the website citizen's code is issued
    assert scene.channel is not None
    confirm_identity_through(
        container, scene.channel, user_id="u-website", phone="13900000001", id_number=resident_id(7)
    )
    _officials(scene)
    list_staff_member(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        organisation_id=town.organisation,
        subject=subject,
    )
    other = person(container, 31)
    flagged = check_in_at(container, other, town.restaurant.place_code, FAR_AWAY)
    reporter = principal(container, "official-1")
    case_id = report(
        container, reporter, other, sampled_at=container.clock.now() - timedelta(hours=6)
    )
    area = _risk_area(container, reporter, principal(container, "supervisor-1"))
    pending = [
        p.id for p in list_proposals(uow=container.uow(), clock=container.clock, principal=reporter)
    ]
    code = issue_code(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        subject=subject,
        lifetime=container.settings.code_lifetime,
    )
    scene.ids = {
        "subject": [subject, other],
        "place_code": [town.restaurant.place_code, town.bus.place_code],
        "code": [code.token],
        "organisation_id": [town.organisation],
        "venue_id": [town.restaurant.id, town.hospital.id, town.bus.id],
        "checkin_id": [flagged.checkin.id],
        "case_id": [case_id],
        "proposal_id": pending,
        "area_id": [area],
    }
    return scene


def _risk_area(container: Container, proposer: Principal, approver: Principal) -> str:
    """A risk area in force for a week (a fuzzed end of it may then reach the use case)."""
    now = container.clock.now()
    payload = {
        "name": "fuzz area",
        "level": "medium",
        "cells": ["8830e1d8c1fffff"],
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=7)).isoformat(),
    }
    kinds = container.proposal_kinds
    proposal = propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=kinds,
        principal=proposer,
        action="declare_risk_area",
        payload=payload,
        reason="fuzz scene",
    )
    decided = approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=kinds,
        principal=approver,
        proposal_id=proposal.id,
    )
    assert decided.result is not None
    return str(decided.result["risk_area"])


def _website_citizen(scene: Scene) -> str:
    container = scene.container
    reg = registration(id_number=resident_id(7), phone="13900000001")
    subject = website_sign_up(container, id_number=reg["id_number"], phone=reg["phone"])
    issued = log_in_citizen(
        uow=container.uow(), clock=container.clock, phone=reg["phone"], password=PASSWORD
    )
    session = _Session(container, "citizen", subject, issued.token)
    scene.actors["citizen (website)"] = Actor(
        "citizen (website)", Role.CITIZEN, lambda: bearer(session.token), session.renew
    )
    return subject


def _channel(scene: Scene) -> None:
    container = scene.container
    kit = add_test_channel(container, "alipay")
    scene.channel = kit
    register_via_channel(container, kit, user_id="u-1")
    token: dict[str, str] = {}

    def renew() -> None:
        token["value"] = issue_channel_token(
            uow=container.uow(),
            clock=container.clock,
            client_id=kit.id,
            client_secret=kit.client_secret,
        ).access_token

    def as_user() -> dict[str, str]:
        assertion = kit.assertion(user_id="u-1", now=container.clock.now())
        return {**bearer(token["value"]), "X-Identity-Assertion": assertion}

    renew()
    scene.actors["channel"] = Actor("channel", Role.CHANNEL, lambda: bearer(token["value"]), renew)
    scene.actors["citizen (channel)"] = Actor("citizen (channel)", Role.CITIZEN, as_user, renew)


def _officials(scene: Scene) -> None:
    container = scene.container
    scene.gatekeeper = add_test_official(container, "gatekeeper", Role.OFFICIAL.value)
    for role in (Role.OFFICIAL, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN):
        kit = add_test_official(container, f"{role.value}-1", role.value)
        issued = log_in_official(
            uow=container.uow(),
            clock=container.clock,
            username=kit.username,
            password=PASSWORD,
            totp_code=totp_code(kit.secret, container.clock.now()),
        )
        session = _Session(container, "official", issued.principal.id, issued.token)
        scene.actors[role.value] = Actor(
            role.value,
            role,
            lambda s=session: bearer(s.token),  # type: ignore[misc]
            session.renew,
        )


def fresh_assertion(scene: Scene) -> Any:
    """A valid assertion of the scene's channel for a user it has not registered yet."""
    assert scene.channel is not None
    return scene.channel.assertion(
        user_id=f"fuzz-{secrets.token_hex(4)}", now=scene.container.clock.now()
    )
