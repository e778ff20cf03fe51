"""Checking a code online: the offline decision for anyone, and for a registered checkpoint
device that signs its request (``presence.status_lookups``) whether the holder's status changed
since the code was issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from healthcode.codes.keys import current_trust_list, root_key
from healthcode.codes.ports import CodesUnitOfWork, PrivateKeyStore
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, Decision, Outcome, verify
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
