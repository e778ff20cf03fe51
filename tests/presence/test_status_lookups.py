"""A checkpoint device's signed status lookup, on a real database: the status change since
issue only for a valid code and a signing registered device, each lookup in the access log,
each signed request answered once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from healthcode.checkpoint.lookups import sign_lookup
from healthcode.codes.issuing import issue_code
from healthcode.codes.online import OnlineCheck, check_code, own_trust_store
from healthcode.container import Container
from healthcode.credentials.errors import Reason
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, Outcome
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight.audit_chain import AccessRecord
from healthcode.presence.retention import purge
from healthcode.presence.status_lookups import SignedLookup, lookup_status
from healthcode.status.declarations import declare_health
from presence_helpers import DeviceKit, city, device, person

GREEN_ONLY = Acceptance.green_only({"330100"})


def _code(container: Container, subject: str) -> str:
    return issue_code(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        subject=subject,
        lifetime=container.settings.code_lifetime,
    ).token


def _store(container: Container) -> TrustStore:
    return own_trust_store(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        code_lifetime=container.settings.code_lifetime,
        clock_skew=container.settings.clock_skew,
    )


def _signed(kit: DeviceKit, signed: str, clock: FixedClock, **changes: object) -> SignedLookup:
    """A lookup of the code ``signed`` as the device signs it, with ``changes`` made after."""
    wire = sign_lookup(kit.id, signed, at=clock.now(), private_key=kit.key)
    values: dict[str, object] = {
        "device": kit.id,
        "at": clock.now(),
        "token": signed,
        "signature": wire["signature"],
    }
    values.update(changes)
    return SignedLookup(**values)  # type: ignore[arg-type]


def _lookup(container: Container, lookup: SignedLookup) -> OnlineCheck:
    return lookup_status(
        uow=container.uow(),
        clock=container.clock,
        trust_store=_store(container),
        acceptance=GREEN_ONLY,
        jurisdiction="330100",
        lookup=lookup,
    )


def _log(container: Container, subject: str) -> list[AccessRecord]:
    with container.uow() as uow:
        return uow.audit.for_subject(subject)


def test_online_check_reports_a_status_change(container: Container, clock: FixedClock) -> None:
    """A signing device learns of the change to yellow; each lookup is logged as the device."""
    town = city(container)
    kit = device(container, town.restaurant)
    subject = person(container)
    token = _code(container, subject)
    unchanged = _lookup(container, _signed(kit, token, clock))
    assert unchanged.decision.passed and unchanged.status_changed is False
    assert unchanged.current_colour == "green"
    clock.advance(timedelta(seconds=30))
    declare_health(
        uow=container.uow(), clock=clock, subject=subject, temperature=38.9, symptoms=["fever"]
    )
    changed = _lookup(container, _signed(kit, token, clock))
    assert changed.decision.passed
    assert (changed.status_changed, changed.current_colour) == (True, "yellow")
    records = _log(container, subject)
    assert [(r.actor, r.role, r.purpose, r.what) for r in records] == [
        (f"device:{kit.id}", "checkpoint", "checkpoint status lookup", "status since code issued")
    ] * 2


def test_anonymous_check_reads_no_status(container: Container, clock: FixedClock) -> None:
    """Without a device signature a valid code gets the offline decision only, unlogged."""
    city(container)
    subject = person(container)
    token = _code(container, subject)
    check = check_code(
        clock=clock, trust_store=_store(container), token=token, acceptance=GREEN_ONLY
    )
    assert check.decision.passed and check.decision.masked_name is not None
    assert (check.current_colour, check.status_changed) == (None, None)
    assert _log(container, subject) == []


def test_expired_code_gets_its_reason_only(container: Container, clock: FixedClock) -> None:
    """An expired code gets its reason only, even asked by a signing device; nothing logged."""
    town = city(container)
    kit = device(container, town.restaurant)
    subject = person(container)
    token = _code(container, subject)
    store = _store(container)
    clock.advance(timedelta(hours=3))
    declare_health(
        uow=container.uow(), clock=clock, subject=subject, temperature=38.9, symptoms=["fever"]
    )
    for check in (
        check_code(clock=clock, trust_store=store, token=token, acceptance=GREEN_ONLY),
        _lookup(container, _signed(kit, token, clock)),
    ):
        decision = check.decision
        assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.EXPIRED)
        assert (decision.colour, decision.masked_name, decision.subject) == (None, None, None)
        assert (check.current_colour, check.status_changed) == (None, None)
    assert _log(container, subject) == []


def test_tampered_code_with_a_device_gets_no_status(
    container: Container, clock: FixedClock
) -> None:
    """A tampered code asked by a signing device is invalid with its reason, nothing more."""
    town = city(container)
    kit = device(container, town.restaurant)
    subject = person(container)
    token = _code(container, subject)
    forged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    check = _lookup(container, _signed(kit, forged, clock))
    assert check.decision.outcome is Outcome.INVALID
    assert check.decision.reason in {Reason.BAD_SIGNATURE, Reason.BAD_ENCODING}
    assert (check.current_colour, check.status_changed, check.decision.colour) == (None,) * 3
    assert _log(container, subject) == []


def test_bad_device_requests_are_refused(container: Container, clock: FixedClock) -> None:
    """Unknown device, wrong key or code, bad encoding, stale or future time: refused by field."""
    town = city(container)
    kit = device(container, town.restaurant)
    stranger = DeviceKit(kit.id, Ed25519PrivateKey.generate())
    subject = person(container)
    token, other = _code(container, subject), _code(container, person(container, 2))
    replayed = _signed(kit, token, clock)
    clock.advance(timedelta(minutes=6))
    cases = {
        "device.id": _signed(DeviceKit("0123456789abcdef", kit.key), token, clock),
        "device.signature": _signed(stranger, token, clock),
        "device.at": replayed,  # the same signed request, sent again six minutes later
    }
    for field, lookup in cases.items():
        with pytest.raises(InvalidInput) as refused:
            _lookup(container, lookup)
        assert [p.field for p in refused.value.problems] == [field]
    with pytest.raises(InvalidInput) as swapped:  # a signature over another code
        _lookup(container, _signed(kit, other, clock, token=token))
    assert [p.field for p in swapped.value.problems] == ["device.signature"]
    with pytest.raises(InvalidInput) as ahead:
        _lookup(container, _signed(kit, token, clock, at=clock.now() + timedelta(minutes=6)))
    assert [p.field for p in ahead.value.problems] == ["device.at"]
    with pytest.raises(InvalidInput) as garbled:
        _lookup(container, _signed(kit, token, clock, signature="not base64!"))
    assert [p.field for p in garbled.value.problems] == ["device.signature"]
    assert _log(container, subject) == []


def test_inactive_device_is_refused(container: Container, clock: FixedClock) -> None:
    """A device that is no longer active is refused on device.id, however well it signs."""
    town = city(container)
    kit = device(container, town.restaurant)
    token = _code(container, person(container))
    with container.engine.begin() as connection:  # no use case retires a device yet
        connection.execute(
            text("UPDATE devices SET active = :off WHERE id = :id"), {"off": False, "id": kit.id}
        )
    with pytest.raises(InvalidInput) as refused:
        _lookup(container, _signed(kit, token, clock))
    assert [p.field for p in refused.value.problems] == ["device.id"]


def test_unencodable_token_is_refused(container: Container, clock: FixedClock) -> None:
    """A token holding a lone surrogate (no CBOR text) is refused on token, not a crash."""
    town = city(container)
    kit = device(container, town.restaurant)
    with pytest.raises(InvalidInput) as refused:
        _lookup(container, _signed(kit, "HZ1:x", clock, token="HZ1:\ud800"))
    assert [p.field for p in refused.value.problems] == ["token"]


def test_a_signed_lookup_is_answered_once(container: Container, clock: FixedClock) -> None:
    """The same signed request sent again is refused on device.signature, and not logged."""
    town = city(container)
    kit = device(container, town.restaurant)
    subject = person(container)
    token = _code(container, subject)
    lookup = _signed(kit, token, clock)
    assert _lookup(container, lookup).status_changed is False
    clock.advance(timedelta(seconds=20))
    with pytest.raises(InvalidInput) as replayed:
        _lookup(container, lookup)
    assert [p.field for p in replayed.value.problems] == ["device.signature"]
    assert "used before" in replayed.value.problems[0].message
    assert _lookup(container, _signed(kit, token, clock)).status_changed is False
    assert len(_log(container, subject)) == 2


def test_a_replayed_lookup_of_an_invalid_code_is_refused(
    container: Container, clock: FixedClock
) -> None:
    """A signed request is single-use whatever the code's outcome: a tampered code's too."""
    town = city(container)
    kit = device(container, town.restaurant)
    token = _code(container, person(container))
    forged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    lookup = _signed(kit, forged, clock)
    assert _lookup(container, lookup).decision.outcome is Outcome.INVALID
    with pytest.raises(InvalidInput) as replayed:
        _lookup(container, lookup)
    assert [p.field for p in replayed.value.problems] == ["device.signature"]


def test_parallel_replays_let_exactly_one_through(container: Container, clock: FixedClock) -> None:
    """Eight copies of one signed request sent at once: one answer, seven refusals, one log."""
    town = city(container)
    kit = device(container, town.restaurant)
    subject = person(container)
    lookup = _signed(kit, _code(container, subject), clock)
    store = _store(container)
    start = threading.Barrier(8)

    def send(_: int) -> OnlineCheck | InvalidInput:
        start.wait()
        try:
            return lookup_status(
                uow=container.uow(),
                clock=container.clock,
                trust_store=store,
                acceptance=GREEN_ONLY,
                jurisdiction="330100",
                lookup=lookup,
            )
        except InvalidInput as refused:
            return refused

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(send, range(8)))
    answered = [o for o in outcomes if isinstance(o, OnlineCheck)]
    refused = [o for o in outcomes if isinstance(o, InvalidInput)]
    assert len(answered) == 1 and answered[0].current_colour == "green"
    assert [[p.field for p in r.problems] for r in refused] == [["device.signature"]] * 7
    assert len(_log(container, subject)) == 1


def test_used_lookups_are_forgotten_once_out_of_the_window(
    container: Container, clock: FixedClock
) -> None:
    """The retention purge keeps a used lookup while its time is accepted, then deletes it."""
    town = city(container)
    kit = device(container, town.restaurant)
    _lookup(container, _signed(kit, _code(container, person(container)), clock))
    clock.advance(timedelta(minutes=4))
    assert purge(uow=container.uow(), clock=clock).lookups == 0
    clock.advance(timedelta(minutes=2))
    assert purge(uow=container.uow(), clock=clock).lookups == 1
    with container.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM used_lookups")) == 0
