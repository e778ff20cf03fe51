"""Sign-up codes (keyed hashes only), text messages waiting to be sent (encrypted) and the
record of identity changes."""

from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from healthcode.db.encryption import PersonalDataCipher
from healthcode.identity.model import IdentityState
from healthcode.identity.tables import IdentityEventRow, OutgoingTextRow, SignUpCodeRow


class SqlSignUpCodeRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _phone(self, phone: str) -> str:
        return self._cipher.lookup(phone, purpose="sign_up_phone")

    def _code(self, phone: str, code: str) -> str:
        # keyed with the data key: six digits hashed without a key would fall to a million
        # guesses by anyone who reads the table
        return self._cipher.lookup(f"{phone}:{code}", purpose="sign_up_code")

    def replace(self, *, phone: str, code: str, now: datetime, expires_at: datetime) -> None:
        values = {
            "code_hash": self._code(phone, code),
            "created_at": now,
            "expires_at": expires_at,
            "attempts": 0,
            "used_at": None,
        }
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self._session.execute(
            insert(SignUpCodeRow)
            .values(phone_lookup=self._phone(phone), **values)
            .on_conflict_do_update(index_elements=[SignUpCodeRow.phone_lookup], set_=values)
        )

    def use(self, *, phone: str, code: str, now: datetime, most_attempts: int) -> bool:
        row = SignUpCodeRow
        key = self._phone(phone)
        # the UPDATE counts the attempt and holds the row until the transaction ends: a
        # parallel attempt waits, then finds the count raised or the code used
        counted = self._session.execute(
            update(row)
            .where(
                row.phone_lookup == key,
                row.used_at.is_(None),
                row.expires_at > now,
                row.attempts < most_attempts,
            )
            .values(attempts=row.attempts + 1)
            .returning(row.code_hash)
        ).first()
        if counted is None or not hmac.compare_digest(counted[0], self._code(phone, code)):
            return False
        self._session.execute(update(row).where(row.phone_lookup == key).values(used_at=now))
        return True

    def forget(self, *, before: datetime) -> int:
        result = self._session.execute(
            delete(SignUpCodeRow).where(SignUpCodeRow.expires_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class SqlTextRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def add(self, *, text_id: str, phone: str, text: str, at: datetime) -> None:
        self._session.add(
            OutgoingTextRow(
                id=text_id,
                phone_enc=self._cipher.encrypt(phone, context=f"text:{text_id}:phone"),
                text_enc=self._cipher.encrypt(text, context=f"text:{text_id}:text"),
                created_at=at,
            )
        )
        self._session.flush()

    def get(self, text_id: str) -> tuple[str, str] | None:
        row = self._session.get(OutgoingTextRow, text_id)
        if row is None:
            return None
        return (
            self._cipher.decrypt(row.phone_enc, context=f"text:{text_id}:phone"),
            self._cipher.decrypt(row.text_enc, context=f"text:{text_id}:text"),
        )

    def delete(self, text_id: str) -> None:
        self._session.execute(delete(OutgoingTextRow).where(OutgoingTextRow.id == text_id))


class SqlIdentityEventRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        subject: str,
        state: IdentityState,
        at: datetime,
        channel_id: str | None,
        holder: str | None,
    ) -> None:
        self._session.add(
            IdentityEventRow(
                subject=subject, state=state.value, at=at, channel_id=channel_id, holder=holder
            )
        )
        self._session.flush()

    def of(self, subject: str) -> list[tuple[IdentityState, datetime, str | None]]:
        rows = self._session.execute(
            select(IdentityEventRow.state, IdentityEventRow.at, IdentityEventRow.holder)
            .where(IdentityEventRow.subject == subject)
            .order_by(IdentityEventRow.id)
        )
        return [(IdentityState(state), at, holder) for state, at, holder in rows]
