"""A withdrawn or corrected case reaches the visitors' home cities: Beijing withdraws (or
corrects) the case that exposed a Hangzhou visitor, sends a signed withdrawal home, and Hangzhou
retracts the exposure and turns the visitor's code back; a withdrawal arriving before its
exposure is refused until it came."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from healthcode.codes.keys import root_key
from healthcode.container import Container
from healthcode.federation.messages import PeerMessage, sign_message
from healthcode.federation.visitors_model import VISITOR_EXPOSURE, VISITOR_EXPOSURE_WITHDRAWN
from healthcode.oversight import proposals
from healthcode.status.assessment import status_history
from healthcode.status.batch import current_colours
from healthcode.tracing import cases
from healthcode.tracing.model.cases import CaseCorrection
from healthcode.tracing.quarantine import my_exposures
from identity_helpers import principal
from tracing_helpers import confirm, officials, report, work
from visitors_helpers import BEIJING, HANGZHOU, TwoCities, two_cities


def _exposed(world: TwoCities, visitor: str) -> str:
    """The visitor and a Beijing case ride one bus; the case is confirmed; the case's id."""
    now = world.beijing.clock.now()
    resident = world.beijing_resident()
    world.upload(
        [
            (1, BEIJING, resident, now - timedelta(hours=3)),
            (2, HANGZHOU, visitor, now - timedelta(hours=3) + timedelta(minutes=5)),
        ]
    )
    people = officials(world.beijing, BEIJING)
    case_id = report(world.beijing, people["wang"], resident, sampled_at=now - timedelta(hours=1))
    confirm(world.beijing, people["li"], case_id)
    return case_id


def _withdraw(world: TwoCities, case_id: str) -> None:
    beijing = world.beijing
    people = {name: principal(beijing, name) for name in ("li", "zhao")}
    cases.withdraw_case(
        uow=beijing.uow(),
        clock=beijing.clock,
        kinds=beijing.proposal_kinds,
        principal=people["zhao"],
        case_id=case_id,
        reason="lab mix-up",
    )
    cases.approve_withdrawal(
        uow=beijing.uow(),
        clock=beijing.clock,
        kinds=beijing.proposal_kinds,
        principal=people["li"],
        case_id=case_id,
    )


def _correct(world: TwoCities, case_id: str, *, isolated_at: datetime) -> None:
    """wang corrects when the case was isolated, li approves; Beijing's worker traces it again
    and sends what follows (three passes)."""
    beijing = world.beijing
    people = {name: principal(beijing, name) for name in ("wang", "li")}
    proposal = cases.correct_case(
        uow=beijing.uow(),
        clock=beijing.clock,
        kinds=beijing.proposal_kinds,
        principal=people["wang"],
        case_id=case_id,
        correction=CaseCorrection(isolated_at=isolated_at),
        reason=f"isolated at {isolated_at:%H:%M}",
    )
    proposals.approve(
        uow=beijing.uow(),
        clock=beijing.clock,
        kinds=beijing.proposal_kinds,
        principal=people["li"],
        proposal_id=proposal.id,
    )
    for _ in range(3):
        work(beijing)


def _colour(container: Container, subject: str) -> str:
    found = current_colours(uow=container.uow(), clock=container.clock, subjects=[subject])
    return found[subject].value


def _kinds(world: TwoCities) -> list[str]:
    return [json.loads(d)["kind"] for d in world.sent]


def test_a_withdrawn_case_withdraws_the_visitors_exposure_at_home(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """The withdrawal goes home signed, once; Hangzhou retracts the exposure, the code is green."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        visitor = world.hangzhou_resident()
        case_id = _exposed(world, visitor)
        work(world.beijing)
        work(world.beijing)
        assert _kinds(world) == [VISITOR_EXPOSURE]
        assert _colour(container, visitor) != "green"
        _withdraw(world, case_id)
        for _ in range(3):
            work(world.beijing)
        assert _kinds(world) == [VISITOR_EXPOSURE, VISITOR_EXPOSURE_WITHDRAWN]
        withdrawal = json.loads(world.sent[1])
        assert withdrawal["body"] == {
            "subject": visitor,
            "withdraws": json.loads(world.sent[0])["id"],
        }
        (exposure,) = my_exposures(uow=container.uow(), subject=visitor)
        assert exposure.retracted_at is not None
        assert _colour(container, visitor) == "green"
        history = status_history(uow=container.uow(), clock=container.clock, subject=visitor)
        assert history[-1].cause == f"correction from {BEIJING}: exposure withdrawn"
        with container.uow() as uow:
            records = uow.audit.for_subject(visitor)
        assert any("withdrawn" in r.what and r.actor == f"peer:{BEIJING}" for r in records)


def test_a_withdrawal_before_its_exposure_is_refused_until_the_exposure_came(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """404 and nothing kept for an exposure not received yet; the same withdrawal then applies."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        visitor = world.hangzhou_resident()
        beijing = world.beijing
        case_id = _exposed(world, visitor)
        world.down = True
        work(beijing)  # traced: the exposure waits in the queue
        with beijing.uow() as uow:
            (exposure,) = uow.visitors.outgoing_from(f"case:{case_id}")
            root = root_key(uow, jurisdiction=BEIJING, now=beijing.clock.now())
        withdrawal = PeerMessage(
            id="a" * 32,
            kind=VISITOR_EXPOSURE_WITHDRAWN,
            sender=BEIJING,
            recipient=HANGZHOU,
            sent_at=beijing.clock.now(),
            root_kid=bytes.fromhex(root.kid),
            body={"subject": visitor, "withdraws": exposure.id},
        )
        document = json.loads(
            sign_message(withdrawal, root_private_key=beijing.private_keys.load(root.kid))
        )
        url = "/api/v1/federation/exposures"
        early = world.hangzhou_client.post(url, json=document)
        assert early.status_code == 404, early.text
        world.down = False
        beijing.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
        work(beijing)
        assert _kinds(world) == [VISITOR_EXPOSURE]
        assert _colour(container, visitor) != "green"
        later = world.hangzhou_client.post(url, json=document)
        assert later.status_code == 200 and later.json()["recorded"] is True, later.text
        (held,) = my_exposures(uow=container.uow(), subject=visitor)
        assert held.retracted_at is not None
        assert _colour(container, visitor) == "green"
        other = {**document, "body": {"subject": visitor, "withdraws": "b" * 32}}
        assert world.hangzhou_client.post(url, json=other).status_code == 422  # signature


def test_a_correction_after_which_the_exposure_no_longer_holds_withdraws_it(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """The case isolated before the ride (corrected): the visitor's exposure is withdrawn home."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        visitor = world.hangzhou_resident()
        beijing = world.beijing
        case_id = _exposed(world, visitor)
        work(beijing)
        work(beijing)
        assert _kinds(world) == [VISITOR_EXPOSURE]
        _correct(world, case_id, isolated_at=beijing.clock.now() - timedelta(hours=5))
        assert _kinds(world) == [VISITOR_EXPOSURE, VISITOR_EXPOSURE_WITHDRAWN]
        (held,) = my_exposures(uow=container.uow(), subject=visitor)
        assert held.retracted_at is not None
        assert _colour(container, visitor) == "green"


def test_an_exposure_found_again_by_a_later_correction_goes_home_again(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """Corrected away, then corrected back: a new exposure message, and the visitor is flagged."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        visitor = world.hangzhou_resident()
        beijing = world.beijing
        case_id = _exposed(world, visitor)
        work(beijing)
        ride = beijing.clock.now() - timedelta(hours=3)
        _correct(world, case_id, isolated_at=ride - timedelta(hours=2))
        assert _kinds(world) == [VISITOR_EXPOSURE, VISITOR_EXPOSURE_WITHDRAWN]
        assert _colour(container, visitor) == "green"
        beijing.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
        _correct(world, case_id, isolated_at=ride + timedelta(hours=1))  # after the ride after all
        assert _kinds(world) == [VISITOR_EXPOSURE, VISITOR_EXPOSURE_WITHDRAWN, VISITOR_EXPOSURE]
        first, withdrawal, again = (json.loads(d) for d in world.sent)
        assert again["id"] not in (first["id"], withdrawal["id"])
        assert again["body"]["exposure"] == first["body"]["exposure"]
        exposures = my_exposures(uow=container.uow(), subject=visitor)
        assert sorted(e.retracted_at is None for e in exposures) == [False, True]
        assert _colour(container, visitor) != "green"
        # traced once more with nothing new: nothing more is sent
        beijing.clock.advance(timedelta(minutes=20))  # type: ignore[attr-defined]
        for _ in range(2):
            work(beijing)
        assert len(world.sent) == 3
