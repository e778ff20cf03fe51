"""The one rule for free text, whatever the entry point (API, CLI, a use case).

Text is normalised to Unicode NFC, then refused when it holds:

- a lone surrogate (U+D800–U+DFFF): not a character, and not encodable in UTF-8;
- a control character (Unicode category Cc: NUL, U+0001–U+001F, DEL, U+0080–U+009F) or a line
  or paragraph separator (U+2028, U+2029). Multi-line kinds (``TextKind.TEXT``: reasons, notes,
  keys in PEM) keep tab, line feed and carriage return; every other kind refuses them too;
- a bidirectional control: the embeddings and overrides U+202A–U+202E, the isolates
  U+2066–U+2069, and the marks U+200E, U+200F, U+061C. An override makes a masked name or a
  log line render in another order than it is stored;
- more characters (after NFC) than its kind allows.

Secrets (passwords) are compared as typed: they are never normalised (an account created
with one byte sequence must log in with the same one), only refused when they hold a lone
surrogate or NUL, or are longer than ``MAX_SECRET``.

The refusal is ``InvalidInput`` naming the field and the rule (``name: must not contain
control characters (U+0000)``). Standard library only: the kernel is the bottom layer.
"""

from __future__ import annotations

import unicodedata
from enum import Enum
from typing import Final

from healthcode.kernel.errors import InvalidInput


class TextKind(Enum):
    """Kinds of free text, each with its length limit (characters, after NFC) and whether it
    may span lines."""

    IDENTIFIER = ("identifier", 64, False)
    """ids, subjects, usernames, client ids, test references, codes, vehicles"""
    NAME = ("name", 200, False)
    """names of people, organisations, venues, channels, risk areas"""
    LINE = ("line", 500, False)
    """one line of prose: an address, a URL, a symptom"""
    TEXT = ("text", 2000, True)
    """reasons, notes, declarations, PEM keys: may hold tabs and line breaks"""
    TOKEN = ("token", 8192, False)
    """opaque tokens and signed texts: assertions (JWT), codes, place codes"""

    def __init__(self, label: str, limit: int, multiline: bool) -> None:
        self.label = label
        self.limit = limit
        self.multiline = multiline


MAX_SECRET: Final = 1024
BIDI_CONTROLS: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
LINE_BREAKS: Final = frozenset("\t\n\r")
_SEPARATORS: Final = frozenset("\u2028\u2029")


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _is_surrogate(ch: str) -> bool:
    return "\ud800" <= ch <= "\udfff"


def _character_problem(text: str, *, multiline: bool) -> str | None:
    """The rule the first refused character breaks, or None."""
    for ch in text:
        if ch.isprintable() or ch == " ":
            continue  # the common case: no category lookup
        if _is_surrogate(ch):
            return f"must not contain a lone surrogate ({_code(ch)}): send valid UTF-8"
        if multiline and ch in LINE_BREAKS:
            continue
        if unicodedata.category(ch) == "Cc" or ch in _SEPARATORS:
            allowed = " other than tab and line breaks" if multiline else ""
            return f"must not contain control characters{allowed} ({_code(ch)})"
        if ch in BIDI_CONTROLS:
            return f"must not contain bidirectional controls ({_code(ch)})"
    return None


def text_problem(text: str, kind: TextKind) -> str | None:
    """Why ``text`` (already NFC) breaks the rule of ``kind``, or None."""
    problem = _character_problem(text, multiline=kind.multiline)
    if problem is not None:
        return problem
    if len(text) > kind.limit:
        return f"must be at most {kind.limit} characters"
    return None


def normalise(text: str) -> str:
    """``text`` in NFC (a lone surrogate is left for ``text_problem`` to refuse)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def clean_text(text: str, *, field: str, kind: TextKind) -> str:
    """``text`` in NFC, or ``InvalidInput`` on ``field`` naming the rule it breaks."""
    if not isinstance(text, str):
        raise InvalidInput.one(field, "must be text")
    clean = normalise(text)
    problem = text_problem(clean, kind)
    if problem is not None:
        raise InvalidInput.one(field, problem)
    return clean


def clean_optional(text: str | None, *, field: str, kind: TextKind) -> str | None:
    """``clean_text`` for a value that may be absent."""
    return None if text is None else clean_text(text, field=field, kind=kind)


def secret_problem(secret: str) -> str | None:
    """Why a secret (a password) cannot be taken as it is, or None. Never normalised."""
    for ch in secret:
        if _is_surrogate(ch):
            return f"must not contain a lone surrogate ({_code(ch)}): send valid UTF-8"
        if ch == "\x00":
            return "must not contain NUL (U+0000)"
    if len(secret) > MAX_SECRET:
        return f"must be at most {MAX_SECRET} characters"
    return None


def check_secret(secret: str, *, field: str) -> str:
    """``secret`` unchanged, or ``InvalidInput`` on ``field``."""
    problem = secret_problem(secret)
    if problem is not None:
        raise InvalidInput.one(field, problem)
    return secret


def is_clean_line(text: str) -> bool:
    """A fast test for hot paths: printable (no control, format, separator other than the
    space, or surrogate character: stricter than ``text_problem``) and in NFC."""
    return text.isprintable() and (text.isascii() or unicodedata.is_normalized("NFC", text))


MAX_JSON_DEPTH: Final = 32


def _json_problem(value: object, path: str, depth: int) -> tuple[str, str] | None:
    if depth > MAX_JSON_DEPTH:
        return path, f"must not nest deeper than {MAX_JSON_DEPTH} levels"
    if isinstance(value, str):
        problem = _character_problem(value, multiline=True)
        return None if problem is None else (path, problem)
    items: list[tuple[str, object]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _character_problem(str(key), multiline=False)
            if problem is not None:
                return f"{path}.{key!r}", f"key {problem}"
            items.append((f"{path}.{key}", item))
    elif isinstance(value, list):
        items = [(f"{path}[{i}]", item) for i, item in enumerate(value)]
    for item_path, item in items:
        found = _json_problem(item, item_path, depth + 1)
        if found is not None:
            return found
    return None


def json_problem(value: object, *, field: str) -> tuple[str, str] | None:
    """The first string (key or value) of a JSON document that breaks the character rules of
    multi-line text, as (its path under ``field``, the rule), or None. Lengths are the
    business of whoever reads the document."""
    return _json_problem(value, field, 0)


def check_json(value: object, *, field: str) -> None:
    """``InvalidInput`` naming the first string in ``value`` that breaks the rules."""
    found = json_problem(value, field=field)
    if found is not None:
        raise InvalidInput.one(*found)
