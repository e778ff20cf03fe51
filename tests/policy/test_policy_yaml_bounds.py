"""Policy YAML is read with its cost bounded: aliases expanding past a size (the "billion
laughs"), deep nesting and overlong texts are refused with one clear problem on ``policy``,
after work proportional to the text's length."""

from __future__ import annotations

import json

import pytest

from healthcode.kernel.errors import InvalidInput
from healthcode.policies.versions import check_policy
from healthcode.policy.bundled import BUNDLED_FILES
from healthcode.policy.certlogic.syntax import MAX_DEPTH as CERTLOGIC_DEPTH
from healthcode.policy.loader import load_policy
from healthcode.policy.yaml_text import MAX_CHARACTERS, MAX_DEPTH, MAX_VALUES, read_yaml
from policy_helpers import billion_laughs, bundled_source


class Ticks:
    """Counts the nodes the reader composes (its ``tick``)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def _refusal(source: str) -> str:
    with pytest.raises(InvalidInput) as refused:
        check_policy(source=source)
    [problem] = refused.value.problems
    assert problem.field == "policy"
    return problem.message


def test_a_billion_laughs_is_refused_before_any_expansion() -> None:
    """The 8 KB alias bomb is refused by its expanded size, each of its nodes counted once."""
    # by the reader, the loader and the check alike; the old loader walked it for ever
    ticks = Ticks()
    with pytest.raises(InvalidInput) as refused:
        read_yaml(billion_laughs(), tick=ticks)
    assert str(refused.value) == (
        f"policy: more than {MAX_VALUES:,} values once aliases (*name) are expanded"
    )
    assert ticks.count < 2 * len(billion_laughs().splitlines()) + 2_000
    with pytest.raises(InvalidInput, match="once aliases"):
        load_policy(billion_laughs())
    assert "once aliases" in _refusal(billion_laughs())


def test_anchors_for_shared_texts_and_merge_keys_still_read() -> None:
    """An anchor reused as a text and a ``<<: *base`` merge key read as they always did."""
    # tests/policy/test_assess_properties.py loads a whole policy sharing one text this way
    shared = read_yaml("name: &t {zh: 绿, en: green}\nrules: [{text: *t, clears_when: *t}]\n")
    assert shared == {
        "name": {"zh": "绿", "en": "green"},
        "rules": [
            {"text": {"zh": "绿", "en": "green"}, "clears_when": {"zh": "绿", "en": "green"}}
        ],
    }
    assert read_yaml("base: &b {x: 1}\nmore: {<<: *b, y: 2}\n") == {
        "base": {"x": 1},
        "more": {"x": 1, "y": 2},
    }


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    """``&a [*a]`` (a document holding itself) is refused naming its line, not walked for ever."""
    assert _refusal("rules:\n  - &a [1, *a]\n") == (
        "line 2: an alias (*name) refers to a node holding it"
    )


def test_aliases_nesting_past_the_limit_are_refused() -> None:
    """Aliases nesting a shallow text past ``MAX_DEPTH`` levels are refused once expanded."""
    lines = ["l0: &l0 [1]"] + [f"l{i}: &l{i} [*l{i - 1}]" for i in range(1, MAX_DEPTH + 1)]
    message = _refusal("\n".join(lines) + "\n")
    assert message.endswith(
        f"nested deeper than {MAX_DEPTH} levels once aliases (*name) are expanded"
    )


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 10_000, 30_000])
def test_deep_flow_nesting_is_refused_without_recursion(levels: int) -> None:
    """``[[[[…]]]]`` deeper than the limit is a clean refusal naming it (was a RecursionError)."""
    message = _refusal("rules: " + "[" * levels + "]" * levels + "\n")
    assert message == f"line 1: nested deeper than {MAX_DEPTH} levels"


def test_deep_block_nesting_is_refused() -> None:
    """Indented mappings nested past the limit are refused, naming the line where it broke."""
    lines = [" " * level + f"k{level}:" for level in range(MAX_DEPTH + 5)]
    source = "\n".join(lines) + " 1\n"
    # the mapping one level too deep starts on line MAX_DEPTH + 1 (k100 holds it)
    assert _refusal(source) == f"line {MAX_DEPTH + 1}: nested deeper than {MAX_DEPTH} levels"


def test_nesting_up_to_the_limit_reads() -> None:
    """Exactly ``MAX_DEPTH`` levels are read as data."""
    assert read_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH) == json.loads(
        "[" * MAX_DEPTH + "]" * MAX_DEPTH
    )


def test_an_overlong_text_is_refused_unread() -> None:
    """A text past ``MAX_CHARACTERS`` is refused by its length, before parsing (no node)."""
    ticks = Ticks()
    with pytest.raises(InvalidInput) as refused:
        read_yaml("# " + "x" * MAX_CHARACTERS, tick=ticks)
    assert "too long" in str(refused.value) and f"{MAX_CHARACTERS:,}" in str(refused.value)
    assert ticks.count == 0


def test_a_deep_condition_names_the_certlogic_limit_and_its_rule() -> None:
    """A condition within the YAML bound but past CertLogic's is refused on its rule's ``when``."""
    expression: object = True
    for _ in range(CERTLOGIC_DEPTH // 2 + 1):
        expression = {"!": [expression]}
    source = bundled_source("330100")
    old = 'when: {"===": [{"var": "result"}, "positive"]}'
    assert old in source
    with pytest.raises(InvalidInput) as refused:
        check_policy(source=source.replace(old, "when: " + json.dumps(expression), 1))
    [problem] = refused.value.problems
    assert problem.field.endswith(".when")
    assert f"at most {CERTLOGIC_DEPTH} levels" in problem.message


@pytest.mark.parametrize("code", sorted(BUNDLED_FILES))
def test_bundled_policies_stay_within_the_bounds(code: str) -> None:
    """No bundled policy uses anchors, deep nesting or a long text: each still reads."""
    assert load_policy(bundled_source(code)).jurisdiction == code


def test_a_syntax_error_is_still_named_as_such() -> None:
    """Broken YAML is ``policy: not valid YAML: …``, as before."""
    assert _refusal("rules: [unclosed\n").startswith("not valid YAML:")
