"""The public rules page (``/rules``): the policy in force rule by rule, rendered on the
server from the same use case as ``GET /api/v1/policies/rules``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep
from healthcode.kernel.status import policy_text
from healthcode.oversight.access import Action
from healthcode.policies.review import published_rules
from healthcode.policy.model import Policy
from healthcode.web.pages import page_language, render

router = APIRouter(
    include_in_schema=False, dependencies=[Depends(Public(Action.READ_POLICY_RULES))]
)

SECTIONS = ("red", "yellow", "other")
"""The page's sections, most restrictive first: a rule by the colour it gives."""


@dataclass(frozen=True)
class ShownRule:
    id: str
    colour: str | None  # None: an override, whose colour officials set
    text: str
    clears_when: str


def sections(policy: Policy, lang: str) -> dict[str, list[ShownRule]]:
    """The policy's rules in ``lang``, under the colour they give, in the policy's order."""
    shown: dict[str, list[ShownRule]] = {section: [] for section in SECTIONS}
    for rule in policy.rules:
        colour = None if rule.colour is None else rule.colour.value
        section = colour if colour in shown else "other"
        shown[section].append(
            ShownRule(
                id=rule.id,
                colour=colour,
                text=policy_text(rule.text, lang) or rule.id,
                clears_when=policy_text(rule.clears_when, lang),
            )
        )
    return shown


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """Every rule and notice of the policy in force, what each means and what clears it."""
    settings = container.settings
    lang = page_language(request, settings.language)
    policy = published_rules(uow=container.uow(), jurisdiction=settings.jurisdiction)
    return render(
        request,
        "rules.html",
        lang=lang,
        jurisdiction=settings.jurisdiction,
        policy_name=policy_text(policy.name, lang) or policy.jurisdiction,
        version=policy.version,
        sections=sections(policy, lang),
        notices=[
            (
                n.id,
                policy_text(n.text, lang) or n.id,
                policy_text(n.clears_when, lang),
                n.blocks_code,
            )
            for n in policy.notices
        ],
    )
