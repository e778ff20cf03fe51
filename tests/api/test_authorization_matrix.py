"""Every endpoint × every role (and no credentials): allowed exactly where the table says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from api_helpers import api_routes, route_actions
from healthcode.app import create_app
from healthcode.container import Container
from healthcode.identity.channels import issue_channel_token
from healthcode.identity.officials import log_in_official
from healthcode.identity.website import log_in_citizen
from healthcode.oversight.access import PUBLIC_ACTIONS, Action, Role, is_allowed
from identity_helpers import (
    PASSWORD,
    add_test_channel,
    add_test_official,
    bearer,
    register_via_channel,
    totp_code,
)

DUMMY = {
    "subject": "0" * 32,
    "proposal_id": "0" * 32,
    "venue_id": "0" * 32,
    "organisation_id": "0" * 32,
    "checkin_id": "0" * 32,
    "case_id": "0" * 32,
    "appeal_id": "0" * 32,
    "area_id": "0" * 32,
    "device_id": "0" * 16,
    "client_id": "0" * 16,
    "jurisdiction": "310000",
    "name": "0" * 16,  # a simulator report's folder
    "sha256": "0" * 64,  # a policy text's digest
}


def _routes(container: Container) -> list[tuple[str, str, Action]]:
    app = create_app(container=container)
    routes: list[tuple[str, str, Action]] = []
    for route in api_routes(app.routes):
        actions = route_actions(route)
        assert len(actions) == 1, f"{route.path} names {actions or 'no action'}"
        (action,) = actions
        routes.extend((method, route.path.format(**DUMMY), action) for method in route.methods)
    # the walk found every operation the OpenAPI document publishes (the web pages, left out
    # of it, are walked too)
    published = {
        (method.upper(), path.format(**DUMMY))
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    pages = {
        (method, route.path.format(**DUMMY))
        for route in api_routes(app.routes)
        if not route.include_in_schema
        for method in route.methods
    }
    assert published == {(m, p) for m, p, _ in routes} - pages
    # logging out ends the session the rest of the walk uses: last
    return sorted(routes, key=lambda r: (r[2] is Action.LOG_OUT, r[1], r[0]))


def _actors(container: Container) -> dict[str, Callable[[], dict[str, str]]]:
    """Headers per actor; a channel citizen gets a fresh assertion for every request."""
    uow, clock = container.uow, container.clock
    website = add_test_channel(container, "website")
    app_channel = add_test_channel(container, "alipay")
    register_via_channel(container, app_channel, user_id="u-1")
    from factories import registration, resident_id
    from sign_up_helpers import confirm_identity_through, website_sign_up

    reg = registration(id_number=resident_id(7), phone="13900000001")
    website_sign_up(container, id_number=reg["id_number"], phone=reg["phone"])
    # confirmed through a channel, so the website citizen's code is issued
    confirm_identity_through(
        container, app_channel, user_id="u-w", phone=reg["phone"], id_number=reg["id_number"]
    )
    citizen = log_in_citizen(uow=uow(), clock=clock, phone=reg["phone"], password=PASSWORD)
    channel_token = issue_channel_token(
        uow=uow(), clock=clock, client_id=app_channel.id, client_secret=app_channel.client_secret
    ).access_token
    del website
    actors: dict[str, Callable[[], dict[str, str]]] = {
        "anonymous": dict,
        "citizen (website)": lambda: bearer(citizen.token),
        "citizen (channel)": lambda: {
            **bearer(channel_token),
            "X-Identity-Assertion": app_channel.assertion(user_id="u-1", now=clock.now()),
        },
        "channel": lambda: bearer(channel_token),
    }
    for role in ("official", "supervisor", "auditor", "admin"):
        kit = add_test_official(container, f"{role}-1", role)
        session = log_in_official(
            uow=uow(),
            clock=clock,
            username=kit.username,
            password=PASSWORD,
            totp_code=totp_code(kit.secret, clock.now()),
        )
        actors[role] = lambda token=session.token: bearer(token)  # type: ignore[misc]
    return actors


_ROLE_OF = {
    "citizen (website)": Role.CITIZEN,
    "citizen (channel)": Role.CITIZEN,
    "channel": Role.CHANNEL,
    "official": Role.OFFICIAL,
    "supervisor": Role.SUPERVISOR,
    "auditor": Role.AUDITOR,
    "admin": Role.ADMIN,
}


def test_every_endpoint_names_exactly_one_action(container: Container) -> None:
    """No route is served without naming the action the table is asked about."""
    assert _routes(container)


def test_authorisation_matrix(container: Container) -> None:
    """Each role is refused where the table forbids it (403; 401 unauthenticated), else let in."""
    routes = _routes(container)
    actors = _actors(container)
    wrong: list[str] = []
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        for method, path, action in routes:
            for actor, headers in actors.items():
                response = client.request(method, path, headers=headers(), json={})
                if action in PUBLIC_ACTIONS:
                    expected: Any = "allowed"
                elif actor == "anonymous":
                    expected = 401
                else:
                    expected = "allowed" if is_allowed(_ROLE_OF[actor], action) else 403
                got = response.status_code
                ok = got not in (401, 403) if expected == "allowed" else got == expected
                if not ok:
                    wrong.append(
                        f"{method} {path} ({action}) as {actor}: {got}, expected {expected}"
                    )
    assert wrong == []
