"""A peer city in a test: its root and signing keys, its signed trust lists and codes, and a
fetcher that serves what the test says (a list, garbage, or a peer down)."""

from __future__ import annotations

import base64
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from factories import register
from healthcode import bootstrap
from healthcode.codes.issuing import issue_code
from healthcode.codes.keys import ROOT, init_keys, list_keys
from healthcode.container import Container
from healthcode.credentials.claims import CodeClaims
from healthcode.credentials.cose import public_key_bytes
from healthcode.credentials.signer import generate_private_key, issue
from healthcode.credentials.trustfile import dump_trust_list
from healthcode.credentials.trustlist import TrustedKey, build_trust_list, sign_trust_list
from healthcode.db.encryption import create_key_file
from healthcode.federation.fetch import TRUST_LIST_PATH, HttpTrustListFetcher
from healthcode.federation.model import NewPeer, Peer
from healthcode.federation.peers import propose_peer
from healthcode.federation.ports import PeerUnreachable
from healthcode.federation.sync import sync_all
from healthcode.identity.registration import register_person
from healthcode.kernel.clock import Clock
from healthcode.kernel.facts import Colour
from healthcode.oversight.access import Principal
from healthcode.oversight.proposals import approve
from healthcode.settings import Settings
from identity_helpers import add_test_official, principal

SHANGHAI = "310000"
SHANGHAI_URL = "https://shanghai.example"


@dataclass
class PeerCity:
    """Another jurisdiction's keys: a root that signs its lists, a key that signs its codes."""

    jurisdiction: str = SHANGHAI
    root: Ed25519PrivateKey = field(default_factory=generate_private_key)
    signer: Ed25519PrivateKey = field(default_factory=generate_private_key)

    @property
    def root_public(self) -> bytes:
        return public_key_bytes(self.root.public_key())

    @property
    def root_text(self) -> str:
        return base64.urlsafe_b64encode(self.root_public).decode().rstrip("=")

    def trust_list(
        self,
        *,
        sequence: int,
        issued_at: datetime,
        root: Ed25519PrivateKey | None = None,
        signers: tuple[Ed25519PrivateKey, ...] | None = None,
        expires_at: datetime | None = None,
        next_root: Ed25519PrivateKey | None = None,
    ) -> bytes:
        """A trust-list file of this city (signed by ``root``, its own by default); with
        ``expires_at`` a v3 list, announcing ``next_root`` when given."""
        signing_root = root or self.root
        keys = [
            TrustedKey.of(
                k.public_key(),
                valid_from=issued_at - timedelta(days=1),
                valid_until=issued_at + timedelta(days=90),
            )
            for k in (signers or (self.signer,))
        ]
        tl = build_trust_list(
            jurisdiction=self.jurisdiction,
            sequence=sequence,
            issued_at=issued_at,
            keys=keys,
            root_public_key=signing_root.public_key(),
            max_code_lifetime=timedelta(minutes=5),
            expires_at=expires_at,
            next_root=None if next_root is None else next_root.public_key(),
        )
        return dump_trust_list(sign_trust_list(tl, root_private_key=signing_root)).encode()

    def code(self, at: datetime, colour: Colour = Colour.GREEN) -> str:
        """A code of this city, issued at ``at`` for two minutes."""
        claims = CodeClaims(
            issuer=self.jurisdiction,
            subject="visitor-0001",
            issued_at=at,
            expires_at=at + timedelta(minutes=2),
            colour=colour,
            masked_name="*明",
        )
        return issue(claims, private_key=self.signer)


class FakeFetcher:
    """Serves each base URL what the test put there: bytes, or ``None`` for a peer down."""

    def __init__(self) -> None:
        self.served: dict[str, bytes | None] = {}
        self.fetched: list[str] = []

    def fetch(self, base_url: str) -> bytes:
        self.fetched.append(base_url)
        body = self.served.get(base_url)
        if body is None:
            raise PeerUnreachable(f"connection refused by {base_url}")
        return body

    def close(self) -> None:
        return None


def admin_of(container: Container, name: str = "ada") -> Principal:
    """An admin of the test's city (added as an official with the admin role)."""
    add_test_official(container, name, "admin")
    return principal(container, name)


def add_peer(container: Container, peer: NewPeer, *, proposer: str = "peer-admin") -> Peer:
    """``peer`` added by four eyes: the admin ``proposer`` proposes it, a second admin
    (``<proposer>-2``) approves; both made here when the city has no such account yet."""
    approver = f"{proposer}-2"
    for name in (proposer, approver):
        uow = container.uow()
        with uow:
            missing = uow.officials.by_username(name) is None
        if missing:
            add_test_official(container, name, "admin", container.settings.jurisdiction)
    proposal = propose_peer(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, proposer),
        peer=peer,
        serving=container.settings.jurisdiction,
        reason="its codes are accepted here",
    )
    approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, approver),
        proposal_id=proposal.id,
    )
    uow = container.uow()
    with uow:
        added = uow.peers.get(peer.jurisdiction)
    assert added is not None
    return added


def add_shanghai(container: Container, city: PeerCity, url: str = SHANGHAI_URL) -> Peer:
    """Shanghai added as a peer by two admins, its root pinned."""
    return add_peer(container, NewPeer(city.jurisdiction, url, city.root_public))


def shanghai_refused(container: Container) -> None:
    """Shanghai added by four eyes, its list #5 (issued two hours ago) held, then a list signed
    by another root refused (``wrong_root``): the last good list kept."""
    city = PeerCity()
    add_shanghai(container, city)
    now = container.clock.now()
    fetcher = FakeFetcher()
    fetcher.served[SHANGHAI_URL] = city.trust_list(sequence=5, issued_at=now - timedelta(hours=2))
    other = city.trust_list(sequence=6, issued_at=now, root=generate_private_key())
    for served, outcome in ((fetcher.served[SHANGHAI_URL], "accepted"), (other, "wrong_root")):
        fetcher.served[SHANGHAI_URL] = served
        (result,) = sync_all(
            uow_factory=container.uow,
            clock=container.clock,
            fetcher=fetcher,
            clock_skew=container.settings.clock_skew,
        )
        assert result.outcome.value == outcome


def fetcher_factory(fetcher: FakeFetcher) -> Callable[[], FakeFetcher]:
    return lambda: fetcher


class LoopbackPeer:
    """A peer's trust list on a loopback port: down (connection refused) until ``start``."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.body = b""
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, body: bytes) -> None:
        """Serve ``body`` at the trust list's path (404 elsewhere) from now on."""
        self.body = body
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = self.path == TRUST_LIST_PATH
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(peer.body if found else b"")

            def log_message(self, format: str, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def city_instance(
    folder: Path, template: Path, *, jurisdiction: str, clock: Clock
) -> Iterator[Container]:
    """Another city's instance in this process: its own SQLite database (a copy of the
    migrated template), data key and keys, its keys initialised."""
    folder.mkdir()
    shutil.copyfile(template, folder / "city.db")
    key_file = folder / "data.key"
    create_key_file(key_file)
    settings = Settings(
        database_url=f"sqlite:///{folder / 'city.db'}",
        data_key_file=key_file,
        keys_dir=folder / "keys",
        audit_anchor_dir=folder / "anchors",
        sms_file=folder / "sms.jsonl",
        jurisdiction=jurisdiction,
    )
    built = bootstrap.build(settings, clock_factory=lambda: clock)
    init_keys(
        uow=built.uow(), clock=clock, private_keys=built.private_keys, jurisdiction=jurisdiction
    )
    try:
        yield built
    finally:
        built.close()


def resident_code(city: Container) -> str:
    """A freshly issued code of a person registered in ``city``."""
    subject = register_person(
        uow=city.uow(),
        clock=city.clock,
        jurisdiction=city.settings.jurisdiction,
        person=register(),
    ).subject
    return issue_code(
        uow=city.uow(),
        clock=city.clock,
        private_keys=city.private_keys,
        subject=subject,
        lifetime=city.settings.code_lifetime,
    ).token


def root_key_text(city: Container) -> str:
    """The city's root public key as `peer add --root-key` takes it."""
    keys = list_keys(uow=city.uow(), jurisdiction=city.settings.jurisdiction)
    (root,) = [k for k in keys if k.role == ROOT]
    return base64.urlsafe_b64encode(root.public_key).decode().rstrip("=")


class AppFetcher(HttpTrustListFetcher):
    """Fetches trust lists from another city's app in this process (base URL
    http://testserver) through a client the test opened; closing leaves it open."""

    def close(self) -> None:
        return None


def app_fetcher(client: TestClient) -> Callable[[], HttpTrustListFetcher]:
    """What a container's ``peer_fetcher`` is when its peer is ``client``'s app."""
    return lambda: AppFetcher(client)
