"""SQLAlchemy repositories: the only code that reads or writes rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.adapters.db.fact_mapping import ROW_TYPES, from_row, to_row
from healthcode.adapters.db.people import ConsentRow, PersonRow
from healthcode.adapters.personal_data import PersonalDataCipher
from healthcode.domain.facts import Fact, FactKind, ordered
from healthcode.domain.identity import normalise_address
from healthcode.domain.person import Consent, Person

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


class SqlFactRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, fact: Fact) -> None:
        self._session.add(to_row(fact))
        self._session.flush()

    def for_subject(
        self, subject: str, *, kinds: Iterable[FactKind] | None = None
    ) -> Sequence[Fact]:
        found: list[Fact] = []
        for kind in kinds if kinds is not None else ROW_TYPES:
            row_type = ROW_TYPES[kind]
            query = select(row_type).where(row_type.subject == subject)
            found.extend(from_row(kind, row) for row in self._session.scalars(query))
        return ordered(found)

    def by_subject(self, subjects: Sequence[str]) -> Mapping[str, list[Fact]]:
        found: dict[str, list[Fact]] = {s: [] for s in subjects}
        for kind, row_type in ROW_TYPES.items():
            # Plain rows, not ORM objects: bulk reads are several times faster without identity
            # tracking, and facts are read-only anyway.
            table = row_type.__table__  # type: ignore[attr-defined]
            query = select(*table.columns).where(table.c.subject.in_(list(subjects)))
            for row in self._session.execute(query):
                found[row.subject].append(from_row(kind, row))
        return {s: ordered(facts) for s, facts in found.items()}
