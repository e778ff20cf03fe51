"""The officials' list of quarantine orders a page at a time: those ending soonest first, the
count of them all, and only the people shown read into the access log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput
from healthcode.tracing.quarantine import list_quarantines, quarantine_page
from identity_helpers import add_test_official, official_headers
from scope_helpers import access_entries
from tracing_helpers import officials, traced_case_with_contacts


def test_a_page_of_orders_ends_soonest_first_and_counts_them_all(container: Container) -> None:
    """Two orders a page: the first two to end, the total; the next page the rest."""
    who = officials(container)
    _, contacts = traced_case_with_contacts(container, who, contacts=3, stagger=1)
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
    _, contacts = traced_case_with_contacts(container, officials(container), contacts=3, stagger=1)
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
