"""Visitors' exposures: a Hangzhou visitor scanned on a Beijing bus with a Beijing case is
traced in Beijing, and the exposure reaches Hangzhou as a signed message, once."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.container import Container
from healthcode.credentials.cose import kid_of
from healthcode.federation.messages import PeerMessage, sign_message
from healthcode.federation.visitors import PEER_MESSAGE
from healthcode.presence.retention import purge
from healthcode.status.batch import current_colours
from healthcode.tracing.quarantine import my_exposures
from tracing_helpers import confirm, officials, report, work
from visitors_helpers import BEIJING, HANGZHOU, TwoCities, two_cities


def _case_on_the_bus(world: TwoCities, visitor: str) -> None:
    """The visitor and a Beijing resident ride the bus together; the resident is a case."""
    now = world.beijing.clock.now()
    resident = world.beijing_resident()
    receipt = world.upload(
        [
            (1, BEIJING, resident, now - timedelta(hours=3)),
            (2, HANGZHOU, visitor, now - timedelta(hours=3) + timedelta(minutes=5)),
            (3, "310000", "someone-of-shanghai", now - timedelta(hours=3)),
        ]
    )
    assert (receipt.stored, receipt.foreign, receipt.visitors) == (1, 2, 1)
    people = officials(world.beijing, BEIJING)
    case_id = report(world.beijing, people["wang"], resident, sampled_at=now - timedelta(hours=1))
    confirm(world.beijing, people["li"], case_id)


def test_a_visitor_exposed_in_beijing_turns_colour_at_home(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """Beijing traces the visitor and sends the exposure; Hangzhou records it with its evidence."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        visitor = world.hangzhou_resident()
        before = current_colours(uow=container.uow(), clock=container.clock, subjects=[visitor])
        assert before[visitor].value == "green"
        _case_on_the_bus(world, visitor)
        work(world.beijing)
        work(world.beijing)
        assert len(world.sent) == 1
        (exposure,) = my_exposures(uow=container.uow(), subject=visitor)
        assert (exposure.source, exposure.city, exposure.rule) == ("peer", BEIJING, "transit")
        assert exposure.place_name == "1路公交 (Bus route 1)"
        assert exposure.city_name == "北京市 Beijing"
        assert exposure.contacts and exposure.contacts[0].place_kind == "bus_route"
        assert exposure.contacts[0].minutes > 0
        after = current_colours(uow=container.uow(), clock=container.clock, subjects=[visitor])
        assert after[visitor].value != "green"
        with container.uow() as uow:
            records = uow.audit.for_subject(visitor)
        assert any(r.actor == f"peer:{BEIJING}" for r in records)


def test_a_peer_down_for_an_hour_gets_the_message_once(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """While Hangzhou is down the message waits and is retried; once up it is recorded once."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        visitor = world.hangzhou_resident()
        world.down = True
        _case_on_the_bus(world, visitor)
        clock = world.beijing.clock
        for _ in range(8):
            work(world.beijing)
            clock.advance(timedelta(minutes=8))  # type: ignore[attr-defined]
        assert world.sent == [] and my_exposures(uow=container.uow(), subject=visitor) == []
        with world.beijing.uow() as uow:
            state = uow.jobs.state(now=clock.now())
        assert state.counts.get((PEER_MESSAGE, "pending")) == 1
        world.down = False
        clock.advance(timedelta(minutes=11))  # type: ignore[attr-defined]
        work(world.beijing)
        work(world.beijing)
        assert len(world.sent) == 1
        assert len(my_exposures(uow=container.uow(), subject=visitor)) == 1
        again = world.hangzhou_client.post(
            "/api/v1/federation/exposures", json=json.loads(world.sent[0])
        )
        assert again.status_code == 200 and again.json()["recorded"] is False
        assert len(my_exposures(uow=container.uow(), subject=visitor)) == 1


def test_forged_and_replayed_messages_are_refused(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """A message not signed by Beijing's pinned root, tampered, or replayed late is refused."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        visitor = world.hangzhou_resident()
        _case_on_the_bus(world, visitor)
        work(world.beijing)
        work(world.beijing)
        (sent,) = world.sent
        document = json.loads(sent)
        post = world.hangzhou_client.post
        url = "/api/v1/federation/exposures"
        tampered = {**document, "body": {**document["body"], "category": "companion"}}
        refused = post(url, json=tampered)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "message.signature"
        forger = Ed25519PrivateKey.generate()
        forged = PeerMessage(
            id="f" * 32,
            kind="visitor_exposure",
            sender=BEIJING,
            recipient=HANGZHOU,
            sent_at=container.clock.now(),
            root_kid=kid_of(forger.public_key()),
            body=document["body"],
        )
        answer = post(url, json=json.loads(sign_message(forged, root_private_key=forger)))
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "message.root_kid"
        container.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
        late = post(url, json=document)
        assert late.status_code == 422 and late.json()["errors"][0]["field"] == "message.sent_at"
        assert len(my_exposures(uow=container.uow(), subject=visitor)) == 1


def test_visitors_presences_are_kept_no_longer_than_retention(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """A retention purge past the window deletes visitors' presences with the residents'."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        visitor = world.hangzhou_resident()
        resident = world.beijing_resident()
        now = world.beijing.clock.now()
        receipt = world.upload([(1, BEIJING, resident, now), (2, HANGZHOU, visitor, now)])
        assert receipt.visitors == 1
        again = world.upload([(2, HANGZHOU, visitor, now)])
        assert again.visitors == 0
        world.beijing.clock.advance(timedelta(days=30))  # type: ignore[attr-defined]
        purged = purge(uow=world.beijing.uow(), clock=world.beijing.clock)
        assert (purged.presences, purged.visitors) == (1, 1)
