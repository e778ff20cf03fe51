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

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.checkpoint.acceptance import acceptance_for, max_trust_list_age
from healthcode.checkpoint.batches import ScanRecord
from healthcode.checkpoint.device import DeviceConfig, decide, scan_record, signed_batches
from healthcode.codes.issuing import issue_code
from healthcode.credentials.claims import Colour
from healthcode.credentials.cose import public_key_bytes
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.verify import Decision, Outcome
from healthcode.federation.bundle import open_bundle
from healthcode.federation.commands.demo_cities import (
    ADMIN,
    BEIJING,
    CONFIRMER,
    HANGZHOU,
    NAMES,
    REPORTER,
    SHANGHAI,
    City,
    DemoFailure,
    World,
)
from healthcode.identity.registration import Register, register_person
from healthcode.identity.validation import check_character
from healthcode.policy.bundled import bundled_policy
from healthcode.presence.venues import (
    VenueDetails,
    add_organisation,
    add_venue,
    entry_rule,
    register_device,
)
from healthcode.worker import Worker

BUS: Final = ("1路公交", "Bus route 1")
VEHICLE: Final = "B-1001"
TIANANMEN: Final = (39.9087, 116.3975)
MAX_WORKER_PASSES: Final = 20

Step = Callable[[World], list[str]]


def check(holds: bool, what: str) -> str:
    """``what`` when it holds; else the step fails saying so."""
    if not holds:
        raise DemoFailure(what)
    return what


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


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
    """Each city's admin adds the two others as peers (root keys pinned) and syncs their lists
    over HTTP."""
    lines = []
    for city in world.cities.values():
        token = city.official_login(ADMIN)
        for other in world.cities.values():
            if other is city:
                continue
            body = {
                "jurisdiction": other.jurisdiction,
                "url": other.url,
                "root_key": other.root_key(),
            }
            city.expect("POST", "/api/v1/peers", 201, token=token, json=body)
        synced = city.expect("POST", "/api/v1/peers/sync", 200, token=token)
        outcomes = {s["jurisdiction"]: s["outcome"] for s in synced}
        others = {o.jurisdiction for o in world.cities.values() if o is not city}
        check(
            outcomes == dict.fromkeys(others, "accepted"),
            f"{city.name} pinned {', '.join(sorted(others))} and accepted their lists: {outcomes}",
        )
        lines.append(f"{city.name} holds the signed trust lists of {', '.join(sorted(others))}")
    return lines


def bus_checkpoint(world: World) -> list[str]:
    """Beijing registers a bus route and its checkpoint device, which fetches Beijing's trust
    bundle while online."""
    beijing = world.beijing
    c = beijing.container
    org = add_organisation(uow=c.uow(), clock=c.clock, jurisdiction=BEIJING, name="北京公交集团")
    bus = add_venue(
        uow=c.uow(),
        clock=c.clock,
        private_keys=c.private_keys,
        jurisdiction=BEIJING,
        details=VenueDetails(
            organisation_id=org.id,
            name_zh=BUS[0],
            name_en=BUS[1],
            kind="bus_route",
            lat=TIANANMEN[0],
            lon=TIANANMEN[1],
        ),
    )
    key = Ed25519PrivateKey.generate()
    device = register_device(
        uow=c.uow(),
        clock=c.clock,
        venue_id=bus.id,
        public_key=public_key_bytes(key.public_key()),
        serving=BEIJING,
    )
    colours = entry_rule(uow=c.uow(), jurisdiction=BEIJING, kind=bus.kind)
    root = load_public_key(_b64(beijing.root_key()))
    world.seen["device"] = DeviceConfig(
        device=device.id,
        venue=bus.id,
        kind=bus.kind.value,
        jurisdiction=BEIJING,
        colours=frozenset(Colour(k.value) for k in colours),
        private_key=key,
        root_keys={BEIJING: public_key_bytes(root)},
    )
    bundle = beijing.call("GET", "/.well-known/healthcode/trust-bundle")
    check(bundle.status_code == 200, f"Beijing serves its trust bundle ({bundle.status_code})")
    world.seen["bundle"] = bundle.content
    store = open_bundle(bundle.content, root_public_key=root, at=c.clock.now())
    held = sorted(store.jurisdictions)
    return [
        f"bus {BUS[0]} ({BUS[1]}), device {device.id} registered in Beijing",
        check(
            held == sorted(world.cities),
            f"the bundle verifies under Beijing's root and holds the lists of {', '.join(held)}",
        ),
    ]


def _b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


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


def _decide(world: World, token: str, *, kind: str | None = None) -> Decision:
    """The checkpoint's decision offline: the bundle fetched earlier, Beijing's bundled policy."""
    config: DeviceConfig = world.seen["device"]
    now = world.clock.now()
    root = load_public_key(config.root_keys[BEIJING])
    store = open_bundle(world.seen["bundle"], root_public_key=root, at=now)
    policy = bundled_policy(BEIJING)
    acceptance = acceptance_for(
        policy,
        kind=kind or config.kind,
        own_colours=config.colours,
        trusted=store.jurisdictions,
    )
    return decide(
        token,
        config=config,
        trust_store=store,
        at=now,
        acceptance=acceptance,
        max_trust_list_age=max_trust_list_age(policy),
    )


def ride(world: World) -> list[str]:
    """On the bus the device, offline, admits the Beijing code and, by Beijing's acceptance
    rule for buses, the Hangzhou code; both scans are queued."""
    local = _decide(world, world.seen["local_code"])
    check(
        local.outcome is Outcome.PASS, f"the Beijing code: {local.outcome.value} ({local.message})"
    )
    records: list[ScanRecord] = [
        scan_record(local, seq=1, at=world.clock.now(), temperature=None, vehicle=VEHICLE)
    ]
    world.move_to(world.clock.now() + timedelta(minutes=3))
    visitor = _decide(world, world.seen["visitor_code"])
    at_hospital = _decide(world, world.seen["visitor_code"], kind="hospital")
    records.append(
        scan_record(visitor, seq=2, at=world.clock.now(), temperature=None, vehicle=VEHICLE)
    )
    world.seen["scans"] = records
    return [
        f"Beijing code: {local.outcome.value}, {local.message}",
        check(
            visitor.outcome is Outcome.PASS and visitor.issuer == HANGZHOU,
            f"Hangzhou code, offline: {visitor.outcome.value}, {visitor.message}",
        ),
        check(
            at_hospital.outcome is Outcome.STOP
            and "hospitals-own-codes-only" in at_hospital.message,
            f"(the same code at a Beijing hospital: {at_hospital.outcome.value}, "
            f"{at_hospital.message})",
        ),
    ]


def upload(world: World) -> list[str]:
    """Back online, the device uploads its signed batch to Beijing."""
    receipts = [
        world.beijing.expect("POST", "/api/v1/scans/batches", 200, json=batch)
        for batch in signed_batches(world.seen["device"], world.seen["scans"])
    ]
    stored = sum(r["stored"] for r in receipts)
    visitors = sum(r["visitors"] for r in receipts)
    return [
        check(
            (stored, visitors) == (1, 1),
            f"Beijing stored {stored} resident's scan and {visitors} visitor's presence "
            "(the Hangzhou code's issuer and opaque subject only)",
        )
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
    return [
        check(failed == 0, f"{failed} jobs failed or retried"),
        check(done >= 2, f"{done} jobs done in {passes} passes (tracing, the peer message)"),
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


def arrival(world: World) -> list[str]:
    """A Shanghai resident consents in Shanghai; a Beijing official records the arrival, and
    Beijing's rule arrival-other-province makes them yellow."""
    world.move_to(world.clock.now() + timedelta(hours=2))
    shanghai, beijing = world.shanghai, world.beijing
    subject, session = shanghai.citizen_login()
    consent = shanghai.expect(
        "POST", "/api/v1/me/arrival-consent", 201, token=session, json={"destination": BEIJING}
    )
    official = beijing.official_login(REPORTER)
    visitor = beijing.expect(
        "POST", "/api/v1/arrivals", 201, token=official, json={"token": consent["token"]}
    )
    status = visitor["status"]
    reasons = {r["rule"]: r for r in status["reasons"]}
    rule = reasons.get("arrival-other-province")
    check(rule is not None, f"Beijing's reasons: {sorted(reasons)}")
    assert rule is not None  # for the type checker: checked above
    ends = _at(rule["ends_at"])
    world.seen.update(arrival_subject=subject, arrival_ends=ends)
    days = (ends - world.clock.now()).total_seconds() / 86400
    return [
        f"consent token {consent['token'][:12]}… from {consent['issuer']} for {consent['destination']}",
        check(
            visitor["subject"] == subject and visitor["arrivals"][0]["origin_colour"] == "green",
            f"Beijing asked Shanghai: the visitor is {visitor['arrivals'][0]['origin_colour']} there",
        ),
        check(status["colour"] == "yellow", f"in Beijing: {status['colour']}"),
        check(
            round(days) == 14,
            f"because of arrival-other-province ({rule['text']}), until {rule['ends_at']} "
            f"({days:.0f} days)",
        ),
    ]


def _visitor_colour(world: World, at: datetime) -> str:
    world.move_to(at)
    beijing = world.beijing
    official = beijing.official_login(REPORTER)
    path = f"/api/v1/arrivals/{SHANGHAI}/{world.seen['arrival_subject']}"
    return str(beijing.expect("GET", path, 200, token=official)["status"]["colour"])


def green_on_time(world: World) -> list[str]:
    """A second before the rule's end the visitor is still yellow in Beijing; a second after
    it, green."""
    ends: datetime = world.seen["arrival_ends"]
    before = _visitor_colour(world, ends - timedelta(seconds=1))
    after = _visitor_colour(world, ends + timedelta(seconds=1))
    return [
        check(before == "yellow", f"at {ends - timedelta(seconds=1):%Y-%m-%d %H:%M:%S}Z: {before}"),
        check(after == "green", f"at {ends + timedelta(seconds=1):%Y-%m-%d %H:%M:%S}Z: {after}"),
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

__all__ = ["NAMES", "STEPS", "City", "DemoFailure", "Step", "World"]
