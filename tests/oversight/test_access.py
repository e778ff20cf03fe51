"""The role × action × purpose table and the access-log hash chain, as pure data."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from healthcode.oversight.access import (
    ALLOWED,
    PUBLIC_ACTIONS,
    Action,
    Principal,
    Purpose,
    Role,
    allowed_purposes,
    is_allowed,
)
from healthcode.oversight.audit_chain import (
    GENESIS,
    AccessEntry,
    AccessRecord,
    ChainHead,
    head_mac,
    record_mac,
    verify_chain,
)

KEY = b"k" * 32
T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


def test_nothing_is_allowed_unless_the_table_says_so() -> None:
    """A role may do an action only for a purpose the table names; public actions need none."""
    for role in Role:
        for action in Action:
            for purpose in Purpose:
                expected = action in PUBLIC_ACTIONS or (role, action, purpose) in ALLOWED
                assert is_allowed(role, action, purpose) is expected


def test_no_single_role_approves_what_officials_propose_except_supervisors() -> None:
    """Only supervisors approve officials' proposals, only admins approve account changes."""
    approving = {a for a in Action if a.value.startswith("approve_")}
    sunset = {Action.APPROVE_SUNSET, Action.APPROVE_REACTIVATION}
    for action in approving - {Action.APPROVE_ACCOUNT_CHANGE} - sunset:
        assert {r for r in Role if is_allowed(r, action)} == {Role.SUPERVISOR}
    assert is_allowed(Role.OFFICIAL, Action.PROPOSE_OVERRIDE)
    assert not is_allowed(Role.ADMIN, Action.PROPOSE_OVERRIDE)
    for action in (Action.PROPOSE_ACCOUNT_CHANGE, Action.APPROVE_ACCOUNT_CHANGE):
        assert {r for r in Role if is_allowed(r, action)} == {Role.ADMIN}


def test_only_admins_and_an_auditor_end_the_emergency() -> None:
    """Admins propose a sunset, admins and auditors approve it; admins alone reactivate."""
    for action in (Action.PROPOSE_SUNSET, Action.PROPOSE_REACTIVATION, Action.APPROVE_REACTIVATION):
        assert {r for r in Role if is_allowed(r, action)} == {Role.ADMIN}
    assert {r for r in Role if is_allowed(r, Action.APPROVE_SUNSET)} == {Role.ADMIN, Role.AUDITOR}


def test_reading_people_is_for_epidemic_control_only() -> None:
    """Officials read a person only for epidemic control; auditors and admins never do."""
    assert allowed_purposes(Role.OFFICIAL, Action.READ_PERSON) == {Purpose.EPIDEMIC_CONTROL}
    assert not is_allowed(Role.AUDITOR, Action.READ_PERSON)
    assert not is_allowed(Role.ADMIN, Action.READ_PERSON)
    assert not is_allowed(Role.CHANNEL, Action.READ_PERSON)


def test_principal_names_itself_and_knows_its_person() -> None:
    """A citizen principal is the person whose subject it carries; an official is no one's."""
    citizen = Principal(role=Role.CITIZEN, id="s1", channel="website")
    official = Principal(role=Role.OFFICIAL, id="o1", name="wang")
    assert citizen.is_person("s1") and not citizen.is_person("s2")
    assert not official.is_person("o1")
    assert official.actor == "official:wang" and official.subject is None


def _chain(n: int) -> tuple[list[AccessRecord], ChainHead]:
    records: list[AccessRecord] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        fields = {
            "seq": seq,
            "at": T0 + timedelta(minutes=seq),
            "actor": f"official:o{seq}",
            "role": "official",
            "purpose": "epidemic_control",
            "subject": "s" * 32,
            "what": "profile",
            "prev_hash": prev,
        }
        digest = record_mac(KEY, AccessEntry(**fields))  # type: ignore[arg-type]
        records.append(AccessRecord(hash=digest, **fields))  # type: ignore[arg-type]
        prev = digest
    return records, ChainHead(seq=n, hash=prev, mac=head_mac(KEY, seq=n, hash_=prev))


def test_whole_chain_verifies() -> None:
    """An untouched chain verifies."""
    records, head = _chain(5)
    assert verify_chain(records, head, KEY) is None


def test_a_chain_read_once_as_a_stream_verifies_the_same() -> None:
    """A chain given as a one-pass iterator verifies as a list does, naming an edited record."""
    # Records are streamed from the database, so they can be read only once.
    records, head = _chain(5)
    assert verify_chain(iter(records), head, KEY) is None
    records[3] = dataclasses.replace(records[3], actor="official:nobody")
    problem = verify_chain(iter(records), head, KEY)
    assert problem is not None and (problem.seq, problem.kind) == (4, "edited")


def test_edited_record_is_named() -> None:
    """Changing what a record says is detected at that record."""
    records, head = _chain(5)
    records[2] = dataclasses.replace(records[2], actor="official:nobody")
    problem = verify_chain(records, head, KEY)
    assert problem is not None and (problem.seq, problem.kind) == (3, "edited")


@pytest.mark.parametrize("index", [0, 2, 4])
def test_removed_record_is_named(index: int) -> None:
    """Deleting a record (first, middle or last) is detected and the missing number named."""
    records, head = _chain(5)
    del records[index]
    problem = verify_chain(records, head, KEY)
    assert problem is not None and (problem.seq, problem.kind) == (index + 1, "removed")


def test_inserted_record_is_named() -> None:
    """A forged record appended after the head is detected as inserted."""
    records, head = _chain(3)
    forged = dataclasses.replace(records[-1], seq=4, prev_hash=records[-1].hash, hash="f" * 64)
    problem = verify_chain([*records, forged], head, KEY)
    assert problem is not None and (problem.seq, problem.kind) == (4, "inserted")


def test_head_cannot_be_rolled_back_without_the_key() -> None:
    """Resetting the head to hide a removed tail is itself detected."""
    records, _ = _chain(3)
    forged_head = ChainHead(seq=2, hash=records[1].hash, mac="0" * 64)
    problem = verify_chain(records[:2], forged_head, KEY)
    assert problem is not None and problem.kind == "head"
