"""The location feed's reads for many people at once (consents, the stay before each person's
batch) give what the per-person reads give — on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta

from healthcode.container import Container
from healthcode.presence.locations import import_pings
from presence_helpers import SHANGHAI, T0, WEST_LAKE, person

EARLIER = T0 - timedelta(days=10)


def _ping(subject: str, at: datetime, where: tuple[float, float]) -> dict[str, object]:
    return {"subject": subject, "lat": where[0], "lon": where[1], "at": at, "source": "gps"}


def _import(container: Container, pings: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    return import_pings(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        items=[(f"pings[{n}]", p) for n, p in enumerate(pings)],
    )


def test_arrivals_of_many_people_see_each_ones_earlier_batch(container: Container) -> None:
    """In one batch, only the person whose last earlier stay was in Shanghai arrives."""
    came, stayed, new = (person(container, n, at=EARLIER) for n in (1, 2, 3))
    day = T0 - timedelta(days=2)
    _import(
        container,
        [_ping(came, day + timedelta(hours=h), SHANGHAI) for h in range(3)]
        + [_ping(stayed, day + timedelta(hours=h), WEST_LAKE) for h in range(3)],
    )
    later = day + timedelta(hours=20)
    receipt = _import(
        container,
        [
            _ping(s, later + timedelta(minutes=10 * n + h * 60), WEST_LAKE)
            for n, s in enumerate((came, stayed, new))
            for h in range(2)
        ],
    )
    assert [(a.subject, a.from_region, a.to_region) for a in receipt.arrivals] == [
        (came, "310000", "330100")
    ]


def test_last_stays_before_match_the_one_person_read(container: Container) -> None:
    """The bulk reads give each person's stay before their moment, as one read at a time."""
    a, b, c = (person(container, n, at=EARLIER) for n in (1, 2, 3))
    day = T0 - timedelta(days=3)
    _import(
        container,
        [
            _ping(a, day, SHANGHAI),
            _ping(a, day + timedelta(hours=1), SHANGHAI),
            _ping(a, day + timedelta(hours=5), WEST_LAKE),
            _ping(b, day + timedelta(hours=2), WEST_LAKE),
        ],
    )
    moments = {a: day + timedelta(hours=3), b: day + timedelta(hours=2), c: day}
    with container.uow() as uow:
        bulk = uow.presences.last_stays_before(moments)
        places = uow.presences.last_places_before(moments)
        one = {s: uow.presences.last_stay_before(s, at) for s, at in moments.items()}
        consents = uow.persons.consents_of([a, c])
        assert consents == {a: uow.persons.consents(a), c: uow.persons.consents(c)}
    assert one[a] is not None and one[b] is None and one[c] is None
    assert bulk == {a: one[a]}
    assert bulk[a].at == day
    assert places == {a: bulk[a].cell}  # the two-column read finds the same stay
