"""Logins: sessions, officials' and citizens' accounts, and login throttles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from healthcode.db.encryption import PersonalDataCipher
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
)


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
        row = self._session.get(AuthSessionRow, token_hash)
        if row is None:
            return None
        return AuthSession(
            token_hash=row.token_hash,
            kind=row.kind,
            principal_id=row.principal_id,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
        )

    def revoke(self, token_hash: str, *, at: datetime) -> None:
        row = self._session.get(AuthSessionRow, token_hash)
        if row is not None and row.revoked_at is None:
            row.revoked_at = at
            self._session.flush()


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
            )
        )
        self._session.flush()

    def get(self, official_id: str) -> Official | None:
        row = self._session.get(OfficialRow, official_id)
        return None if row is None else self._official(row)

    def by_username(self, username: str) -> Official | None:
        row = self._session.scalar(select(OfficialRow).where(OfficialRow.username == username))
        return None if row is None else self._official(row)

    def set_totp_last_step(self, official_id: str, step: int) -> None:
        row = self._session.get(OfficialRow, official_id, with_for_update=True)
        if row is not None:
            row.totp_last_step = step
            self._session.flush()


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
        row = self._session.get(LoginThrottleRow, self._key(identifier), with_for_update=True)
        if row is None:
            return None
        return Throttle(
            failures=row.failures, window_started=row.window_started, locked_until=row.locked_until
        )

    def save(self, identifier: str, throttle: Throttle) -> None:
        key = self._key(identifier)
        row = self._session.get(LoginThrottleRow, key)
        if row is None:
            row = LoginThrottleRow(key=key)
            self._session.add(row)
        row.failures = throttle.failures
        row.window_started = throttle.window_started
        row.locked_until = throttle.locked_until
        self._session.flush()

    def clear(self, identifier: str) -> None:
        self._session.execute(
            delete(LoginThrottleRow).where(LoginThrottleRow.key == self._key(identifier))
        )
