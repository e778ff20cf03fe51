"""The arrival's steps of `healthcode federation demo`: a Shanghai resident's consent, the
arrival Beijing records, and Beijing's rule `arrival-other-province` ending on time."""

from __future__ import annotations

from datetime import datetime, timedelta

from healthcode.federation.commands.demo_cities import BEIJING, REPORTER, SHANGHAI, World, check


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


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
    origin = visitor["arrivals"][0]["origin_colour"]
    reasons = {r["rule"]: r for r in status["reasons"]}
    check("arrival-other-province" in reasons, f"Beijing's reasons: {sorted(reasons)}")
    rule = reasons["arrival-other-province"]
    ends = _at(rule["ends_at"])
    world.seen.update(arrival_subject=subject, arrival_ends=ends)
    days = (ends - world.clock.now()).total_seconds() / 86400
    return [
        f"consent token {consent['token'][:12]}… from {consent['issuer']} "
        f"for {consent['destination']}",
        check(
            visitor["subject"] == subject and origin == "green",
            f"Beijing asked Shanghai: the visitor is {origin} there",
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
