"""The scene the access-log walk calls every route and command in: the two districts of
``scope_helpers`` plus a green bystander who is consenting staff of the venues' organisation
and holds a code, a checkpoint device, and officials logged in over HTTP once each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from typer.main import get_command

from factories import register, resident_id
from healthcode.appeals.filing import file_appeal
from healthcode.appeals.model import AppealFiling
from healthcode.checkpoint.lookups import sign_lookup
from healthcode.cli.main import app as cli_app
from healthcode.codes.issuing import issue_code
from healthcode.container import Container
from healthcode.identity.registration import register_person
from healthcode.oversight.access import Principal, Role
from healthcode.presence.employers import answer_listing, list_staff_member, sign_staff_check
from healthcode.tracing import cases
from healthcode.tracing.model.cases import CaseReport
from healthcode.tracing.model.derived import DerivedFact
from identity_helpers import official_headers
from presence_helpers import DeviceKit, device
from scope_helpers import Holdings, TwoDistricts, two_districts
from tracing_helpers import hours

# why a route or command reads no one's personal data (the walk's lists)
OWN = "a person's own data: the access log records reads by others"
PUBLIC = "public: no one's personal data"
LOGIN = "a log-in or log-out: credentials, no one's data read"
PLACES = "about places, venues or organisations: no person's data"
ADMIN = "accounts of officials or channels: no resident's data"
DEVICE_WRITE = "a device or import writes presences; the answer counts rows, shows no one"
AUDIT = "the chain's head or its check: counts and MACs, no one's data"
WEB_PAGE = (
    "a web page: the same HTML for everyone; its script reads the caller's own data through "
    "the API routes listed here"
)
BREAK_GLASS = "the operator's break-glass reads: when, what, how many, why; no one named"


class Response(Protocol):
    """What the walk reads of an HTTP answer."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...


@dataclass
class Walk:
    """One scene per route or command walked: the world, and HTTP as its actors."""

    container: Container
    client: TestClient | None
    world: TwoDistricts
    bystander: str
    code: str
    gate: DeviceKit
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def mine(self) -> Holdings:
        """The Xihu resident: the one whose data each call reads."""
        return self.world.xihu

    @property
    def now(self) -> datetime:
        return self.container.clock.now()

    @property
    def at(self) -> str:
        """The scene's time, for a command's `--at`."""
        return self.now.isoformat()

    @property
    def sampled(self) -> str:
        """A sampling time an hour before the scene's time."""
        return (self.now - hours(1)).isoformat()

    def _as(self, name: str) -> dict[str, str]:
        # an official's TOTP code is accepted once and the clock is fixed: log in once each
        if name not in self._headers:
            assert self.client is not None
            self._headers[name] = official_headers(
                self.client, self.world.kits[name], self.container.clock.now()
            )
        return self._headers[name]

    def get(self, name: str, path: str) -> Response:
        assert self.client is not None
        return self.client.get(path, headers=self._as(name))

    def post(self, name: str, path: str, body: Any = None) -> Response:
        assert self.client is not None
        return self.client.post(path, json=body, headers=self._as(name))

    def device_post(self, path: str, body: Any) -> Response:
        assert self.client is not None
        return self.client.post(path, json=body)

    def staff_check(self) -> dict[str, Any]:
        return sign_staff_check(
            self.gate.id, [self.bystander], at=self.now, private_key=self.gate.key
        )

    def lookup(self) -> dict[str, Any]:
        signed = sign_lookup(self.gate.id, self.code, at=self.now, private_key=self.gate.key)
        return {"token": self.code, "colours": ["green"], "device": signed}

    def reported_case(self) -> str:
        """A case of the bystander reported by wang, waiting for confirmation."""
        proposal = cases.report_case(
            uow=self.container.uow(),
            clock=self.container.clock,
            kinds=self.container.proposal_kinds,
            principal=self.world.officials["wang"],
            report=CaseReport(
                subject=self.bystander,
                sampled_at=self.now - hours(2),
                test_reference="HZ-PCR-0002",
                asymptomatic=True,
            ),
            reason="positive PCR at the fever clinic",
        )
        return str(proposal.payload["case_id"])

    def appealed(self) -> str:
        """The Xihu resident's open appeal against their red code."""
        return file_appeal(
            uow=self.container.uow(),
            clock=self.container.clock,
            principal=Principal(role=Role.CITIZEN, id=self.mine.subject, channel="website"),
            filing=AppealFiling(reason="that test was not mine", evidence="HZ-PCR-0009"),
        ).id

    def traced_contact(self) -> str:
        """The bystander, recorded as a close contact traced from the Xihu resident's case (as
        tracing records it, without the presences behind it)."""
        with self.container.uow() as uow:
            uow.tracing.add_derived(
                [
                    DerivedFact(
                        fact_id="walk-exposure",
                        key="walk-exposure",
                        kind="exposure",
                        source_kind="case",
                        source_id=self.mine.case_id,
                        subject=self.bystander,
                        rule="venue",
                        category="close_contact",
                        evidence={},
                        created_at=self.now,
                    )
                ]
            )
            uow.commit()
        return self.bystander

    def withdrawal_proposed(self) -> str:
        """The Xihu resident's confirmed case, its withdrawal proposed by wang."""
        cases.withdraw_case(
            uow=self.container.uow(),
            clock=self.container.clock,
            kinds=self.container.proposal_kinds,
            principal=self.world.officials["wang"],
            case_id=self.mine.case_id,
            reason="the lab withdrew the result",
        )
        return self.mine.case_id


def walk_scene(container: Container, client: TestClient | None) -> Walk:
    """The two districts, and a green bystander listed (and consenting) as staff, with a code."""
    world = two_districts(container)
    uow, clock = container.uow, container.clock
    bystander = register_person(
        uow=uow(),
        clock=clock,
        jurisdiction="330100",
        person=register(id_number=resident_id(9), phone="13900000009"),
    ).subject
    organisation = world.venues.organisation
    list_staff_member(
        uow=uow(),
        clock=clock,
        jurisdiction="330100",
        organisation_id=organisation,
        subject=bystander,
    )
    answer_listing(
        uow=uow(), clock=clock, subject=bystander, organisation_id=organisation, consent=True
    )
    code = issue_code(
        uow=uow(),
        clock=clock,
        private_keys=container.private_keys,
        subject=bystander,
        lifetime=container.settings.code_lifetime,
    ).token
    gate = device(container, world.venues.restaurant)
    return Walk(container, client, world, bystander, code, gate)


def operations(routes: list[APIRoute]) -> Iterator[tuple[str, str]]:
    """(METHOD, path template) of each route."""
    for route in routes:
        for method in route.methods:
            yield method.upper(), route.path


def cli_commands() -> set[str]:
    """Every command of `healthcode`, by its words (`case show`, `status`)."""
    found: set[str] = set()

    def walk(command: Any, words: list[str]) -> None:
        children = getattr(command, "commands", None)
        if children is None:
            found.add(" ".join(words))
            return
        for name, child in children.items():
            walk(child, [*words, name])

    walk(get_command(cli_app), [])
    return found
