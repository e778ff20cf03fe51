"""`healthcode sunset` at the console: propose, two approvals (an admin's, an auditor's), the
state shown, and a reactivation by two admins."""

from __future__ import annotations

from cli_helpers import add_official, ok, run
from healthcode.container import Container
from healthcode.settings import Settings


def test_the_sunset_at_the_console(cli_env: Settings, container: Container) -> None:
    """An admin proposes, another admin and an auditor approve; two admins reactivate."""
    for name, role in [("cy", "auditor"), ("ada", "admin"), ("bo", "admin")]:
        add_official(name, role)
    assert ok("sunset", "status")["phase"] == "collecting"
    made = ok("sunset", "propose", "--as", "ada", "--reason", "emergency over", "--grace-days", "7")
    assert (made["action"], made["bulk"], made["payload"]) == ("sunset", True, {"grace_days": 7})
    code, _, err = run("sunset", "approve", made["id"], "--as", "ada", "--json")
    assert code != 0 and "own proposal" in err
    assert ok("sunset", "approve", made["id"], "--as", "bo")["status"] == "pending"
    assert ok("sunset", "approve", made["id"], "--as", "cy")["status"] == "approved"
    state = ok("sunset", "status")
    assert state["phase"] == "retired" and state["proposal"] == made["id"]
    assert state["purge_after"] is not None and state["final_report"] is None
    again = ok("sunset", "reactivate", "--as", "bo", "--reason", "a new outbreak, declared")
    code, _, err = run("sunset", "approve", again["id"], "--as", "cy", "--json")
    assert code != 0
    assert ok("sunset", "approve", again["id"], "--as", "ada")["status"] == "approved"
    assert ok("sunset", "status")["phase"] == "collecting"
