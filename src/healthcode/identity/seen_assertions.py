"""Used channel-assertion ids in Redis (``HEALTHCODE_REDIS_URL``): one key per assertion,
``healthcode:assertion:<issuer>:<sha256 of jti>``, written with SET NX and an expiry at the
assertion's own (plus the clock skew allowed), so the first use wins atomically across every
API process and nothing outlives the assertion. Without Redis, or while it does not answer,
the database table ``seen_assertions`` answers instead (``SqlChannelRepository``).

A Redis restarted empty (no persistence), or one that goes down, forgets the ids only it held:
an assertion used just before could be replayed until it expires (at most its lifetime,
``identity.assertions.MAX_LIFETIME``, and the clock skew allowed). Give Redis persistence
(appendonly) where that matters (docs/operations.md, "State shared by the processes")."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis

from healthcode.kernel.clock import Clock

KEY_PREFIX = "healthcode:assertion:"
SOCKET_TIMEOUT_SECONDS = 0.05


@dataclass
class SeenCounts:
    """What the store answered since the process started."""

    first: int = 0
    replays: int = 0
    errors: int = 0  # Redis did not answer: the database table did


def assertion_key(issuer: str, jti: str) -> str:
    """The Redis key of an assertion id (hashed: a jti is the channel's text, of any shape)."""
    return f"{KEY_PREFIX}{issuer}:{hashlib.sha256(jti.encode()).hexdigest()}"


class RedisSeenAssertions:
    def __init__(self, client: redis.Redis, *, clock: Clock) -> None:
        self._client = client
        self._clock = clock
        self.counts = SeenCounts()

    @classmethod
    def from_url(cls, url: str, *, clock: Clock) -> RedisSeenAssertions:
        """A store on the Redis at ``url`` (connected on first use, short timeouts)."""
        client = redis.Redis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            retry_on_timeout=False,
        )
        return cls(client, clock=clock)

    def remember(self, *, issuer: str, jti: str, expires_at: datetime) -> bool | None:
        ttl = max((expires_at - self._clock.now()) // timedelta(milliseconds=1), 1)
        try:
            first = self._client.set(assertion_key(issuer, jti), b"1", nx=True, px=ttl)
        except redis.RedisError:
            self.counts.errors += 1
            return None
        if first:
            self.counts.first += 1
            return True
        self.counts.replays += 1
        return False

    def close(self) -> None:
        self._client.close()
