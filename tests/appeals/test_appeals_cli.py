"""`healthcode appeal list|show|uphold|correct` as officials answer appeals at the console."""

from __future__ import annotations

import pytest

from appeals_helpers import appeal, red_resident
from cli_helpers import login_kit, ok, run
from healthcode.container import Container
from healthcode.settings import Settings
from healthcode.status.assessment import current_status


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_console_corrects_an_appeal_by_two_officials(
    container: Container, cli_env: Settings
) -> None:
    """`appeal correct` proposes, `proposal approve` by another corrects: green, appeal closed."""
    scene = red_resident(container)
    login_kit(*scene.kits.values())
    filed = appeal(container, scene)
    at = container.clock.now().isoformat()
    (listed,) = ok("appeal", "list", "--as", "wang", "--at", at)
    assert listed["id"] == filed.id and listed["overdue"] is False
    assert ok("appeal", "show", filed.id, "--as", "wang", "--at", at)["evidence"] == (
        "PCR-2026-0301-17"
    )
    proposal = ok(
        "appeal",
        "correct",
        filed.id,
        "--as",
        "wang",
        "--reason",
        "the sample was another person's",
        "--retract",
        scene.test_id,
        "--at",
        at,
    )
    assert proposal["action"] == "answer_appeal" and proposal["status"] == "pending"
    approved = ok("proposal", "approve", proposal["id"], "--as", "li", "--at", at)
    assert approved["result"]["colour"] == "green"
    status = current_status(uow=container.uow(), clock=container.clock, subject=scene.subject)
    assert status.colour.value == "green"
    assert ok("appeal", "list", "--as", "wang", "--at", at) == []
    (done,) = ok("appeal", "list", "--all", "--as", "wang", "--at", at)
    assert (done["state"], done["correction"]) == ("corrected", "retract")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_console_upholds_and_refuses_a_second_answer(
    container: Container, cli_env: Settings
) -> None:
    """`appeal uphold` answers once; a second answer exits 1 saying it is upheld."""
    scene = red_resident(container)
    login_kit(*scene.kits.values())
    filed = appeal(container, scene)
    at = container.clock.now().isoformat()
    upheld = ok("appeal", "uphold", filed.id, "--as", "wang", "--reason", "stands", "--at", at)
    assert upheld["state"] == "upheld"
    code, _, err = run("appeal", "uphold", filed.id, "--as", "li", "--reason", "x", "--at", at)
    assert code == 1 and "already upheld" in err
