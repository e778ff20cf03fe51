"""Channels, the users they bind to people, and the assertions they have used."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from healthcode.db.bulk import insert_if_absent, key_filters
from healthcode.db.encryption import PersonalDataCipher
from healthcode.identity.model import (
    Channel,
)
from healthcode.identity.ports import SeenAssertionStore
from healthcode.identity.tables import (
    ChannelBindingRow,
    ChannelRow,
    SeenAssertionRow,
)


class SqlChannelRepository:
    def __init__(
        self,
        session: Session,
        cipher: PersonalDataCipher,
        seen: SeenAssertionStore | None = None,
    ) -> None:
        self._session = session
        self._cipher = cipher
        self._seen = seen  # Redis, when configured: the table answers only while it cannot

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
            secrets_rotated_at=row.secrets_rotated_at,
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

    def rotate_secrets(
        self, channel_id: str, *, client_secret_hash: str, webhook_secret: str, at: datetime
    ) -> None:
        row = self._session.get(ChannelRow, channel_id, with_for_update=True)
        if row is None:
            raise LookupError(channel_id)
        row.client_secret_hash = client_secret_hash
        row.webhook_secret_enc = self._cipher.encrypt(
            webhook_secret, context=f"channel:{row.id}:webhook_secret"
        )
        row.secrets_rotated_at = at
        self._session.flush()

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
        if self._seen is not None:
            answer = self._seen.remember(issuer=issuer, jti=jti, expires_at=expires_at)
            if answer is not None:
                return answer
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
