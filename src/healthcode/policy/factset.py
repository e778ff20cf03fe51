"""A person's facts prepared once for assessing them many times: ``FactSet``.

``healthcode.policy.assess`` takes a ``FactSet`` in place of raw facts. The status service
assesses one load of a person's facts at several instants (the catch-up, then now) and policy
impact assesses each person under two policies: both prepare the facts once.

``FactSet.of`` does what depends on the facts alone: it drops superseded and retracted facts
(``effective``), orders the rest by (at, id) (``ordered``), checks that they are all about one
person and groups them by kind. What conditions and clearing conditions read is then derived
from the facts on first use and kept, still from the facts alone: per kind and field, the
column of ``condition_data`` values and the facts grouped by exact string value; negative
results by test kind; declarations with their timestamps. Nothing in a ``FactSet`` depends on
an instant or on a policy, and it never changes once built (a new fact means a new set).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime
from operator import attrgetter
from typing import NoReturn

from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Fact, FactKind, TestResult, effective, ordered

_SUBJECT = attrgetter("subject")

# (fact kind, condition-data field)
Field = tuple[FactKind, str]

_JSON_TYPES = frozenset({str, int, float, bool, type(None), list, dict})


class FactSet:
    """One person's facts, prepared (see the module)."""

    __slots__ = (
        "_columns",
        "_declarations",
        "_json_columns",
        "_negatives",
        "_results_after_samples",
        "_strings",
        "by_kind",
        "columns",
        "facts",
        "json_columns",
        "negatives",
        "strings",
        "subject",
    )

    facts: tuple[Fact, ...]  # the effective facts in (at, id) order
    subject: str | None  # the one person they are about; None: no fact and none named
    by_kind: Mapping[FactKind, tuple[Fact, ...]]  # in (at, id) order; kinds without facts left out
    # what column(), by_string() and negative_tests() found so far, read without a call
    columns: Mapping[Field, tuple[object, ...]]
    json_columns: AbstractSet[Field]
    strings: Mapping[Field, Mapping[str, tuple[Fact, ...]]]
    negatives: Mapping[str | None, tuple[tuple[datetime, datetime], ...]]
    _columns: dict[Field, tuple[object, ...]]  # the same memos, to add to
    _json_columns: set[Field]
    _strings: dict[Field, Mapping[str, tuple[Fact, ...]]]
    _negatives: dict[str | None, tuple[tuple[datetime, datetime], ...]]
    _declarations: tuple[tuple[datetime, float, bool], ...] | None
    _results_after_samples: bool | None

    @classmethod
    def of(cls, facts: Iterable[Fact], *, subject: str | None = None) -> FactSet:
        """The facts prepared; ``subject`` names the person when there may be no fact
        (``InvalidInput`` if the effective facts are not all about one person, ``subject``)."""
        live = list(facts)
        who = subject if subject is not None or not live else live[0].subject
        by_type = _plain_groups(live, who)
        if by_type is None:  # corrections, retractions, facts out of order or of others
            live = ordered(effective(live))
            subjects = set(map(_SUBJECT, live))
            if subject is not None:
                subjects.add(subject)
            if len(subjects) > 1:
                _several(subjects)
            who = subjects.pop() if subjects else None
            by_type = {}
            for fact in live:
                group = by_type.get(type(fact))
                if group is None:
                    by_type[type(fact)] = [fact]
                else:
                    group.append(fact)
        by_kind = {kind.kind: tuple(group) for kind, group in by_type.items()}
        if len(by_kind) < len(by_type):  # classes sharing a kind: in (at, id) order together
            by_kind = {kind: tuple(f for f in live if f.kind is kind) for kind in by_kind}
        made = object.__new__(cls)
        setter = object.__setattr__
        setter(made, "facts", tuple(live))
        setter(made, "subject", who)
        setter(made, "by_kind", by_kind)
        for public, private, memo in (
            ("columns", "_columns", {}),
            ("json_columns", "_json_columns", set()),
            ("strings", "_strings", {}),
            ("negatives", "_negatives", {}),
        ):
            setter(made, public, memo)
            setter(made, private, memo)
        setter(made, "_declarations", None)
        setter(made, "_results_after_samples", None)
        return made

    def about(self, subject: str | None) -> str:
        """The person assessed: ``subject`` if given, which the facts must be about."""
        found = self.subject
        if subject is None or subject == found:
            return found or ""
        if found is not None:
            _several({found, subject})
        return subject

    def column(self, kind: FactKind, name: str) -> tuple[object, ...]:
        """``condition_data.get(name)`` of each fact of ``kind``, in the order of ``by_kind``
        (kept in ``columns``; its key also in ``json_columns`` if every value is exactly of a
        JSON type: str, int, float, bool, None, list or dict)."""
        found = self._columns.get((kind, name))
        if found is None:
            facts = self.by_kind.get(kind, ())
            found = self._columns[kind, name] = tuple([f.condition_value(name) for f in facts])
            if _JSON_TYPES.issuperset(map(type, found)):
                self._json_columns.add((kind, name))
        return found

    def by_string(self, kind: FactKind, name: str) -> Mapping[str, tuple[Fact, ...]]:
        """The facts of ``kind`` whose ``condition_data`` field ``name`` is a string (exactly of
        type ``str``), by that string, each group in the order of ``by_kind``."""
        found = self._strings.get((kind, name))
        if found is None:
            groups: dict[str, list[Fact]] = {}
            for fact in self.by_kind.get(kind, ()):
                value = fact.condition_value(name)
                if type(value) is str:
                    group = groups.get(value)
                    if group is None:
                        groups[value] = [fact]
                    else:
                        group.append(fact)
            found = self._strings[kind, name] = {v: tuple(group) for v, group in groups.items()}
        return found

    def negative_tests(self, test_kind: str | None) -> tuple[tuple[datetime, datetime], ...]:
        """(sampled_at, at) of the negative results of ``test_kind`` (any when None), in the
        order the results came."""
        found = self._negatives.get(test_kind)
        if found is None:
            found = tuple(
                (f.sampled_at, f.at)
                for f in self.by_kind.get(FactKind.TEST_RESULT, ())
                if isinstance(f, TestResult)
                and f.result == "negative"
                and (test_kind is None or f.test_kind == test_kind)
            )
            self._negatives[test_kind] = found
        return found

    def results_after_samples(self) -> bool:
        """Whether every test result is known no earlier than its sample was taken."""
        found = self._results_after_samples
        if found is None:
            results = self.by_kind.get(FactKind.TEST_RESULT, ())
            found = all(f.at >= f.sampled_at for f in results if isinstance(f, TestResult))
            object.__setattr__(self, "_results_after_samples", found)
        return found

    def declarations(self) -> tuple[tuple[datetime, float, bool], ...]:
        """Health declarations as (at, POSIX timestamp, normal), in time order."""
        found = self._declarations
        if found is None:
            found = tuple(
                # "normal" from the memoised condition data: the property recomputes each time
                (f.at, f.at.timestamp(), f.condition_data["normal"] is True)
                for f in self.by_kind.get(FactKind.HEALTH_DECLARATION, ())
            )
            object.__setattr__(self, "_declarations", found)
        return found

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"a FactSet is immutable (cannot set {name})")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"a FactSet is immutable (cannot delete {name})")

    def __len__(self) -> int:
        return len(self.facts)

    def __repr__(self) -> str:
        return f"<FactSet of {len(self.facts)} facts about {self.subject!r}>"


def _plain_groups(live: list[Fact], who: str | None) -> dict[type[Fact], list[Fact]] | None:
    """The facts by class if none corrects or retracts any, all are about ``who`` and they are
    in strictly increasing time (so in (at, id) order already); else None."""
    by_type: dict[type[Fact], list[Fact]] = {}
    previous: datetime | None = None
    for fact in live:
        at = fact.at
        if fact.supersedes is not None or fact.retracted or fact.subject != who:
            return None
        if previous is not None and not previous < at:
            return None
        previous = at
        cls = type(fact)
        group = by_type.get(cls)
        if group is None:
            by_type[cls] = [fact]
        else:
            group.append(fact)
    return by_type


def _several(subjects: set[str]) -> NoReturn:
    raise InvalidInput.one("facts", f"facts of several subjects: {', '.join(sorted(subjects))}")
