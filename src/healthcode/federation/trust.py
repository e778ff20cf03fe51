"""The trust this city vouches for: its own current trust list and every peer's last good list.

``federated_trust_store`` is what ``POST /api/v1/verify`` checks codes against;
``trust_bundle_document`` is the same set served to checkpoints as one bundle signed by this
city's root (``federation.bundle``).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from healthcode.codes.keys import DEFAULT_TRUST_LIST_LIFETIME, current_trust_list, root_key
from healthcode.codes.ports import PrivateKeyStore
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.federation.bundle import TrustBundle, sign_bundle
from healthcode.federation.ports import FederationUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import DomainError
from healthcode.oversight.instance import require_collecting

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TrustSet:
    """Each jurisdiction's pinned root (raw bytes) and held list text, this city's first, and
    the kid (hex) of this city's root."""

    jurisdiction: str
    entries: tuple[tuple[str, bytes, str], ...]
    root_kid: str

    @property
    def jurisdictions(self) -> frozenset[str]:
        return frozenset(j for j, _, _ in self.entries)


def trust_set(
    uow: FederationUnitOfWork,
    *,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    code_lifetime: timedelta,
    clock_skew: timedelta,
    list_lifetime: timedelta = DEFAULT_TRUST_LIST_LIFETIME,
) -> TrustSet:
    """This city's current list under its root, then each peer's held list under its pinned
    root, inside the caller's transaction (a peer with no list yet is left out)."""
    own = current_trust_list(
        uow,
        clock=clock,
        private_keys=private_keys,
        jurisdiction=jurisdiction,
        code_lifetime=code_lifetime,
        clock_skew=clock_skew,
        list_lifetime=list_lifetime,
    )
    root = root_key(uow, jurisdiction=jurisdiction, now=clock.now())
    peers = [
        (p.jurisdiction, p.root_public_key, p.held.document)
        for p in uow.peers.all()
        if p.held is not None
    ]
    return TrustSet(jurisdiction, ((jurisdiction, root.public_key, own), *peers), root.kid)


class FederatedStoreCache:
    """Trust stores made from the last few trust sets, each made once (parsing and checking
    every list is then not repeated on each verification). Keyed by the whole set, so a new
    list of any jurisdiction is a new entry; entries are never changed once made."""

    def __init__(self, capacity: int = 4) -> None:
        self._capacity = capacity
        self._stores: OrderedDict[TrustSet, TrustStore] = OrderedDict()
        self._lock = threading.Lock()

    def store(self, trusted: TrustSet) -> TrustStore:
        with self._lock:
            cached = self._stores.get(trusted)
            if cached is not None:
                self._stores.move_to_end(trusted)
                return cached
        made = _make_store(trusted)
        with self._lock:
            self._stores[trusted] = made
            while len(self._stores) > self._capacity:
                self._stores.popitem(last=False)
        return made


def _make_store(trusted: TrustSet) -> TrustStore:
    store = TrustStore(roots={j: load_public_key(root) for j, root, _ in trusted.entries})
    for j, _, document in trusted.entries:
        try:
            store.accept(load_trust_list(document))
        except DomainError:
            if j == trusted.jurisdiction:
                raise
            # checked when it was received; refused now only if the library grew stricter
            log.warning("peer trust list no longer accepted", extra={"peer": j})
    return store


def federated_trust_store(  # noqa: PLR0913 - the publication settings, by name
    *,
    uow: FederationUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    code_lifetime: timedelta,
    clock_skew: timedelta,
    cache: FederatedStoreCache | None = None,
    list_lifetime: timedelta = DEFAULT_TRUST_LIST_LIFETIME,
) -> tuple[TrustStore, frozenset[str]]:
    """A trust store of this city's and its peers' lists, and the jurisdictions it holds. A
    retired instance vouches for no code (``SystemRetired``)."""
    with uow:
        require_collecting(uow)
        trusted = trust_set(
            uow,
            clock=clock,
            private_keys=private_keys,
            jurisdiction=jurisdiction,
            code_lifetime=code_lifetime,
            clock_skew=clock_skew,
            list_lifetime=list_lifetime,
        )
        uow.commit()  # a new publication of this city's own list, when its keys changed
    store = (cache or FederatedStoreCache(capacity=1)).store(trusted)
    return store, store.jurisdictions


def trust_bundle_document(
    *,
    uow: FederationUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    code_lifetime: timedelta,
    clock_skew: timedelta,
    list_lifetime: timedelta = DEFAULT_TRUST_LIST_LIFETIME,
) -> str:
    """The signed trust bundle: this city's list and each peer's last good list as received,
    the peers' pinned roots, signed now by this city's root key."""
    with uow:
        trusted = trust_set(
            uow,
            clock=clock,
            private_keys=private_keys,
            jurisdiction=jurisdiction,
            code_lifetime=code_lifetime,
            clock_skew=clock_skew,
            list_lifetime=list_lifetime,
        )
        uow.commit()
    private = private_keys.load(trusted.root_kid)
    bundle = TrustBundle(
        jurisdiction,
        clock.now().replace(microsecond=0),
        bytes.fromhex(trusted.root_kid),
        tuple((j, key) for j, key, _ in trusted.entries[1:]),
        tuple(document for _, _, document in trusted.entries),
    )
    return sign_bundle(bundle, root_private_key=private)
