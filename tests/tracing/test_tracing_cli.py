"""Cases, tracing previews, the worker, quarantines and risk areas at the console, with --as
for the official acting and --at for the scenario's time."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from cli_helpers import login_kit
from healthcode.cli.main import app
from healthcode.container import Container
from healthcode.settings import Settings
from identity_helpers import add_test_official
from tracing_helpers import hours, resident, stay

AT = "2026-03-01T09:00:00+08:00"  # the test clock's time
LATER = "2026-03-01T10:00:00+08:00"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _ok(*args: str) -> object:
    code, out, err = _run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def _world(container: Container) -> tuple[str, str, str]:
    login_kit(
        add_test_official(container, "wang", "official"),
        add_test_official(container, "li", "supervisor"),
    )
    case, contact, other = (resident(container, i) for i in (1, 2, 3))
    now = container.clock.now()
    stay(container, case, "louwailou", now - hours(30), now - hours(29))
    stay(container, contact, "louwailou", now - hours(29.5), now - hours(28))
    stay(container, other, "louwailou", now - timedelta(days=6))
    return case, contact, other


def test_case_report_preview_confirm_worker_withdraw(
    cli_env: Settings, container: Container
) -> None:
    """The CLI reports, confirms, traces and, after a second approval, withdraws a case."""
    case, contact, other = _world(container)
    code, _, err = _run(
        "case",
        "report",
        case,
        "--as",
        "wang",
        "--sampled-at",
        "2026-02-28T10:00:00",
        "--asymptomatic",
        "--test-ref",
        "L-1",
        "--at",
        AT,
        "--json",
    )
    assert code == 64 and "sampled_at" in err and "time zone" in err  # a usage error
    reported = _ok(
        "case",
        "report",
        case,
        "--as",
        "wang",
        "--sampled-at",
        "2026-03-01T04:00:00+08:00",
        "--asymptomatic",
        "--test-ref",
        "L-1",
        "--at",
        AT,
    )
    assert isinstance(reported, dict)
    case_id = reported["payload"]["case_id"]
    preview = _ok("trace", "preview", case_id, "--as", "li", "--at", AT)
    assert isinstance(preview, dict) and preview["by_rule"] == {"venue": 1}
    code, _, err = _run("case", "confirm", case_id, "--as", "wang", "--at", AT)
    assert code == 1 and "may not" in err
    confirmed = _ok("case", "confirm", case_id, "--as", "li", "--at", AT)
    assert isinstance(confirmed, dict) and confirmed["result"]["colour"] == "red"
    passed = _ok("worker", "--once", "--at", AT)
    assert isinstance(passed, dict) and passed["jobs_done"] == 1
    status = _ok("status", contact, "--as", "wang", "--at", AT)
    assert isinstance(status, dict) and status["colour"] == "red"
    assert _ok("status", other, "--as", "wang", "--at", AT)["colour"] == "green"  # type: ignore[index]
    orders = _ok("quarantine", "list", "--as", "wang", "--at", AT)
    assert isinstance(orders, list) and [o["subject"] for o in orders] == [contact]
    listed = _ok("case", "list", "--as", "wang")
    assert isinstance(listed, list) and listed[0]["state"] == "confirmed"
    assert listed[0]["trace_counts"] == {"venue": 1}
    proposed = _ok(
        "case", "withdraw", case_id, "--as", "wang", "--reason", "wrong sample", "--at", LATER
    )
    assert isinstance(proposed, dict)
    assert (proposed["action"], proposed["status"]) == ("withdraw_case", "pending")
    _ok("worker", "--once", "--at", LATER)
    assert _ok("status", contact, "--as", "wang", "--at", LATER)["colour"] == "red"  # type: ignore[index]
    code, _, err = _run("case", "approve-withdrawal", case_id, "--as", "wang", "--at", LATER)
    assert code == 1 and "may not" in err
    approved = _ok("case", "approve-withdrawal", case_id, "--as", "li", "--at", LATER)
    assert isinstance(approved, dict) and approved["status"] == "approved"
    shown = _ok("case", "show", case_id, "--as", "wang")
    assert isinstance(shown, dict) and shown["state"] == "withdrawn"
    assert (shown["withdrawn_by"], shown["withdrawal_proposed_by"]) == ("li", "wang")
    _ok("worker", "--once", "--at", LATER)
    assert _ok("status", contact, "--as", "wang", "--at", LATER)["colour"] == "green"  # type: ignore[index]
    assert _ok("status", case, "--as", "wang", "--at", LATER)["colour"] == "green"  # type: ignore[index]


def test_case_withdraw_rejects_a_pending_report_and_proposal_approve_withdraws(
    cli_env: Settings, container: Container
) -> None:
    """`case withdraw` rejects a pending report and proposes withdrawing a confirmed case."""
    case, _, _ = _world(container)
    login_kit(add_test_official(container, "zhao", "supervisor"))
    reports = []
    for ref in ("L-1", "L-2"):
        reported = _ok(
            "case",
            "report",
            case,
            "--as",
            "wang",
            "--sampled-at",
            AT,
            "--asymptomatic",
            "--test-ref",
            ref,
            "--at",
            AT,
        )
        assert isinstance(reported, dict)
        reports.append(reported["payload"]["case_id"])
    rejected = _ok("case", "withdraw", reports[0], "--as", "li", "--reason", "duplicate")
    assert isinstance(rejected, dict)
    assert (rejected["action"], rejected["status"]) == ("confirm_case", "rejected")
    _ok("case", "confirm", reports[1], "--as", "li", "--at", AT)
    proposed = _ok("case", "withdraw", reports[1], "--as", "zhao", "--reason", "mix-up")
    assert isinstance(proposed, dict) and proposed["status"] == "pending"
    code, _, err = _run("proposal", "approve", proposed["id"], "--as", "zhao")
    assert code == 1 and "own proposal" in err
    _ok("proposal", "approve", proposed["id"], "--as", "li")
    listed = _ok("case", "list", "--as", "wang")
    assert isinstance(listed, list)
    assert [c["state"] for c in listed] == ["withdrawn", "withdrawn"]


def test_risk_area_propose_approve_list(cli_env: Settings, container: Container) -> None:
    """An area approved by another official is listed, then ended early by four eyes too."""
    _world(container)
    proposed = _ok(
        "risk-area",
        "propose",
        "--as",
        "wang",
        "--name",
        "文三路",
        "--level",
        "high",
        "--cell",
        "8830e1d8c1fffff",
        "--from",
        "2026-02-28T00:00:00+08:00",
        "--until",
        "2026-03-07T00:00:00+08:00",
        "--reason",
        "cluster",
        "--at",
        AT,
    )
    assert isinstance(proposed, dict)
    code, _, _ = _run("risk-area", "approve", proposed["id"], "--as", "wang", "--at", AT)
    assert code == 1
    _ok("risk-area", "approve", proposed["id"], "--as", "li", "--at", AT)
    areas = _ok("risk-area", "list", "--at", AT)
    assert isinstance(areas, list) and [(a["name"], a["level"]) for a in areas] == [
        ("文三路", "high")
    ]
    # ended early: proposed by one official, approved by another, then listed only with --all
    ended = _ok(
        "risk-area", "end", areas[0]["id"], "--as", "wang", "--reason", "contained", "--at", LATER
    )
    assert isinstance(ended, dict) and ended["action"] == "end_risk_area"
    _ok("risk-area", "approve", ended["id"], "--as", "li", "--at", LATER)
    assert _ok("risk-area", "list", "--at", LATER) == []
    [over] = _ok("risk-area", "list", "--all", "--at", LATER)  # type: ignore[misc]
    assert over["ends_at"].startswith("2026-03-01T02:00:00")
