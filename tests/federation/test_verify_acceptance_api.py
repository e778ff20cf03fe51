"""``POST /api/v1/verify`` with a venue ``kind`` decides a peer's code by this city's active
policy's acceptance rules, naming the rule (Beijing's: a visitor's green passes at offices, not
at hospitals); without ``kind`` it passes on the colours given, as before."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from federation_helpers import SHANGHAI_URL, FakeFetcher, PeerCity, add_shanghai, city_instance
from federation_helpers import resident_code as resident_code
from healthcode.app import create_app
from healthcode.container import Container
from healthcode.federation.sync import sync_all

BEIJING = "110000"


def test_verify_applies_the_acceptance_policy(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """A Shanghai green passes at a Beijing office, is stopped at a hospital by its rule."""
    clock = container.clock
    shanghai = PeerCity()
    with city_instance(
        tmp_path / "beijing", sqlite_template, jurisdiction=BEIJING, clock=clock
    ) as beijing:
        add_shanghai(beijing, shanghai)
        fetcher = FakeFetcher()
        fetcher.served[SHANGHAI_URL] = shanghai.trust_list(sequence=1, issued_at=clock.now())
        (synced,) = sync_all(
            uow_factory=beijing.uow,
            clock=clock,
            fetcher=fetcher,
            clock_skew=beijing.settings.clock_skew,
        )
        assert synced.outcome == "accepted"
        visitor = shanghai.code(clock.now())
        with TestClient(create_app(container=beijing)) as client:

            def verify(**extra: object) -> dict[str, object]:
                answer = client.post("/api/v1/verify", json={"token": visitor, **extra})
                assert answer.status_code == 200, answer.text
                body: dict[str, object] = answer.json()
                return body

            office = verify(kind="office")
            assert (office["outcome"], office["reason"], office["issuer"]) == (
                "pass",
                "ok",
                "310000",
            )
            assert (
                office["message"] == "green code of 310000: pass (acceptance rule visitors-green)"
            )
            hospital = verify(kind="hospital")
            assert (hospital["outcome"], hospital["reason"]) == ("stop", "colour_not_accepted")
            assert hospital["message"] == (
                "green code of 310000: not admitted here (acceptance rule hospitals-own-codes-only)"
            )
            assert hospital["colour"] == "green"  # a valid code: its colour is shown
            before = verify()  # no kind: the colours given, as before acceptance was policy
            assert (before["outcome"], before["message"]) == ("pass", "green code: pass")
            own = verify(token=resident_code(beijing), kind="hospital")
            assert (own["outcome"], own["issuer"]) == ("pass", BEIJING)
            wrong = client.post("/api/v1/verify", json={"token": visitor, "kind": "castle"})
            assert wrong.status_code == 422
            assert wrong.json()["errors"][0]["field"] == "kind"
