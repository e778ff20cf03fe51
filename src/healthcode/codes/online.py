"""Checking a code online: the offline decision for anyone, and for a registered checkpoint
device that signs its request (``presence.status_lookups``) whether the holder's status changed
since the code was issued."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from healthcode.codes.keys import current_trust_list, root_key
from healthcode.codes.ports import CodesUnitOfWork, PrivateKeyStore
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, Decision, Outcome, verify
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import NotFound
from healthcode.oversight.instance import require_collecting
from healthcode.status.assessment import status_now


@dataclass(frozen=True, kw_only=True)
class OnlineCheck:
    decision: Decision
    current_colour: str | None
    status_changed: bool | None


class TrustStoreCache:
    """The trust stores made from the last few published lists, each made once: parsing a
    list and checking its root signature is then not repeated on every verification. Keyed
    by the list's exact text and root key, so a new publication is a new entry; entries are
    never changed once made (lookups only), so threads share them safely."""

    def __init__(self, capacity: int = 8) -> None:
        self._capacity = capacity
        self._stores: OrderedDict[tuple[str, bytes, str], TrustStore] = OrderedDict()
        self._lock = threading.Lock()

    def store(self, jurisdiction: str, root_public_key: bytes, document: str) -> TrustStore:
        """A trust store holding ``document`` under the pinned root ``root_public_key``."""
        key = (jurisdiction, root_public_key, document)
        with self._lock:
            cached = self._stores.get(key)
            if cached is not None:
                self._stores.move_to_end(key)
                return cached
        made = TrustStore(roots={jurisdiction: load_public_key(root_public_key)})
        made.accept(load_trust_list(document))
        with self._lock:
            self._stores[key] = made
            while len(self._stores) > self._capacity:
                self._stores.popitem(last=False)
        return made


def own_trust_store(  # noqa: PLR0913 - the publication settings, by name
    *,
    uow: CodesUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    code_lifetime: timedelta,
    clock_skew: timedelta,
    cache: TrustStoreCache | None = None,
    list_lifetime: timedelta | None = None,
) -> TrustStore:
    """A trust store holding this jurisdiction's own current trust list under its root
    (from ``cache`` when it holds that list). A retired instance vouches for no code: its
    verification answers ``SystemRetired``."""
    with uow:
        require_collecting(uow)
        document = current_trust_list(
            uow,
            clock=clock,
            private_keys=private_keys,
            jurisdiction=jurisdiction,
            code_lifetime=code_lifetime,
            clock_skew=clock_skew,
            **({} if list_lifetime is None else {"list_lifetime": list_lifetime}),
        )
        root = root_key(uow, jurisdiction=jurisdiction, now=clock.now())
        uow.commit()
    return (cache or TrustStoreCache(capacity=1)).store(jurisdiction, root.public_key, document)


def check_code(
    *, clock: Clock, trust_store: TrustStore, token: str, acceptance: Acceptance
) -> OnlineCheck:
    """The offline decision on a code, as anyone may ask it: nothing is looked up. A code that
    is refused (invalid, expired…) gets its reason only, never the colour or name it carries."""
    decision = verify(token, trust_lists=trust_store, at=clock.now(), acceptance=acceptance)
    if decision.outcome is Outcome.INVALID:
        decision = decision._replace(colour=None, masked_name=None, subject=None)
    return OnlineCheck(decision=decision, current_colour=None, status_changed=None)


def status_since_issue(
    uow: CodesUnitOfWork, *, clock: Clock, decision: Decision, jurisdiction: str
) -> tuple[str, bool] | None:
    """The holder's colour now and whether it differs from the code's, inside the caller's
    transaction; None for a refused code, another jurisdiction's code or an unknown holder.
    The caller records the read in the access log."""
    if (
        decision.outcome is Outcome.INVALID
        or decision.subject is None
        or decision.issuer != jurisdiction
        or decision.colour is None
    ):
        return None
    try:
        current = status_now(uow, clock=clock, subject=decision.subject)
    except NotFound:
        return None
    return current.colour.value, current.colour.value != decision.colour.value
