"""`healthcode status`, `test-result` and `policy` as a health office uses them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cli_helpers import add_official, run
from healthcode.kernel.clock import SystemClock
from healthcode.policy.bundled import bundled_policy_path
from healthcode.settings import Settings
from policy_helpers import bundled_source, fever_free_hangzhou, with_bad_tracing

AT = "2026-03-01T09:00:00+08:00"


def _subject() -> str:
    code, out, err = run(
        "register",
        "--name",
        "王五",
        "--id-number",
        "11010519491231002X",
        "--phone",
        "13812341234",
        "--address",
        "杭州市上城区2号",
        "--at",
        AT,
        "--json",
    )
    assert code == 0, err
    subject: str = json.loads(out)["subject"]
    add_official("reader", "official")  # who reads the status at the console (logged in)
    return subject


def test_status_says_why_and_until_when(cli_env: Settings) -> None:
    """A positive PCR entered by hand counts once a supervisor approves it: then red, why."""
    subject = _subject()
    add_official("li", "supervisor")
    code, out, err = run(
        "test-result",
        subject,
        "--as",
        "reader",
        "--kind",
        "pcr",
        "--result",
        "positive",
        "--sampled-at",
        "2026-03-01T08:00:00+08:00",
        "--reason",
        "Hangzhou CDC laboratory, HZ-PCR-0042",
        "--at",
        AT,
        "--json",
    )
    assert code == 0, err
    proposal = json.loads(out)
    assert (proposal["action"], proposal["status"]) == ("record_test_result", "pending")
    code, out, _ = run("status", subject, "--as", "reader", "--at", AT, "--json")
    assert json.loads(out)["colour"] == "green", "not before a second official approves"
    code, out, err = run("proposal", "approve", proposal["id"], "--as", "reader", "--json")
    assert code != 0, "an official approves nothing: a supervisor does"
    code, out, err = run("proposal", "approve", proposal["id"], "--as", "li", "--at", AT, "--json")
    assert code == 0, err
    fact_id = json.loads(out)["result"]["fact"]
    code, out, _ = run(
        "status", subject, "--as", "reader", "--at", "2026-03-02T09:00:00+08:00", "--json"
    )
    status = json.loads(out)
    assert status["colour"] == "red"
    assert status["reasons"][0]["rule"] == "positive-test"
    assert status["reasons"][0]["facts"] == [fact_id]
    assert status["reasons"][0]["text"] == "Positive test result"
    assert set(status) >= {"colour", "reasons", "notices", "valid_until"}


def test_status_in_chinese(cli_env: Settings) -> None:
    """`--lang zh` gives the reasons in Chinese."""
    subject = _subject()
    run("declare", "health", subject, "--temperature", "38.6", "--symptom", "fever", "--at", AT)
    code, out, _ = run("status", subject, "--as", "reader", "--at", AT, "--lang", "zh", "--json")
    assert code == 0
    assert json.loads(out)["reasons"][0]["text"] == "申报发热"


def test_status_of_unknown_subject_exits_1(cli_env: Settings) -> None:
    """An unknown subject is refused with exit 1 and a message naming it."""
    add_official("reader", "official")
    code, _, err = run("status", "0" * 32, "--as", "reader", "--json")
    assert code == 1 and "not found" in json.loads(err)["error"]


def test_test_result_refuses_bad_input(cli_env: Settings) -> None:
    """A test result with an unknown kind and a sample without zone names both fields."""
    subject = _subject()
    code, _, err = run(
        "test-result",
        subject,
        "--as",
        "reader",
        "--kind",
        "x",
        "--result",
        "negative",
        "--sampled-at",
        "2026-03-01T08:00:00",
        "--at",
        AT,
        "--json",
    )
    assert code == 1
    assert json.loads(err)["problems"][0]["field"] == "sampled_at"
    code, _, err = run(
        "test-result",
        subject,
        "--as",
        "reader",
        "--kind",
        "x",
        "--result",
        "maybe",
        "--sampled-at",
        "2026-03-01T08:00:00+08:00",
        "--at",
        AT,
        "--json",
    )
    assert code == 1
    fields = {p["field"] for p in json.loads(err)["problems"]}
    assert fields == {"payload.kind", "payload.result"}


def test_policy_check_accepts_the_bundled_policies(cli_env: Settings) -> None:
    """Each bundled policy passes `policy check`."""
    for code_ in ("330100", "310000", "110000"):
        code, out, err = run("policy", "check", str(bundled_policy_path(code_)), "--json")
        assert code == 0, err
        assert json.loads(out)["jurisdiction"] == code_


def test_policy_check_refuses_a_bad_policy_naming_rule_and_field(
    cli_env: Settings, tmp_path: Path
) -> None:
    """A policy with a bad duration exits 1 naming the rule id and the field."""
    source = bundled_policy_path("110000").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(source.replace("window: {after: P14D}", "window: {after: 14 days}"))
    code, out, err = run("policy", "check", str(bad), "--json")
    assert code == 1 and out == ""
    fields = [p["field"] for p in json.loads(err)["problems"]]
    assert any("arrival-other-province" in f and "after" in f for f in fields)


def test_policy_check_and_activate_refuse_a_bad_tracing_section(
    cli_env: Settings, tmp_path: Path
) -> None:
    """`policy check` and `policy activate` refuse a bad tracing section, naming its key."""
    bad = tmp_path / "bad-tracing.yaml"
    bad.write_text(with_bad_tracing(bundled_source("330100", version="2020.8")))
    code, out, err = run("policy", "check", str(bad))
    assert code == 1 and out == ""
    assert "tracing.venue.min_overlap_minutes: must be a positive number or 0" in err
    code, out, err = run("policy", "check", str(bad), "--json")
    assert code == 1 and out == ""
    assert [p["field"] for p in json.loads(err)["problems"]] == [
        "tracing.venue.min_overlap_minutes"
    ]
    add_official("wang", "official")
    code, out, err = run("policy", "activate", str(bad), "--as", "wang", "--json")
    assert code == 1 and out == ""
    assert json.loads(err)["problems"][0]["field"] == "tracing.venue.min_overlap_minutes"
    code, out, err = run("proposal", "list", "--as", "wang", "--json")
    assert code == 0, err
    assert json.loads(out) == []


def test_policy_impact_and_activate(cli_env: Settings, tmp_path: Path) -> None:
    """`policy impact` prints the from→to table; `policy activate` records who activated it."""
    subject = _subject()
    run("declare", "health", subject, "--temperature", "38.6", "--symptom", "fever")
    relaxed = tmp_path / "relaxed.yaml"
    relaxed.write_text(fever_free_hangzhou(version="2020.9"))
    code, out, err = run("policy", "impact", str(relaxed), "--json")
    assert code == 0, err
    impact = json.loads(out)
    assert impact["moves"] == [{"from": "yellow", "to": "green", "people": 1}]
    assert impact["changed"] == 1
    for username, role in (("wang", "official"), ("li", "supervisor")):
        add_official(username, role)
    code, out, err = run("policy", "activate", str(relaxed), "--as", "wang", "--json")
    assert code == 0, err
    proposal = json.loads(out)
    assert proposal["version"] == "2020.9"
    code, out, _ = run("status", subject, "--as", "reader", "--json")
    assert json.loads(out)["colour"] == "yellow"  # nothing applies before the approval
    code, _, err = run("proposal", "approve", proposal["id"], "--as", "wang", "--json")
    assert code == 1  # the proposer can never approve their own
    code, _, err = run("proposal", "approve", proposal["id"], "--as", "li", "--json")
    assert code == 0, err
    code, out, _ = run("status", subject, "--as", "reader", "--json")
    assert json.loads(out)["colour"] == "green"
    code, out, _ = run("policy", "history", "--json")
    [activated] = json.loads(out)
    assert (activated["activated_by"], activated["approved_by"]) == ("wang", "li")


def test_declaring_at_a_time_a_year_ahead_is_refused(cli_env: Settings) -> None:
    """`declare health|travel --at` a year in the future exits 1 naming `at` (the service's)."""
    subject = _subject()
    ahead = (SystemClock().now() + timedelta(days=365)).isoformat()  # the clock the CLI reads
    day = ahead[:10]
    for args in (
        ["health", subject, "--temperature", "36.5"],
        ["travel", subject, "--place", "310000", "--from", day, "--to", day],
    ):
        code, _, err = run("declare", *args, "--at", ahead, "--json")
        assert code == 1, err
        [problem] = json.loads(err)["problems"]
        assert problem["field"] == "at" and "is in the future" in problem["message"]
