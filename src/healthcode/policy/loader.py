"""Loading a policy from YAML: every field checked, every problem reported at once.

    policy = load_policy(text)            # or load_policy_file(path)

A bad policy raises ``InvalidInput`` listing each problem with a dotted path that names the
rule, e.g. ``rules[yellow-arrival].window.after: not an ISO 8601 duration``; CertLogic problems
carry their JSON path inside the condition (``rules[x].when.and[1]: …``). Unknown keys are
refused by name.

Schema (see the bundled files for full examples; ``healthcode.policy.model`` for the meaning):

    jurisdiction: "110000"          # GB/T 2260, quoted
    version: "2022.1"               # quoted
    name: {zh: …, en: …}
    timezone: "+08:00"              # counts calendar days
    tracing: {…}  retention: {…}    # optional sections, passed through as mappings
    rules:
      - id: close-contact-home      # unique among rules and notices; releases name it
        kind: condition             # or override (manual_override facts: own colour, expiry)
        fact: exposure              # a FactKind
        when: {"===": [{"var": "category"}, "close_contact"]}   # CertLogic; default true
        colour: yellow              # yellow | red
        window:
          start: at                 # or another date-time field of the fact (e.g. until)
          after: P10D               # ISO 8601 duration of fixed length
          end: planned_end          # or a date-time field of the fact
          clear:
            negative_tests: {count: 1, apart: PT24H, kind: pcr, sampled_after: P9D}
            normal_declarations: {days: 7}
            release: true
          combine: all              # first (default) | all
        text: {zh: …, en: …}
        clears_when: {zh: …, en: …}
    notices:                        # fact-triggered like rules (no colour), or stale:
      - id: identity-recheck
        stale: {fact: identity_check, max_age: P7D, only_if_any: true}
        blocks_code: true
        text: {zh: …, en: …}
        clears_when: {zh: …, en: …}
"""

from __future__ import annotations

import dataclasses
import os
import re
import typing
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType

from healthcode.kernel.errors import InvalidInput, Problem
from healthcode.kernel.facts import FACT_TYPES, Colour, FactKind
from healthcode.kernel.regions import is_region_code
from healthcode.policy.model import (
    SETTINGS_SECTIONS,
    Combine,
    NegativeTests,
    NormalDeclarations,
    NoticeRule,
    Policy,
    Rule,
    RuleKind,
    StaleTrigger,
    Window,
)
from healthcode.policy.origin import ORIGIN_KEYS, joined, origin_clauses
from healthcode.policy.reading import Fields
from healthcode.policy.yaml_text import Tick, read_yaml

_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TEST_KINDS = ("pcr", "antigen")

_TOP_KEYS = ("jurisdiction", "version", "name", "timezone", "rules", "notices", *SETTINGS_SECTIONS)
_RULE_KEYS = (
    *("id", "kind", "fact", "when", "colour", "window", "text", "clears_when"),
    *ORIGIN_KEYS,
)
_NOTICE_KEYS = ("id", "text", "clears_when", "blocks_code", "fact", "when", "window", "stale")
_WINDOW_KEYS = ("start", "after", "end", "clear", "combine")
_CLEAR_KEYS = ("negative_tests", "normal_declarations", "release")
_NEGATIVE_TESTS_KEYS = ("count", "apart", "kind", "sampled_after")
_STALE_KEYS = ("fact", "max_age", "only_if_any")
_RULE_COLOURS = (Colour.YELLOW.value, Colour.RED.value)


def load_policy_file(path: str | os.PathLike[str]) -> Policy:
    """Load and validate the policy in a YAML file."""
    return load_policy(Path(path).read_text(encoding="utf-8"))


def load_policy(text: str, *, tick: Tick | None = None) -> Policy:
    """Load and validate a policy from YAML text; ``InvalidInput`` lists every problem.

    The text is read within the bounds of ``healthcode.policy.yaml_text`` (no anchors or
    aliases, nesting and length limited); ``tick`` is called as the work goes on (once per
    YAML node, once per rule), so that a caller can stop it."""
    return policy_of(read_yaml(text, tick=tick), tick=tick)


def policy_of(document: object, *, tick: Tick | None = None) -> Policy:
    """Validate a policy already read from YAML (``read_yaml``) into a ``Policy``."""
    reader = _Reader(tick)
    policy = reader.policy(document)
    if reader.problems or policy is None:
        raise InvalidInput(reader.problems or [Problem("policy", "empty")])
    return policy


def _datetime_fields(kind: FactKind) -> frozenset[str]:
    cls = FACT_TYPES[kind]
    hints = typing.get_type_hints(cls)
    return frozenset(
        f.name for f in dataclasses.fields(cls) if hints[f.name] in (datetime, datetime | None)
    )


class _Reader(Fields):
    """Reads a parsed YAML document into a Policy."""

    def __init__(self, tick: Tick | None) -> None:
        super().__init__()
        self.tick = tick or (lambda: None)

    # -- the policy ----------------------------------------------------------------------

    def policy(self, document: object) -> Policy | None:
        top = self.mapping(document, "policy", _TOP_KEYS, required=_TOP_KEYS[:5])
        if top is None:
            return None
        jurisdiction = self.string(top.get("jurisdiction"), "jurisdiction")
        if jurisdiction is not None and not is_region_code(jurisdiction):
            self.problem("jurisdiction", "must be a GB/T 2260 code of six digits, e.g. 110000")
        version = self.string(top.get("version"), "version")
        name = self.text(top.get("name"), "name")
        zone = self.utc_offset(top.get("timezone"))
        ids: dict[str, str] = {}
        rules = self.entries(top.get("rules"), "rules", self.rule, ids)
        notices = self.entries(top.get("notices", []), "notices", self.notice, ids)
        settings: dict[str, Mapping[str, object]] = {}
        for section in (s for s in SETTINGS_SECTIONS if s in top):
            body = top[section]
            if isinstance(body, dict):
                settings[section] = MappingProxyType({str(k): v for k, v in body.items()})
            else:
                self.problem(section, "must be a mapping")
        if self.problems or jurisdiction is None or version is None or zone is None:
            return None
        return Policy(
            jurisdiction=jurisdiction,
            version=version,
            name=name,
            utc_offset=str(top["timezone"]),
            timezone=zone,
            rules=tuple(r for r in rules if isinstance(r, Rule)),
            notices=tuple(n for n in notices if isinstance(n, NoticeRule)),
            settings=MappingProxyType(settings),
        )

    def utc_offset(self, value: object) -> timezone | None:
        match = _OFFSET.fullmatch(value) if isinstance(value, str) else None
        if match is None or int(match[2]) > 14 or int(match[3]) > 59:
            self.problem("timezone", 'must be a UTC offset like "+08:00" (quoted)')
            return None
        offset = timedelta(hours=int(match[2]), minutes=int(match[3]))
        return timezone(-offset if match[1] == "-" else offset)

    def entries(
        self,
        value: object,
        path: str,
        read: typing.Callable[[dict[str, object], str], Rule | NoticeRule | None],
        ids: dict[str, str],
    ) -> list[Rule | NoticeRule | None]:
        if not isinstance(value, list):
            self.problem(path, "must be a list")
            return []
        out: list[Rule | NoticeRule | None] = []
        for index, entry in enumerate(value):
            self.tick()
            raw_id = entry.get("id") if isinstance(entry, dict) else None
            named = isinstance(raw_id, str) and raw_id
            label = f"{path}[{raw_id}]" if named else f"{path}[{index}]"
            if not isinstance(entry, dict):
                self.problem(label, "must be a mapping")
                continue
            if not isinstance(raw_id, str) or not _ID.fullmatch(raw_id):
                self.problem(f"{label}.id", "must be lower-case letters, digits, - or _")
            elif raw_id in ids:
                self.problem(f"{label}.id", f"duplicate id (also {ids[raw_id]})")
            else:
                ids[raw_id] = f"{path} #{index + 1}"
            out.append(read(entry, label))
        return out

    def rule(self, entry: dict[str, object], path: str) -> Rule | None:
        raw = self.mapping(entry, path, _RULE_KEYS, required=("id", "text", "clears_when"))
        if raw is None:
            return None
        kind_value = raw.get("kind", RuleKind.CONDITION.value)
        if kind_value not in tuple(RuleKind):
            self.problem(f"{path}.kind", "must be condition or override")
            return None
        text = self.text(raw.get("text"), f"{path}.text")
        clears_when = self.text(raw.get("clears_when"), f"{path}.clears_when")
        if kind_value == RuleKind.OVERRIDE.value:
            return self.override(raw, path, text, clears_when)
        for key in ("fact", "colour", "window"):
            if key not in raw:
                self.problem(f"{path}.{key}", "required")
        fact = self.fact_kind(raw["fact"], f"{path}.fact") if "fact" in raw else None
        colour = raw.get("colour")
        if "colour" in raw and colour not in _RULE_COLOURS:
            self.problem(f"{path}.colour", f"must be yellow or red, not {colour!r}")
        when = raw.get("when", True)
        sound = self.condition(when, fact, f"{path}.when")
        origin = origin_clauses(self, raw, fact, path)
        window = self.window(raw["window"], fact, f"{path}.window") if "window" in raw else None
        if fact is None or window is None or colour not in _RULE_COLOURS or not sound:
            return None
        if origin is None:
            return None
        when = joined(when, origin)
        return Rule(
            id=str(raw["id"]),
            fact=fact,
            colour=Colour(colour),
            window=window,
            text=text,
            clears_when=clears_when,
            when=when,
        )

    def override(
        self,
        raw: dict[str, object],
        path: str,
        text: Mapping[str, str],
        clears_when: Mapping[str, str],
    ) -> Rule | None:
        for key in ("colour", "window"):
            if key in raw:
                self.problem(
                    f"{path}.{key}",
                    "not allowed in an override rule: the "
                    "manual_override fact gives the colour and its expiry",
                )
        origin_clauses(self, raw, FactKind.MANUAL_OVERRIDE, path)  # refused by name
        if raw.get("fact", FactKind.MANUAL_OVERRIDE.value) != FactKind.MANUAL_OVERRIDE.value:
            self.problem(f"{path}.fact", "an override rule reads manual_override facts")
        when = raw.get("when", True)
        if not self.condition(when, FactKind.MANUAL_OVERRIDE, f"{path}.when"):
            return None
        return Rule(
            id=str(raw["id"]),
            fact=FactKind.MANUAL_OVERRIDE,
            colour=None,
            window=Window(end="expires_at"),
            text=text,
            clears_when=clears_when,
            when=when,
            kind=RuleKind.OVERRIDE,
        )

    def window(self, value: object, fact: FactKind | None, path: str) -> Window | None:
        raw = self.mapping(value, path, _WINDOW_KEYS)
        if raw is None:
            return None
        before = len(self.problems)
        fields = _datetime_fields(fact) if fact is not None else None
        for key in ("start", "end"):
            if key in raw and fields is not None and raw[key] not in fields:
                self.problem(
                    f"{path}.{key}",
                    f"must name a date-time field of {fact} facts ({', '.join(sorted(fields))})",
                )
        after = self.duration(raw["after"], f"{path}.after") if "after" in raw else None
        clear = self.mapping(raw.get("clear", {}), f"{path}.clear", _CLEAR_KEYS) or {}
        tests = (
            self.negative_tests(clear["negative_tests"], f"{path}.clear.negative_tests")
            if "negative_tests" in clear
            else None
        )
        declarations = None
        if "normal_declarations" in clear:
            days_path = f"{path}.clear.normal_declarations"
            days = self.mapping(clear["normal_declarations"], days_path, ("days",), ("days",))
            if days is not None and "days" in days:
                count = self.count(days["days"], f"{days_path}.days")
                declarations = NormalDeclarations(days=count) if count is not None else None
        release = (
            bool(self.boolean(clear["release"], f"{path}.clear.release"))
            if "release" in clear
            else False
        )
        combine = raw.get("combine", Combine.FIRST.value)
        if combine not in tuple(Combine):
            self.problem(f"{path}.combine", "must be first or all")
        if not ("after" in raw or "end" in raw or clear):
            self.problem(path, "never ends: give after, end or a clear condition")
        if len(self.problems) > before:
            return None
        return Window(
            start=str(raw.get("start", "at")),
            after=after,
            end=str(raw["end"]) if "end" in raw else None,
            negative_tests=tests,
            normal_declarations=declarations,
            release=release,
            combine=Combine(str(combine)),
        )

    def negative_tests(self, value: object, path: str) -> NegativeTests | None:
        raw = self.mapping(value, path, _NEGATIVE_TESTS_KEYS, required=("count",))
        if raw is None or "count" not in raw:
            return None
        count = self.count(raw["count"], f"{path}.count")
        apart = self.duration(raw.get("apart", "PT0S"), f"{path}.apart", positive=False)
        after = self.duration(
            raw.get("sampled_after", "PT0S"), f"{path}.sampled_after", positive=False
        )
        kind = raw.get("kind")
        if kind is not None and kind not in _TEST_KINDS:
            self.problem(f"{path}.kind", f"must be one of {', '.join(_TEST_KINDS)}")
            return None
        if count is None or apart is None or after is None:
            return None
        return NegativeTests(count=count, apart=apart, kind=kind, sampled_after=after)

    def notice(self, entry: dict[str, object], path: str) -> NoticeRule | None:
        raw = self.mapping(entry, path, _NOTICE_KEYS, required=("id", "text", "clears_when"))
        if raw is None:
            return None
        text = self.text(raw.get("text"), f"{path}.text")
        clears_when = self.text(raw.get("clears_when"), f"{path}.clears_when")
        blocks = self.boolean(raw.get("blocks_code", True), f"{path}.blocks_code")
        if ("stale" in raw) == ("fact" in raw):
            self.problem(path, "needs exactly one trigger: fact (with window) or stale")
            return None
        if "stale" in raw:
            for key in ("when", "window"):
                if key in raw:
                    self.problem(f"{path}.{key}", "not allowed with a stale trigger")
            stale = self.stale(raw["stale"], f"{path}.stale")
            if stale is None or blocks is None:
                return None
            return NoticeRule(
                id=str(raw["id"]),
                text=text,
                clears_when=clears_when,
                blocks_code=blocks,
                stale=stale,
            )
        fact = self.fact_kind(raw["fact"], f"{path}.fact")
        when = raw.get("when", True)
        sound = self.condition(when, fact, f"{path}.when")
        if "window" not in raw:
            self.problem(f"{path}.window", "required with a fact trigger")
        window = self.window(raw["window"], fact, f"{path}.window") if "window" in raw else None
        if fact is None or window is None or blocks is None or not sound:
            return None
        return NoticeRule(
            id=str(raw["id"]),
            text=text,
            clears_when=clears_when,
            blocks_code=blocks,
            fact=fact,
            when=when,
            window=window,
        )

    def stale(self, value: object, path: str) -> StaleTrigger | None:
        raw = self.mapping(value, path, _STALE_KEYS, required=("fact", "max_age"))
        if raw is None or "fact" not in raw or "max_age" not in raw:
            return None
        fact = self.fact_kind(raw["fact"], f"{path}.fact")
        max_age = self.duration(raw["max_age"], f"{path}.max_age")
        only_if_any = self.boolean(raw.get("only_if_any", False), f"{path}.only_if_any")
        if fact is None or max_age is None or only_if_any is None:
            return None
        return StaleTrigger(fact=fact, max_age=max_age, only_if_any=only_if_any)
