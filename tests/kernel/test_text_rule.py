"""The one text rule (kernel/text.py): NFC, no surrogates, controls or bidi controls, a limit."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.text import (
    BIDI_CONTROLS,
    MAX_SECRET,
    TextKind,
    check_json,
    check_secret,
    clean_text,
    is_clean_line,
    text_problem,
)

KINDS = list(TextKind)


def _refused(text: str, kind: TextKind = TextKind.NAME) -> str:
    with pytest.raises(InvalidInput) as refused:
        clean_text(text, field="name", kind=kind)
    [problem] = refused.value.problems
    assert problem.field == "name"
    return problem.message


def test_text_is_normalised_to_nfc() -> None:
    """A decomposed é comes back composed."""
    assert clean_text("Jose\u0301", field="name", kind=TextKind.NAME) == "José"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("张\x00三", "control characters (U+0000)"),
        ("张\n三", "control characters (U+000A)"),
        ("张\t三", "control characters (U+0009)"),
        ("张\x85三", "control characters (U+0085)"),
        ("张\u2028三", "control characters (U+2028)"),
        ("abc\u202edef", "bidirectional controls (U+202E)"),
        ("abc\u2066def", "bidirectional controls (U+2066)"),
        ("abc\u200fdef", "bidirectional controls (U+200F)"),
        ("abc\ud800", "lone surrogate (U+D800)"),
    ],
)
def test_single_line_text_refuses_each_kind_of_bad_character(text: str, rule: str) -> None:
    """NUL, line breaks, tabs, C1 controls, separators, bidi controls and surrogates are named."""
    assert rule in _refused(text)


def test_multiline_text_keeps_tabs_and_line_breaks_only() -> None:
    """A reason may span lines; NUL and bidi controls are refused there too."""
    assert clean_text("a\r\n\tb", field="reason", kind=TextKind.TEXT) == "a\r\n\tb"
    assert "U+0000" in _refused("a\nb\x00", TextKind.TEXT)
    assert "U+202E" in _refused("a\nb\u202e", TextKind.TEXT)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_its_limit(kind: TextKind) -> None:
    """The limit counts characters after NFC: at the limit accepted, one more refused."""
    assert clean_text("a" * kind.limit, field="name", kind=kind) == "a" * kind.limit
    assert _refused("a" * (kind.limit + 1), kind) == f"must be at most {kind.limit} characters"


def test_ordinary_text_of_every_script_is_kept() -> None:
    """Chinese, ideographic spaces, emoji with joiners and private-use characters pass."""
    for text in ("张三丰", "杭州市　西湖区", "👩\u200d💻", "\ue000", "Ŝtefan Müller"):
        assert clean_text(text, field="name", kind=TextKind.NAME) == text


def test_secrets_are_never_normalised() -> None:
    """A password keeps its bytes; only surrogates, NUL and excess length are refused."""
    decomposed = "Jose\u0301 password"
    assert check_secret(decomposed, field="password") == decomposed
    assert check_secret("tab\there\u202e", field="password") == "tab\there\u202e"
    for bad in ("pass\x00word", "pass\udc80word", "p" * (MAX_SECRET + 1)):
        with pytest.raises(InvalidInput, match="password"):
            check_secret(bad, field="password")


def test_json_payload_strings_are_checked_at_their_path() -> None:
    """A NUL deep in a proposal payload is refused naming where it is."""
    with pytest.raises(InvalidInput) as refused:
        check_json({"venues": ["ok", "x\x00"]}, field="payload")
    assert refused.value.problems[0].field == "payload.venues[1]"
    with pytest.raises(InvalidInput, match="key"):
        check_json({"a\ud800": 1}, field="payload")
    check_json({"reason": "line one\nline two", "n": 3, "x": None}, field="payload")


_BAD = set(BIDI_CONTROLS) | {"\u2028", "\u2029"}


def _allowed(ch: str, kind: TextKind) -> bool:
    if kind.multiline and ch in "\t\n\r":
        return True
    return unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _BAD


@settings(max_examples=500, deadline=None)
@given(text=st.text(st.characters(codec=None), max_size=300), kind=st.sampled_from(KINDS))
def test_anything_accepted_is_clean(text: str, kind: TextKind) -> None:
    """Accepted text is NFC, within its limit, with no control, bidi or surrogate character."""
    try:
        clean = clean_text(text, field="f", kind=kind)
    except InvalidInput as refused:
        fields = [p.field for p in refused.problems]
    else:
        fields = []
    if fields:
        assert fields == ["f"]
        return
    assert unicodedata.is_normalized("NFC", clean)
    assert len(clean) <= kind.limit
    assert all(_allowed(ch, kind) for ch in clean)
    assert clean_text(clean, field="f", kind=kind) == clean  # idempotent


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(codec=None), max_size=50))
def test_the_fast_test_is_never_more_lenient(text: str) -> None:
    """What the hot path's fast test passes, the full rule passes unchanged."""
    if is_clean_line(text):
        assert text_problem(text, TextKind.TOKEN) is None
        assert unicodedata.normalize("NFC", text) == text
