"""A person's status at one instant: colour, the reasons for it, notices, and when it changes.

A status is what ``healthcode.policy.assess`` derives from a person's facts under a policy. It is
a value: it says why (each reason names its rule, its facts and when it ends) and until when it
holds (``valid_until``), so that a cache can keep it exactly that long.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from healthcode.kernel.facts import Colour

LANGUAGES = ("zh", "en")


def policy_text(texts: Mapping[str, str], lang: str) -> str:
    """A policy's text in ``lang``, falling back to Chinese (the policy language of record)."""
    return texts.get(lang) or texts.get("zh", "")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")


@dataclass(frozen=True, kw_only=True)
class Progress:
    """How far a rule cleared by a count of normal days has come: ``days`` of the ``of``
    consecutive days counted so far, and the earliest instant the rule can end if a normal
    declaration comes every day from now on (``earliest_end``, UTC)."""

    days: int
    of: int
    earliest_end: datetime

    def to_dict(self) -> dict[str, object]:
        return {"days": self.days, "of": self.of, "earliest_end": self.earliest_end.isoformat()}


@dataclass(frozen=True, kw_only=True)
class Reason:
    """One policy rule that holds: why the code has (at least) this colour.

    ``ends_at`` is when the rule stops holding if no new fact arrives; None when it ends only by
    a clearing condition not yet met (e.g. negative tests still to come). ``progress`` says, for
    a rule cleared by a count of normal days, how many are counted and the earliest end.
    """

    rule_id: str
    colour: Colour
    text: Mapping[str, str]
    fact_ids: tuple[str, ...]
    since: datetime
    ends_at: datetime | None
    clears_when: Mapping[str, str]
    progress: Progress | None = None

    def to_dict(self, lang: str = "zh") -> dict[str, object]:
        _check_language(lang)
        return {
            "rule": self.rule_id,
            "colour": self.colour.value,
            "text": policy_text(self.text, lang),
            "since": _iso(self.since),
            "ends_at": _iso(self.ends_at),
            "clears_when": policy_text(self.clears_when, lang),
            "progress": None if self.progress is None else self.progress.to_dict(),
            "facts": list(self.fact_ids),
        }


@dataclass(frozen=True, kw_only=True)
class Notice:
    """A block that is not a colour, e.g. identity re-verification overdue.

    ``since`` is None when the notice has held for ever (no fact of the kind it waits for was
    ever recorded); ``ends_at`` is None when only a new fact can end it.
    """

    notice_id: str
    text: Mapping[str, str]
    fact_ids: tuple[str, ...]
    since: datetime | None
    blocks_code: bool
    clears_when: Mapping[str, str]
    ends_at: datetime | None = None

    def to_dict(self, lang: str = "zh") -> dict[str, object]:
        _check_language(lang)
        return {
            "notice": self.notice_id,
            "text": policy_text(self.text, lang),
            "blocks_code": self.blocks_code,
            "since": _iso(self.since),
            "ends_at": _iso(self.ends_at),
            "clears_when": policy_text(self.clears_when, lang),
            "facts": list(self.fact_ids),
        }


@dataclass(frozen=True, kw_only=True)
class Status:
    """A person's status at ``assessed_at``, unchanged until ``valid_until`` unless a new fact
    arrives (``valid_until`` None: it never changes without a new fact)."""

    subject: str
    colour: Colour
    reasons: tuple[Reason, ...]
    notices: tuple[Notice, ...]
    valid_until: datetime | None
    policy_version: str
    assessed_at: datetime

    @property
    def code_blocked(self) -> bool:
        """Whether a notice keeps the code from being shown (the citizen must act first)."""
        return any(n.blocks_code for n in self.notices)

    def to_dict(self, lang: str = "zh") -> dict[str, object]:
        """JSON-ready output in ``lang`` ("zh" or "en"); times as ISO 8601 strings."""
        _check_language(lang)
        return {
            "colour": self.colour.value,
            "reasons": [r.to_dict(lang) for r in self.reasons],
            "notices": [n.to_dict(lang) for n in self.notices],
            "valid_until": _iso(self.valid_until),
            "policy_version": self.policy_version,
            "assessed_at": self.assessed_at.isoformat(),
        }


# Built by the thousand a second by ``healthcode.policy.assess``: these give exactly what the
# dataclasses' own constructors give (the same fields, equal, frozen afterwards), without the
# frozen dataclass's ``object.__setattr__`` per field (no field has a default to apply or a
# check to run).
_new = object.__new__


def new_reason(
    rule_id: str,
    colour: Colour,
    text: Mapping[str, str],
    fact_ids: tuple[str, ...],
    since: datetime,
    ends_at: datetime | None,
    clears_when: Mapping[str, str],
) -> Reason:
    """``Reason(...)`` with positional arguments, for the assessment's hot path."""
    made: Reason = _new(Reason)
    fields = made.__dict__
    fields["rule_id"] = rule_id
    fields["colour"] = colour
    fields["text"] = text
    fields["fact_ids"] = fact_ids
    fields["since"] = since
    fields["ends_at"] = ends_at
    fields["clears_when"] = clears_when
    fields["progress"] = None
    return made


def new_notice(
    notice_id: str,
    text: Mapping[str, str],
    fact_ids: tuple[str, ...],
    since: datetime | None,
    blocks_code: bool,
    clears_when: Mapping[str, str],
    ends_at: datetime | None,
) -> Notice:
    """``Notice(...)`` with positional arguments, for the assessment's hot path."""
    made: Notice = _new(Notice)
    fields = made.__dict__
    fields["notice_id"] = notice_id
    fields["text"] = text
    fields["fact_ids"] = fact_ids
    fields["since"] = since
    fields["blocks_code"] = blocks_code
    fields["clears_when"] = clears_when
    fields["ends_at"] = ends_at
    return made


def new_status(
    subject: str,
    colour: Colour,
    reasons: tuple[Reason, ...],
    notices: tuple[Notice, ...],
    valid_until: datetime | None,
    policy_version: str,
    assessed_at: datetime,
) -> Status:
    """``Status(...)`` with positional arguments, for the assessment's hot path."""
    made: Status = _new(Status)
    fields = made.__dict__
    fields["subject"] = subject
    fields["colour"] = colour
    fields["reasons"] = reasons
    fields["notices"] = notices
    fields["valid_until"] = valid_until
    fields["policy_version"] = policy_version
    fields["assessed_at"] = assessed_at
    return made
