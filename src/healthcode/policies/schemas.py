"""Bodies of the policies API: a policy text in, the policy in force, a check's and an
impact's answers out."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from healthcode.api.types import IsoDateTime, Text
from healthcode.kernel.text import json_problem
from healthcode.policies.model import ActivatedPolicy, source_sha256
from healthcode.policies.versions import Impact
from healthcode.policy.model import Policy

MAX_SOURCE = 262_144
"""The longest policy text accepted (characters); the YAML reader has its own bounds."""


def _source_rule(value: str) -> str:
    # the characters of multi-line text (no NUL, lone surrogate or bidi control); a policy is
    # longer than a reason, so its length is MAX_SOURCE's
    found = json_problem(value, field="source")
    if found is not None:
        raise PydanticCustomError("text_rule", found[1])
    return value


PolicySource = Annotated[
    str,
    Field(min_length=1, max_length=MAX_SOURCE, description="The policy file's text (YAML)"),
    AfterValidator(_source_rule),
]


class PolicySourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: PolicySource


class ActivationIn(PolicySourceIn):
    reason: Text = Field(default="", description="Why this version should apply")


class PolicyReadOut(BaseModel):
    """The policy read: what it is and what it holds."""

    ok: bool = True
    jurisdiction: str
    version: str
    name: dict[str, str]
    rules: list[str]
    notices: list[str]

    @classmethod
    def of(cls, policy: Policy) -> PolicyReadOut:
        return cls(
            jurisdiction=policy.jurisdiction,
            version=policy.version,
            name=dict(policy.name),
            rules=[r.id for r in policy.rules],
            notices=[n.id for n in policy.notices],
        )


class PolicyCheckOut(PolicyReadOut):
    """A checked policy text: what it is, what it holds, and the digest it is known by."""

    sha256: str = Field(
        description="The SHA-256 of the text: the simulator's runs of it are "
        "`GET /api/v1/simulations/measured/{sha256}`"
    )

    @classmethod
    def checked(cls, policy: Policy, *, source: str) -> PolicyCheckOut:
        return cls(**PolicyReadOut.of(policy).model_dump(), sha256=source_sha256(source))


class ActivatedOut(BaseModel):
    version: str
    sha256: str
    activated_at: IsoDateTime
    activated_by: str
    approved_by: str | None

    @classmethod
    def of(cls, record: ActivatedPolicy) -> ActivatedOut:
        return cls(
            version=record.version,
            sha256=record.sha256,
            activated_at=record.activated_at,
            activated_by=record.activated_by,
            approved_by=record.approved_by,
        )


class RuleOut(BaseModel):
    """A rule as its policy words it."""

    id: str
    fact: str = Field(description="The kind of fact it reads")
    colour: str | None = Field(description="The colour at least (null: an override's own)")
    text: dict[str, str] = Field(description="What it means, by language (zh, en)")
    clears_when: dict[str, str] = Field(description="How it clears, by language")


class NoticeOut(BaseModel):
    """A notice as its policy words it."""

    id: str
    text: dict[str, str]
    clears_when: dict[str, str]
    blocks_code: bool = Field(description="Whether the code is withheld while it holds")


class PolicyRulesOut(BaseModel):
    """The published rules of the policy in force: what each means and how it clears."""

    jurisdiction: str
    version: str
    name: dict[str, str]
    rules: list[RuleOut]
    notices: list[NoticeOut]

    @classmethod
    def of(cls, policy: Policy) -> PolicyRulesOut:
        return cls(
            jurisdiction=policy.jurisdiction,
            version=policy.version,
            name=dict(policy.name),
            rules=[
                RuleOut(
                    id=r.id,
                    fact=r.fact.value,
                    colour=None if r.colour is None else r.colour.value,
                    text=dict(r.text),
                    clears_when=dict(r.clears_when),
                )
                for r in policy.rules
            ],
            notices=[
                NoticeOut(
                    id=n.id,
                    text=dict(n.text),
                    clears_when=dict(n.clears_when),
                    blocks_code=n.blocks_code,
                )
                for n in policy.notices
            ],
        )


class PolicyInForceOut(PolicyReadOut):
    """The policy in force; ``activated`` is null for the bundled policy of the city."""

    activated: ActivatedOut | None
    history: list[ActivatedOut]


class MoveOut(BaseModel):
    before: str = Field(description="The colour now")
    after: str = Field(description="The colour under the policy")
    people: int


class ImpactOut(BaseModel):
    """Who would change colour now under the policy (counts only; nothing is applied)."""

    jurisdiction: str
    current_version: str
    proposed_version: str
    people: int
    changed: int
    changed_to: dict[str, int] = Field(description="People who would change, by new colour")
    moves: list[MoveOut]

    @classmethod
    def of(cls, impact: Impact) -> ImpactOut:
        changed_to: dict[str, int] = {}
        for (old, new), n in impact.moves.items():
            if old is not new:
                changed_to[new.value] = changed_to.get(new.value, 0) + n
        return cls(
            jurisdiction=impact.jurisdiction,
            current_version=impact.current_version,
            proposed_version=impact.proposed_version,
            people=impact.people,
            changed=impact.changed,
            changed_to=changed_to,
            moves=[
                MoveOut(before=old.value, after=new.value, people=n)
                for (old, new), n in sorted(impact.moves.items())
            ],
        )
