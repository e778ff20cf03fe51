"""Logins: sessions, officials' and citizens' accounts, and login throttles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, bindparam, case, delete, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.types import UTCDateTime
from healthcode.identity.model import (
    AuthSession,
    CitizenAccount,
    Official,
    Throttle,
)
from healthcode.identity.tables import (
    AuthSessionRow,
    CitizenAccountRow,
    LoginThrottleRow,
    OfficialRow,
    PersonRow,
)


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_SESSIONS: Table = AuthSessionRow.__table__  # type: ignore[assignment]
_PERSONS: Table = PersonRow.__table__  # type: ignore[assignment]
_SESSION = (
    select(*_SESSIONS.columns, _PERSONS.c.subject.label("person"))
    .outerjoin(_PERSONS, _PERSONS.c.subject == _SESSIONS.c.principal_id)
    .where(_SESSIONS.c.token_hash == bindparam("token_hash"))
)
"""Built once (plain rows, no ORM objects): read on every authenticated request, with
whether a citizen's person still exists (one round trip, not two)."""


class SqlSessionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, session: AuthSession) -> None:
        self._session.add(
            AuthSessionRow(
                token_hash=session.token_hash,
                kind=session.kind,
                principal_id=session.principal_id,
                created_at=session.created_at,
                expires_at=session.expires_at,
                revoked_at=session.revoked_at,
            )
        )
        self._session.flush()

    def get(self, token_hash: str) -> AuthSession | None:
        row = self._session.execute(_SESSION, {"token_hash": token_hash}).first()
        if row is None:
            return None
        return AuthSession(
            token_hash=row.token_hash,
            kind=row.kind,
            principal_id=row.principal_id,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            person_exists=row.person is not None,
        )

    def revoke(self, token_hash: str, *, at: datetime) -> None:
        row = self._session.get(AuthSessionRow, token_hash)
        if row is not None and row.revoked_at is None:
            row.revoked_at = at
            self._session.flush()

    def revoke_all(self, *, kind: str, principal_id: str, at: datetime) -> int:
        revoked = self._session.execute(
            update(AuthSessionRow)
            .where(
                AuthSessionRow.kind == kind,
                AuthSessionRow.principal_id == principal_id,
                AuthSessionRow.revoked_at.is_(None),
                AuthSessionRow.expires_at > at,
            )
            .values(revoked_at=at)
            .returning(AuthSessionRow.token_hash)
        ).all()
        return len(revoked)


class SqlOfficialRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _official(self, row: OfficialRow) -> Official:
        return Official(
            id=row.id,
            username=row.username,
            role=row.role,
            jurisdiction=row.jurisdiction,
            district=row.district,
            password_hash=row.password_hash,
            totp_secret=self._cipher.decrypt(
                row.totp_secret_enc, context=f"official:{row.id}:totp"
            ),
            totp_last_step=row.totp_last_step,
            created_at=row.created_at,
            active=row.active,
            sponsored_by=row.sponsored_by,
        )

    def add(self, official: Official) -> None:
        self._session.add(
            OfficialRow(
                id=official.id,
                username=official.username,
                role=official.role,
                jurisdiction=official.jurisdiction,
                district=official.district,
                password_hash=official.password_hash,
                totp_secret_enc=self._cipher.encrypt(
                    official.totp_secret, context=f"official:{official.id}:totp"
                ),
                totp_last_step=official.totp_last_step,
                created_at=official.created_at,
                active=official.active,
                sponsored_by=official.sponsored_by,
            )
        )
        self._session.flush()

    def save(self, official: Official) -> None:
        row = self._session.get(OfficialRow, official.id)
        if row is None:
            raise LookupError(official.id)
        row.role, row.active = official.role, official.active
        row.jurisdiction, row.district = official.jurisdiction, official.district
        row.sponsored_by = official.sponsored_by
        row.totp_secret_enc = self._cipher.encrypt(
            official.totp_secret, context=f"official:{official.id}:totp"
        )
        row.totp_last_step = official.totp_last_step
        self._session.flush()

    def all(self) -> list[Official]:
        rows = self._session.scalars(select(OfficialRow).order_by(OfficialRow.username))
        return [self._official(row) for row in rows]

    def count_active(self, *, role: str, for_update: bool = False) -> int:
        query = select(OfficialRow.id).where(OfficialRow.role == role, OfficialRow.active.is_(True))
        if for_update:
            query = query.with_for_update()
        return len(self._session.scalars(query).all())

    def get(self, official_id: str) -> Official | None:
        row = self._session.get(OfficialRow, official_id)
        return None if row is None else self._official(row)

    def by_username(self, username: str) -> Official | None:
        row = self._session.scalar(select(OfficialRow).where(OfficialRow.username == username))
        return None if row is None else self._official(row)

    def use_totp_step(self, official_id: str, step: int) -> bool:
        # one conditional UPDATE: of parallel requests with the same code, the database lets
        # exactly one see the older step (PostgreSQL re-checks the condition after waiting for
        # the row; SQLite has one writer at a time)
        used = self._session.execute(
            update(OfficialRow)
            .where(
                OfficialRow.id == official_id,
                OfficialRow.active.is_(True),
                OfficialRow.totp_last_step < step,
            )
            .values(totp_last_step=step)
            .returning(OfficialRow.id)
        ).first()
        return used is not None


class SqlAccountRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _lookup(self, phone: str) -> str:
        return self._cipher.lookup(phone, purpose="login_phone")

    def add(self, *, subject: str, phone: str, password_hash: str, created_at: datetime) -> None:
        self._session.add(
            CitizenAccountRow(
                subject=subject,
                phone_lookup=self._lookup(phone),
                password_hash=password_hash,
                created_at=created_at,
            )
        )
        self._session.flush()

    def by_phone(self, phone: str) -> CitizenAccount | None:
        row = self._session.scalar(
            select(CitizenAccountRow).where(CitizenAccountRow.phone_lookup == self._lookup(phone))
        )
        if row is None:
            return None
        return CitizenAccount(
            subject=row.subject, password_hash=row.password_hash, created_at=row.created_at
        )


class SqlThrottleRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _key(self, identifier: str) -> str:
        return self._cipher.lookup(identifier, purpose="login_throttle")

    def get(self, identifier: str) -> Throttle | None:
        row = self._session.get(LoginThrottleRow, self._key(identifier))
        if row is None:
            return None
        return Throttle(
            failures=row.failures, window_started=row.window_started, locked_until=row.locked_until
        )

    def reserve(
        self,
        identifier: str,
        *,
        now: datetime,
        window_from: datetime,
        limit: int,
        lock_until: datetime,
    ) -> datetime | None:
        key = self._key(identifier)
        row = LoginThrottleRow
        when = literal(now, UTCDateTime())
        lock_end = literal(lock_until, UTCDateTime())
        # a lock that has ended (the WHERE below lets only those through) or an old window
        # starts the count again
        fresh = or_(row.window_started < window_from, row.locked_until.is_not(None))
        failures = case((fresh, 1), else_=row.failures + 1)
        insert = postgresql.insert if _on_postgresql(self._session) else sqlite.insert
        statement = (
            insert(row)
            .values(
                key=key,
                failures=1,
                window_started=now,
                locked_until=lock_until if limit <= 1 else None,
            )
            .on_conflict_do_update(
                index_elements=[row.key],
                set_={
                    "failures": failures,
                    "window_started": case((fresh, when), else_=row.window_started),
                    "locked_until": case((failures >= limit, lock_end), else_=null()),
                },
                where=or_(row.locked_until.is_(None), row.locked_until <= now),
            )
            .returning(row.failures)
        )
        if self._session.execute(statement).first() is not None:
            return None
        # locked: nothing was written, and a lock is only ever lifted by a success or by time
        locked = self._session.scalar(select(row.locked_until).where(row.key == key))
        return locked if locked is not None else now

    def clear(self, identifier: str) -> None:
        self._session.execute(
            delete(LoginThrottleRow).where(LoginThrottleRow.key == self._key(identifier))
        )
