"""Used channel-assertion ids in Redis when it is configured (SET NX with an expiry at the
assertion's), the database table while Redis is down or when there is none: a replay is
refused either way. A real redis-server of the test's own (redis_helpers.OwnRedis)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from healthcode import bootstrap
from healthcode.container import Container
from healthcode.identity.assertions import verify_channel_assertion
from healthcode.identity.seen_assertions import RedisSeenAssertions, assertion_key
from healthcode.identity.tables import SeenAssertionRow
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import NotAuthenticated
from healthcode.settings import Settings
from identity_helpers import ChannelKit, add_test_channel
from redis_helpers import OwnRedis


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def with_redis(settings: Settings, clock: FixedClock, own_redis: OwnRedis) -> Iterator[Container]:
    built = bootstrap.build(
        settings.model_copy(update={"redis_url": own_redis.url}), clock_factory=lambda: clock
    )
    yield built
    built.close()


def _store(container: Container) -> RedisSeenAssertions:
    assert isinstance(container.seen_assertions, RedisSeenAssertions)
    return container.seen_assertions


def _use(container: Container, kit: ChannelKit, assertion: str) -> None:
    with container.uow() as uow:
        verify_channel_assertion(
            uow,
            clock=container.clock,
            channel_id=kit.id,
            assertion=assertion,
            jurisdiction=container.settings.jurisdiction,
        )
        uow.commit()


def _rows(container: Container) -> int:
    with container.uow() as uow:
        return int(uow.session.scalar(sa.select(sa.func.count()).select_from(SeenAssertionRow)))


def test_with_redis_a_used_assertion_lives_there_and_a_replay_is_refused(
    with_redis: Container, own_redis: OwnRedis
) -> None:
    """The first use is kept in Redis until the assertion expires; the replay is a 401 reason."""
    kit = add_test_channel(with_redis)
    assertion = kit.assertion(user_id="u-1", now=with_redis.clock.now())
    _use(with_redis, kit, assertion)
    with pytest.raises(NotAuthenticated, match="replay"):
        _use(with_redis, kit, assertion)
    assert _rows(with_redis) == 0  # nothing in the database table
    (key,) = own_redis.client().keys("healthcode:assertion:*")
    ttl = own_redis.client().pttl(key)
    assert timedelta(minutes=5) < timedelta(milliseconds=ttl) <= timedelta(minutes=6)
    counts = _store(with_redis).counts
    assert (counts.first, counts.replays, counts.errors) == (1, 1, 0)


def test_while_redis_is_down_the_table_answers(with_redis: Container, own_redis: OwnRedis) -> None:
    """Redis stopped: the id goes to the database table and the replay is still refused."""
    kit = add_test_channel(with_redis)
    own_redis.stop()
    assertion = kit.assertion(user_id="u-1", now=with_redis.clock.now())
    _use(with_redis, kit, assertion)
    with pytest.raises(NotAuthenticated, match="replay"):
        _use(with_redis, kit, assertion)
    assert _rows(with_redis) == 1
    assert _store(with_redis).counts.errors == 2
    own_redis.start()  # back: Redis answers again, the table is left alone
    _use(with_redis, kit, kit.assertion(user_id="u-1", now=with_redis.clock.now()))
    assert _rows(with_redis) == 1 and len(own_redis.client().keys("healthcode:assertion:*")) == 1


def test_without_redis_the_table_keeps_the_ids(container: Container) -> None:
    """No Redis configured: the database table refuses the replay, as before."""
    assert container.seen_assertions is None
    kit = add_test_channel(container)
    assertion = kit.assertion(user_id="u-1", now=container.clock.now())
    _use(container, kit, assertion)
    with pytest.raises(NotAuthenticated, match="replay"):
        _use(container, kit, assertion)
    assert _rows(container) == 1


def test_the_key_names_the_issuer_and_hides_the_jti() -> None:
    """A jti of any shape becomes a fixed-length hash under its issuer."""
    key = assertion_key("alipay", "a jti: with spaces\nand lines")
    assert key.startswith("healthcode:assertion:alipay:") and len(key.rsplit(":", 1)[1]) == 64
