"""The access-log walk over the command line: every `healthcode` command that prints a
person's data, to an official logged in at the console (or to the operator), writes an access
record (test_access_walk walks the routes). A command that reads no one's data is listed with
the reason; a new command in neither list fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import pytest

from access_walk_helpers import (
    ADMIN,
    AUDIT,
    BREAK_GLASS,
    DEVICE_WRITE,
    LOGIN,
    PLACES,
    Walk,
    cli_commands,
    walk_scene,
)
from cli_helpers import login_kit, run
from healthcode.container import Container
from healthcode.settings import Settings
from scope_helpers import access_records

Args = Callable[[Walk], tuple[list[str], str]]


def _appeal_list(w: Walk) -> tuple[list[str], str]:
    w.appealed()
    return ["appeal", "list", "--as", "wang", "--at", w.at], w.mine.subject


CLI_READS: Final[dict[str, Args]] = {
    "person show": lambda w: (["person", "show", w.mine.subject, "--as", "wang"], w.mine.subject),
    "appeal list": _appeal_list,
    "appeal show": lambda w: (
        ["appeal", "show", w.appealed(), "--as", "wang", "--at", w.at],
        w.mine.subject,
    ),
    "appeal uphold": lambda w: (
        ["appeal", "uphold", w.appealed(), "--as", "wang", "--reason", "stands", "--at", w.at],
        w.mine.subject,
    ),
    "appeal correct": lambda w: (
        [
            "appeal",
            "correct",
            w.appealed(),
            "--as",
            "wang",
            "--reason",
            "the case was withdrawn",
            "--release-all",
            "--at",
            w.at,
        ],
        w.mine.subject,
    ),
    "proposal list": lambda w: (["proposal", "list", "--as", "wang"], w.mine.subject),
    "proposal approve": lambda w: (
        ["proposal", "approve", w.mine.proposal_id, "--as", "li", "--at", w.at],
        w.mine.subject,
    ),
    "proposal reject": lambda w: (
        ["proposal", "reject", w.mine.proposal_id, "--note", "no result", "--as", "li"],
        w.mine.subject,
    ),
    "override propose": lambda w: (
        [
            "override",
            "propose",
            w.mine.subject,
            "--as",
            "wang",
            "--colour",
            "yellow",
            "--reason-category",
            "symptoms_seen_by_clinic",
            "--reason",
            "fever reported by the clinic",
            "--days",
            "1",
            "--at",
            w.at,
        ],
        w.mine.subject,
    ),
    "release propose": lambda w: (
        ["release", "propose", w.mine.subject, "--as", "wang", "--reason", "tests negative"],
        w.mine.subject,
    ),
    "checkin flagged": lambda w: (["checkin", "flagged", "--as", "wang"], w.mine.subject),
    "checkin confirm": lambda w: (
        ["checkin", "confirm", w.mine.checkin_id, "--as", "wang"],
        w.mine.subject,
    ),
    "checkin reject": lambda w: (
        ["checkin", "reject", w.mine.checkin_id, "--as", "wang"],
        w.mine.subject,
    ),
    "case report": lambda w: (
        [
            "case",
            "report",
            w.bystander,
            "--as",
            "wang",
            "--sampled-at",
            w.sampled,
            "--asymptomatic",
            "--test-ref",
            "HZ-PCR-0002",
            "--at",
            w.at,
        ],
        w.bystander,
    ),
    "case confirm": lambda w: (
        ["case", "confirm", w.reported_case(), "--as", "li", "--at", w.at],
        w.bystander,
    ),
    "case correct": lambda w: (
        [
            "case",
            "correct",
            w.mine.case_id,
            "--as",
            "wang",
            "--reason",
            "the lab's number was mistyped",
            "--test-ref",
            "HZ-PCR-0003",
            "--at",
            w.at,
        ],
        w.mine.subject,
    ),
    "case withdraw": lambda w: (
        ["case", "withdraw", w.mine.case_id, "--as", "wang", "--reason", "false", "--at", w.at],
        w.mine.subject,
    ),
    "case approve-withdrawal": lambda w: (
        ["case", "approve-withdrawal", w.withdrawal_proposed(), "--as", "li", "--at", w.at],
        w.mine.subject,
    ),
    "case list": lambda w: (["case", "list", "--as", "wang"], w.mine.subject),
    "case show": lambda w: (["case", "show", w.mine.case_id, "--as", "wang"], w.mine.subject),
    "trace preview": lambda w: (
        ["trace", "preview", w.mine.case_id, "--as", "wang", "--at", w.at],
        w.mine.subject,
    ),
    "trace reveal-phone": lambda w: (
        [
            "trace",
            "reveal-phone",
            w.mine.case_id,
            w.traced_contact(),
            "--as",
            "wang",
            "--purpose",
            "call to arrange a PCR test",
        ],
        w.bystander,
    ),
    "quarantine list": lambda w: (
        ["quarantine", "list", "--as", "wang", "--at", w.at],
        w.mine.subject,
    ),
    "quarantine release": lambda w: (
        ["quarantine", "release", w.mine.subject, "--as", "wang", "--reason", "negative"],
        w.mine.subject,
    ),
    "status": lambda w: (["status", w.mine.subject, "--as", "wang"], w.mine.subject),
    "code": lambda w: (["code", w.bystander, "--as", "wang", "--at", w.at], w.bystander),
    "itinerary": lambda w: (
        ["itinerary", w.mine.subject, "--as", "wang", "--at", w.at],
        w.mine.subject,
    ),
    "org staff list": lambda w: (
        ["org", "staff", "list", w.world.venues.organisation, "--as", "wang"],
        w.bystander,
    ),
    "test-result": lambda w: (
        [
            "test-result",
            w.bystander,
            "--as",
            "wang",
            "--kind",
            "pcr",
            "--result",
            "negative",
            "--sampled-at",
            w.sampled,
            "--at",
            w.at,
        ],
        w.bystander,
    ),
}

RUNS_THE_SYSTEM = "runs or sets up the system: reads no one's data for anyone to see"
KEYS = "signing keys, trust lists and the audit chain's head: no one's data"
PEERS = "peer jurisdictions, their root keys and trust lists: no one's data"
VISITORS = (
    "a visitor of another city (issuer, opaque subject): the read is logged under that subject "
    "by the use case the API shares, walked in tests/federation/test_arrivals_api.py"
)
SCENARIO = (
    "plays the person's own part in a scenario (what their phone would send): records their "
    "fact and answers them"
)

CLI_NOT_PERSONAL: Final[dict[str, str]] = {
    "init": RUNS_THE_SYSTEM,
    "login": LOGIN,
    "logout": LOGIN,
    "serve": RUNS_THE_SYSTEM,
    "worker": RUNS_THE_SYSTEM,
    "notify deliver": RUNS_THE_SYSTEM,
    "retention purge": "deletes presences past their retention: counts, no one shown",
    "demo seed": "creates the demo's own people and actors",
    "demo citizen": "creates the demo's own citizen: the answer is its subject and login",
    "demo officials": (
        "creates the console's demo accounts: their published password and TOTP seeds, no one "
        "else's"
    ),
    "demo totp": "the current code of a demo account, from its published seed",
    "demo guard": "creates the demo's checkpoint venue, registers a device key: no one's data",
    "demo run": "plays the demo city's own residents (what their phones would send): prints counts",
    "simulate run": "a synthetic city on its own scratch database: prints measures, no one's data",
    "simulate compare": "synthetic cities on their own scratch databases: measures, no one's data",
    "simulate measured": "reads the folder of simulator reports: synthetic measures, no one's data",
    "register": "creates a person: the answer is the new subject id",
    "official add": ADMIN,
    "official list": ADMIN,
    "official proposals": ADMIN,
    "official propose-add": ADMIN,
    "official propose-change": ADMIN,
    "official propose-reset-totp": ADMIN,
    "official propose-disable": ADMIN,
    "official propose-enable": ADMIN,
    "channel add": ADMIN,
    "channel list": ADMIN,
    "channel rotate-secrets": ADMIN,
    "keys init": KEYS,
    "keys rotate": KEYS,
    "keys announce-root": KEYS,
    "keys list": KEYS,
    "trust-list export": KEYS,
    "audit anchor": KEYS,
    "audit verify": AUDIT,
    "audit break-glass": BREAK_GLASS,
    "report transparency": "the transparency report: counts and durations, no one named",
    "verify": "checks a code offline against a trust list: reads no stored data",
    "scan check": "a checkpoint device's offline check: the code and its trust list, no database",
    "scan upload": DEVICE_WRITE,
    "locations import": DEVICE_WRITE,
    "geo import": PLACES,
    "geo list": PLACES,
    "org add": PLACES,
    "org list": PLACES,
    "org staff add": "lists someone as staff: the answer is that listing",
    "venue add": PLACES,
    "venue list": PLACES,
    "venue poster": PLACES,
    "device add": PLACES,
    "device revoke": PLACES,
    "policy check": "checks a policy file: no one's data",
    "policy impact": "counts, per colour, how many people a policy would change: no one shown",
    "policy history": "policy versions and who activated them: no resident's data",
    "policy activate": "a four-eyes proposal about a policy: no person",
    "risk-area propose": PLACES,
    "risk-area approve": PLACES,
    "risk-area end": PLACES,
    "risk-area list": PLACES,
    "declare health": SCENARIO,
    "declare travel": SCENARIO,
    "ride": SCENARIO,
    "checkin place": SCENARIO,
    "sunset propose": "a four-eyes proposal to end the emergency: no person",
    "sunset approve": "approves a sunset or a reactivation: about the instance, no person",
    "sunset reactivate": "a four-eyes proposal to collect again: no person",
    "sunset status": "the instance's state and final report: counts, no one named",
    "peer add": PEERS,
    "peer list": PEERS,
    "peer remove": PEERS,
    "peer proposals": PEERS,
    "peer sync": PEERS,
    "arrival consent": SCENARIO,
    "arrival record": VISITORS,
    "arrival show": VISITORS,
    "federation demo": "three demo cities on their own scratch databases: prints its checks, "
    "no one's data",
}


def test_every_command_is_walked_or_listed_with_a_reason() -> None:
    """Each `healthcode` command reads a person's data (and is walked) or is listed as not."""
    found = cli_commands()
    listed = [set(CLI_READS), set(CLI_NOT_PERSONAL)]
    assert sum(len(names) for names in listed) == len(set().union(*listed)), "listed twice"
    assert found - set().union(*listed) == set(), "command in no list"
    assert set().union(*listed) - found == set(), "listed command is gone"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("command", sorted(CLI_READS))
def test_command_reading_a_person_writes_an_access_record(
    container: Container, cli_env: Settings, command: str
) -> None:
    """The command, run as an official or the console, adds a record of the person it prints."""
    scene = walk_scene(container, None)
    login_kit(*scene.world.kits.values())
    before = {s: access_records(container, s) for s in (scene.mine.subject, scene.bystander)}
    args, subject = CLI_READS[command](scene)
    code, _, err = run(*args, "--json")
    assert code == 0, err
    assert access_records(container, subject) > before[subject], command
