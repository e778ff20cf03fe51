"""What the policy in force needs from storage; ``policies.repository`` implements it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from healthcode.identity.ports import PersonRepository
from healthcode.jobs.ports import JobsUnitOfWork
from healthcode.policies.model import ActivatedPolicy
from healthcode.policy.model import Policy
from healthcode.status.ports import ActivePolicies, StatusUnitOfWork


class PolicyRepository(ActivePolicies, Protocol):
    def active(self, jurisdiction: str) -> Policy:
        """The last activated policy of the jurisdiction, else the bundled one."""
        ...

    def parse(self, source: str) -> Policy:
        """Validate and parse a policy source (parsed policies are cached by content)."""
        ...

    def add(
        self,
        *,
        source: str,
        policy: Policy,
        activated_at: datetime,
        activated_by: str,
        approved_by: str | None,
    ) -> None: ...

    def history(self, jurisdiction: str) -> list[ActivatedPolicy]: ...


class PoliciesUnitOfWork(StatusUnitOfWork, Protocol):
    """What checking, measuring and activating policies use (impact reads everyone's facts)."""

    @property
    def persons(self) -> PersonRepository: ...

    @property
    def policies(self) -> PolicyRepository: ...


class SweepUnitOfWork(PoliciesUnitOfWork, JobsUnitOfWork, Protocol):
    """What reassessing a jurisdiction under a policy newly in force uses (a batch a job)."""
