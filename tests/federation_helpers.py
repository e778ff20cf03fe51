"""A peer city in a test: its root and signing keys, its signed trust lists and codes, and a
fetcher that serves what the test says (a list, garbage, or a peer down)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.container import Container
from healthcode.credentials.claims import CodeClaims, Colour
from healthcode.credentials.cose import public_key_bytes
from healthcode.credentials.signer import generate_private_key, issue
from healthcode.credentials.trustfile import dump_trust_list
from healthcode.credentials.trustlist import TrustedKey, build_trust_list, sign_trust_list
from healthcode.federation.model import NewPeer, Peer
from healthcode.federation.peers import add_peer
from healthcode.federation.ports import PeerUnreachable
from healthcode.oversight.access import Principal
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
    ) -> bytes:
        """A trust-list file of this city (signed by ``root``, its own by default)."""
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


def add_shanghai(container: Container, city: PeerCity, url: str = SHANGHAI_URL) -> Peer:
    """Shanghai added as a peer by an admin, its root pinned."""
    return add_peer(
        uow=container.uow(),
        clock=container.clock,
        principal=admin_of(container, "peer-admin"),
        peer=NewPeer(city.jurisdiction, url, city.root_public),
        serving=container.settings.jurisdiction,
    )


def fetcher_factory(fetcher: FakeFetcher) -> Callable[[], FakeFetcher]:
    return lambda: fetcher
