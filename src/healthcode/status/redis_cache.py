"""The status cache on Redis (``HEALTHCODE_REDIS_URL``): one hash per person,
``healthcode:status:<subject>`` = {``v``: when the status was assessed, in microseconds since
1970; ``b``: the status as JSON text, encrypted and bound to the person like the database's
copy}. Each entry expires at the earlier of the status's ``valid_until`` and ``max_age`` from
now, so nothing outlives its colour and nothing a lost hook left behind outlives ``max_age``.

Redis is an optimisation, never the record: every Redis error (down, slow, restarted empty) is
counted and answered as a miss, and the short socket timeouts keep a dead Redis to
milliseconds per request."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from cryptography.exceptions import InvalidTag

from healthcode.db.encryption import PersonalDataCipher
from healthcode.kernel.clock import Clock
from healthcode.kernel.status import Status
from healthcode.status.codec import decode, encode

KEY_PREFIX = "healthcode:status:"
DEFAULT_MAX_AGE = timedelta(seconds=60)
SOCKET_TIMEOUT_SECONDS = 0.05

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# KEYS[1] the entry; ARGV: version, body, time to live (ms), "1" to replace an older version.
# Atomic, so a read kept after its commit never overwrites a newer saved status.
_KEEP = """
local kept = redis.call('HGET', KEYS[1], 'v')
if kept then
  if ARGV[4] ~= '1' or tonumber(kept) > tonumber(ARGV[1]) then return 0 end
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'b', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""


@dataclass
class CacheCounts:
    """What the cache answered since the process started (``/metrics``)."""

    hits: int = 0
    misses: int = 0
    errors: int = 0


def _version(status: Status) -> int:
    return (status.assessed_at - _EPOCH) // timedelta(microseconds=1)


def _context(subject: str) -> str:
    return f"status_cache:{subject}:body"


class RedisStatusCache:
    def __init__(
        self,
        client: redis.Redis,
        *,
        cipher: PersonalDataCipher,
        clock: Clock,
        max_age: timedelta = DEFAULT_MAX_AGE,
    ) -> None:
        self._client = client
        self._cipher = cipher
        self._clock = clock
        self._max_age = max_age
        self._keep_script = client.register_script(_KEEP)
        self.counts = CacheCounts()

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        cipher: PersonalDataCipher,
        clock: Clock,
        max_age: timedelta = DEFAULT_MAX_AGE,
    ) -> RedisStatusCache:
        """A cache on the Redis at ``url`` (connections pooled and opened on first use)."""
        client = redis.Redis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            retry_on_timeout=False,
        )
        return cls(client, cipher=cipher, clock=clock, max_age=max_age)

    @property
    def enabled(self) -> bool:
        return True

    def get(self, subject: str) -> Status | None:
        try:
            sealed = self._client.hget(KEY_PREFIX + subject, "b")
        except redis.RedisError:
            self.counts.errors += 1
            return None
        if not isinstance(sealed, bytes):
            self.counts.misses += 1
            return None
        try:
            status = decode(json.loads(self._cipher.decrypt(sealed, context=_context(subject))))
        except (InvalidTag, ValueError, KeyError, TypeError):
            # written under another data key, or not by us: not an answer
            self.counts.errors += 1
            return None
        self.counts.hits += 1
        return status

    def forget(self, subjects: Sequence[str]) -> None:
        try:
            self._client.delete(*(KEY_PREFIX + s for s in subjects))
        except redis.RedisError:
            self.counts.errors += 1

    def keep(self, statuses: Sequence[Status], *, replace: bool) -> None:
        now = self._clock.now()
        try:
            with self._client.pipeline(transaction=False) as pipe:
                for status in statuses:
                    lifetime = self._max_age
                    if status.valid_until is not None:
                        lifetime = min(lifetime, status.valid_until - now)
                    milliseconds = lifetime // timedelta(milliseconds=1)
                    if milliseconds <= 0:
                        continue
                    body = json.dumps(encode(status), ensure_ascii=False, separators=(",", ":"))
                    sealed = self._cipher.encrypt(body, context=_context(status.subject))
                    arguments: list[bytes | str | int] = [
                        _version(status),
                        sealed,
                        milliseconds,
                        "1" if replace else "0",
                    ]
                    self._keep_script(
                        keys=[KEY_PREFIX + status.subject], args=arguments, client=pipe
                    )
                pipe.execute()
        except redis.RedisError:
            self.counts.errors += 1

    def outcomes(self) -> Mapping[str, int]:
        return {"hit": self.counts.hits, "miss": self.counts.misses, "error": self.counts.errors}

    def close(self) -> None:
        self._client.close()
