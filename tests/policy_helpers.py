"""Policy texts for tests (a bundled policy under a new version, or with one thing changed), and
a policy activated by four eyes."""

from __future__ import annotations

import re

from healthcode.container import Container
from healthcode.oversight import proposals
from healthcode.oversight.model import Proposal
from healthcode.policy.bundled import bundled_policy_path
from identity_helpers import add_test_official, principal, propose_as

_VERSION = re.compile(r'^version: "[^"]*"$', re.MULTILINE)


def bundled_source(jurisdiction: str, *, version: str | None = None) -> str:
    """The bundled policy's YAML text, under ``version`` when one is given."""
    source = bundled_policy_path(jurisdiction).read_text(encoding="utf-8")
    if version is None:
        return source
    changed, count = _VERSION.subn(f'version: "{version}"', source)
    assert count == 1, "the bundled policy has one version line"
    return changed


def with_bad_tracing(source: str) -> str:
    """The policy with a negative venue overlap (``tracing.venue.min_overlap_minutes``)."""
    old = "venue: {min_overlap_minutes: 15,"
    assert old in source, "the bundled tracing section names the venue overlap"
    return source.replace(old, "venue: {min_overlap_minutes: -15,")


def fever_free_hangzhou(*, version: str = "2020.9") -> str:
    """Hangzhou's bundled policy under ``version`` without its fever rule: a declared fever no
    longer turns anyone yellow."""
    source = bundled_source("330100", version=version)
    start = source.index("  - id: fever")
    end = source.index("  - id:", start + 1)
    return source[:start] + source[end:]


def billion_laughs() -> str:
    """Hangzhou's policy with 7.7 KB of nested aliases in front, one rule's condition reading
    the last: 50 * 80**9 (about 7 * 10**18) strings that the old loader walked for ever."""
    lines = ["laughs_0: &laugh_0 [" + ", ".join(['"lol"'] * 50) + "]"]
    for level in range(1, 10):
        refs = ", ".join([f"*laugh_{level - 1}"] * 80)
        lines.append(f"laughs_{level}: &laugh_{level} [{refs}]")
    source = bundled_source("330100")
    old = 'when: {"===": [{"var": "result"}, "positive"]}'
    assert old in source
    bomb = "\n".join(lines) + "\n"
    assert 7_000 < len(bomb) < 8_200
    return bomb + source.replace(old, 'when: {"in": [{"var": "result"}, *laugh_9]}', 1)


def propose_policy(container: Container, source: str, *, by: str, reason: str) -> Proposal:
    """Official ``by`` proposes to activate ``source`` (it waits for a second official)."""
    return propose_as(
        container, by, action="activate_policy", payload={"source": source}, reason=reason
    )


def activate_by_four_eyes(container: Container, source: str, *, reason: str = "review") -> None:
    """Activate ``source`` as a health office does: wang (an official) proposes it, li (a
    supervisor) approves; their accounts are made on first use."""
    with container.uow() as uow:
        known = uow.officials.by_username("wang") is not None
    if not known:
        add_test_official(container, "wang")
        add_test_official(container, "li", "supervisor")
    proposal = propose_policy(container, source, by="wang", reason=reason)
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, "li"),
        proposal_id=proposal.id,
    )
