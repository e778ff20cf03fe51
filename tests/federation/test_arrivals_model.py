"""The arrivals' formats on their own: a consent token opens to what was signed; a request is
accepted only signed by the pinned root, fresh and for this origin; an answer only signed by
the origin's root and about the visitor asked for; hostile bytes are refused, never raised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import cbor2
import pytest

from healthcode.credentials.cose import kid_of, sign1
from healthcode.credentials.signer import generate_private_key
from healthcode.federation.arrivals_model import (
    ArrivalRefused,
    OriginReason,
    OriginStatus,
    consent_problem,
    highest_risk_level,
    new_consent,
    open_answer,
    open_consent,
    open_request,
    sign_answer,
    sign_consent,
    sign_request,
)
from healthcode.kernel.facts import Colour

NOW = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


def test_a_consent_opens_to_what_was_signed() -> None:
    """Issuer, subject, destination and times come back; its checks name what is wrong."""
    key = generate_private_key()
    consent = new_consent(
        issuer="310000", subject="s1", destination="110000", now=NOW, lifetime=timedelta(days=9)
    )
    assert consent.expires_at == NOW + timedelta(days=1)  # at most a day
    opened, kid, signed, signature = open_consent(sign_consent(consent, private_key=key))
    assert kid == kid_of(key.public_key())
    assert opened == consent
    key.public_key().verify(signature, signed)
    assert consent_problem(opened, destination="110000", now=NOW) is None
    other = consent_problem(opened, destination="330100", now=NOW)
    assert other is not None and other.reason == "other_destination"
    late = consent_problem(opened, destination="110000", now=NOW + timedelta(days=1))
    assert late is not None and late.reason == "expired"


@pytest.mark.parametrize(
    "token",
    ["", "HZ2:ABC", "HZC1:", "HZC1:%%%", "HZC1:" + "A" * 2000],
)
def test_garbage_tokens_are_refused(token: str) -> None:
    """Anything but a consent token is ``malformed``."""
    with pytest.raises(ArrivalRefused) as refused:
        open_consent(token)
    assert refused.value.reason == "malformed"


def test_a_request_must_be_signed_by_the_pinned_root_fresh_and_for_us() -> None:
    """Another root, another origin, a stale time and non-deterministic CBOR are refused."""
    root = generate_private_key()
    body = sign_request(destination="110000", origin="310000", token="T", now=NOW, root_key=root)
    assert open_request(body, origin="310000", peer_root=root.public_key(), now=NOW) == (
        "110000",
        "T",
    )
    cases = [
        ({"peer_root": generate_private_key().public_key()}, "bad_signature"),
        ({"origin": "330100"}, "malformed"),
        ({"now": NOW + timedelta(minutes=6)}, "stale"),
    ]
    for change, reason in cases:
        kwargs = {"origin": "310000", "peer_root": root.public_key(), "now": NOW, **change}
        with pytest.raises(ArrivalRefused) as refused:
            open_request(body, **kwargs)  # type: ignore[arg-type]
        assert refused.value.reason == reason
    loose = sign1(cbor2.dumps({"b": 1, "a": 2}), private_key=root)  # keys out of order
    with pytest.raises(ArrivalRefused):
        open_request(loose, origin="310000", peer_root=root.public_key(), now=NOW)
    huge = sign1(
        cbor2.dumps(["healthcode arrival status request v1", "110000", "310000", "T", 2**62]),
        private_key=root,
    )
    with pytest.raises(ArrivalRefused):
        open_request(huge, origin="310000", peer_root=root.public_key(), now=NOW)


def test_an_answer_must_be_the_origins_and_about_the_visitor() -> None:
    """Colour, reasons, valid_until, risk area come back; another root or subject is refused."""
    root = generate_private_key()
    status = OriginStatus(
        "310000",
        "110000",
        "s1",
        Colour.YELLOW,
        (OriginReason("secondary-contact", "密接的密接", "Contact of a close contact"),),
        NOW + timedelta(days=7),
        NOW,
        "medium",
    )
    body = sign_answer(status, root_key=root)
    opened = open_answer(
        body, origin="310000", destination="110000", subject="s1", root=root.public_key()
    )
    assert opened == status
    with pytest.raises(ArrivalRefused, match="bad_signature"):
        open_answer(
            body,
            origin="310000",
            destination="110000",
            subject="s1",
            root=generate_private_key().public_key(),
        )
    with pytest.raises(ArrivalRefused, match="malformed"):
        open_answer(
            body, origin="310000", destination="110000", subject="s2", root=root.public_key()
        )
    with pytest.raises(ArrivalRefused, match="malformed"):
        open_answer(
            b"\x00", origin="310000", destination="110000", subject="s1", root=root.public_key()
        )


def _answer_payload(version: str, *tail: object) -> list[object]:
    return [version, "310000", "110000", "s1", "yellow", [], None, int(NOW.timestamp()), *tail]


def test_an_answer_of_the_older_form_is_read_without_a_risk_area() -> None:
    """A v1 answer (no risk area) still opens, its risk area unknown (None)."""
    root = generate_private_key()
    v1 = _answer_payload("healthcode arrival status answer v1")
    body = sign1(cbor2.dumps(v1, canonical=True), private_key=root)
    opened = open_answer(
        body, origin="310000", destination="110000", subject="s1", root=root.public_key()
    )
    assert (opened.colour, opened.risk_area) == (Colour.YELLOW, None)


@pytest.mark.parametrize(
    "payload",
    [
        _answer_payload("healthcode arrival status answer v2", "severe"),
        _answer_payload("healthcode arrival status answer v2", None),
        _answer_payload("healthcode arrival status answer v2"),  # v2 without the risk area
        _answer_payload("healthcode arrival status answer v1", "medium"),  # v1 with one
    ],
)
def test_an_answer_with_a_bad_risk_area_is_refused(payload: list[object]) -> None:
    """An unknown level, a missing one in v2 or an extra one in v1 is ``malformed``."""
    root = generate_private_key()
    body = sign1(cbor2.dumps(payload, canonical=True), private_key=root)
    with pytest.raises(ArrivalRefused, match="malformed"):
        open_answer(
            body, origin="310000", destination="110000", subject="s1", root=root.public_key()
        )


def test_the_highest_risk_level_in_force_is_answered() -> None:
    """The most severe level of the areas, ``none`` for no area."""
    assert highest_risk_level([]) == "none"
    assert highest_risk_level(["low", "medium", "low"]) == "medium"
    assert highest_risk_level(["high", "medium"]) == "high"
