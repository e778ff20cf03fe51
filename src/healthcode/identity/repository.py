"""Repositories for people, channels, sessions, accounts, officials and login throttles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from healthcode.db.bulk import insert_if_absent, key_filters
from healthcode.identity.encryption import PersonalDataCipher
from healthcode.identity.model import (
    AuthSession,
    Channel,
    CitizenAccount,
    Consent,
    Official,
    Person,
    Throttle,
)
from healthcode.identity.tables import (
    AuthSessionRow,
    ChannelBindingRow,
    ChannelRow,
    CitizenAccountRow,
    ConsentRow,
    LoginThrottleRow,
    OfficialRow,
    PersonRow,
    SeenAssertionRow,
)
from healthcode.identity.validation import normalise_address

_ENCRYPTED = ("name", "id_number", "phone", "address")


class SqlPersonRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _id_lookup(self, *, jurisdiction: str, id_type: str, id_number: str) -> str:
        return self._cipher.lookup(f"{jurisdiction}:{id_type}:{id_number}", purpose="id_number")

    def add(self, person: Person) -> None:
        encrypted = {
            f"{name}_enc": self._cipher.encrypt(
                getattr(person, name), context=f"{person.subject}:{name}"
            )
            for name in _ENCRYPTED
        }
        self._session.add(
            PersonRow(
                subject=person.subject,
                jurisdiction=person.jurisdiction,
                id_type=person.id_type,
                id_lookup=self._id_lookup(
                    jurisdiction=person.jurisdiction,
                    id_type=person.id_type,
                    id_number=person.id_number,
                ),
                phone_lookup=self._cipher.lookup(person.phone, purpose="phone"),
                household=self._cipher.lookup(normalise_address(person.address), purpose="home"),
                registered_at=person.registered_at,
                district=person.district,
                **encrypted,
            )
        )
        self._session.flush()

    def get(self, subject: str) -> Person | None:
        row = self._session.get(PersonRow, subject)
        if row is None:
            return None
        clear = {
            name: self._cipher.decrypt(getattr(row, f"{name}_enc"), context=f"{subject}:{name}")
            for name in _ENCRYPTED
        }
        return Person(
            subject=row.subject,
            jurisdiction=row.jurisdiction,
            id_type=row.id_type,
            registered_at=row.registered_at,
            district=row.district,
            **clear,
        )

    def subject_for_id_number(
        self, *, jurisdiction: str, id_type: str, id_number: str
    ) -> str | None:
        lookup = self._id_lookup(jurisdiction=jurisdiction, id_type=id_type, id_number=id_number)
        return self._session.scalar(
            select(PersonRow.subject).where(
                PersonRow.jurisdiction == jurisdiction, PersonRow.id_lookup == lookup
            )
        )

    def add_consent(self, subject: str, consent: Consent) -> None:
        self._session.add(
            ConsentRow(
                subject=subject,
                purpose=consent.purpose,
                granted_at=consent.granted_at,
                withdrawn_at=consent.withdrawn_at,
            )
        )
        self._session.flush()

    def consents(self, subject: str) -> list[Consent]:
        found = self._session.scalars(
            select(ConsentRow).where(ConsentRow.subject == subject).order_by(ConsentRow.id)
        )
        return [
            Consent(purpose=c.purpose, granted_at=c.granted_at, withdrawn_at=c.withdrawn_at)
            for c in found
        ]

    def subjects(self) -> list[str]:
        return list(self._session.scalars(select(PersonRow.subject).order_by(PersonRow.subject)))

    def jurisdictions_of(self, subjects: Sequence[str]) -> Mapping[str, str]:
        found: dict[str, str] = {}
        for condition in key_filters(self._session, PersonRow.subject, subjects):
            rows = self._session.execute(
                select(PersonRow.subject, PersonRow.jurisdiction).where(condition)
            )
            found.update({s: j for s, j in rows})
        return found

    def district_of(self, subject: str) -> str | None:
        return self._session.scalar(select(PersonRow.district).where(PersonRow.subject == subject))

    def jurisdiction_of(self, subject: str) -> str | None:
        return self._session.scalar(
            select(PersonRow.jurisdiction).where(PersonRow.subject == subject)
        )

    def iter_subjects(self, *, jurisdiction: str, batch_size: int) -> Iterator[list[str]]:
        after = ""
        while True:
            batch = list(
                self._session.scalars(
                    select(PersonRow.subject)
                    .where(PersonRow.jurisdiction == jurisdiction, PersonRow.subject > after)
                    .order_by(PersonRow.subject)
                    .limit(batch_size)
                )
            )
            if not batch:
                return
            yield batch
            after = batch[-1]


class SqlChannelRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _channel(self, row: ChannelRow) -> Channel:
        return Channel(
            id=row.id,
            name=row.name,
            kind=row.kind,
            public_key_pem=row.public_key_pem,
            client_secret_hash=row.client_secret_hash,
            webhook_url=row.webhook_url,
            webhook_secret=self._cipher.decrypt(
                row.webhook_secret_enc, context=f"channel:{row.id}:webhook_secret"
            ),
            created_at=row.created_at,
            active=row.active,
        )

    def add(self, channel: Channel) -> None:
        self._session.add(
            ChannelRow(
                id=channel.id,
                name=channel.name,
                kind=channel.kind,
                public_key_pem=channel.public_key_pem,
                client_secret_hash=channel.client_secret_hash,
                webhook_url=channel.webhook_url,
                webhook_secret_enc=self._cipher.encrypt(
                    channel.webhook_secret, context=f"channel:{channel.id}:webhook_secret"
                ),
                created_at=channel.created_at,
                active=channel.active,
            )
        )
        self._session.flush()

    def get(self, channel_id: str) -> Channel | None:
        row = self._session.get(ChannelRow, channel_id)
        return None if row is None else self._channel(row)

    def by_name(self, name: str) -> Channel | None:
        row = self._session.scalar(select(ChannelRow).where(ChannelRow.name == name))
        return None if row is None else self._channel(row)

    def all(self) -> list[Channel]:
        rows = self._session.scalars(select(ChannelRow).order_by(ChannelRow.name))
        return [self._channel(row) for row in rows]

    def bind(
        self, *, channel_id: str, channel_user_id: str, subject: str, bound_at: datetime
    ) -> None:
        self._session.add(
            ChannelBindingRow(
                channel_id=channel_id,
                channel_user_id=channel_user_id,
                subject=subject,
                bound_at=bound_at,
            )
        )
        self._session.flush()

    def subject_for(self, *, channel_id: str, channel_user_id: str) -> str | None:
        row = self._session.get(ChannelBindingRow, (channel_id, channel_user_id))
        return None if row is None else row.subject

    def active_bindings(self, subjects: Sequence[str]) -> Mapping[str, list[tuple[str, str]]]:
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for condition in key_filters(self._session, ChannelBindingRow.subject, subjects):
            rows = self._session.execute(
                select(
                    ChannelBindingRow.subject,
                    ChannelBindingRow.channel_id,
                    ChannelBindingRow.channel_user_id,
                )
                .join(ChannelRow, ChannelRow.id == ChannelBindingRow.channel_id)
                .where(condition, ChannelRow.active.is_(True))
                .order_by(ChannelBindingRow.subject, ChannelBindingRow.channel_id)
            )
            for subject, channel_id, user_id in rows:
                found[subject].append((channel_id, user_id))
        return found

    def remember_assertion(self, *, issuer: str, jti: str, expires_at: datetime) -> bool:
        return insert_if_absent(
            self._session,
            SeenAssertionRow,
            {"issuer": issuer, "jti": jti, "expires_at": expires_at},
        )

    def forget_assertions(self, *, before: datetime) -> int:
        result = self._session.execute(
            delete(SeenAssertionRow).where(SeenAssertionRow.expires_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)


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
