"""The pages' words: each face's table names a key once across all faces, in both languages."""

from __future__ import annotations

from healthcode.api import problems
from healthcode.bootstrap import PROPOSAL_KINDS
from healthcode.federation.model import Outcome
from healthcode.identity.channel_login import WHAT as CHANNEL_LOGIN_WHAT
from healthcode.kernel.facts import FactKind
from healthcode.oversight.access import Purpose
from healthcode.presence.employers import STAFF_CHECK_WHAT
from healthcode.presence.status_lookups import LOOKUP_WHAT
from healthcode.tracing.model.cases import Classification
from healthcode.tracing.model.findings import TraceRule
from healthcode.tracing.settings import QUARANTINE_SETTINGS
from healthcode.web import texts


def test_no_key_is_defined_by_two_faces() -> None:
    """A key in two faces' tables would silently take one face's words for the other's."""
    seen: dict[str, int] = {}
    for index, table in enumerate(texts._FACES):
        for key in table:
            assert key not in seen, f"{key} is in table {seen[key]} and table {index}"
            seen[key] = index


def test_every_text_has_both_languages() -> None:
    """Every key has a Chinese and an English text, neither empty."""
    for table in texts._FACES:
        for key, pair in table.items():
            assert len(pair) == 2 and all(pair), key
    assert texts.texts("zh").keys() == texts.texts("en").keys()


def test_every_refusal_the_api_answers_has_words() -> None:
    """Each HTTP status of the API's refusals is named in both languages before its words."""
    statuses = {*problems._TITLES, 409, 422}
    for language in ("zh", "en"):
        words = texts.texts(language)
        assert all(f"refusal_{s}" in words for s in statuses), language


def test_every_rule_tracing_records_by_has_words() -> None:
    """The exposures page names each tracing rule and quarantine setting, not its id."""
    rules = [*(r.value for r in TraceRule), *(f"quarantine-{s}" for s in QUARANTINE_SETTINGS)]
    for language in ("zh", "en"):
        words = texts.texts(language)
        assert all(f"trace_rule_{rule}" in words for rule in rules), language


def test_every_case_classification_has_words() -> None:
    """The case page names a case's classification (symptomatic, asymptomatic), not its id."""
    for language in ("zh", "en"):
        words = texts.texts(language)
        assert all(f"classification_{c.value}" in words for c in Classification), language


def test_every_purpose_and_every_kind_of_fact_has_words_on_the_records() -> None:
    """A read's purpose, and a fact that changed a colour, are named in words, not by id."""
    for language in ("zh", "en"):
        words = texts.texts(language)
        assert all(f"purpose_{p.value}" in words for p in Purpose), language
        assert all(f"cause_fact_{k.value}" in words for k in FactKind), language


def test_the_access_records_written_with_a_fixed_what_have_words() -> None:
    """What an official read is told the citizen in words for each fixed record the code writes."""
    written = {"status", "profile", "code", "itinerary", "quarantines", "cases", "case"}
    written |= {"case contacts", "proposals", "flagged check-ins", "check-in review"}
    written |= {"appeals", "appeal", STAFF_CHECK_WHAT, LOOKUP_WHAT, CHANNEL_LOGIN_WHAT}
    for language in ("zh", "en"):
        words = texts.texts(language)
        assert [w for w in sorted(written) if f"read_{w}" not in words] == [], language


def test_every_sync_outcome_has_words_on_the_peers_page() -> None:
    """The peers page names each outcome a sync can come to in both languages, not its code."""
    for language in ("zh", "en"):
        words = texts.texts(language)
        assert all(f"peers_outcome_{o.value}" in words for o in Outcome), language


def test_every_kind_of_proposal_has_a_heading_in_the_inbox() -> None:
    """Each four-eyes kind the system knows is named in words in the inbox, not by its id."""
    words = texts.texts("en")
    missing = [h.kind for h in PROPOSAL_KINDS if f"action_{h.kind}" not in words]
    assert missing == []
