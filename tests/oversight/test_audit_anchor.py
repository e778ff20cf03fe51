"""Audit anchors: the access log's head signed by the root key and kept outside the database,
so a log cut back to an earlier head (which the keyed chain alone accepts) is named."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from factories import register, resident_id
from healthcode import bootstrap
from healthcode.codes.audit_anchor import (
    AnchoredVerification,
    anchor_document,
    current_anchor,
    verify_with_anchors,
)
from healthcode.codes.keys import init_keys, root_key
from healthcode.container import Container
from healthcode.credentials.anchor import AuditAnchor, dump_anchor, load_anchor, sign_anchor
from healthcode.credentials.cose import kid_of
from healthcode.credentials.signer import generate_private_key
from healthcode.identity.profile import show_profile
from healthcode.identity.registration import register_person
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight.audit import verify_access_log
from healthcode.worker import Worker
from identity_helpers import add_test_official, principal


@pytest.fixture
def subject(container: Container) -> str:
    """A registered person, an official who reads them, and the jurisdiction's keys."""
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    add_test_official(container, "wang")
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(id_number=resident_id(1)),
    ).subject


def _reads(container: Container, subject: str, n: int) -> None:
    for _ in range(n):
        show_profile(
            uow=container.uow(),
            clock=container.clock,
            principal=principal(container, "wang"),
            subject=subject,
        )


def _anchor(container: Container) -> str:
    return anchor_document(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )


def _verify(container: Container, **anchors: str) -> AnchoredVerification:
    return verify_with_anchors(
        uow=container.uow(), jurisdiction="330100", anchors=list(anchors.items())
    )


def _head(container: Container) -> tuple[int, str, str]:
    with container.engine.connect() as conn:
        row = conn.execute(text("SELECT seq, hash, mac FROM audit_head")).one()
    return int(row[0]), str(row[1]), str(row[2])


def _truncate(container: Container, head: tuple[int, str, str]) -> None:
    """What someone with full database rights does: delete the records after ``head`` and put
    back that older copy of the head row (triggers out of the way)."""
    seq, hash_, mac = head
    with container.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE access_audit DISABLE TRIGGER access_audit_append_only"))
        else:
            conn.execute(text("DROP TRIGGER access_audit_no_delete"))
        conn.execute(text("DELETE FROM access_audit WHERE seq > :seq"), {"seq": seq})
        conn.execute(
            text("UPDATE audit_head SET seq = :seq, hash = :hash, mac = :mac"),
            {"seq": seq, "hash": hash_, "mac": mac},
        )


def test_truncation_passes_the_chain_check_but_not_an_anchor(
    container: Container, subject: str
) -> None:
    """Cut back to an older head: the chain alone says intact; the later anchor names the cut."""
    _reads(container, subject, 3)
    older_head = _head(container)
    at_three = _anchor(container)
    _reads(container, subject, 2)
    at_five = _anchor(container)
    _truncate(container, older_head)
    # the hole of issue 17: the keyed chain cannot tell this log from the one of three reads ago
    assert verify_access_log(uow=container.uow()).intact
    result = _verify(container, **{"a3.json": at_three, "a5.json": at_five})
    assert not result.intact and result.problem is None
    [problem] = result.anchor_problems
    assert (problem.anchor, problem.seq, problem.kind) == ("a5.json", 5, "truncated")
    assert str(problem) == "the log ends at seq 3 but anchor a5.json says seq 5 existed"


def test_truncation_to_the_empty_log_is_named(container: Container, subject: str) -> None:
    """Every record deleted and the genesis head put back: an anchor of one record names it."""
    empty_head = (0, "0" * 64, "")
    _reads(container, subject, 1)
    at_one = _anchor(container)
    _truncate(container, empty_head)
    assert verify_access_log(uow=container.uow()).intact
    [problem] = _verify(container, **{"a1.json": at_one}).anchor_problems
    assert str(problem) == "the log ends at seq 0 but anchor a1.json says seq 1 existed"


def test_a_replaced_tail_is_named(container: Container, subject: str, clock: FixedClock) -> None:
    """Cut back and written on: the chain is whole again, but not the one the anchor signed."""
    _reads(container, subject, 3)
    older_head = _head(container)
    _reads(container, subject, 2)
    at_five = _anchor(container)
    _truncate(container, older_head)
    clock.advance(timedelta(minutes=1))
    _reads(container, subject, 3)
    result = _verify(container, **{"a5.json": at_five})
    assert result.problem is None and result.records == 6
    [problem] = result.anchor_problems
    assert (problem.seq, problem.kind) == (5, "replaced")
    assert "record 5 is not the one anchor a5.json names" in str(problem)


def test_an_intact_log_passes_every_anchor(container: Container, subject: str) -> None:
    """A log that only grew reaches every anchor signed along the way, the empty one too."""
    anchors = {"a0.json": _anchor(container)}
    for n in (2, 4):
        _reads(container, subject, 2)
        anchors[f"a{n}.json"] = _anchor(container)
    _reads(container, subject, 1)
    result = _verify(container, **anchors)
    assert result.intact and (result.records, result.anchors) == (5, 3)


def test_a_forged_or_altered_anchor_is_refused(container: Container, subject: str) -> None:
    """An anchor signed by another key, or edited after signing, is not accepted as evidence."""
    _reads(container, subject, 2)
    genuine = current_anchor(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    other = generate_private_key()
    a = genuine.anchor
    forged = AuditAnchor(a.jurisdiction, 1, a.head, a.issued_at, kid_of(other.public_key()))
    edited = json.loads(dump_anchor(genuine))
    edited["seq"] = 1
    result = _verify(
        container,
        **{
            "forged.json": dump_anchor(sign_anchor(forged, root_private_key=other)),
            "edited.json": json.dumps(edited),
        },
    )
    assert [(p.anchor, p.kind) for p in result.anchor_problems] == [
        ("forged.json", "not_signed"),
        ("edited.json", "not_signed"),
    ]
    assert str(result.anchor_problems[0]) == (
        "anchor forged.json is not signed by a root key of 330100 (forged or altered)"
    )


def test_a_malformed_anchor_is_refused_naming_the_file(container: Container, subject: str) -> None:
    """An anchor that is not one (a field of the wrong form) is bad input."""
    _reads(container, subject, 1)
    document = json.loads(_anchor(container))
    document["head"] = document["head"].upper()
    with pytest.raises(InvalidInput) as refused:
        _verify(container, **{"bad.json": json.dumps(document)})
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("bad.json: anchor.head", "must be 64 lowercase hex digits")
    ]


def test_an_anchor_round_trips_through_its_file_form(container: Container, subject: str) -> None:
    """The file form parses back to the same signed anchor, naming the current head."""
    _reads(container, subject, 2)
    document = _anchor(container)
    signed = load_anchor(document)
    assert dump_anchor(signed) == document
    assert (signed.anchor.seq, signed.anchor.head) == _head(container)[:2]


def test_the_worker_publishes_anchors_as_the_log_grows(
    container: Container, subject: str, clock: FixedClock
) -> None:
    """The worker writes an anchor first, then a new one only when due and the log grew."""
    folder: Path = container.settings.audit_anchor_dir
    worker = Worker(
        uow_factory=container.uow,
        clock=clock,
        kinds=container.job_kinds,
        anchor=bootstrap.anchor_publisher(container),
    )
    assert worker.run_once().anchored == folder / "audit-anchor-330100-000000000000.json"
    _reads(container, subject, 2)
    assert worker.run_once().anchored is None  # not due yet
    clock.advance(timedelta(minutes=5))
    published = worker.run_once().anchored
    assert published == folder / "audit-anchor-330100-000000000002.json"
    clock.advance(timedelta(minutes=5))
    assert worker.run_once().anchored is None  # the same head: nothing new to write
    assert sorted(p.name for p in folder.iterdir()) == [
        "audit-anchor-330100-000000000000.json",
        "audit-anchor-330100-000000000002.json",
    ]
    assert _verify(container, latest=published.read_text(encoding="utf-8")).intact


def test_publishing_without_keys_writes_nothing(container: Container) -> None:
    """Before `keys init` the worker's publication does nothing (and does not fail the pass)."""
    assert bootstrap.anchor_publisher(container)() is None
    assert not container.settings.audit_anchor_dir.exists()


def test_a_failing_publication_fails_one_pass_not_every_pass(
    container: Container, clock: FixedClock
) -> None:
    """A publication that raises fails its pass once; the next passes run until it is due."""

    def broken() -> None:
        raise OSError("anchor folder is read-only")

    worker = Worker(
        uow_factory=container.uow, clock=clock, kinds=container.job_kinds, anchor=broken
    )
    assert worker.run_surviving() is None
    assert worker.run_surviving() is not None
    clock.advance(timedelta(minutes=5))
    assert worker.run_surviving() is None


def test_an_anchor_of_another_jurisdiction_is_refused(container: Container, subject: str) -> None:
    """An anchor signed for another city's log is not evidence about this one."""
    genuine = current_anchor(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    a = genuine.anchor
    with container.uow() as uow:
        root = root_key(uow, jurisdiction="330100", now=container.clock.now())
    elsewhere = AuditAnchor("310000", a.seq, a.head, a.issued_at, a.root_kid)
    signed = sign_anchor(elsewhere, root_private_key=container.private_keys.load(root.kid))
    [problem] = _verify(container, **{"sh.json": dump_anchor(signed)}).anchor_problems
    assert (problem.kind, str(problem)) == (
        "other_jurisdiction",
        "anchor sh.json is of 310000, not 330100",
    )
