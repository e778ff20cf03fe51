"""What four eyes and the access log need from storage; ``oversight.repository`` implements it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from healthcode.oversight.audit_chain import AccessRecord, ChainProblem
from healthcode.oversight.model import Proposal, ProposalStatus


class ProposalRepository(Protocol):
    def add(self, proposal: Proposal) -> None: ...

    def get(self, proposal_id: str, *, for_update: bool = False) -> Proposal | None: ...

    def save_decision(self, proposal: Proposal) -> None: ...

    def list(
        self, *, status: ProposalStatus | None = None, jurisdiction: str | None = None
    ) -> list[Proposal]: ...


class AuditLogRepository(Protocol):
    def append(
        self, *, at: datetime, actor: str, role: str, purpose: str, subject: str, what: str
    ) -> AccessRecord:
        """Append a record to the chain (serialised with every other writer)."""
        ...

    def for_subject(self, subject: str) -> list[AccessRecord]: ...

    def verify(self) -> tuple[int, ChainProblem | None]:
        """How many records there are, and the first break in the chain (None: whole)."""
        ...
