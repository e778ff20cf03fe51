"""What four eyes and the access log need from storage; ``oversight.repository`` implements it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from healthcode.kernel.uow import UnitOfWork
from healthcode.oversight.audit_chain import AccessRecord, ChainProblem
from healthcode.oversight.instance import InstanceStateRepository
from healthcode.oversight.model import BreakGlassUse, Proposal, ProposalStatus


class PersonDirectory(Protocol):
    """Where a registered person belongs: what scope checks read of them."""

    def jurisdiction_of(self, subject: str) -> str | None: ...

    def jurisdictions_of(self, subjects: Sequence[str]) -> Mapping[str, str]:
        """The jurisdiction of each of ``subjects`` that is registered (few queries)."""
        ...

    def district_of(self, subject: str) -> str | None: ...


class ProposalRepository(Protocol):
    def add(self, proposal: Proposal) -> None: ...

    def get(self, proposal_id: str, *, for_update: bool = False) -> Proposal | None: ...

    def save_decision(self, proposal: Proposal) -> None:
        """Record the decision: status, decider, note, result, and the payload as decided."""
        ...

    def save_first_approval(self, proposal: Proposal) -> None:
        """Record a bulk proposal's first approval (who, when, note); it stays pending."""
        ...

    def count_proposed_by(self, *, kind: str, proposed_by: str, since: datetime) -> int:
        """How many proposals of ``kind`` ``proposed_by`` made since ``since``."""
        ...

    def bulk_between(self, start: datetime, end: datetime) -> list[Proposal]:
        """The bulk proposals made in ``[start, end)``, oldest first, whatever their status."""
        ...

    def for_cases(self, case_ids: Sequence[str]) -> Mapping[str, list[Proposal]]:
        """Per case, the proposals about it (report, corrections, withdrawals), oldest first."""
        ...

    def list(
        self,
        *,
        status: ProposalStatus | None = None,
        jurisdiction: str | None = None,
        district: str | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[Proposal]:
        """Oldest first; of one status, jurisdiction or set of kinds when given; with
        ``district``, only proposals about no one person or about a person registered in that
        district (cut in the query)."""
        ...


class AuditLogRepository(Protocol):
    def append(
        self, *, at: datetime, actor: str, role: str, purpose: str, subject: str, what: str
    ) -> AccessRecord:
        """Append a record to the chain (serialised with every other writer)."""
        ...

    def append_many(
        self,
        *,
        at: datetime,
        actor: str,
        role: str,
        purpose: str,
        subjects: Sequence[str],
        what: str,
    ) -> int:
        """Append one record per subject, in order, in one bulk insert; how many."""
        ...

    def for_subject(self, subject: str) -> list[AccessRecord]: ...

    def head(self) -> tuple[int, str]:
        """The head row's record number and MAC (0 and the genesis value while empty)."""
        ...

    def record_at(self, seq: int) -> AccessRecord | None: ...

    def last_seq(self) -> int:
        """The highest record number in the log (0 when it is empty)."""
        ...

    def verify(self) -> tuple[int, ChainProblem | None]:
        """How many records there are, and the first break in the chain (None: whole)."""
        ...


class BreakGlassLog(Protocol):
    def add(self, *, at: datetime, operator: str, what: str, people: int, reason: str) -> None:
        """Append one break-glass use (its reason encrypted)."""
        ...

    def between(self, start: datetime, end: datetime) -> list[BreakGlassUse]:
        """The uses in ``[start, end)``, oldest first."""
        ...


class OversightUnitOfWork(UnitOfWork, Protocol):
    """What four eyes, scope checks and the access log use."""

    @property
    def persons(self) -> PersonDirectory: ...

    @property
    def proposals(self) -> ProposalRepository: ...

    @property
    def audit(self) -> AuditLogRepository: ...

    @property
    def break_glass(self) -> BreakGlassLog: ...

    @property
    def instance(self) -> InstanceStateRepository: ...
