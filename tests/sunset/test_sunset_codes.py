"""Codes of a retired instance: showing one answers "system retired" instead of a colour, and
verifying one says the system is retired."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from healthcode.codes.issuing import issue_code
from healthcode.container import Container
from healthcode.oversight.instance import InstanceState, Phase, SystemRetired
from presence_helpers import keys, person


def _retire(container: Container) -> None:
    with container.uow() as uow:
        uow.instance.save(InstanceState(phase=Phase.RETIRED, changed_at=container.clock.now()))
        uow.commit()


def test_a_retired_instance_shows_no_colour(container: Container) -> None:
    """A code is issued while collecting; once retired, issuing answers system retired."""
    keys(container)
    subject = person(container, 1)

    def issue() -> str:
        return issue_code(
            uow=container.uow(),
            clock=container.clock,
            private_keys=container.private_keys,
            subject=subject,
            lifetime=container.settings.code_lifetime,
        ).colour

    assert issue() == "green"
    _retire(container)
    with pytest.raises(SystemRetired, match="system retired"):
        issue()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_verifying_a_code_of_a_retired_instance_says_retired(
    container: Container, client: TestClient
) -> None:
    """POST /api/v1/verify answers 503 "System retired" once the instance is retired."""
    keys(container)
    _retire(container)
    response = client.post("/api/v1/verify", json={"token": "HC1:anything"})
    assert response.status_code == 503
    assert response.json()["title"] == "System retired"
    assert "system retired" in response.json()["detail"]
