"""The Zhengzhou test at the console alone: no group turns red without a health reason; with
one, a group above the threshold needs two logged-in supervisors after the proposer, every
person's history shows the override and its reason, and the public report counts it."""

from __future__ import annotations

import json

from cli_helpers import add_official, ok, run
from factories import register, resident_id
from healthcode.container import Container
from healthcode.identity.registration import register_person
from healthcode.policies.versions import activate_policy
from healthcode.settings import Settings
from healthcode.status.assessment import status_history
from policy_helpers import bundled_source

AT = "2026-03-01T09:00:00+08:00"
REASON = "fever clinic reported positive PCR results by phone"


def _group(container: Container, size: int) -> list[str]:
    source = bundled_source("330100", version="2020.8") + "\noversight: {bulk_threshold: 2}\n"
    with container.uow() as uow:
        activate_policy(
            uow, clock=container.clock, source=source, activated_by="a", approved_by="b"
        )
        uow.commit()
    return [
        register_person(
            uow=container.uow(),
            clock=container.clock,
            jurisdiction="330100",
            person=register(id_number=resident_id(seq), phone=f"1390000{seq:04d}"),
        ).subject
        for seq in range(1, size + 1)
    ]


def _propose(subject: str, category: str) -> tuple[int, str, str]:
    return run(
        "override",
        "propose",
        subject,
        "--as",
        "wang",
        "--colour",
        "red",
        "--reason-category",
        category,
        "--reason",
        REASON,
        "--days",
        "2",
        "--at",
        AT,
        "--json",
    )


def test_the_zhengzhou_test_at_the_console(cli_env: Settings, container: Container) -> None:
    """Refused without a health reason; with one, the third override waits for a second."""
    group = _group(container, 3)
    add_official("wang", "official")
    add_official("li", "supervisor")
    add_official("zhou", "supervisor")
    code, _, err = _propose(group[0], "stability")
    assert code != 0 and "reason_category" in err
    made = []
    for subject in group:
        code, out, err = _propose(subject, "positive_result_not_yet_reported")
        assert code == 0, err
        made.append(json.loads(out))
    assert [(p["people"], p["bulk"]) for p in made] == [(1, False), (2, False), (3, True)]
    for p in made:
        once = ok("proposal", "approve", p["id"], "--as", "li", "--at", AT)
    assert (once["status"], once["first_approved_by"]) == ("pending", "li")
    code, _, err = run("proposal", "approve", made[2]["id"], "--as", "li", "--at", AT, "--json")
    assert code != 0 and "second approver" in err
    done = ok("proposal", "approve", made[2]["id"], "--as", "zhou", "--at", AT)
    assert (done["status"], done["decided_by"]) == ("approved", "zhou")
    for subject in group:
        last = status_history(uow=container.uow(), clock=container.clock, subject=subject)[-1]
        assert last.colour_to.value == "red" and REASON in str(last.status.to_dict("en"))
    report = ok("report", "transparency", "--from", "2026-03-01", "--to", "2026-03-01", "--at", AT)
    assert report["bulk_actions"]["proposed"] == report["bulk_actions"]["executed"] == 1
    assert report["bulk_actions"]["people"] == 3
