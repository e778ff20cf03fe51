"""Checking a code online, for connected checkpoints: the offline decision plus whether the
holder's status changed since the code was issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from healthcode.codes.keys import current_trust_list, root_key
from healthcode.codes.ports import CodesUnitOfWork, PrivateKeyStore
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, Decision, verify
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import NotFound
from healthcode.status.assessment import status_now


@dataclass(frozen=True, kw_only=True)
class OnlineCheck:
    decision: Decision
    current_colour: str | None
    status_changed: bool | None


def own_trust_store(
    *,
    uow: CodesUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    code_lifetime: timedelta,
    clock_skew: timedelta,
) -> TrustStore:
    """A trust store holding this jurisdiction's own current trust list under its root."""
    with uow:
        document = current_trust_list(
            uow,
            clock=clock,
            private_keys=private_keys,
            jurisdiction=jurisdiction,
            code_lifetime=code_lifetime,
            clock_skew=clock_skew,
        )
        root = root_key(uow, jurisdiction=jurisdiction, now=clock.now())
        uow.commit()
    store = TrustStore(roots={jurisdiction: private_keys.load(root.kid).public_key()})
    store.accept(load_trust_list(document))
    return store


def verify_online(
    *,
    uow: CodesUnitOfWork,
    clock: Clock,
    trust_store: TrustStore,
    token: str,
    acceptance: Acceptance,
    jurisdiction: str,
) -> OnlineCheck:
    """Verify a code as a checkpoint would, and say whether the holder's status has changed
    since the code was issued (for codes this jurisdiction issued)."""
    decision = verify(token, trust_lists=trust_store, at=clock.now(), acceptance=acceptance)
    if decision.subject is None or decision.issuer != jurisdiction or decision.colour is None:
        return OnlineCheck(decision=decision, current_colour=None, status_changed=None)
    try:
        with uow:
            current = status_now(uow, clock=clock, subject=decision.subject)
            uow.commit()
    except NotFound:
        return OnlineCheck(decision=decision, current_colour=None, status_changed=None)
    return OnlineCheck(
        decision=decision,
        current_colour=current.colour.value,
        status_changed=current.colour.value != decision.colour.value,
    )
