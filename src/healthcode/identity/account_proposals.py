"""The proposals about officials' accounts, as admins list them: the generic proposal list is
for epidemic control and oversight, and would show admins cases and people they have no
business reading."""

from __future__ import annotations

from healthcode.identity.kinds import ACCOUNT_KINDS
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require
from healthcode.oversight.model import Proposal, ProposalStatus


def list_account_proposals(
    *, uow: IdentityUnitOfWork, principal: Principal, status: ProposalStatus | None = None
) -> list[Proposal]:
    """Proposals to create, change, reset or disable accounts in the admin's jurisdiction,
    oldest first (their sealed part is the caller's to leave out: ``Proposal.shown_payload``)."""
    principal = require(principal, Action.MANAGE_OFFICIALS)
    with uow:
        return uow.proposals.list(
            status=status, jurisdiction=principal.jurisdiction, kinds=ACCOUNT_KINDS
        )
