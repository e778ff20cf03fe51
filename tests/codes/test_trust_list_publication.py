"""The city publishes v3 trust lists: they expire, are published anew before they do, and
announce a new root ahead of its takeover, which a checkpoint's store follows."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from healthcode.checkpoint.acceptance import max_trust_list_age
from healthcode.cli.main import app
from healthcode.codes.keys import (
    DEFAULT_TRUST_LIST_LIFETIME,
    announce_root,
    init_keys,
    list_keys,
    trust_list_document,
)
from healthcode.container import Container
from healthcode.credentials.cose import kid_of
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import Conflict, InvalidInput
from healthcode.policy.bundled import bundled_policy
from healthcode.settings import Settings


def _keys(container: Container) -> None:
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )


def _document(container: Container) -> dict[str, object]:
    return dict(json.loads(_text(container)))


def _text(container: Container) -> str:
    return trust_list_document(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        code_lifetime=container.settings.code_lifetime,
        clock_skew=container.settings.clock_skew,
        list_lifetime=container.settings.trust_list_lifetime,
    )


def _time(text: object) -> datetime:
    return datetime.fromisoformat(str(text))


def test_the_list_expires_after_the_setting_and_is_renewed_before_checkpoints_call_it_stale(
    container: Container, clock: FixedClock
) -> None:
    """v3, expiring in 7 days; the same for 12 hours (half max_trust_list_age), then the next."""
    _keys(container)
    first = _document(container)
    assert first["format"] == "healthcode-trust-list/3"
    assert container.settings.trust_list_lifetime == DEFAULT_TRUST_LIST_LIFETIME
    assert _time(first["expires_at"]) - _time(first["issued_at"]) == timedelta(days=7)
    clock.advance(timedelta(hours=11, minutes=59))
    assert _document(container) == first
    clock.advance(timedelta(minutes=1))
    renewed = _document(container)
    assert renewed["sequence"] == int(str(first["sequence"])) + 1
    assert _time(renewed["expires_at"]) - clock.now() == timedelta(days=7)


def test_a_checkpoint_fetching_every_few_hours_never_holds_a_stale_list(
    container: Container, clock: FixedClock
) -> None:
    """Fetched every 6 hours for 10 days, the held list is never older than the policy allows."""
    _keys(container)
    [root] = [k for k in list_keys(uow=container.uow(), jurisdiction="330100") if k.role == "root"]
    store = TrustStore(roots={"330100": load_public_key(root.public_key)})
    limit = max_trust_list_age(bundled_policy("330100"))
    assert limit == timedelta(days=1)
    stale = []
    for hour in range(10 * 24):
        if hour % 6 == 0:
            store.accept(load_trust_list(_text(container)), at=clock.now())
        if store.stale("330100", at=clock.now(), limit=limit):
            stale.append(clock.now())
        clock.advance(timedelta(hours=1))
    assert stale == []


def test_a_shorter_lifetime_renews_at_its_own_half(container: Container, clock: FixedClock) -> None:
    """A list living 4 hours is renewed after 2, before the policy's 12 hours."""
    _keys(container)

    def sequence() -> int:
        text = trust_list_document(
            uow=container.uow(),
            clock=clock,
            private_keys=container.private_keys,
            jurisdiction="330100",
            code_lifetime=container.settings.code_lifetime,
            clock_skew=container.settings.clock_skew,
            list_lifetime=timedelta(hours=4),
        )
        return load_trust_list(text).trust_list.sequence

    first = sequence()
    clock.advance(timedelta(hours=1, minutes=59))
    assert sequence() == first
    clock.advance(timedelta(minutes=1))
    assert sequence() == first + 1


def test_a_new_root_is_announced_then_takes_over(container: Container, clock: FixedClock) -> None:
    """The old root's list names the next root; after the takeover the store follows it."""
    _keys(container)
    [old] = [k for k in list_keys(uow=container.uow(), jurisdiction="330100") if k.role == "root"]
    store = TrustStore(roots={"330100": load_public_key(old.public_key)})
    store.accept(load_trust_list(_text(container)), at=clock.now())
    new = announce_root(
        uow=container.uow(),
        clock=clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        takes_over_at=clock.now() + timedelta(days=7),
    )
    announcing = load_trust_list(_text(container))
    assert announcing.trust_list.next_root == new.public_key
    assert announcing.trust_list.root_kid.hex() == old.kid
    store.accept(announcing, at=clock.now())
    clock.advance(timedelta(days=7))
    taken_over = load_trust_list(_text(container))
    assert taken_over.trust_list.root_kid.hex() == new.kid
    assert taken_over.trust_list.next_root is None
    store.accept(taken_over, at=clock.now())
    assert kid_of(store.pinned_root("330100")).hex() == new.kid  # type: ignore[arg-type]


def test_a_root_is_announced_once_and_for_later(container: Container, clock: FixedClock) -> None:
    """A takeover in the past, or a second announcement, is refused."""
    _keys(container)

    def announce(at: datetime) -> None:
        announce_root(
            uow=container.uow(),
            clock=clock,
            private_keys=container.private_keys,
            jurisdiction="330100",
            takes_over_at=at,
        )

    with pytest.raises(InvalidInput):
        announce(clock.now())
    announce(clock.now() + timedelta(days=7))
    with pytest.raises(Conflict):
        announce(clock.now() + timedelta(days=8))


def test_keys_announce_root_on_the_console(cli_env: Settings, tmp_path: Path) -> None:
    """`keys announce-root` makes the exported list name the next root; a past time is refused."""
    at = "2026-03-01T09:00:00+08:00"

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, [*args, "--at", at, "--json"])
        return result.exit_code, result.stdout or result.stderr

    assert run("keys", "init")[0] == 0
    code, out = run("keys", "announce-root", "--takes-over-at", "2026-03-09T09:00:00+08:00")
    assert code == 0, out
    announced = json.loads(out)
    assert announced["role"] == "root"
    path = tmp_path / "list.json"
    assert run("trust-list", "export", "--out", str(path))[0] == 0
    document = json.loads(path.read_text())
    assert document["next_root_public_key"] == announced["public_key"]
    code, out = run("keys", "announce-root", "--takes-over-at", "2026-03-01T08:00:00+08:00")
    assert code != 0 and "takes_over_at" in out, out
