"""Weekly re-verification: a face check older than 7 days blocks the code until the channel
vouches for a fresh one, which clears it at once."""

from __future__ import annotations

from datetime import timedelta

from healthcode.container import Container
from healthcode.identity.authn import authenticate
from healthcode.identity.channels import issue_channel_token
from healthcode.kernel.clock import FixedClock
from healthcode.status.assessment import current_status
from identity_helpers import add_test_channel, register_via_channel


def test_stale_face_check_blocks_until_a_fresh_assertion(
    container: Container, clock: FixedClock
) -> None:
    """A face check 8 days old blocks the code with a re-verify notice; a fresh one clears it."""
    kit = add_test_channel(container)
    subject = register_via_channel(container, kit, face_checked_at=clock.now())
    assert not current_status(uow=container.uow(), clock=clock, subject=subject).code_blocked
    clock.advance(timedelta(days=8))
    blocked = current_status(uow=container.uow(), clock=clock, subject=subject)
    assert blocked.code_blocked
    assert [n.notice_id for n in blocked.notices] == ["identity-recheck"]
    assert "verify" in blocked.notices[0].text["en"]
    token = issue_channel_token(
        uow=container.uow(), clock=clock, client_id=kit.id, client_secret=kit.client_secret
    ).access_token
    old = kit.assertion(
        user_id="user-1", now=clock.now(), face_checked_at=clock.now() - timedelta(days=8)
    )
    authenticate(
        uow=container.uow(), clock=clock, token=token, jurisdiction="330100", assertion=old
    )
    assert current_status(uow=container.uow(), clock=clock, subject=subject).code_blocked
    fresh = kit.assertion(user_id="user-1", now=clock.now(), face_checked_at=clock.now())
    citizen = authenticate(
        uow=container.uow(), clock=clock, token=token, jurisdiction="330100", assertion=fresh
    )
    assert citizen.subject == subject and citizen.channel == kit.id
    assert not current_status(uow=container.uow(), clock=clock, subject=subject).code_blocked


def test_no_face_check_ever_no_notice(container: Container, clock: FixedClock) -> None:
    """A person who never had a face check (e.g. signed up on the website) is not blocked."""
    kit = add_test_channel(container)
    subject = register_via_channel(container, kit)
    clock.advance(timedelta(days=30))
    assert not current_status(uow=container.uow(), clock=clock, subject=subject).code_blocked
