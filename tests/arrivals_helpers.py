"""Two cities for the arrivals' tests: the test's container as Beijing (its database on each
backend) and Shanghai in this process (its own SQLite database), each a peer of the other,
Beijing holding Shanghai's trust list; and a peer link to Shanghai's app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from access_walk_helpers import Response, Walk
from factories import register, resident_id
from federation_helpers import add_peer, app_fetcher, city_instance, root_key_text
from healthcode.app import create_app
from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.credentials.cose import public_key_bytes
from healthcode.credentials.signer import generate_private_key
from healthcode.federation.arrivals import ARRIVAL_STATUS_PATH, issue_consent
from healthcode.federation.arrivals_link import HttpPeerLink, b64encode
from healthcode.federation.arrivals_model import sign_request
from healthcode.federation.arrivals_ports import OriginUnreachable
from healthcode.federation.model import NewPeer, parse_root_key
from healthcode.federation.sync import sync_peers
from healthcode.identity.registration import register_person
from healthcode.oversight.access import Principal, Role
from identity_helpers import add_test_official, principal

BEIJING = "110000"
SHANGHAI = "310000"
SHANGHAI_URL = "http://testserver"


class AppLink(HttpPeerLink):
    """Posts to another city's app in this process through a client the test opened."""

    def close(self) -> None:
        return None


class DownLink:
    """A peer link to an origin that does not answer."""

    def __init__(self) -> None:
        self.posted: list[str] = []

    def post(self, url: str, body: bytes) -> bytes:
        self.posted.append(url)
        raise OriginUnreachable(f"connection refused by {url}")

    def close(self) -> None:
        return None


def official_of(city: Container, name: str, role: str = "official") -> Principal:
    """An official (or admin) of ``city``'s own jurisdiction."""
    add_test_official(city, name, role, jurisdiction=city.settings.jurisdiction)
    return principal(city, name)


@dataclass
class Cities:
    beijing: Container
    shanghai: Container
    shanghai_client: TestClient
    officer: Principal  # a Beijing official, who records arrivals
    residents: int = 0

    def link(self) -> AppLink:
        return AppLink(self.shanghai_client)

    def resident(self) -> Principal:
        """A Shanghai resident, as the citizen principal acting on their own data."""
        self.residents += 1
        subject = register_person(
            uow=self.shanghai.uow(),
            clock=self.shanghai.clock,
            jurisdiction=SHANGHAI,
            person=register(
                id_number=resident_id(self.residents, region="310101"),
                phone=f"139{self.residents:08d}",
            ),
        ).subject
        return Principal(role=Role.CITIZEN, id=subject, channel="website")


@contextmanager
def beijing_and_shanghai(beijing: Container, tmp_path: Path, template: Path) -> Iterator[Cities]:
    """Shanghai stood up beside ``beijing``; each adds the other as a peer; Beijing syncs."""
    init_keys(
        uow=beijing.uow(),
        clock=beijing.clock,
        private_keys=beijing.private_keys,
        jurisdiction=BEIJING,
    )
    with (
        city_instance(
            tmp_path / "shanghai", template, jurisdiction=SHANGHAI, clock=beijing.clock
        ) as shanghai,
        TestClient(create_app(container=shanghai)) as shanghai_client,
    ):
        add_peer(
            beijing,
            NewPeer(SHANGHAI, SHANGHAI_URL, parse_root_key(root_key_text(shanghai))),
            proposer="bj-admin",
        )
        add_peer(
            shanghai,
            NewPeer(BEIJING, "http://beijing.test", parse_root_key(root_key_text(beijing))),
            proposer="sh-admin",
        )
        (synced,) = sync_peers(
            uow_factory=beijing.uow,
            clock=beijing.clock,
            principal=principal(beijing, "bj-admin"),
            fetcher=app_fetcher(shanghai_client)(),
            clock_skew=beijing.settings.clock_skew,
        )
        assert synced.outcome.value == "accepted", synced
        yield Cities(beijing, shanghai, shanghai_client, official_of(beijing, "li"))


def walk_arrival_status(w: Walk) -> tuple[Response, str]:
    """The access walk's call of the origin's endpoint: Beijing (a peer whose root the test
    holds) asks Hangzhou, with the walked resident's consent, for their colour."""
    container = w.container
    root = generate_private_key()
    add_peer(
        container,
        NewPeer(BEIJING, "http://beijing.test", public_key_bytes(root.public_key())),
        proposer="walk-peer-admin",
    )
    issued = issue_consent(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        principal=Principal(role=Role.CITIZEN, id=w.mine.subject, channel="website"),
        destination=BEIJING,
        serving=container.settings.jurisdiction,
    )
    request = sign_request(
        destination=BEIJING,
        origin=container.settings.jurisdiction,
        token=issued.token,
        now=w.now,
        root_key=root,
    )
    body = {"request": b64encode(request)}
    return w.device_post(ARRIVAL_STATUS_PATH, body), w.mine.subject
