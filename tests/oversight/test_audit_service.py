"""The access log: reads by others are recorded with the read, the citizen sees them, and any
direct change to the log in the database is named by the verifier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from factories import register, resident_id
from healthcode.container import Container
from healthcode.identity.profile import show_profile
from healthcode.identity.registration import register_person
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import NotAllowed
from healthcode.oversight.access import Principal, Role
from healthcode.oversight.audit import access_log_of, own_access_log, verify_access_log
from identity_helpers import add_test_official, principal


def _person(container: Container, seq: int = 1) -> str:
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(id_number=resident_id(seq)),
    ).subject


def _read(container: Container, reader: Principal, subject: str) -> None:
    show_profile(uow=container.uow(), clock=container.clock, principal=reader, subject=subject)


def _citizen(subject: str) -> Principal:
    return Principal(role=Role.CITIZEN, id=subject, channel="website")


def test_reads_by_others_are_recorded_and_shown_to_the_citizen(
    container: Container, clock: FixedClock
) -> None:
    """A citizen's access log shows an official's read with who, why and when, but not their own."""
    add_test_official(container, "wang")
    subject = _person(container)
    _read(container, _citizen(subject), subject)
    clock.advance(timedelta(minutes=5))
    _read(container, principal(container, "wang"), subject)
    [record] = own_access_log(uow=container.uow(), principal=_citizen(subject))
    assert (record.actor, record.role, record.purpose, record.what) == (
        "official:wang",
        "official",
        "epidemic_control",
        "profile",
    )
    assert record.at == clock.now()


def test_no_read_without_its_record(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the audit record cannot be written, the read fails too (same transaction)."""
    add_test_official(container, "wang")
    subject = _person(container)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr("healthcode.oversight.repository.SqlAuditLogRepository.append", broken)
    with pytest.raises(RuntimeError):
        _read(container, principal(container, "wang"), subject)


def test_who_may_read_people(container: Container) -> None:
    """Auditors, admins, other citizens and officials of another city may not read a person."""
    subject, other = _person(container, 1), _person(container, 2)
    add_test_official(container, "audit", "auditor")
    add_test_official(container, "root", "admin")
    add_test_official(container, "sh", "official", jurisdiction="310000")
    for reader in (
        principal(container, "audit"),
        principal(container, "root"),
        principal(container, "sh"),
        _citizen(other),
    ):
        with pytest.raises(NotAllowed):
            _read(container, reader, subject)
    assert verify_access_log(uow=container.uow()).records == 0


def test_auditors_read_logs_and_that_is_recorded(container: Container) -> None:
    """An auditor reads a person's access log; the citizen sees that read too."""
    add_test_official(container, "wang")
    add_test_official(container, "audit", "auditor")
    subject = _person(container)
    _read(container, principal(container, "wang"), subject)
    seen = access_log_of(
        uow=container.uow(),
        clock=container.clock,
        principal=principal(container, "audit"),
        subject=subject,
    )
    assert [r.actor for r in seen] == ["official:wang"]
    own = own_access_log(uow=container.uow(), principal=_citizen(subject))
    assert [(r.actor, r.purpose, r.what) for r in own] == [
        ("official:wang", "epidemic_control", "profile"),
        ("auditor:audit", "oversight", "access_log"),
    ]


def _three_reads(container: Container) -> None:
    add_test_official(container, "wang")
    subject = _person(container)
    for _ in range(3):
        _read(container, principal(container, "wang"), subject)
    assert verify_access_log(uow=container.uow()).intact


def _as_attacker(container: Container, *statements: str) -> None:
    """Run SQL the way someone with full database rights would, triggers out of the way."""
    with container.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE access_audit DISABLE TRIGGER access_audit_append_only"))
        else:
            conn.execute(text("DROP TRIGGER access_audit_no_update"))
            conn.execute(text("DROP TRIGGER access_audit_no_delete"))
        for statement in statements:
            conn.execute(text(statement))


def test_the_log_is_append_only_in_the_database(container: Container) -> None:
    """UPDATE and DELETE on the log are refused by the database itself."""
    _three_reads(container)
    for statement in ("UPDATE access_audit SET actor = 'x'", "DELETE FROM access_audit"):
        with pytest.raises(DBAPIError), container.engine.begin() as conn:
            conn.execute(text(statement))


@pytest.mark.parametrize(
    ("statement", "seq", "kind"),
    [
        ("UPDATE access_audit SET actor = 'official:nobody' WHERE seq = 2", 2, "edited"),
        (
            "UPDATE access_audit SET at = at WHERE seq = 1; "
            "UPDATE access_audit SET purpose = 'oversight' WHERE seq = 3",
            3,
            "edited",
        ),
        ("DELETE FROM access_audit WHERE seq = 2", 2, "removed"),
        ("DELETE FROM access_audit WHERE seq = 3", 3, "removed"),
        (
            "INSERT INTO access_audit (seq, at, actor, role, purpose, subject, what, prev_hash, "
            "hash) SELECT 4, at, actor, role, purpose, subject, what, hash, hash "
            "FROM access_audit WHERE seq = 3",
            4,
            "inserted",
        ),
    ],
)
def test_direct_changes_are_named_by_the_verifier(
    container: Container, statement: str, seq: int, kind: str
) -> None:
    """Editing, deleting or inserting a row in the database is found at that record."""
    _three_reads(container)
    _as_attacker(container, *statement.split("; "))
    result = verify_access_log(uow=container.uow())
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind) == (seq, kind)
