"""A valid body for each operation that takes one, so that a single fuzzed or hostile field
reaches the use case (and storage) instead of being refused with its neighbours."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from factories import registration, resident_id
from fuzz_helpers import Scene, fresh_assertion
from healthcode.checkpoint.batches import b64
from healthcode.credentials.cose import public_key_bytes
from healthcode.identity.sign_up import start_sign_up
from healthcode.kernel.errors import TooManyAttempts
from identity_helpers import PASSWORD, public_pem, totp_code
from policy_helpers import bundled_source
from sign_up_helpers import texts_to

HANGZHOU = {"lat": 30.2590, "lon": 120.1490}
EARLIER = "2026-03-01T00:10:00+00:00"  # the scene's clock is 2026-03-01T01:00Z
NOW = "2026-03-01T01:00:00+00:00"  # people gave their consent to location use then
LATER = "2026-03-08T00:00:00+00:00"

Body = Callable[[Scene, int], dict[str, Any]]


def _person(_scene: Scene, seq: int, *, birth: str = "19900101") -> dict[str, Any]:
    return registration(id_number=resident_id(seq, birth=birth), phone=f"13{birth[2:4]}{seq:07d}")


def _ids(scene: Scene, kind: str) -> str:
    return scene.ids[kind][-1]


def _gatekeeper_login(scene: Scene) -> dict[str, Any]:
    """Right the first time; the same code again is a replay (the clock stands still)."""
    kit = scene.gatekeeper
    assert kit is not None
    code = totp_code(kit.secret, scene.container.clock.now())
    return {"username": kit.username, "password": PASSWORD, "totp": code}


def _client_credentials(scene: Scene) -> dict[str, Any]:
    kit = scene.channel
    assert kit is not None
    return {
        "grant_type": "client_credentials",
        "client_id": kit.id,
        "client_secret": kit.client_secret,
    }


def _sign_up(scene: Scene, seq: int) -> dict[str, Any]:
    """With a code just sent to the phone (as its start would), so that the account is made."""
    person = _person(scene, seq)
    container = scene.container
    with contextlib.suppress(TooManyAttempts):  # the phone's codes of this hour are used up
        start_sign_up(
            uow=container.uow(),
            clock=container.clock,
            phone=person["phone"],
            client_address=f"fuzz-body-{seq}",
        )
    codes = [
        t.split("code is ")[1][:6] for t in texts_to(container, person["phone"]) if "code is " in t
    ]
    return {**person, "password": PASSWORD, "code": codes[-1] if codes else "000000"}


def _confirmation(scene: Scene, seq: int) -> dict[str, Any]:
    """The website citizen, confirmed again by the scene's channel with a fresh face check."""
    kit = scene.channel
    assert kit is not None
    now = scene.container.clock.now()
    assertion = kit.assertion(
        user_id=f"u-confirm-{seq}", now=now, face_checked_at=now, id_number=resident_id(7)
    )
    return {"phone": "13900000001", "assertion": assertion}


# bodies sent as a form rather than JSON
FORMS = {"POST /api/v1/oauth/token": "application/x-www-form-urlencoded"}

BODIES: dict[str, Body] = {
    "POST /api/v1/website/sign-up/start": lambda s, n: {"phone": _person(s, n)["phone"]},
    "POST /api/v1/website/sign-up": lambda s, n: _sign_up(s, n),
    "POST /api/v1/identity-confirmations": lambda s, n: _confirmation(s, n),
    "POST /api/v1/registrations": lambda s, n: {
        **_person(s, n, birth="19850505"),
        "assertion": fresh_assertion(s),
    },
    "POST /api/v1/website/login": lambda s, n: {"phone": "13900000001", "password": PASSWORD},
    "POST /api/v1/website/login/channel": lambda s, n: {"assertion": fresh_assertion(s)},
    "POST /api/v1/officials/login": lambda s, n: _gatekeeper_login(s),
    "POST /api/v1/oauth/token": lambda s, n: _client_credentials(s),
    "POST /api/v1/officials": lambda s, n: {
        "username": f"fuzz-{n}",
        "role": "official",
        "jurisdiction": "330100",
        "password": PASSWORD,
        "reason": "fuzzing",
    },
    # a peer whose instance never answers (the discard port on loopback refuses at once), so
    # a fuzzed sync fetches nothing from the network
    "POST /api/v1/peers": lambda s, n: {
        "jurisdiction": f"{110000 + n * 100}",
        "url": "http://127.0.0.1:9",
        "root_key": b64(public_key_bytes(Ed25519PrivateKey.generate().public_key())),
        "reason": "fuzzing",
    },
    "POST /api/v1/peers/{jurisdiction}/remove": lambda s, n: {"reason": "fuzzing"},
    "POST /api/v1/channels": lambda s, n: {
        "name": f"fuzz-{n}",
        "public_key_pem": public_pem(Ed25519PrivateKey.generate()),
        "webhook_url": "https://example.org/hook",
    },
    "POST /api/v1/me/declarations/health": lambda s, n: {
        "temperature": 36.6,
        "symptoms": [],
        "note": "fine",
    },
    "POST /api/v1/me/declarations/travel": lambda s, n: {
        "place": "310000",
        "from_date": "2026-02-20",
        "to_date": "2026-02-25",
    },
    # every other one as a checkpoint at a venue kind (decided by the acceptance policy)
    "POST /api/v1/verify": lambda s, n: (
        {"token": _ids(s, "code")} | ({"kind": ("office", "hospital")[n // 2 % 2]} if n % 2 else {})
    ),
    "POST /api/v1/me/checkins": lambda s, n: {"place_code": _ids(s, "place_code"), **HANGZHOU},
    "POST /api/v1/me/rides": lambda s, n: {
        "line": _ids(s, "venue_id"),  # the bus route
        "vehicle": "浙A12345",
        "boarded_at": EARLIER,
        "alighted_at": "2026-03-01T00:40:00+00:00",
    },
    "POST /api/v1/me/locations": lambda s, n: {"pings": [{**HANGZHOU, "at": NOW}]},
    "POST /api/v1/locations/batches": lambda s, n: {
        "pings": [{"subject": _ids(s, "subject"), **HANGZHOU, "at": NOW, "source": "telecom"}]
    },
    "POST /api/v1/organisations": lambda s, n: {"name": f"西湖{n}号有限公司"},
    "POST /api/v1/organisations/{organisation_id}/staff": lambda s, n: {
        "subject": _ids(s, "subject")
    },
    "POST /api/v1/venues": lambda s, n: {
        "organisation": _ids(s, "organisation_id"),
        "name_zh": "楼外楼",
        "name_en": "Louwailou",
        "kind": "restaurant",
        **HANGZHOU,
    },
    "POST /api/v1/venues/{venue_id}/devices": lambda s, n: {
        "public_key": b64(public_key_bytes(Ed25519PrivateKey.generate().public_key()))
    },
    "POST /api/v1/cases": lambda s, n: {
        "subject": _ids(s, "subject"),
        "sampled_at": EARLIER,
        "test_reference": f"HZ-PCR-{n}",
        "asymptomatic": True,
        "reason": "positive PCR",
    },
    "POST /api/v1/cases/{case_id}/corrections": lambda s, n: {
        "test_reference": f"HZ-PCR-{n}",
        "reason": "typo in the reference",
    },
    "POST /api/v1/cases/{case_id}/withdraw": lambda s, n: {"reason": "a false positive"},
    "POST /api/v1/risk-areas": lambda s, n: {
        "name": "西湖区",
        "level": "medium",
        "venues": [_ids(s, "venue_id")],
        "starts_at": EARLIER,
        "ends_at": LATER,
        "reason": "a cluster",
    },
    "POST /api/v1/risk-areas/{area_id}/end": lambda s, n: {"reason": "the cluster is contained"},
    "POST /api/v1/quarantines/release": lambda s, n: {
        "subject": _ids(s, "subject"),
        "reason": "two negative tests",
    },
    "POST /api/v1/policies/check": lambda s, n: {"source": bundled_source("330100")},
    "POST /api/v1/policies/impact": lambda s, n: {"source": bundled_source("330100")},
    "POST /api/v1/policies/activate": lambda s, n: {
        "source": bundled_source("330100", version=f"2030.{n}"),
        "reason": "a new version",
    },
    "POST /api/v1/me/appeals": lambda s, n: {"reason": "not my test", "evidence": f"HZ-{n}"},
    "POST /api/v1/appeals/{appeal_id}/uphold": lambda s, n: {"reason": "the result stands"},
    # no valid body for POST /api/v1/me/close: closing would end the scene's citizens for the
    # rest of the run (its `confirm: true` is left for the fuzzer to find)
    "POST /api/v1/proposals": lambda s, n: {
        "action": "release_quarantine",
        "payload": {"subject": _ids(s, "subject")},
        "reason": "two negative tests",
    },
}
for _decision in (
    "POST /api/v1/proposals/{proposal_id}/approve",
    "POST /api/v1/proposals/{proposal_id}/reject",
    "POST /api/v1/cases/{case_id}/confirm",
    "POST /api/v1/cases/{case_id}/withdrawal/approve",
):
    BODIES[_decision] = lambda s, n: {"note": "checked"}
