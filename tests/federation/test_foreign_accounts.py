"""A peer's people stay the peer's: an official or a checkpoint device of another jurisdiction
is refused when it is created here (each city makes its own)."""

from __future__ import annotations

import pytest

from healthcode.container import Container
from healthcode.identity.officials import OfficialAccount, add_official
from healthcode.kernel.errors import InvalidInput
from healthcode.presence.venues import register_device
from identity_helpers import PASSWORD
from presence_helpers import city, device


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_official_of_a_peer_is_refused(container: Container) -> None:
    """A Shanghai official cannot be made on the Hangzhou instance."""
    account = OfficialAccount(
        username="zhou", role="official", jurisdiction="310000", password=PASSWORD
    )
    with pytest.raises(InvalidInput) as refused:
        add_official(uow=container.uow(), clock=container.clock, account=account, serving="330100")
    assert refused.value.problems[0].field == "jurisdiction"
    assert "which this instance serves" in refused.value.problems[0].message


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_device_of_another_jurisdiction_is_refused(container: Container) -> None:
    """A device of a venue outside the jurisdiction the instance serves is refused."""
    places = city(container)
    assert device(container, places.bus).id  # this city's venue: registered
    with pytest.raises(InvalidInput, match="not in 310000"):
        register_device(
            uow=container.uow(),
            clock=container.clock,
            venue_id=places.restaurant.id,
            public_key=bytes(range(32)),
            serving="310000",
        )
