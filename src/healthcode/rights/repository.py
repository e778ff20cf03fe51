"""Purging one person who closed their account: their identity blanked in place (the subject
stays, so facts, statuses and the access log still count), everything that logs them in, and
every record of where they were, deleted."""

from __future__ import annotations

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.facts import PresenceRow
from healthcode.identity.model import IdentityState
from healthcode.identity.tables import (
    AuthSessionRow,
    ChannelBindingRow,
    CitizenAccountRow,
    ConsentRow,
    PersonRow,
)
from healthcode.presence.tables import CheckinRow, StaffRow
from healthcode.rights.model import Purged

_ENCRYPTED = ("name", "id_number", "phone", "address")


def _count(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0


class SqlClosingRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _delete(self, statement: Executable) -> int:
        return _count(self._session.execute(statement))

    def purge_person(self, subject: str) -> Purged:
        # lookups become the subject's own tombstone: unique, and matching no ID number or
        # phone, so the number may register again as a new person
        tombstone = f"closed:{subject}"
        blanks = {
            f"{name}_enc": self._cipher.encrypt("", context=f"{subject}:{name}")
            for name in _ENCRYPTED
        }
        self._session.execute(
            update(PersonRow)
            .where(PersonRow.subject == subject)
            .values(
                id_lookup=tombstone,
                claim_lookup=None,
                phone_lookup=tombstone,
                household=tombstone,
                identity_state=IdentityState.CLOSED.value,
                **blanks,
            )
        )
        logins = sum(
            self._delete(statement)
            for statement in (
                delete(CitizenAccountRow).where(CitizenAccountRow.subject == subject),
                delete(AuthSessionRow).where(
                    AuthSessionRow.kind == "citizen", AuthSessionRow.principal_id == subject
                ),
                delete(ChannelBindingRow).where(ChannelBindingRow.subject == subject),
            )
        )
        listings = self._delete(delete(StaffRow).where(StaffRow.subject == subject))
        listings += self._delete(delete(ConsentRow).where(ConsentRow.subject == subject))
        purged = Purged(
            presences=self._delete(delete(PresenceRow).where(PresenceRow.subject == subject)),
            checkins=self._delete(delete(CheckinRow).where(CheckinRow.subject == subject)),
            logins=logins,
            listings=listings,
        )
        self._session.flush()
        return purged
