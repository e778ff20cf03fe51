"""The registry of proposal kinds: what each needs to be proposed and approved, and what it
does when approved (inside the approval's transaction). Later issues plug kinds in here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


_HANDLERS: dict[str, ProposalHandler] = {}


def register_handler(handler: ProposalHandler, *, replace: bool = False) -> None:
    """Make a kind of proposal available. A kind is registered once unless ``replace``."""
    if handler.kind in _HANDLERS and not replace:
        raise ValueError(f"a handler for {handler.kind!r} is already registered")
    _HANDLERS[handler.kind] = handler


def unregister_handler(kind: str) -> None:
    _HANDLERS.pop(kind, None)


def handler_for(kind: str) -> ProposalHandler:
    handler = _HANDLERS.get(kind)
    if handler is None:
        known = ", ".join(sorted(_HANDLERS)) or "none"
        raise InvalidInput.one("action", f"{kind!r} is not a kind of proposal (known: {known})")
    return handler


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)
