"""The officials' list of quarantine orders a page at a time: those ending soonest first, the
count of them all, and only the people shown read into the access log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight.access import Principal
from healthcode.tracing.quarantine import list_quarantines, quarantine_page
from identity_helpers import add_test_official, official_headers
from scope_helpers import access_entries
from tracing_helpers import confirm, hours, officials, report, resident, stay, work


def _traced_case_with_contacts(container: Container, who: dict[str, Principal]) -> list[str]:
    """A confirmed, traced case whose three close contacts met it an hour apart (so their
    orders end an hour apart); the contacts."""
    case = resident(container, 1)
    contacts = [resident(container, n) for n in (2, 3, 4)]
    now = container.clock.now()
    stay(container, case, "cafe", now - hours(30), now - hours(26))
    for n, contact in enumerate(contacts):
        stay(container, contact, "cafe", now - hours(30 - n), now - hours(29 - n))
    case_id = report(container, who["wang"], case, sampled_at=now - hours(2), onset_at=now)
    confirm(container, who["li"], case_id)
    work(container)
    return contacts


def test_a_page_of_orders_ends_soonest_first_and_counts_them_all(container: Container) -> None:
    """Two orders a page: the first two to end, the total; the next page the rest."""
    who = officials(container)
    contacts = _traced_case_with_contacts(container, who)
    first = quarantine_page(
        uow=container.uow(), clock=container.clock, principal=who["wang"], limit=2
    )
    shown = [v.order.subject for v in first.orders]
    assert first.total >= 3 and len(shown) == 2
    ends = [v.order.planned_end for v in first.orders]
    assert ends == sorted(ends)
    # only the people on the page are read into the access log
    for subject in contacts:
        read = ("official:wang", "quarantines") in access_entries(container, subject)
        assert read is (subject in shown), subject
    rest = quarantine_page(
        uow=container.uow(), clock=container.clock, principal=who["wang"], limit=100, offset=2
    )
    everything = list_quarantines(uow=container.uow(), clock=container.clock, principal=who["wang"])
    paged = [v.order.order_id for v in (*first.orders, *rest.orders)]
    assert paged == [v.order.order_id for v in everything]
    ends = [v.order.planned_end for v in everything]
    assert ends == sorted(ends)
    assert rest.total == first.total == len(everything)


def test_a_page_asked_for_out_of_range_is_refused_naming_the_field(container: Container) -> None:
    """No page of nothing, and no page before the first."""
    who = officials(container)
    for limit, offset, field in ((0, 0, "limit"), (10, -1, "offset")):
        with pytest.raises(InvalidInput) as refused:
            quarantine_page(
                uow=container.uow(),
                clock=container.clock,
                principal=who["wang"],
                limit=limit,
                offset=offset,
            )
        assert [p.field for p in refused.value.problems] == [field]


def test_the_api_answers_a_page_and_the_total_in_a_header(
    client: TestClient, container: Container
) -> None:
    """`?limit=1` answers one order and `X-Total-Count`; a limit out of range is a 422."""
    contacts = _traced_case_with_contacts(container, officials(container))
    kit = add_test_official(container, "zhou")
    headers = official_headers(client, kit, container.clock.now())
    answer = client.get("/api/v1/quarantines", params={"limit": 1}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert len(answer.json()) == 1 and answer.json()[0]["subject"] in contacts
    total = int(answer.headers["X-Total-Count"])
    assert total >= 3
    last = client.get("/api/v1/quarantines", params={"offset": total - 1}, headers=headers)
    assert len(last.json()) == 1 and last.headers["X-Total-Count"] == str(total)
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}):
        refused = client.get("/api/v1/quarantines", params=params, headers=headers)
        assert refused.status_code == 422, params
        assert next(iter(params)) in refused.text
