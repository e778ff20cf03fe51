"""The Redis status cache: codes show the right colour with Redis up, restarted and down."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from factories import register
from healthcode import bootstrap
from healthcode.app import create_app
from healthcode.codes.issuing import CodeWithheld, issue_code
from healthcode.codes.keys import init_keys
from healthcode.codes.online import own_trust_store, status_since_issue
from healthcode.container import Container
from healthcode.credentials.verify import Acceptance, verify
from healthcode.identity.registration import register_person
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.facts import IdentityCheck, TestResult
from healthcode.kernel.ids import new_id
from healthcode.settings import Settings
from healthcode.status.assessment import current_status, record_fact
from healthcode.status.redis_cache import KEY_PREFIX, RedisStatusCache
from healthcode.status.test_results import record_test_result
from redis_helpers import OwnRedis

GREEN_ONLY = Acceptance.green_only({"330100"})


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cached(settings: Settings, clock: FixedClock, own_redis: OwnRedis) -> Iterator[Container]:
    built = bootstrap.build(
        settings.model_copy(update={"redis_url": own_redis.url}), clock_factory=lambda: clock
    )
    yield built
    built.close()


def _cache(container: Container) -> RedisStatusCache:
    assert isinstance(container.status_cache, RedisStatusCache)
    return container.status_cache


def _person(container: Container) -> str:
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    return register_person(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", person=register()
    ).subject


def _colour(container: Container, subject: str) -> str:
    return issue_code(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        subject=subject,
        lifetime=container.settings.code_lifetime,
    ).colour


def _positive(container: Container, subject: str) -> None:
    record_test_result(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        test_kind="pcr",
        result="positive",
        sampled_at=container.clock.now() - timedelta(hours=1),
    )


def _positive_fact(container: Container, subject: str) -> TestResult:
    now = container.clock.now()
    return TestResult(
        id=new_id(),
        subject=subject,
        at=now,
        recorded_at=now,
        test_kind="pcr",
        result="positive",
        sampled_at=now - timedelta(hours=1),
    )


def _positive_then_fail(container: Container, subject: str) -> None:
    with container.uow() as uow:
        record_fact(uow, clock=container.clock, fact=_positive_fact(container, subject))
        raise RuntimeError("the use case fails before committing")


def _identity_checked(container: Container, subject: str) -> None:
    """An identity check now: the status holds until the re-check is due, 7 days on."""
    now = container.clock.now()
    with container.uow() as uow:
        fact = IdentityCheck(id=new_id(), subject=subject, at=now, recorded_at=now, channel="app")
        record_fact(uow, clock=container.clock, fact=fact)
        uow.commit()


def test_a_cached_status_is_the_one_the_database_holds(cached: Container) -> None:
    """A code issued from the cache carries the status the database holds, and was a hit."""
    subject = _person(cached)
    first = _colour(cached, subject)
    assert own_entry(cached, subject)
    hits = _cache(cached).counts.hits
    status = issue_code(
        uow=cached.uow(),
        clock=cached.clock,
        private_keys=cached.private_keys,
        subject=subject,
        lifetime=cached.settings.code_lifetime,
    ).status
    assert _cache(cached).counts.hits == hits + 1
    with cached.uow() as uow:
        assert uow.statuses.current(subject) == status
    assert status.colour.value == first == "green"


def own_entry(container: Container, subject: str) -> bool:
    """Whether the test's Redis holds an entry for ``subject``."""
    client = _cache(container)._client
    return bool(client.exists(KEY_PREFIX + subject))


def test_a_fact_changes_the_next_code_with_redis_up(cached: Container) -> None:
    """After a positive test the next code is red, though green was cached a moment before."""
    subject = _person(cached)
    assert _colour(cached, subject) == "green"
    _positive(cached, subject)
    assert _colour(cached, subject) == "red"
    assert _cache(cached).get(subject) is not None
    assert _cache(cached).counts.errors == 0


def test_a_fact_changes_the_next_code_after_a_restart(
    cached: Container, own_redis: OwnRedis
) -> None:
    """Redis restarted empty around a positive test: the next code is red, and kept again."""
    subject = _person(cached)
    assert _colour(cached, subject) == "green"
    own_redis.restart()
    _positive(cached, subject)
    own_redis.restart()
    assert _colour(cached, subject) == "red"
    assert _colour(cached, subject) == "red"
    assert own_entry(cached, subject)


def test_a_fact_changes_the_next_code_with_redis_down(
    cached: Container, own_redis: OwnRedis
) -> None:
    """With Redis down a positive test still makes the next code red, from the database."""
    # the errors are counted, and once Redis is back the change is still shown
    subject = _person(cached)
    assert _colour(cached, subject) == "green"
    own_redis.stop()
    _positive(cached, subject)
    assert _colour(cached, subject) == "red"
    assert _cache(cached).counts.errors >= 2
    own_redis.start()
    assert _colour(cached, subject) == "red"


def test_a_rollback_leaves_the_cache_untouched(cached: Container) -> None:
    """A fact recorded in a transaction rolled back neither drops nor changes the cached status."""
    subject = _person(cached)
    assert _colour(cached, subject) == "green"
    client = _cache(cached)._client
    before = client.hgetall(KEY_PREFIX + subject)
    with cached.uow() as uow:
        red = record_fact(uow, clock=cached.clock, fact=_positive_fact(cached, subject))
        assert red.colour.value == "red"
        uow.rollback()
    with pytest.raises(RuntimeError, match="fails"):
        _positive_then_fail(cached, subject)
    assert client.hgetall(KEY_PREFIX + subject) == before
    assert _colour(cached, subject) == "green"


def test_a_lost_hook_shows_no_wrong_colour(cached: Container) -> None:
    """A change whose after-commit hook never ran: the next code is red, from the database."""
    # the entry was dropped before the commit, so no green is left to serve
    subject = _person(cached)
    assert _colour(cached, subject) == "green"
    cache = _cache(cached)
    cache.keep = lambda statuses, *, replace: None  # type: ignore[method-assign]
    _positive(cached, subject)
    assert not own_entry(cached, subject)
    assert _colour(cached, subject) == "red"


def test_a_status_is_never_served_past_valid_until(cached: Container, clock: FixedClock) -> None:
    """A cached status is not served from its valid_until on, though still in Redis."""
    # the identity re-check falls due 7 days on: the code is then withheld
    subject = _person(cached)
    _identity_checked(cached, subject)
    status = current_status(uow=cached.uow(), clock=clock, subject=subject)
    assert status.valid_until is not None and not status.code_blocked
    assert _colour(cached, subject) == "green"
    assert own_entry(cached, subject)
    clock.set(status.valid_until)
    assert own_entry(cached, subject)
    with pytest.raises(CodeWithheld):
        _colour(cached, subject)


def test_entries_expire_at_valid_until_or_the_maximum_age(cached: Container) -> None:
    """An entry lives no longer than its status holds nor than the configured maximum age."""
    subject = _person(cached)
    _identity_checked(cached, subject)
    client = _cache(cached)._client
    with cached.uow() as uow:
        status = uow.statuses.current(subject)
    assert status is not None and status.valid_until is not None
    _cache(cached).keep([status], replace=True)
    left = client.pttl(KEY_PREFIX + subject)
    assert 0 < left <= cached.settings.status_cache_seconds * 1000
    almost = status.valid_until - timedelta(milliseconds=500)
    cached.clock.set(almost)  # type: ignore[attr-defined]
    _cache(cached).keep([status], replace=True)
    assert 0 < client.pttl(KEY_PREFIX + subject) <= 500


def test_a_read_never_overwrites_a_newer_saved_status(cached: Container) -> None:
    """A status read from the database before a change, kept after it, loses to the newer one."""
    subject = _person(cached)
    with cached.uow() as uow:
        old = uow.statuses.current(subject)
    assert old is not None
    cached.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
    _positive(cached, subject)
    _cache(cached).keep([old], replace=False)
    _cache(cached).keep([old], replace=True)
    kept = _cache(cached).get(subject)
    assert kept is not None and kept.colour.value == "red"


def test_online_verification_sees_the_change_through_the_cache(cached: Container) -> None:
    """A green code checked online after a positive test: the holder's colour now is red."""
    subject = _person(cached)
    token = issue_code(
        uow=cached.uow(),
        clock=cached.clock,
        private_keys=cached.private_keys,
        subject=subject,
        lifetime=cached.settings.code_lifetime,
    ).token
    store = own_trust_store(
        uow=cached.uow(),
        clock=cached.clock,
        private_keys=cached.private_keys,
        jurisdiction="330100",
        code_lifetime=cached.settings.code_lifetime,
        clock_skew=cached.settings.clock_skew,
    )
    decision = verify(token, trust_lists=store, at=cached.clock.now(), acceptance=GREEN_ONLY)
    with cached.uow() as uow:
        assert status_since_issue(
            uow, clock=cached.clock, decision=decision, jurisdiction="330100"
        ) == ("green", False)
    _positive(cached, subject)
    with cached.uow() as uow:
        assert status_since_issue(
            uow, clock=cached.clock, decision=decision, jurisdiction="330100"
        ) == ("red", True)


def test_an_entry_left_behind_lives_no_longer_than_the_maximum_age(
    settings: Settings, clock: FixedClock, own_redis: OwnRedis
) -> None:
    """A stale green entry no hook replaced expires within the maximum age; then the code is red."""
    short = settings.model_copy(update={"redis_url": own_redis.url, "status_cache_seconds": 30})
    container = bootstrap.build(short, clock_factory=lambda: clock)
    try:
        subject = _person(container)
        assert _colour(container, subject) == "green"
        with container.uow() as uow:
            green = uow.statuses.current(subject)
        assert green is not None
        _positive(container, subject)
        # as if Redis had missed both hooks of the change (down, then back with the old entry)
        _cache(container)._client.delete(KEY_PREFIX + subject)
        _cache(container).keep([green], replace=False)
        assert _colour(container, subject) == "green"  # within the maximum age: the bound
        # Redis holds the bound, not the wall clock of this test: the entry's time to live is set
        # and at most the maximum age; once Redis lets it go, the database answers.
        left = _cache(container)._client.pttl(KEY_PREFIX + subject)
        assert 0 < left <= 30_000
        _cache(container)._client.pexpire(KEY_PREFIX + subject, 1)
        while _cache(container)._client.exists(KEY_PREFIX + subject):
            time.sleep(0.01)
        assert _colour(container, subject) == "red"
    finally:
        container.close()


def test_metrics_show_the_cache_outcomes(cached: Container, own_redis: OwnRedis) -> None:
    """/metrics counts the cache's misses, hits and errors (Redis down) in this process."""
    subject = _person(cached)
    _colour(cached, subject)  # a hit: registering kept the first status
    own_redis.restart()
    _colour(cached, subject)  # a miss: the restarted Redis is empty
    own_redis.stop()
    _colour(cached, subject)  # an error, answered from the database
    with TestClient(create_app(container=cached)) as client:
        text = client.get("/metrics").text
    for outcome in ("hit", "miss", "error"):
        assert re.search(
            rf'^healthcode_status_cache_total{{outcome="{outcome}"}} [1-9]', text, re.M
        )


def test_a_redis_unreachable_from_the_start_costs_nothing_but_errors(
    settings: Settings, clock: FixedClock, own_redis: OwnRedis
) -> None:
    """Built with a Redis that never answered, the system starts and codes show the right colour."""
    own_redis.stop()
    container = bootstrap.build(
        settings.model_copy(update={"redis_url": own_redis.url}), clock_factory=lambda: clock
    )
    try:
        subject = _person(container)
        assert _colour(container, subject) == "green"
        _positive(container, subject)
        assert _colour(container, subject) == "red"
        assert _cache(container).counts.hits == 0 and _cache(container).counts.errors > 0
    finally:
        container.close()


def test_without_a_redis_url_nothing_is_cached(container: Container) -> None:
    """The default (no HEALTHCODE_REDIS_URL) keeps nothing: codes come from the database alone."""
    assert container.settings.redis_url == ""
    assert not container.status_cache.enabled and container.status_cache.outcomes() == {}
    subject = _person(container)
    assert _colour(container, subject) == "green"
    _positive(container, subject)
    assert _colour(container, subject) == "red"
