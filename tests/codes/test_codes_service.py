"""Signed codes on a real database: keys, issuing, trust lists, rotation, offline verification."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from factories import register
from healthcode.codes.issuing import CodeWithheld, issue_code
from healthcode.codes.key_files import KeyFileError
from healthcode.codes.keys import (
    NoSigningKey,
    init_keys,
    list_keys,
    rotate_signing_key,
    trust_list_document,
)
from healthcode.codes.online import TrustStoreCache, own_trust_store
from healthcode.container import Container
from healthcode.credentials.errors import Reason
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, Outcome, verify
from healthcode.identity.registration import register_person
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import Conflict
from healthcode.kernel.facts import Colour, IdentityCheck
from healthcode.kernel.ids import new_id
from healthcode.status.assessment import record_fact
from healthcode.status.declarations import declare_health

GREEN_ONLY = Acceptance.green_only({"330100"})
GREEN_AND_YELLOW = Acceptance.green_and_yellow({"330100"})


def _setup(container: Container) -> str:
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    return register_person(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", person=register()
    ).subject


def _code(container: Container, subject: str) -> str:
    return issue_code(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        subject=subject,
        lifetime=container.settings.code_lifetime,
    ).token


def _document(container: Container) -> str:
    return trust_list_document(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        code_lifetime=container.settings.code_lifetime,
        clock_skew=container.settings.clock_skew,
    )


def _checkpoint(container: Container) -> TrustStore:
    """A checkpoint's store: the root pinned from the key listing, the exported list accepted."""
    [root] = [k for k in list_keys(uow=container.uow(), jurisdiction="330100") if k.role == "root"]
    from healthcode.credentials.signer import load_public_key

    store = TrustStore(roots={"330100": load_public_key(root.public_key)})
    store.accept(load_trust_list(_document(container)))
    return store


def test_issued_code_verifies_offline_with_the_exported_trust_list(container: Container) -> None:
    """A code passes a green-only checkpoint holding only the exported trust list and root."""
    subject = _setup(container)
    token = _code(container, subject)
    decision = verify(
        token, trust_lists=_checkpoint(container), at=container.clock.now(), acceptance=GREEN_ONLY
    )
    assert decision.outcome is Outcome.PASS
    assert (decision.colour, decision.masked_name, decision.issuer) == (
        Colour.GREEN,
        "张*丰",
        "330100",
    )
    assert decision.subject == subject


def test_code_expires_after_its_lifetime(container: Container, clock: FixedClock) -> None:
    """A screenshot goes stale: the same code is refused as expired after five minutes."""
    subject = _setup(container)
    store = _checkpoint(container)
    token = _code(container, subject)
    later = clock.now() + container.settings.code_lifetime + container.settings.clock_skew
    decision = verify(token, trust_lists=store, at=later, acceptance=GREEN_ONLY)
    assert decision.outcome is Outcome.INVALID and decision.reason is Reason.EXPIRED


def test_yellow_code_stops_at_green_only_and_passes_at_a_hospital(container: Container) -> None:
    """A yellow person's valid code stops where only green passes and passes where yellow does."""
    subject = _setup(container)
    declare_health(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        temperature=38.5,
        symptoms=["fever"],
    )
    store = _checkpoint(container)
    token = _code(container, subject)
    now = container.clock.now()
    stop = verify(token, trust_lists=store, at=now, acceptance=GREEN_ONLY)
    assert (stop.outcome, stop.reason, stop.colour) == (
        Outcome.STOP,
        Reason.COLOUR_NOT_ACCEPTED,
        Colour.YELLOW,
    )
    assert verify(token, trust_lists=store, at=now, acceptance=GREEN_AND_YELLOW).passed


def test_blocking_notice_withholds_the_code(container: Container, clock: FixedClock) -> None:
    """With the last face check more than 7 days old, the code is withheld with the reason."""
    subject = _setup(container)
    with container.uow() as uow:
        checked = clock.now() - timedelta(days=8)
        record_fact(
            uow,
            clock=clock,
            fact=IdentityCheck(
                id=new_id(), subject=subject, at=checked, recorded_at=checked, channel="app"
            ),
        )
        uow.commit()
    with pytest.raises(CodeWithheld, match="identity"):
        _code(container, subject)


def test_code_never_outlives_its_colour(container: Container, clock: FixedClock) -> None:
    """A code issued 2 minutes before the status changes expires at that change."""
    subject = _setup(container)
    with container.uow() as uow:
        checked = clock.now() - timedelta(days=7) + timedelta(minutes=2)
        record_fact(
            uow,
            clock=clock,
            fact=IdentityCheck(
                id=new_id(), subject=subject, at=checked, recorded_at=checked, channel="app"
            ),
        )
        uow.commit()
    issued = issue_code(
        uow=container.uow(),
        clock=clock,
        private_keys=container.private_keys,
        subject=subject,
        lifetime=container.settings.code_lifetime,
    )
    assert issued.expires_at == (checked + timedelta(days=7)).replace(microsecond=0)


def test_keys_cannot_be_initialised_twice_and_files_are_private(container: Container) -> None:
    """A second `keys init` is refused; private key files are mode 0600 and never in the DB."""
    _setup(container)
    with pytest.raises(Conflict):
        init_keys(
            uow=container.uow(),
            clock=container.clock,
            private_keys=container.private_keys,
            jurisdiction="330100",
        )
    files = sorted(container.settings.keys_dir.glob("*.key"))
    assert len(files) == 2
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    kid = files[0].stem
    with pytest.raises(KeyFileError):
        container.private_keys.save(kid, container.private_keys.load(kid))


def test_no_keys_means_no_code(container: Container) -> None:
    """Without keys, issuing says to run `keys init`."""
    subject = register_person(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", person=register()
    ).subject
    with pytest.raises(NoSigningKey, match="keys init"):
        _code(container, subject)


def test_rotated_out_key_verifies_until_its_codes_expire(
    container: Container, clock: FixedClock
) -> None:
    """A rotated-out key's codes pass until they expire; then a newer trust list drops the key."""
    subject = _setup(container)
    old_token = _code(container, subject)
    first = load_trust_list(_document(container)).trust_list
    clock.advance(timedelta(minutes=1))
    rotate_signing_key(
        uow=container.uow(), clock=clock, private_keys=container.private_keys, jurisdiction="330100"
    )
    store = _checkpoint(container)
    second = store.trust_list("330100")
    assert second is not None and second.sequence == first.sequence + 1
    assert len(second.keys) == 2
    new_token = _code(container, subject)
    assert verify(new_token, trust_lists=store, at=clock.now(), acceptance=GREEN_ONLY).passed
    assert verify(old_token, trust_lists=store, at=clock.now(), acceptance=GREEN_ONLY).passed
    clock.advance(timedelta(minutes=10))
    expired = verify(old_token, trust_lists=store, at=clock.now(), acceptance=GREEN_ONLY)
    assert expired.reason is Reason.EXPIRED
    third = load_trust_list(_document(container)).trust_list
    assert third.sequence == second.sequence + 1 and len(third.keys) == 1


def test_trust_list_sequence_only_moves_when_content_changes(container: Container) -> None:
    """Exporting twice with no key change gives the same list and sequence."""
    _setup(container)
    assert _document(container) == _document(container)


class _SteppingClock:
    """Virtual time for threads: each reading is a millisecond after the one before, whichever
    thread reads, and ``advance`` moves it on. How much time passes between two steps of the
    race depends on the steps taken, never on how loaded the machine is."""

    def __init__(self, start: datetime) -> None:
        self._at = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            self._at += timedelta(milliseconds=1)
            return self._at

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._at += delta


def test_rotation_under_load_refuses_no_valid_code(container: Container, clock: FixedClock) -> None:
    """While keys rotate, a checkpoint refreshing on an unknown key accepts every code issued."""
    # Connected checkpoints refresh their trust list when they meet an unknown key. Codes are
    # issued and checked while each rotation runs; after it, the main thread waits for one whole
    # round of the checkpoint, so each of the five new keys is met (and refreshed for) once.
    stepping = _SteppingClock(clock.now())
    container.clock = stepping
    subject = _setup(container)
    refused: list[str] = []
    refreshes: list[str] = []
    rounds = threading.Semaphore(0)
    stop = threading.Event()

    def checkpoint_loop() -> None:
        store = _checkpoint(container)
        while not stop.is_set():
            token = _code(container, subject)
            decision = verify(token, trust_lists=store, at=stepping.now(), acceptance=GREEN_ONLY)
            if decision.reason is Reason.UNKNOWN_KID:
                refreshes.append(token)
                store.accept(load_trust_list(_document(container)))
                decision = verify(
                    token, trust_lists=store, at=stepping.now(), acceptance=GREEN_ONLY
                )
            if not decision.passed:
                refused.append(f"{decision.reason}: {decision.message}")
            rounds.release()

    worker = threading.Thread(target=checkpoint_loop)
    worker.start()
    try:
        for _ in range(5):
            stepping.advance(timedelta(seconds=2))  # each key its own second (keys.py truncates)
            rotate_signing_key(
                uow=container.uow(),
                clock=stepping,
                private_keys=container.private_keys,
                jurisdiction="330100",
            )
            while rounds.acquire(blocking=False):  # forget rounds begun before the rotation
                pass
            for _ in range(2):  # the round under way may have begun before the commit
                assert rounds.acquire(timeout=60), "the checkpoint stopped checking codes"
    finally:
        stop.set()
        worker.join()
    assert refused == []
    assert len(refreshes) == 5
    signing = [
        k for k in list_keys(uow=container.uow(), jurisdiction="330100") if k.role == "signing"
    ]
    assert len(signing) == 6


def test_a_trust_list_published_concurrently_is_stored_once(container: Container) -> None:
    """Two publications racing for one sequence number: the second gets the first's list."""
    _setup(container)
    document = trust_list_document(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        code_lifetime=timedelta(minutes=5),
        clock_skew=timedelta(minutes=1),
    )
    with container.uow() as uow:
        first = uow.keys.last_publication("330100")
        assert first is not None and first.document == document
        # what a request that read the list before the first one committed goes on to store
        late = replace(first, content_sha256="0" * 64, document='{"late": true}')
        stored = uow.keys.add_publication(late)
        uow.commit()
    assert stored == first


def _own_store(container: Container, cache: TrustStoreCache) -> TrustStore:
    return own_trust_store(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        code_lifetime=container.settings.code_lifetime,
        clock_skew=container.settings.clock_skew,
        cache=cache,
    )


def test_online_trust_store_is_made_once_per_published_list(
    container: Container, clock: FixedClock
) -> None:
    """The server's own trust store is reused while the list stands, remade when it changes."""
    subject = _setup(container)
    cache = TrustStoreCache()
    first = _own_store(container, cache)
    assert _own_store(container, cache) is first
    clock.advance(timedelta(seconds=5))
    rotate_signing_key(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    after = _own_store(container, cache)
    assert after is not first
    decision = verify(
        _code(container, subject), trust_lists=after, at=clock.now(), acceptance=GREEN_ONLY
    )
    assert decision.passed
    assert (
        verify(
            _code(container, subject), trust_lists=first, at=clock.now(), acceptance=GREEN_ONLY
        ).reason
        is Reason.UNKNOWN_KID
    )
