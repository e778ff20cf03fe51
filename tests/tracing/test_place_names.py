"""What tracing tells names its places: a venue and a bus line by their names (and the
vehicle), a home as home, a place no longer held by its id — on both databases."""

from __future__ import annotations

from healthcode.container import Container
from healthcode.tracing.contacts import case_contacts
from healthcode.tracing.model.derived import ContactEvidence
from healthcode.tracing.quarantine import my_exposures
from presence_helpers import city
from tracing_helpers import confirm, hours, officials, report, resident, ride, stay, work


def _places(container: Container, subject: str) -> dict[str, ContactEvidence]:
    """The person's contacts behind their exposures, by rule."""
    return {
        fact.rule: contact
        for fact in my_exposures(uow=container.uow(), subject=subject)
        if fact.kind == "exposure"
        for contact in fact.contacts
    }


def test_contacts_are_told_by_the_venues_name_the_vehicle_and_home(container: Container) -> None:
    """The restaurant and the bus line by name, the ride's vehicle, the home with no name."""
    here = city(container)
    who = officials(container)
    case = resident(container, 1, home=9)
    diner, rider = resident(container, 2), resident(container, 3)
    housemate = resident(container, 4, home=9)
    now = container.clock.now()
    stay(container, case, here.restaurant.id, now - hours(30), now - hours(29))
    stay(container, diner, here.restaurant.id, now - hours(29.5), now - hours(28))
    ride(container, case, f"{here.bus.id}:浙A12345", now - hours(20), now - hours(19.5))
    ride(container, rider, f"{here.bus.id}:浙A12345", now - hours(20), now - hours(19.5))
    case_id = report(container, who["wang"], case, sampled_at=now - hours(5))
    confirm(container, who["li"], case_id)
    work(container)

    at_table = _places(container, diner)["venue"]
    assert (at_table.place_name_zh, at_table.place_name_en) == ("楼外楼", "Louwailou")
    assert at_table.vehicle is None and at_table.place_id == here.restaurant.id
    on_bus = _places(container, rider)["transit"]
    assert (on_bus.place_name_zh, on_bus.place_name_en) == ("7路公交", "Bus route 7")
    assert on_bus.vehicle == "浙A12345"
    at_home = _places(container, housemate)["household"]
    assert (at_home.place_id, at_home.place_name_zh, at_home.vehicle) == (None, None, None)

    listed = case_contacts(
        uow=container.uow(), clock=container.clock, principal=who["li"], case_id=case_id
    )
    named = {
        c.subject: {x.place_name_en for f in c.findings for x in f.contacts}
        for c in listed.contacts
    }
    assert named[diner] == {"Louwailou"} and named[rider] == {"Bus route 7"}


def test_a_place_that_is_no_venue_is_told_by_its_id(container: Container) -> None:
    """A presence at a place no venue holds keeps its id and names nothing."""
    who = officials(container)
    case, contact = resident(container, 1), resident(container, 2)
    now = container.clock.now()
    stay(container, case, "louwailou", now - hours(30), now - hours(29))
    stay(container, contact, "louwailou", now - hours(29.5), now - hours(28))
    confirm(container, who["li"], report(container, who["wang"], case, sampled_at=now - hours(5)))
    work(container)
    told = _places(container, contact)["venue"]
    assert (told.place_id, told.place_name_zh, told.place_name_en) == ("louwailou", None, None)
