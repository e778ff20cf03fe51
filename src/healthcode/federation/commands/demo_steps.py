"""The steps of `healthcode federation demo`, in order. Each acts as the people concerned
would (the API for citizens, officials and admins; the checkpoint library on the device; the
console's use cases for what an operator does at the console) and returns what it checked,
one line each; a check that does not hold raises ``DemoFailure`` saying what was seen.

The story: three cities start and pin each other's roots; a Hangzhou resident rides a
Beijing bus, whose checkpoint admits the Hangzhou code offline by Beijing's acceptance rule;
a Beijing resident on that bus becomes a case, confirmed by two officials; Beijing traces the
visitor and tells Hangzhou, where the code turns red with the evidence. A Shanghai resident
arrives in Beijing with their consent: Beijing's arrival rule makes them yellow for its days,
green again on time."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Final

from healthcode.codes.issuing import issue_code
from healthcode.federation.commands.demo_arrivals import arrival, green_on_time
from healthcode.federation.commands.demo_checkpoint import (
    BUS,
    VEHICLE,
    bus_checkpoint,
    ride,
    upload,
)
from healthcode.federation.commands.demo_cities import (
    ADMIN,
    BEIJING,
    CONFIRMER,
    HANGZHOU,
    REPORTER,
    SECOND_ADMIN,
    SHANGHAI,
    City,
    World,
    check,
)
from healthcode.federation.visitors import PEER_MESSAGE
from healthcode.identity.registration import Register, register_person
from healthcode.identity.validation import check_character
from healthcode.policy.bundled import bundled_policy
from healthcode.tracing.rescan import TRACE_CASE
from healthcode.worker import Worker

MAX_WORKER_PASSES: Final = 20
_JOBS_LINE: Final = re.compile(
    r'^healthcode_jobs\{kind="(?P<kind>[a-z_]+)",status="(?P<status>[a-z_]+)"\} '
    r"(?P<count>[0-9.e+]+)$"
)

Step = Callable[[World], list[str]]


def start_cities(world: World) -> list[str]:
    """Start Hangzhou, Shanghai and Beijing, each with its own database, keys and policy."""
    lines = []
    for jurisdiction in (HANGZHOU, SHANGHAI, BEIJING):
        city = world.start(jurisdiction)
        published = city.expect("GET", "/.well-known/healthcode/trust-list", 200)
        named = published.get("trust_list", published).get("jurisdiction")
        check(named == jurisdiction, f"{city.name}'s trust list names {named}")
        lines.append(
            f"{city.name} ({jurisdiction}) ready at {city.url}, its own database "
            f"{city.container.settings.database_url.rsplit('/', 2)[-2]}/healthcode.db, "
            f"root key {city.root_key()[:10]}…, policy {bundled_policy(jurisdiction).version}"
        )
    return lines


def pin_peers(world: World) -> list[str]:
    """Each city's admin proposes the two others as peers and a second admin approves (four
    eyes pin the root keys); then their lists are synced over HTTP."""
    lines = []
    for city in world.cities.values():
        token = city.official_login(ADMIN)
        second = city.official_login(SECOND_ADMIN)
        for other in world.cities.values():
            if other is city:
                continue
            body = {
                "jurisdiction": other.jurisdiction,
                "url": other.url,
                "root_key": other.root_key(),
                "reason": f"{other.name}'s visitors",
            }
            proposal = city.expect("POST", "/api/v1/peers", 202, token=token, json=body)
            approve = f"/api/v1/proposals/{proposal['id']}/approve"
            decided = city.expect("POST", approve, 200, token=second, json={"note": ""})
            check(
                decided["status"] == "approved",
                f"{city.name}: {other.name} proposed by {ADMIN}, approved by {SECOND_ADMIN}",
            )
        synced = city.expect("POST", "/api/v1/peers/sync", 200, token=token)
        outcomes = {s["jurisdiction"]: s["outcome"] for s in synced}
        others = {o.jurisdiction for o in world.cities.values() if o is not city}
        check(
            outcomes == dict.fromkeys(others, "accepted"),
            f"{city.name} pinned {', '.join(sorted(others))} and accepted their lists: {outcomes}",
        )
        lines.append(f"{city.name} holds the signed trust lists of {', '.join(sorted(others))}")
    return lines


def _resident_id(region: str, seq: int) -> str:
    first17 = f"{region}19850615{seq:03d}"
    return first17 + check_character(first17)


def travel(world: World) -> list[str]:
    """The Hangzhou resident travels to Beijing and shows a green Hangzhou code; a Beijing
    resident boards the same bus."""
    world.move_to(world.clock.now() + timedelta(hours=5))
    hangzhou, beijing = world.hangzhou, world.beijing
    visitor, session = hangzhou.citizen_login()
    code = hangzhou.expect("GET", "/api/v1/me/code", 200, token=session)
    world.seen.update(visitor=visitor, visitor_code=code["token"])
    c = beijing.container
    local = register_person(
        uow=c.uow(),
        clock=c.clock,
        jurisdiction=BEIJING,
        person=Register(
            name="刘伟",
            id_type="resident",
            id_number=_resident_id("110101", 7),
            phone="13900000007",
            address="北京市东城区东长安街1号",
            consent_location=True,
        ),
    ).subject
    issued = issue_code(
        uow=c.uow(),
        clock=c.clock,
        private_keys=c.private_keys,
        subject=local,
        lifetime=c.settings.code_lifetime,
    )
    world.seen.update(local=local, local_code=issued.token)
    return [
        check(code["colour"] == "green", f"the visitor's Hangzhou code is {code['colour']}"),
        check(
            code["issuer"] == HANGZHOU,
            f"issued by {code['issuer']}, masked name {code['masked_name']}",
        ),
        f"a Beijing resident ({issued.colour}) boards bus {VEHICLE} first",
    ]


def case_confirmed(world: World) -> list[str]:
    """The next day the Beijing resident tests positive: one official reports the case, a
    second confirms it (four eyes)."""
    world.move_to(world.clock.now() + timedelta(hours=20))
    beijing = world.beijing
    reporter = beijing.official_login(REPORTER)
    body = {
        "subject": world.seen["local"],
        "sampled_at": (world.clock.now() - timedelta(hours=2)).isoformat(),
        "asymptomatic": True,
        "test_reference": "BJ-PCR-0007",
        "reason": "positive PCR",
    }
    proposal = beijing.expect("POST", "/api/v1/cases", 201, token=reporter, json=body)
    case_id = proposal["payload"]["case_id"]
    confirmer = beijing.official_login(CONFIRMER)
    decided = beijing.expect(
        "POST", f"/api/v1/cases/{case_id}/confirm", 200, token=confirmer, json={"note": "checked"}
    )
    return [
        f"case {case_id} reported by {proposal['proposed_by']}",
        check(
            decided["status"] == "approved" and decided["decided_by"] != proposal["proposed_by"],
            f"confirmed by {decided['decided_by']} ({decided['status']})",
        ),
    ]


def _jobs(city: City) -> dict[tuple[str, str], float]:
    """The city's job queue by (kind, status), as its `/metrics` shows it to an operator."""
    text = city.call("GET", "/metrics").text
    found: dict[tuple[str, str], float] = {}
    for line in text.splitlines():
        match = _JOBS_LINE.match(line)
        if match is not None:
            found[match["kind"], match["status"]] = float(match["count"])
    return found


def work(world: World) -> list[str]:
    """Beijing's worker runs its due jobs: tracing finds the visitor, and the exposure is sent
    to Hangzhou as a signed peer message."""
    c = world.beijing.container
    worker = Worker(uow_factory=c.uow, clock=c.clock, kinds=c.job_kinds)
    done = failed = passes = 0
    while passes < MAX_WORKER_PASSES:
        report = worker.run_once()
        passes += 1
        done += report.jobs_done
        failed += report.jobs_failed + report.jobs_retried
        if not report.busy:
            break
    jobs = _jobs(world.beijing)
    stuck = {k: n for k, n in jobs.items() if k[1] not in {"done", "pending"} and n}
    later = jobs.get((TRACE_CASE, "pending"), 0)
    return [
        f"{done} jobs done in {passes} passes of the worker",
        check(failed == 0 and not stuck, f"none failed or retried: {stuck or 'none'}"),
        check(
            jobs.get((TRACE_CASE, "done"), 0) >= 1,
            f"Beijing's /metrics: {TRACE_CASE} done {jobs.get((TRACE_CASE, 'done'), 0):.0f}",
        ),
        check(
            jobs.get((PEER_MESSAGE, "done"), 0) == 1,
            f"{PEER_MESSAGE} to Hangzhou done {jobs.get((PEER_MESSAGE, 'done'), 0):.0f}",
        ),
        f"{TRACE_CASE} pending {later:.0f}: the case traced again later, for scans uploaded late",
    ]


def red_at_home(world: World) -> list[str]:
    """Hangzhou's API shows the visitor red, with the exposure's evidence (never the case)."""
    hangzhou = world.hangzhou
    _visitor, session = hangzhou.citizen_login()
    code = hangzhou.expect("GET", "/api/v1/me/code", 200, token=session)
    status = hangzhou.expect("GET", "/api/v1/me/status", 200, token=session)
    exposures = hangzhou.call("GET", "/api/v1/me/exposures", token=session)
    found: list[dict[str, Any]] = exposures.json() if exposures.status_code == 200 else []
    peer = [e for e in found if e.get("source") == "peer"]
    check(len(peer) == 1, f"one exposure sent by a peer in Hangzhou's records: {len(peer)}")
    (exposure,) = peer
    contact = (exposure.get("contacts") or [{}])[0]
    overlap = contact.get("overlap") or {}
    rules = [r["rule"] for r in status["reasons"]]
    return [
        check(code["colour"] == "red", f"the Hangzhou code is now {code['colour']}"),
        check("close-contact" in rules, f"because of Hangzhou's rule(s) {', '.join(rules)}"),
        check(
            exposure["city"] == BEIJING and exposure["category"] == "close_contact",
            f"what: {exposure['category']} by rule {exposure['rule']}, sent by "
            f"{exposure.get('city_name') or exposure['city']}",
        ),
        check(
            exposure.get("place_name") == f"{BUS[0]} ({BUS[1]})",
            f"where: {exposure.get('place_name')} ({contact.get('place_kind')})",
        ),
        check(
            bool(overlap),
            f"when: {overlap.get('start')} to {overlap.get('end')} "
            f"({contact.get('minutes')} minutes together)",
        ),
        check(
            world.seen["local"] not in exposures.text and "刘伟" not in exposures.text,
            "who the case was: not said",
        ),
    ]


STEPS: Final[tuple[tuple[str, Step], ...]] = (
    ("three cities start", start_cities),
    ("peers pinned, lists synced", pin_peers),
    ("a Beijing bus checkpoint", bus_checkpoint),
    ("a Hangzhou resident travels to Beijing", travel),
    ("the bus checkpoint decides offline", ride),
    ("the checkpoint uploads its scans", upload),
    ("a Beijing case, four eyes", case_confirmed),
    ("Beijing's worker traces and tells Hangzhou", work),
    ("Hangzhou: red, with the evidence", red_at_home),
    ("a Shanghai visitor arrives in Beijing", arrival),
    ("green again on time", green_on_time),
)
"""The steps, each with its title, in the order they run."""
