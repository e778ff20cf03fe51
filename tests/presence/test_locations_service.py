"""Location pings, stays, itinerary and arrivals; transit rides; employers — on both databases."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput, NotFound
from healthcode.kernel.facts import FactKind
from healthcode.presence.employers import (
    answer_listing,
    check_staff,
    list_staff_member,
    my_employers,
    sign_staff_check,
)
from healthcode.presence.locations import import_boundaries, import_pings, itinerary_of
from healthcode.presence.transit import Ride, record_ride
from presence_helpers import SHANGHAI, T0, WEST_LAKE, city, device, person

EARLIER = T0 - timedelta(days=10)  # registered (and consenting) before the pings


def _pings(  # type: ignore[no-untyped-def]
    subject: str, start: datetime, where: tuple[float, float], hours: int, first_line: int = 1
):
    return [
        (
            f"line {first_line + i}",
            {
                "subject": subject,
                "lat": where[0],
                "lon": where[1],
                "at": (start + timedelta(hours=i)).isoformat(),
                "source": "telecom",
            },
        )
        for i in range(hours + 1)
    ]


def _import(container: Container, items):  # type: ignore[no-untyped-def]
    return import_pings(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", items=items
    )


def test_telecom_pings_become_stays_itinerary_and_an_arrival(container: Container) -> None:
    """Telecom pings become stays, an itinerary of cities and an arrival fact for the person."""
    subject = person(container, at=EARLIER)
    start = T0 - timedelta(days=3)
    items = _pings(subject, start, SHANGHAI, 6) + _pings(
        subject, start + timedelta(hours=8), WEST_LAKE, 5, first_line=8
    )
    receipt = _import(container, items)
    assert (receipt.pings, receipt.stays, receipt.stored) == (13, 2, 2)
    [arrival] = receipt.arrivals
    assert (arrival.from_region, arrival.to_region) == ("310000", "330100")
    assert arrival.at == start + timedelta(hours=8)
    with container.uow() as uow:
        facts = uow.facts.for_subject(subject, kinds=[FactKind.ARRIVAL, FactKind.PRESENCE])
    assert sorted(f.kind.value for f in facts) == ["arrival", "presence", "presence"]
    trip = itinerary_of(uow=container.uow(), clock=container.clock, subject=subject)
    assert [e.jurisdiction for e in trip] == ["330100", "310000"]
    assert trip[1].longest == timedelta(hours=6)
    again = _import(container, items)
    assert (again.stored, again.arrivals) == (0, [])


def test_short_visits_stay_off_the_itinerary(container: Container) -> None:
    """Three hours in Shanghai is not on the itinerary (4 h or more is)."""
    subject = person(container, at=EARLIER)
    _import(container, _pings(subject, T0 - timedelta(days=2), SHANGHAI, 3))
    assert itinerary_of(uow=container.uow(), clock=container.clock, subject=subject) == []


def test_without_consent_the_batch_is_refused_and_nothing_stored(container: Container) -> None:
    """One person without location consent refuses the whole batch, naming the line."""
    consenting = person(container, 1, at=EARLIER)
    refusing = person(container, 2, consent=False, at=EARLIER)
    stranger = {"subject": refusing, "lat": 30.2, "lon": 120.1, "at": T0.isoformat()}
    items = [*_pings(consenting, T0 - timedelta(hours=3), WEST_LAKE, 1), ("line 3", stranger)]
    with pytest.raises(InvalidInput) as refused:
        import_pings(
            uow=container.uow(),
            clock=container.clock,
            jurisdiction="330100",
            items=items,
            default_source="gps",
        )
    [problem] = refused.value.problems
    assert problem.field == "line 3: subject"
    assert "no recorded consent" in problem.message
    with container.uow() as uow:
        assert list(uow.facts.for_subject(consenting, kinds=[FactKind.PRESENCE])) == []


def test_bad_pings_are_refused_by_line(container: Container) -> None:
    """Off-globe coordinates, future and too-old times and unknown sources name their lines."""
    subject = person(container)
    items = [
        ("line 1", {"subject": subject, "lat": 95, "lon": 120, "at": T0.isoformat()}),
        ("line 2", {"subject": subject, "lat": 30, "lon": 120, "at": "2099-01-01T00:00:00+08:00"}),
        ("line 3", {"subject": subject, "lat": 30, "lon": 120, "at": "2020-01-01T00:00:00+08:00"}),
        (
            "line 4",
            {"subject": subject, "lat": 30, "lon": 120, "at": T0.isoformat(), "source": "x"},
        ),
    ]
    with pytest.raises(InvalidInput) as refused:
        import_pings(
            uow=container.uow(),
            clock=container.clock,
            jurisdiction="330100",
            items=items,
            default_source="telecom",
        )
    assert [str(p) for p in refused.value.problems] == [
        "line 1: lat: must be between -90 and 90 degrees",
        "line 4: source: must be gps or telecom",
        "line 2: at: is in the future",
        "line 3: at: is older than the retention window of 21 days",
    ]


def test_imported_boundaries_replace_the_bundled_ones(container: Container) -> None:
    """After importing a boundary that puts West Lake in '330106', stays there count as 330106."""
    ring = [[120.0, 30.1], [120.3, 30.1], [120.3, 30.4], [120.0, 30.4], [120.0, 30.1]]
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "330106", "name": "西湖区"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    import_boundaries(
        uow=container.uow(), clock=container.clock, text=json.dumps(geojson), source="test"
    )
    subject = person(container, at=EARLIER)
    _import(container, _pings(subject, T0 - timedelta(hours=6), WEST_LAKE, 5))
    [entry] = itinerary_of(uow=container.uow(), clock=container.clock, subject=subject)
    assert entry.jurisdiction == "330106"
    with pytest.raises(InvalidInput, match=r"features\[0\]\.properties\.code"):
        import_boundaries(
            uow=container.uow(),
            clock=container.clock,
            text=json.dumps(
                {**geojson, "features": [{**geojson["features"][0], "properties": {}}]}
            ),  # type: ignore[dict-item]
            source="test",
        )


def test_a_ride_is_a_presence_on_the_trip(container: Container) -> None:
    """A bus ride is a presence on line+vehicle from boarding to alighting; a shop is no line."""
    c = city(container)
    subject = person(container)
    ride = record_ride(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        subject=subject,
        ride=Ride(
            line=c.bus.id,
            vehicle="浙A1234",
            boarded_at=T0 - timedelta(minutes=40),
            alighted_at=T0 - timedelta(minutes=10),
        ),
    )
    assert ride.place_id == f"{c.bus.id}:浙A1234"
    assert ride.until - ride.at == timedelta(minutes=30)
    with pytest.raises(InvalidInput) as refused:
        record_ride(
            uow=container.uow(),
            clock=container.clock,
            jurisdiction="330100",
            subject=subject,
            ride=Ride(
                line=c.restaurant.id,
                vehicle="",
                boarded_at=T0,
                alighted_at=T0 - timedelta(minutes=1),
            ),
        )
    assert {p.field for p in refused.value.problems} == {"line", "vehicle", "alighted_at"}


def test_employer_learns_pass_or_stop_only_for_consenting_staff(container: Container) -> None:
    """Listed staff are 'not_listed' until they consent; then pass; after withdrawing, nothing."""
    c = city(container)
    gate = device(container, c.restaurant)
    staff, stranger = person(container, 1), person(container, 2)
    list_staff_member(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        organisation_id=c.organisation,
        subject=staff,
    )

    def ask() -> dict[str, str]:
        request = sign_staff_check(
            gate.id, [staff, stranger], at=container.clock.now(), private_key=gate.key
        )
        return check_staff(
            uow=container.uow(), clock=container.clock, jurisdiction="330100", request=request
        )

    assert ask() == {staff: "not_listed", stranger: "not_listed"}
    answer_listing(
        uow=container.uow(),
        clock=container.clock,
        subject=staff,
        organisation_id=c.organisation,
        consent=True,
    )
    assert ask() == {staff: "pass", stranger: "not_listed"}
    [employment] = my_employers(uow=container.uow(), subject=staff)
    assert employment.state == "active"
    answer_listing(
        uow=container.uow(),
        clock=container.clock,
        subject=staff,
        organisation_id=c.organisation,
        consent=False,
    )
    assert ask()[staff] == "not_listed"
    with pytest.raises(NotFound):
        answer_listing(
            uow=container.uow(),
            clock=container.clock,
            subject=stranger,
            organisation_id=c.organisation,
            consent=True,
        )
    stale = sign_staff_check(
        gate.id, [staff], at=container.clock.now() - timedelta(hours=1), private_key=gate.key
    )
    with pytest.raises(InvalidInput, match="five minutes"):
        check_staff(
            uow=container.uow(), clock=container.clock, jurisdiction="330100", request=stale
        )


def test_an_import_with_one_bad_shape_stores_nothing(container: Container) -> None:
    """A file whose second boundary crosses itself is refused whole: the first is not stored."""
    good = [[120.0, 30.1], [120.3, 30.1], [120.3, 30.4], [120.0, 30.4], [120.0, 30.1]]
    bow_tie = [[120.0, 30.1], [120.3, 30.4], [120.3, 30.1], [120.0, 30.4], [120.0, 30.1]]
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for code, ring in (("330106", good), ("330102", bow_tie))
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features})
    with pytest.raises(InvalidInput, match=r"features\[1\]\.geometry\.coordinates\[0\]: 330102"):
        import_boundaries(uow=container.uow(), clock=container.clock, text=text, source="test")
    with container.uow() as uow:
        assert uow.boundaries.all() == []
