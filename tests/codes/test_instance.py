"""What the start page says of the instance: the policy in force and the trust list published
now, the same list the trust list's endpoint answers."""

from __future__ import annotations

import json
from datetime import timedelta

from healthcode.codes.instance import describe_instance
from healthcode.codes.keys import init_keys, rotate_signing_key, trust_list_document
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock


def _describe(container: Container):  # type: ignore[no-untyped-def]
    settings = container.settings
    return describe_instance(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        code_lifetime=settings.code_lifetime,
        clock_skew=settings.clock_skew,
    )


def _published(container: Container) -> dict[str, object]:
    settings = container.settings
    document = trust_list_document(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        code_lifetime=settings.code_lifetime,
        clock_skew=settings.clock_skew,
    )
    parsed: dict[str, object] = json.loads(document)
    return parsed


def test_without_keys_there_is_no_trust_list_but_a_policy(container: Container) -> None:
    """Before keys are made the instance names its bundled policy and no trust list."""
    instance = _describe(container)
    assert instance.jurisdiction == "330100"
    assert instance.policy_version == "2020.2"
    assert instance.trust_list_sequence is None
    assert instance.trust_list_issued_at is None


def test_the_sequence_is_the_published_lists_and_grows_with_a_rotation(
    container: Container, clock: FixedClock
) -> None:
    """The start page's sequence is the endpoint's, and a key rotation makes it the next one."""
    init_keys(
        uow=container.uow(), clock=clock, private_keys=container.private_keys, jurisdiction="330100"
    )
    first = _describe(container)
    assert first.trust_list_sequence == _published(container)["sequence"] == 0
    assert _describe(container).trust_list_sequence == 0  # unchanged content: no new list
    clock.advance(timedelta(hours=1))
    rotate_signing_key(
        uow=container.uow(), clock=clock, private_keys=container.private_keys, jurisdiction="330100"
    )
    after = _describe(container)
    assert after.trust_list_sequence == 1
    assert after.trust_list_issued_at == _published(container)["issued_at"]
