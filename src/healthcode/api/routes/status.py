"""A citizen's own status and its history, with reasons in the language asked for."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from healthcode.api.auth import CurrentSubject
from healthcode.api.deps import ContainerDep
from healthcode.api.language import Language
from healthcode.services.status import current_status, status_history

router = APIRouter(prefix="/api/v1/me", tags=["status"])


@router.get("/status")
def my_status(subject: CurrentSubject, container: ContainerDep, lang: Language) -> dict[str, Any]:
    """Colour, the reasons for it (rule, text, facts, since, when it ends), notices, and
    `valid_until`: the moment it will change if nothing new happens."""
    status = current_status(uow=container.uow(), clock=container.clock, subject=subject)
    return {"language": lang, **status.to_dict(lang)}


@router.get("/status/history")
def my_status_history(
    subject: CurrentSubject, container: ContainerDep, lang: Language
) -> list[dict[str, Any]]:
    """Every change of colour, oldest first: when, from what to what, why, under which policy."""
    changes = status_history(uow=container.uow(), clock=container.clock, subject=subject)
    return [
        {
            "at": c.at.isoformat(),
            "from": None if c.colour_from is None else c.colour_from.value,
            "to": c.colour_to.value,
            "cause": c.cause,
            "policy_version": c.status.policy_version,
            "reasons": [r.to_dict(lang) for r in c.status.reasons],
        }
        for c in changes
    ]
