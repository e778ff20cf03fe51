"""Bodies for health and travel declarations, and the answers for a citizen's status and its
history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.types import Identifier, IsoDateTime, Line, RequestDate, Text
from healthcode.kernel.facts import Colour
from healthcode.kernel.status import Notice, Reason, Status, policy_text
from healthcode.status.model import StatusChange


class HealthDeclarationIn(BaseModel):
    """Today's temperature and symptoms, as the citizen declares them."""

    model_config = ConfigDict(extra="forbid")

    temperature: float
    symptoms: list[Line] = Field(default_factory=list)
    note: Text = ""


class TravelDeclarationIn(BaseModel):
    """A stay in another region within the last 14 days, as the citizen declares it."""

    model_config = ConfigDict(extra="forbid")

    place: Identifier = Field(description="GB/T 2260 region code, e.g. 310000")
    from_date: RequestDate
    to_date: RequestDate


class DeclarationOut(BaseModel):
    """A recorded health or travel declaration."""

    id: str
    kind: str
    at: datetime
    temperature: float | None = None
    symptoms: list[str] | None = None
    note: str | None = None
    place: str | None = None
    from_date: date | None = None
    to_date: date | None = None


class ProgressOut(BaseModel):
    """For a rule cleared by a count of normal days: how far it has come."""

    days: int = Field(description="Consecutive normal days counted so far")
    of: int = Field(description="Consecutive normal days the rule needs")
    earliest_end: IsoDateTime = Field(
        description="The earliest the rule can end, if a normal declaration comes every day"
    )


class ReasonOut(BaseModel):
    """One policy rule that holds: why the code has (at least) this colour."""

    rule: str
    colour: Colour
    text: str = Field(description="In the language asked for")
    since: IsoDateTime
    ends_at: IsoDateTime | None = Field(
        description="When the rule stops holding if nothing new happens (null: only a clearing "
        "condition ends it)"
    )
    clears_when: str = Field(description="In the language asked for")
    progress: ProgressOut | None = Field(
        default=None, description="A rule cleared by a count of normal days: how far it has come"
    )
    facts: list[str] = Field(description="The ids of the facts behind the rule")

    @classmethod
    def of(cls, reason: Reason, lang: str) -> ReasonOut:
        return cls(
            rule=reason.rule_id,
            colour=reason.colour,
            text=policy_text(reason.text, lang),
            since=reason.since,
            ends_at=reason.ends_at,
            clears_when=policy_text(reason.clears_when, lang),
            progress=None
            if reason.progress is None
            else ProgressOut(
                days=reason.progress.days,
                of=reason.progress.of,
                earliest_end=reason.progress.earliest_end,
            ),
            facts=list(reason.fact_ids),
        )


class NoticeOut(BaseModel):
    """A block that is not a colour, e.g. identity re-verification overdue."""

    notice: str
    text: str = Field(description="In the language asked for")
    blocks_code: bool
    since: IsoDateTime | None = Field(description="null: it has held for ever")
    ends_at: IsoDateTime | None = Field(description="null: only a new fact ends it")
    clears_when: str = Field(description="In the language asked for")
    facts: list[str]

    @classmethod
    def of(cls, notice: Notice, lang: str) -> NoticeOut:
        return cls(
            notice=notice.notice_id,
            text=policy_text(notice.text, lang),
            blocks_code=notice.blocks_code,
            since=notice.since,
            ends_at=notice.ends_at,
            clears_when=policy_text(notice.clears_when, lang),
            facts=list(notice.fact_ids),
        )


class StatusOut(BaseModel):
    """A citizen's status now: colour, reasons, notices and until when it holds."""

    language: Literal["zh", "en"] = Field(description="The language of the texts")
    colour: Colour
    reasons: list[ReasonOut]
    notices: list[NoticeOut]
    valid_until: IsoDateTime | None = Field(
        description="When the status will change if nothing new happens (null: never)"
    )
    policy_version: str
    assessed_at: IsoDateTime

    @classmethod
    def of(cls, status: Status, lang: str) -> StatusOut:
        return cls(
            language=lang,
            colour=status.colour,
            reasons=[ReasonOut.of(r, lang) for r in status.reasons],
            notices=[NoticeOut.of(n, lang) for n in status.notices],
            valid_until=status.valid_until,
            policy_version=status.policy_version,
            assessed_at=status.assessed_at,
        )


class StatusChangeOut(BaseModel):
    """One change of colour: when, from what to what, why and under which policy."""

    at: IsoDateTime
    from_: Colour | None = Field(serialization_alias="from", description="null: the first status")
    to: Colour
    cause: str
    policy_version: str
    reasons: list[ReasonOut]

    @classmethod
    def of(cls, change: StatusChange, lang: str) -> StatusChangeOut:
        return cls(
            at=change.at,
            from_=change.colour_from,
            to=change.colour_to,
            cause=change.cause,
            policy_version=change.status.policy_version,
            reasons=[ReasonOut.of(r, lang) for r in change.status.reasons],
        )
