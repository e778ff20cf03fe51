"""Policy checks and impact within their time budget and YAML bounds, through the use cases,
an activate_policy proposal, the command line and the API: a clean refusal naming the bound,
nothing stored, never a traceback or a hung core."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli_helpers import add_official, run
from factories import register, resident_id
from healthcode import bootstrap
from healthcode.bootstrap import PROPOSAL_KINDS
from healthcode.container import Container
from healthcode.identity.registration import register_person
from healthcode.kernel import clock as kernel_clock
from healthcode.kernel.budget import TimeBudget, TookTooLong
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight import proposals
from healthcode.oversight.kinds import ProposalKinds
from healthcode.policies.versions import (
    ACTIVATE_POLICY,
    CHECK_SECONDS,
    IMPACT_SECONDS,
    activate_policy_kind,
    check_policy,
    policy_impact,
)
from healthcode.policy.yaml_text import MAX_DEPTH, MAX_VALUES
from healthcode.settings import Settings
from identity_helpers import add_test_official, official_headers, principal
from policy_helpers import billion_laughs, bundled_source, fever_free_hangzhou


class Counter:
    """A fake monotonic counter: each reading moves it on by ``step`` seconds."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def _deep() -> str:
    return "rules: " + "[" * 5_000 + "]" * 5_000 + "\n"


def test_the_setting_defaults_are_the_use_cases_defaults() -> None:
    """The budget settings default to what the use cases apply when given no budget."""
    settings = Settings()
    assert settings.policy_check_seconds == CHECK_SECONDS
    assert settings.policy_impact_seconds == IMPACT_SECONDS


def test_a_check_past_its_budget_stops_naming_the_limit() -> None:
    """A check taking 1 s a step stops past a 10 s budget; one taking no time passes."""
    # reading the bundled policy takes hundreds of steps (one per YAML node and rule)
    source = bundled_source("330100")
    with pytest.raises(TookTooLong) as refused:
        check_policy(source=source, budget=TimeBudget(10, monotonic=Counter(1.0)))
    assert str(refused.value) == (
        "policy: checking the policy took longer than 10 s and was stopped"
    )
    assert check_policy(source=source, budget=TimeBudget(10, monotonic=Counter(0.0)))


def test_a_proposal_whose_check_runs_out_of_time_is_not_stored(container: Container) -> None:
    """An activate_policy proposal checked past its budget is refused; no proposal is kept."""
    add_test_official(container, "wang")
    slow = activate_policy_kind(TimeBudget(10, monotonic=Counter(1.0)))
    kinds = ProposalKinds(slow if h is ACTIVATE_POLICY else h for h in PROPOSAL_KINDS)
    wang = principal(container, "wang")
    with pytest.raises(TookTooLong, match="took longer than 10 s"):
        proposals.propose(
            uow=container.uow(),
            clock=container.clock,
            kinds=kinds,
            principal=wang,
            action="activate_policy",
            payload={"source": bundled_source("330100", version="2020.7")},
            reason="review",
        )
    assert (
        proposals.list_proposals(uow=container.uow(), clock=container.clock, principal=wang) == []
    )


def test_the_container_holds_proposals_to_the_setting(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``bootstrap.build`` checks proposed policies within ``policy_check_seconds``."""
    # under a counter moving 1 s a reading the default 10 s refuses, 3,600 s lets it through
    monkeypatch.setattr(kernel_clock, "monotonic", Counter(1.0))
    payload = {"source": bundled_source("330100", version="2020.7")}
    for seconds, refused in ((CHECK_SECONDS, True), (3_600.0, False)):
        built = bootstrap.build(settings.model_copy(update={"policy_check_seconds": seconds}))
        handler = built.proposal_kinds.handler("activate_policy")
        try:
            if refused:
                with pytest.raises(TookTooLong):
                    handler.prepare(built.uow(), built.clock, None, payload)
            else:
                assert handler.prepare(built.uow(), built.clock, None, payload).payload
        finally:
            built.close()


def test_impact_past_its_budget_stops_naming_the_limit(container: Container) -> None:
    """Impact taking 1 s a person stops past a 2.5 s budget; taking no time it counts all 3."""
    for seq in range(3):
        register_person(
            uow=container.uow(),
            clock=container.clock,
            jurisdiction="330100",
            person=register(id_number=resident_id(seq + 1), phone=f"1390000000{seq}"),
        )
    with pytest.raises(TookTooLong) as refused:
        policy_impact(
            uow=container.uow(),
            clock=container.clock,
            source=fever_free_hangzhou(),
            budget=TimeBudget(2.5, monotonic=Counter(1.0)),
        )
    assert str(refused.value) == (
        "policy: measuring the policy's impact took longer than 2.5 s and was stopped"
    )
    still = TimeBudget(2.5, monotonic=Counter(0.0))
    impact = policy_impact(
        uow=container.uow(), clock=container.clock, source=fever_free_hangzhou(), budget=still
    )
    assert impact.people == 3


def _problems(err: str) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = json.loads(err)["problems"]
    return problems


def test_policy_check_refuses_the_alias_bomb_and_deep_yaml_cleanly(
    cli_env: Settings, tmp_path: Path
) -> None:
    """`policy check`/`activate` on the alias bomb or deep YAML exit 1 naming the bound."""
    # no traceback, and nothing is proposed
    bomb, deep = tmp_path / "bomb.yaml", tmp_path / "deep.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    deep.write_text(_deep(), encoding="utf-8")
    add_official("wang", "official")
    for path, message in (
        (bomb, f"more than {MAX_VALUES:,} values once aliases (*name) are expanded"),
        (deep, f"line 1: nested deeper than {MAX_DEPTH} levels"),
    ):
        code, out, err = run("policy", "check", str(path))
        assert (code, out) == (1, "")
        assert message in " ".join(err.split()) and "Traceback" not in err
        code, out, err = run("policy", "check", str(path), "--json")
        assert (code, out) == (1, "")
        assert _problems(err) == [{"field": "policy", "message": message}]
        code, out, err = run("policy", "activate", str(path), "--as", "wang", "--json")
        assert (code, out) == (1, "")
        assert _problems(err) == [{"field": "policy", "message": message}]
    code, out, err = run("proposal", "list", "--as", "wang", "--json")
    assert code == 0, err
    assert json.loads(out) == []


def test_policy_check_stops_past_the_budget_setting(
    cli_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`policy check` past its budget exits 1; ``HEALTHCODE_POLICY_CHECK_SECONDS`` widens it."""
    # under a counter moving 1 s a reading the bundled policy needs more than 10 s
    path = tmp_path / "hangzhou.yaml"
    path.write_text(bundled_source("330100"), encoding="utf-8")
    monkeypatch.setattr(kernel_clock, "monotonic", Counter(1.0))
    code, out, err = run("policy", "check", str(path), "--json")
    assert (code, out) == (1, "")
    assert _problems(err) == [
        {"field": "policy", "message": "checking the policy took longer than 10 s and was stopped"}
    ]
    monkeypatch.setenv("HEALTHCODE_POLICY_CHECK_SECONDS", "3600")
    code, out, err = run("policy", "check", str(path), "--json")
    assert code == 0, err


def test_policy_commands_refuse_a_file_that_is_not_utf8_or_a_bad_setting(
    cli_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A non-UTF-8 policy file is refused naming `file`, a bad budget setting by name (78)."""
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes(b"jurisdiction: '330100'\nname: caf\xe9\n")
    add_official("wang", "official")
    for command in (("policy", "check"), ("policy", "activate")):
        extra = ("--as", "wang") if command[1] == "activate" else ()
        code, out, err = run(*command, str(latin), *extra, "--json")
        assert (code, out) == (1, "")
        assert _problems(err) == [
            {"field": "file", "message": "is not UTF-8 text (byte 0xe9 at 32)"}
        ]
    monkeypatch.setenv("HEALTHCODE_POLICY_CHECK_SECONDS", "many")
    code, out, err = run("policy", "check", str(latin), "--json")
    assert (code, out) == (78, "")
    assert [p["field"] for p in _problems(err)] == ["HEALTHCODE_POLICY_CHECK_SECONDS"]


def test_an_activate_policy_proposal_over_http_refuses_the_bomb(
    client: TestClient, container: Container
) -> None:
    """POST /proposals with the alias bomb or deep YAML is a 422 naming the bound, promptly."""
    headers = official_headers(client, add_test_official(container, "wang"), container.clock.now())
    for source, message in (
        (billion_laughs(), "once aliases (*name) are expanded"),
        (_deep(), "nested deeper than"),
    ):
        response = client.post(
            "/api/v1/proposals",
            json={"action": "activate_policy", "payload": {"source": source}, "reason": "x"},
            headers=headers,
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        [error] = response.json()["errors"]
        assert error["field"] == "policy" and message in error["message"]


def test_invalid_input_is_what_a_budget_refusal_is() -> None:
    """A budget refusal is an ``InvalidInput``: the API answers 422, the CLI exits 1."""
    assert issubclass(TookTooLong, InvalidInput)
