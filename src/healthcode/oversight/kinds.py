"""Kinds of proposal: what each needs to be proposed and approved, and what it does when approved
(inside the approval's transaction). Features define their kinds; the bootstrap lists them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.model import Proposal
from healthcode.oversight.ports import OversightUnitOfWork

# the unit of work a kind's handlers run in, typed by the feature that defines the kind
U = TypeVar("U", bound=OversightUnitOfWork)


@dataclass(frozen=True, kw_only=True)
class Prepared:
    """A validated payload, the person it concerns (if any), the case it is about (if any) and
    the jurisdiction it acts in (None: the proposer's); for a kind that counts them, the
    people it touches and whether that is above the policy's bulk threshold (``oversight.bulk``).
    """

    payload: Mapping[str, Any]
    subject: str | None = None
    case_id: str | None = None
    jurisdiction: str | None = None
    people: int | None = None
    bulk: bool = False


@dataclass(frozen=True, kw_only=True)
class Approval(Generic[U]):
    """What a handler gets when a proposal is approved: it runs inside this transaction."""

    uow: U
    clock: Clock
    proposal: Proposal
    approver: Principal


@dataclass(frozen=True, kw_only=True)
class ProposalHandler(Generic[U]):
    """A kind of proposal: who may propose and approve it, how its payload is checked when
    proposed, and what approving it does."""

    kind: str
    propose_action: Action
    approve_action: Action
    prepare: Callable[[U, Clock, Principal, Mapping[str, Any]], Prepared]
    execute: Callable[[Approval[U]], Mapping[str, Any]]
    description: str = ""
    # keys of the approval's result handed to the approver in the answer and never stored (a
    # new TOTP provisioning URI): the proposal keeps the rest of the result
    shown_once: frozenset[str] = frozenset()


class ProposalKinds:
    """The kinds of proposal this system knows, by name. ``healthcode.bootstrap`` builds the one
    table from what each feature offers; the four-eyes use cases are handed it."""

    def __init__(self, handlers: Iterable[ProposalHandler[Any]]) -> None:
        table: dict[str, ProposalHandler[Any]] = {}
        for handler in handlers:
            if handler.kind in table:
                raise ValueError(f"two handlers for the proposal kind {handler.kind!r}")
            table[handler.kind] = handler
        self._table: Mapping[str, ProposalHandler[Any]] = MappingProxyType(table)

    def handler(self, kind: str) -> ProposalHandler[Any]:
        """The handler of ``kind``; ``InvalidInput`` naming the known kinds otherwise."""
        handler = self._table.get(kind)
        if handler is None:
            known = ", ".join(sorted(self._table)) or "none"
            raise InvalidInput.one("action", f"{kind!r} is not a kind of proposal (known: {known})")
        return handler

    def names(self) -> list[str]:
        return sorted(self._table)
