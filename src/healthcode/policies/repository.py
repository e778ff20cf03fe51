"""Activated policy versions: stored as their source text, parsed once per process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from threading import Lock

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from healthcode.kernel.errors import NotFound
from healthcode.policies.model import ActivatedPolicy, source_sha256
from healthcode.policies.tables import PolicyVersionRow
from healthcode.policy.bundled import bundled_policy
from healthcode.policy.loader import load_policy
from healthcode.policy.model import Policy


class ParsedPolicyCache:
    """Parsed policies by the SHA-256 of their source; shared by every unit of work."""

    def __init__(self) -> None:
        self._by_hash: dict[str, Policy] = {}
        self._lock = Lock()

    def get(self, source: str) -> Policy:
        return self.by_digest(source_sha256(source), lambda: source)

    def by_digest(self, digest: str, source: Callable[[], str]) -> Policy:
        """The policy whose source has SHA-256 ``digest``; ``source`` is read only on a miss
        (the hot path reads the stored digest, not the whole text, on every request)."""
        with self._lock:
            policy = self._by_hash.get(digest)
        if policy is None:
            policy = load_policy(source())
            with self._lock:
                self._by_hash[digest] = policy
        return policy

    def bundled(self, jurisdiction: str) -> Policy:
        key = f"bundled:{jurisdiction}"
        with self._lock:
            policy = self._by_hash.get(key)
        if policy is None:
            policy = bundled_policy(jurisdiction)
            with self._lock:
                self._by_hash[key] = policy
        return policy


_VERSIONS: Table = PolicyVersionRow.__table__  # type: ignore[assignment]
_LATEST = (
    select(_VERSIONS.c.id, _VERSIONS.c.sha256)
    .where(_VERSIONS.c.jurisdiction == bindparam("jurisdiction"))
    .order_by(_VERSIONS.c.activated_at.desc(), _VERSIONS.c.id.desc())
    .limit(1)
)
"""Built once, of the table's columns (no ORM compilation): read on every code, status and
verification at a venue."""


class SqlPolicyRepository:
    def __init__(self, session: Session, cache: ParsedPolicyCache) -> None:
        self._session = session
        self._cache = cache

    def _latest(self, jurisdiction: str) -> tuple[int, str] | None:
        """The id and stored SHA-256 of the last activated version (not its text)."""
        row = self._session.execute(_LATEST, {"jurisdiction": jurisdiction}).first()
        return None if row is None else (row.id, row.sha256)

    def _source(self, row_id: int) -> str:
        return self._session.scalars(
            select(PolicyVersionRow.source).where(PolicyVersionRow.id == row_id)
        ).one()

    def active(self, jurisdiction: str) -> Policy:
        """The last activated policy of the jurisdiction, else the one bundled for it."""
        latest = self._latest(jurisdiction)
        if latest is not None:
            row_id, digest = latest
            return self._cache.by_digest(digest, lambda: self._source(row_id))
        try:
            return self._cache.bundled(jurisdiction)
        except NotFound:
            raise NotFound("policy for jurisdiction", jurisdiction) from None

    def parse(self, source: str) -> Policy:
        return self._cache.get(source)

    def add(
        self,
        *,
        source: str,
        policy: Policy,
        activated_at: datetime,
        activated_by: str,
        approved_by: str | None,
    ) -> None:
        self._session.add(
            PolicyVersionRow(
                jurisdiction=policy.jurisdiction,
                version=policy.version,
                sha256=source_sha256(source),
                source=source,
                activated_at=activated_at,
                activated_by=activated_by,
                approved_by=approved_by,
            )
        )
        self._session.flush()

    def history(self, jurisdiction: str) -> list[ActivatedPolicy]:
        rows = self._session.scalars(
            select(PolicyVersionRow)
            .where(PolicyVersionRow.jurisdiction == jurisdiction)
            .order_by(PolicyVersionRow.activated_at, PolicyVersionRow.id)
        )
        return [
            ActivatedPolicy(
                jurisdiction=r.jurisdiction,
                version=r.version,
                sha256=r.sha256,
                activated_at=r.activated_at,
                activated_by=r.activated_by,
                approved_by=r.approved_by,
            )
            for r in rows
        ]
