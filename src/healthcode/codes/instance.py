"""What this instance is, for its start page: the city, the policy in force and the trust list
it publishes now (the same list ``/.well-known/healthcode/trust-list`` answers)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from healthcode.codes.keys import NoSigningKey, current_trust_list
from healthcode.codes.ports import CodesUnitOfWork, PrivateKeyStore
from healthcode.kernel.clock import Clock


@dataclass(frozen=True, kw_only=True)
class Instance:
    jurisdiction: str
    policy_version: str
    trust_list_sequence: int | None
    """None: no key may sign now (``healthcode keys init`` was not run)."""
    trust_list_issued_at: str | None


def describe_instance(
    *,
    uow: CodesUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    code_lifetime: timedelta,
    clock_skew: timedelta,
) -> Instance:
    """The jurisdiction, the version of its policy in force and the sequence number and issue
    time of its current trust list (published now if its content changed, as the trust list's
    own endpoint would)."""
    with uow:
        policy = uow.policies.active(jurisdiction)
        try:
            document = current_trust_list(
                uow,
                clock=clock,
                private_keys=private_keys,
                jurisdiction=jurisdiction,
                code_lifetime=code_lifetime,
                clock_skew=clock_skew,
            )
        except NoSigningKey:
            document = None
        uow.commit()
    published = None if document is None else json.loads(document)
    return Instance(
        jurisdiction=jurisdiction,
        policy_version=policy.version,
        trust_list_sequence=None if published is None else int(published["sequence"]),
        trust_list_issued_at=None if published is None else str(published["issued_at"]),
    )
