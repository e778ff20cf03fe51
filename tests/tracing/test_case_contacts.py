"""The contacts a case's tracing found, for the official tracing it, on both databases: each
person masked with what tracing recorded and its evidence, each read in the access log; another
jurisdiction's official does not find the case, a citizen may not ask, nothing is logged."""

from __future__ import annotations

import pytest

from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput, NotAllowed, NotFound
from healthcode.oversight.access import Principal, Role
from healthcode.tracing.contacts import CaseContacts, case_contacts
from scope_helpers import access_records
from tracing_helpers import confirm, hours, officials, report, resident, stay, work


@pytest.fixture
def traced(container: Container) -> tuple[dict[str, Principal], str, dict[str, str]]:
    """A confirmed case (Hangzhou), two close contacts at a cafe, and a passer-by elsewhere."""
    who = officials(container)
    p = {n: resident(container, i) for i, n in enumerate(["case", "cc", "cc2", "passer"], 1)}
    now = container.clock.now()
    for person in ("case", "cc", "cc2"):
        stay(container, p[person], "cafe", now - hours(21), now - hours(20), kind="restaurant")
    stay(container, p["passer"], "shop", now - hours(21), now - hours(20), kind="restaurant")
    case_id = report(
        container, who["wang"], p["case"], sampled_at=now - hours(2), onset_at=now - hours(2)
    )
    confirm(container, who["li"], case_id)
    work(container)
    return who, case_id, p


def _contacts(
    container: Container, official: Principal, case_id: str, limit: int = 100, offset: int = 0
) -> CaseContacts:
    return case_contacts(
        uow=container.uow(),
        clock=container.clock,
        principal=official,
        case_id=case_id,
        limit=limit,
        offset=offset,
    )


def test_the_contacts_are_listed_masked_with_evidence_and_audited(
    container: Container, traced: tuple[dict[str, Principal], str, dict[str, str]]
) -> None:
    """Both close contacts, phones masked, the cafe as evidence; one access record each."""
    who, case_id, p = traced
    before = {s: access_records(container, s) for s in (p["cc"], p["cc2"], p["passer"])}
    found = _contacts(container, who["wang"], case_id)
    assert found.total == 2
    assert {c.subject for c in found.contacts} == {p["cc"], p["cc2"]}
    first = next(c for c in found.contacts if c.subject == p["cc"])
    assert first.phone == "139****0002"
    exposure = next(f for f in first.findings if f.kind == "exposure")
    assert (exposure.rule, exposure.category) == ("venue", "close_contact")
    assert exposure.contacts[0].place_id == "cafe"
    assert access_records(container, p["cc"]) == before[p["cc"]] + 1
    assert access_records(container, p["cc2"]) == before[p["cc2"]] + 1
    assert access_records(container, p["passer"]) == before[p["passer"]]


def test_a_limit_shows_the_first_contacts_and_counts_them_all(
    container: Container, traced: tuple[dict[str, Principal], str, dict[str, str]]
) -> None:
    """With limit 1 one contact is shown (and logged), the total still counts both."""
    who, case_id, _ = traced
    before = access_records(container)
    found = _contacts(container, who["li"], case_id, limit=1)
    assert (found.total, len(found.contacts)) == (2, 1)
    assert access_records(container) == before + 1


def test_the_next_page_of_contacts_starts_where_the_first_ended(
    container: Container, traced: tuple[dict[str, Principal], str, dict[str, str]]
) -> None:
    """Offset 1 shows the second contact only (and logs only them); past the end, no one."""
    who, case_id, p = traced
    first = _contacts(container, who["li"], case_id, limit=1)
    before = {s: access_records(container, s) for s in (p["cc"], p["cc2"])}
    second = _contacts(container, who["li"], case_id, limit=1, offset=1)
    assert second.total == 2
    (shown,) = second.contacts
    (other,) = {p["cc"], p["cc2"]} - {shown.subject}
    assert access_records(container, shown.subject) == before[shown.subject] + 1
    assert access_records(container, other) == before[other]
    assert [c.subject for c in (*first.contacts, *second.contacts)] == [
        c.subject for c in _contacts(container, who["li"], case_id).contacts
    ]
    assert _contacts(container, who["li"], case_id, offset=2).contacts == ()
    with pytest.raises(InvalidInput) as refused:
        _contacts(container, who["li"], case_id, offset=-1)
    assert [problem.field for problem in refused.value.problems] == ["offset"]


def test_the_contacts_are_refused_outside_the_officials_reach(
    container: Container, traced: tuple[dict[str, Principal], str, dict[str, str]]
) -> None:
    """Another city's official does not find the case; a citizen may not ask; nothing logged."""
    _, case_id, p = traced
    before = access_records(container)
    shanghai = Principal(role=Role.OFFICIAL, id="sh-1", name="zhou", jurisdiction="310000")
    with pytest.raises(NotFound):
        _contacts(container, shanghai, case_id)
    with pytest.raises(NotAllowed):
        _contacts(container, Principal(role=Role.CITIZEN, id=p["cc"], channel="website"), case_id)
    assert access_records(container) == before
