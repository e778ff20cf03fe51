"""Venues, place codes and check-ins on both databases."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from healthcode.codes.keys import rotate_signing_key
from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import FactKind
from healthcode.presence.checkins import flagged_checkins, review_checkin
from healthcode.presence.locations import import_boundaries
from healthcode.presence.place_codes import parse_place_code
from healthcode.presence.venues import VenueDetails, add_venue, reissue_place_code
from healthcode.status.declarations import declare_health
from identity_helpers import add_test_official, principal
from presence_helpers import FAR_AWAY, HOSPITAL, SHANGHAI, WEST_LAKE, check_in_at, city, person


def _presences(container: Container, subject: str) -> list[object]:
    with container.uow() as uow:
        return list(uow.facts.for_subject(subject, kinds=[FactKind.PRESENCE]))


def test_a_venue_gets_a_signed_place_code_naming_it(container: Container) -> None:
    """A new venue's place code carries its id and jurisdiction and an H3 res-8 cell is kept."""
    c = city(container)
    _, claims = parse_place_code(c.restaurant.place_code)
    assert claims.venue_id == c.restaurant.id
    assert claims.jurisdiction == "330100"
    assert c.restaurant.place_code.startswith("HZP1:")
    assert len(c.restaurant.cell) == 15 and c.restaurant.cell.startswith("88")


def test_check_in_at_the_venue_is_a_presence_and_answers_pass(container: Container) -> None:
    """A green citizen checking in on site passes and the presence shows in their facts."""
    c = city(container)
    subject = person(container)
    result = check_in_at(container, subject, c.restaurant.place_code, WEST_LAKE)
    assert result.checkin.outcome == "pass"
    assert result.checkin.state == "accepted"
    [presence] = _presences(container, subject)
    assert presence.place_id == c.restaurant.id  # type: ignore[attr-defined]
    assert presence.source == "checkin"  # type: ignore[attr-defined]


def test_entry_rule_hospital_admits_yellow_restaurant_does_not(container: Container) -> None:
    """A yellow (fever) citizen is stopped at a restaurant but passes at a hospital."""
    c = city(container)
    subject = person(container)
    declare_health(uow=container.uow(), clock=container.clock, subject=subject, temperature=38.2)
    assert check_in_at(container, subject, c.restaurant.place_code, WEST_LAKE).checkin.outcome == (
        "stop"
    )
    assert (
        check_in_at(container, subject, c.hospital.place_code, HOSPITAL).checkin.outcome == "pass"
    )


def test_forwarded_place_code_far_away_is_flagged_not_a_presence(container: Container) -> None:
    """A place code used 6 km away is flagged with a clear message and gives no presence."""
    c = city(container)
    subject = person(container)
    result = check_in_at(container, subject, c.restaurant.place_code, FAR_AWAY)
    assert result.flagged
    assert result.checkin.flag == "far_from_venue"
    assert "km from this venue" in result.texts["en"]
    assert "flagged" in result.texts["en"]
    assert _presences(container, subject) == []


def test_place_code_of_another_venue_names_where_you_seem_to_be(container: Container) -> None:
    """Scanning the restaurant's poster while at the hospital is flagged as another venue's."""
    c = city(container)
    subject = person(container)
    result = check_in_at(container, subject, c.restaurant.place_code, HOSPITAL)
    assert result.checkin.flag == "other_venue"
    assert c.hospital.name_en in result.texts["en"]


def test_confirmed_flagged_checkin_becomes_a_presence(container: Container) -> None:
    """An official confirming a flagged check-in turns it into a presence; a reject never does."""
    c = city(container)
    subject = person(container)
    first = check_in_at(container, subject, c.restaurant.place_code, FAR_AWAY).checkin
    # in Hangzhou, 4.6 km from the hospital (Shanghai, where it was, is now refused outright)
    second = check_in_at(container, subject, c.hospital.place_code, FAR_AWAY).checkin
    add_test_official(container, "reviewer")
    o = principal(container, "reviewer")
    waiting = flagged_checkins(uow=container.uow(), clock=container.clock, principal=o)
    assert {w.id for w in waiting} == {first.id, second.id}
    confirmed = review_checkin(
        uow=container.uow(), clock=container.clock, principal=o, checkin_id=first.id, confirm=True
    )
    assert confirmed.reviewed_by == "official:reviewer"
    review_checkin(
        uow=container.uow(), clock=container.clock, principal=o, checkin_id=second.id, confirm=False
    )
    [presence] = _presences(container, subject)
    assert presence.id == confirmed.presence_id  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput, match="not waiting for review"):
        review_checkin(
            uow=container.uow(),
            clock=container.clock,
            principal=o,
            checkin_id=first.id,
            confirm=False,
        )


def test_tampered_foreign_and_replaced_place_codes_are_refused(container: Container) -> None:
    """A changed character, a health code and a replaced poster are refused naming place_code."""
    c = city(container)
    subject = person(container)
    code = c.restaurant.place_code
    tampered = code[:-3] + ("A" if code[-3] != "A" else "B") + code[-2:]
    with pytest.raises(InvalidInput, match="place_code"):
        check_in_at(container, subject, tampered, WEST_LAKE)
    with pytest.raises(InvalidInput, match="personal health code"):
        check_in_at(container, subject, "HZ1:ABC", WEST_LAKE)
    container.clock.advance(timedelta(seconds=5))  # type: ignore[attr-defined]
    reissue_place_code(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        venue_id=c.restaurant.id,
    )
    with pytest.raises(InvalidInput, match="replaced"):
        check_in_at(container, subject, code, WEST_LAKE)


def test_posters_survive_key_rotation(container: Container) -> None:
    """A place code signed before a key rotation still checks in afterwards."""
    c = city(container)
    subject = person(container)
    container.clock.advance(timedelta(days=30))  # type: ignore[attr-defined]
    rotate_signing_key(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    result = check_in_at(container, subject, c.restaurant.place_code, WEST_LAKE)
    assert result.checkin.state == "accepted"


def test_bad_venue_input_is_refused_with_every_field(container: Container) -> None:
    """Unknown kind, empty name and coordinates off the globe are refused together."""
    c = city(container)
    with pytest.raises(InvalidInput) as refused:
        add_venue(
            uow=container.uow(),
            clock=container.clock,
            private_keys=container.private_keys,
            jurisdiction="330100",
            details=VenueDetails(
                organisation_id=c.organisation,
                name_zh="",
                name_en="Spa",
                kind="spa",
                lat=91.0,
                lon=-181.0,
            ),
        )
    fields = {p.field for p in refused.value.problems}
    assert fields == {"name_zh", "kind", "lat", "lon"}


TIANANMEN = (39.9087, 116.3975)


def test_a_venue_in_another_city_is_refused_naming_the_distance(container: Container) -> None:
    """A venue at Tiananmen in the Hangzhou instance is refused, 1,124 km from Hangzhou."""
    c = city(container)
    details = VenueDetails(
        organisation_id=c.organisation,
        name_zh="天安门",
        name_en="Tiananmen",
        kind="other",
        lat=TIANANMEN[0],
        lon=TIANANMEN[1],
    )
    with pytest.raises(InvalidInput) as refused:
        add_venue(
            uow=container.uow(),
            clock=container.clock,
            private_keys=container.private_keys,
            jurisdiction="330100",
            details=details,
        )
    [problem] = refused.value.problems
    assert problem.field == "lat"
    assert problem.message.startswith("(39.9087, 116.3975) is 1,124 km from Hangzhou (")
    assert "this instance serves 330100 杭州市 Hangzhou" in problem.message
    with container.uow() as uow:
        assert "天安门" not in {v.name_zh for v in uow.venues.venues("330100")}


def test_a_venue_by_the_border_is_accepted(container: Container) -> None:
    """A few km outside the approximate outline (within its 10 km margin) is still Hangzhou."""
    c = city(container)
    venue = add_venue(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        # 5 km north of the outline's edge near Linping (120.35, 30.56)
        details=VenueDetails(
            organisation_id=c.organisation,
            name_zh="边界",
            name_en="Border",
            kind="other",
            lat=30.605,
            lon=120.35,
        ),
    )
    assert venue.jurisdiction == "330100"


def test_a_check_in_from_another_city_is_refused_and_nothing_stored(container: Container) -> None:
    """A phone in Shanghai scanning a Hangzhou poster is refused naming the distance; no record."""
    c = city(container)
    subject = person(container)
    with pytest.raises(InvalidInput, match=r"is 165 km from Hangzhou") as refused:
        check_in_at(container, subject, c.restaurant.place_code, SHANGHAI)
    assert refused.value.problems[0].field == "lat"
    add_test_official(container, "reviewer")
    o = principal(container, "reviewer")
    assert flagged_checkins(uow=container.uow(), clock=container.clock, principal=o) == []
    with container.uow() as uow:
        assert uow.venues.checkins_of(subject) == []
    assert _presences(container, subject) == []


def test_without_a_boundary_the_radius_around_the_centre_decides(container: Container) -> None:
    """With only a district's boundary imported, Hangzhou is its 200 km around the centre."""
    c = city(container)
    ring = [[120.0, 30.1], [120.3, 30.1], [120.3, 30.4], [120.0, 30.4], [120.0, 30.1]]
    feature = {
        "type": "Feature",
        "properties": {"code": "330106", "name": "西湖区"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    text = json.dumps({"type": "FeatureCollection", "features": [feature]})
    import_boundaries(uow=container.uow(), clock=container.clock, text=text, source="test")

    def add(lat: float, lon: float) -> None:
        add_venue(
            uow=container.uow(),
            clock=container.clock,
            private_keys=container.private_keys,
            jurisdiction="330100",
            details=VenueDetails(
                organisation_id=c.organisation,
                name_zh="店",
                name_en="Shop",
                kind="restaurant",
                lat=lat,
                lon=lon,
            ),
        )

    add(29.6, 119.0)  # Chun'an, 135 km from the centre
    with pytest.raises(InvalidInput) as refused:
        add(*TIANANMEN)
    assert str(refused.value.problems[0]) == (
        "lat: (39.9087, 116.3975) is 1,124 km from the centre of Hangzhou; this instance serves "
        "330100 Hangzhou: a place more than 200 km from its centre is refused"
    )
