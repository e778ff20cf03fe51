"""Kinds of proposal: what each needs to be proposed and approved, and what it does when approved
(inside the approval's transaction). Features define their kinds; the bootstrap lists them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.uow import UnitOfWork
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.model import Proposal


@dataclass(frozen=True, kw_only=True)
class Prepared:
    """A validated payload, the person it concerns (if any) and the jurisdiction it acts in
    (None: the proposer's)."""

    payload: Mapping[str, Any]
    subject: str | None = None
    jurisdiction: str | None = None


@dataclass(frozen=True, kw_only=True)
class Approval:
    """What a handler gets when a proposal is approved: it runs inside this transaction."""

    uow: UnitOfWork
    clock: Clock
    proposal: Proposal
    approver: Principal


Prepare = Callable[[UnitOfWork, Clock, Principal, Mapping[str, Any]], Prepared]
Execute = Callable[[Approval], Mapping[str, Any]]


@dataclass(frozen=True, kw_only=True)
class ProposalHandler:
    kind: str
    propose_action: Action
    approve_action: Action
    prepare: Prepare
    execute: Execute
    description: str = ""


class ProposalKinds:
    """The kinds of proposal this system knows, by name. ``healthcode.bootstrap`` builds the one
    table from what each feature offers; the four-eyes use cases are handed it."""

    def __init__(self, handlers: Iterable[ProposalHandler]) -> None:
        table: dict[str, ProposalHandler] = {}
        for handler in handlers:
            if handler.kind in table:
                raise ValueError(f"two handlers for the proposal kind {handler.kind!r}")
            table[handler.kind] = handler
        self._table: Mapping[str, ProposalHandler] = MappingProxyType(table)

    def handler(self, kind: str) -> ProposalHandler:
        """The handler of ``kind``; ``InvalidInput`` naming the known kinds otherwise."""
        handler = self._table.get(kind)
        if handler is None:
            known = ", ".join(sorted(self._table)) or "none"
            raise InvalidInput.one("action", f"{kind!r} is not a kind of proposal (known: {known})")
        return handler

    def names(self) -> list[str]:
        return sorted(self._table)
