"""People: registrations (personal data encrypted, looked up by keyed hashes) and consents."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence

import psycopg
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from healthcode.db.bulk import insert_many, key_filters
from healthcode.db.encryption import PersonalDataCipher
from healthcode.identity.model import (
    VERIFIED_FOR_ANOTHER,
    Consent,
    IdentityState,
    Person,
)
from healthcode.identity.tables import (
    ConsentRow,
    PersonRow,
)
from healthcode.identity.validation import normalise_address
from healthcode.kernel.errors import Conflict

_ENCRYPTED = ("name", "id_number", "phone", "address")


def _unverified(subject: str) -> str:
    """The ``id_lookup`` of a person whose claim is not verified: theirs alone."""
    return f"claim:{subject}"


_PERSONS: Table = PersonRow.__table__  # type: ignore[assignment]
_CONSENTS: Table = ConsentRow.__table__  # type: ignore[assignment]
_PERSON = select(*_PERSONS.columns).where(_PERSONS.c.subject == bindparam("subject"))
_JURISDICTION = select(_PERSONS.c.jurisdiction).where(_PERSONS.c.subject == bindparam("subject"))
"""Built once (plain rows, no ORM objects): read on every code shown and citizen checked."""


class SqlPersonRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _id_lookup(self, *, jurisdiction: str, id_type: str, id_number: str) -> str:
        return self._cipher.lookup(f"{jurisdiction}:{id_type}:{id_number}", purpose="id_number")

    def _row(self, person: Person) -> dict[str, object]:
        claimed = self._id_lookup(
            jurisdiction=person.jurisdiction, id_type=person.id_type, id_number=person.id_number
        )
        verified = person.identity is IdentityState.VERIFIED
        encrypted = {
            f"{name}_enc": self._cipher.encrypt(
                getattr(person, name), context=f"{person.subject}:{name}"
            )
            for name in _ENCRYPTED
        }
        return {
            "subject": person.subject,
            "jurisdiction": person.jurisdiction,
            "id_type": person.id_type,
            "id_lookup": claimed if verified else _unverified(person.subject),
            "claim_lookup": claimed,
            "phone_lookup": self._cipher.lookup(person.phone, purpose="phone"),
            "household": self._cipher.lookup(normalise_address(person.address), purpose="home"),
            "registered_at": person.registered_at,
            "district": person.district,
            "identity_state": person.identity.value,
            **encrypted,
        }

    def add(self, person: Person) -> None:
        self._session.add(PersonRow(**self._row(person)))
        self._session.flush()

    def add_many(self, people: Sequence[Person]) -> None:
        """``add`` of many people in one bulk insert; ``Conflict`` when one is verified with an
        ID number someone else was verified with meanwhile (the transaction must not commit)."""
        try:
            insert_many(self._session, _PERSONS, [self._row(p) for p in people])
        except (sqlite3.IntegrityError, psycopg.errors.UniqueViolation):
            raise Conflict("id_number", "is already registered in this jurisdiction") from None

    def get(self, subject: str) -> Person | None:
        row = self._session.execute(_PERSON, {"subject": subject}).first()
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
            identity=IdentityState(row.identity_state),
            **clear,
        )

    def subject_for_id_number(
        self, *, jurisdiction: str, id_type: str, id_number: str
    ) -> str | None:
        lookup = self._id_lookup(jurisdiction=jurisdiction, id_type=id_type, id_number=id_number)
        return self._session.scalar(
            select(PersonRow.subject).where(
                PersonRow.jurisdiction == jurisdiction,
                PersonRow.id_lookup == lookup,
                PersonRow.identity_state == IdentityState.VERIFIED.value,
            )
        )

    def claimants(self, *, jurisdiction: str, id_type: str, id_number: str) -> list[str]:
        lookup = self._id_lookup(jurisdiction=jurisdiction, id_type=id_type, id_number=id_number)
        return list(
            self._session.scalars(
                select(PersonRow.subject)
                .where(
                    PersonRow.jurisdiction == jurisdiction,
                    PersonRow.claim_lookup == lookup,
                    PersonRow.identity_state == IdentityState.UNVERIFIED.value,
                )
                .order_by(PersonRow.subject)
            )
        )

    def verified_holders(
        self, *, jurisdiction: str, numbers: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """``subject_for_id_number`` of many (ID type, ID number) pairs in a statement or a few:
        the pairs verified for someone, with their subject."""
        return dict(self._pairs(PersonRow.id_lookup, IdentityState.VERIFIED, jurisdiction, numbers))

    def claimants_of(
        self, *, jurisdiction: str, numbers: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], list[str]]:
        """``claimants`` of many (ID type, ID number) pairs at once (a pair nobody claimed is
        absent)."""
        found: dict[tuple[str, str], list[str]] = {}
        for pair, subject in self._pairs(
            PersonRow.claim_lookup, IdentityState.UNVERIFIED, jurisdiction, numbers
        ):
            found.setdefault(pair, []).append(subject)
        return found

    def _pairs(
        self,
        column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
        state: IdentityState,
        jurisdiction: str,
        numbers: Sequence[tuple[str, str]],
    ) -> list[tuple[tuple[str, str], str]]:
        """(pair, subject) of the people in ``state`` whose ``column`` is the lookup of one of
        ``numbers``, by subject."""
        lookups = {
            self._id_lookup(jurisdiction=jurisdiction, id_type=t, id_number=n): (t, n)
            for t, n in numbers
        }
        found: list[tuple[tuple[str, str], str]] = []
        for condition in key_filters(self._session, column, lookups):
            rows = self._session.execute(
                select(column, PersonRow.subject).where(
                    PersonRow.jurisdiction == jurisdiction,
                    condition,
                    PersonRow.identity_state == state.value,
                )
            )
            found += [(lookups[lookup], subject) for lookup, subject in rows if lookup]
        return sorted(found, key=lambda item: item[1])

    def set_identity(self, subject: str, state: IdentityState) -> None:
        # a verified person holds the ID number's lookup, which the unique constraint keeps to
        # one per jurisdiction (two verifications at once: the second is refused there)
        verified = state is IdentityState.VERIFIED
        statement = (
            update(PersonRow)
            .where(PersonRow.subject == subject)
            .values(
                identity_state=state.value,
                id_lookup=PersonRow.claim_lookup if verified else _unverified(subject),
            )
        )
        try:
            with self._session.begin_nested():  # the loser of a race keeps its transaction
                self._session.execute(statement)
        except IntegrityError:
            raise Conflict("id_number", VERIFIED_FOR_ANOTHER) from None

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

    def add_consents(self, consents: Mapping[str, Consent]) -> None:
        """``add_consent`` of many people (subject -> consent) in one bulk insert, in order."""
        insert_many(
            self._session,
            _CONSENTS,
            [
                {
                    "subject": subject,
                    "purpose": c.purpose,
                    "granted_at": c.granted_at,
                    "withdrawn_at": c.withdrawn_at,
                }
                for subject, c in consents.items()
            ],
        )

    def consents(self, subject: str) -> list[Consent]:
        found = self._session.scalars(
            select(ConsentRow).where(ConsentRow.subject == subject).order_by(ConsentRow.id)
        )
        return [
            Consent(purpose=c.purpose, granted_at=c.granted_at, withdrawn_at=c.withdrawn_at)
            for c in found
        ]

    def consents_of(self, subjects: Sequence[str]) -> dict[str, list[Consent]]:
        """``consents`` of many people in a statement or a few (everyone in ``subjects`` is a
        key, with no consents if none is recorded)."""
        found: dict[str, list[Consent]] = {s: [] for s in subjects}
        c = ConsentRow
        columns = (c.subject, c.purpose, c.granted_at, c.withdrawn_at)
        self._session.flush()  # read past the session: what it holds is written first
        for condition in key_filters(self._session, c.subject, subjects):
            # plain tuples through the connection: a location batch reads thousands of people's
            rows = self._session.connection().execute(
                select(*columns).where(condition).order_by(c.id)
            )
            for subject, purpose, granted_at, withdrawn_at in rows:
                found[subject].append(
                    Consent(purpose=purpose, granted_at=granted_at, withdrawn_at=withdrawn_at)
                )
        return found

    def subjects(self) -> list[str]:
        return list(self._session.scalars(select(PersonRow.subject).order_by(PersonRow.subject)))

    def jurisdictions_of(self, subjects: Sequence[str]) -> Mapping[str, str]:
        self._session.flush()  # read past the session: what it holds is written first
        found: dict[str, str] = {}
        for condition in key_filters(self._session, PersonRow.subject, subjects):
            # through the connection: plain rows, without the ORM's per-row loading
            rows = self._session.connection().execute(
                select(PersonRow.subject, PersonRow.jurisdiction).where(condition)
            )
            found.update(rows.all())
        return found

    def district_of(self, subject: str) -> str | None:
        return self._session.scalar(select(PersonRow.district).where(PersonRow.subject == subject))

    def jurisdiction_of(self, subject: str) -> str | None:
        return self._session.execute(_JURISDICTION, {"subject": subject}).scalar()

    def iter_subjects(
        self, *, jurisdiction: str, batch_size: int, after: str = ""
    ) -> Iterator[list[str]]:
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
