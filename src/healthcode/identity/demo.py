"""Demo data: three partner super-apps and the city website as channels, a citizen with a
website account whose identity counts as confirmed, and the console's demo accounts (an
official, a supervisor and an auditor) with published passwords and TOTP seeds. Idempotent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyotp

from healthcode.identity.channels import NewChannel, new_channel
from healthcode.identity.model import IdentityState
from healthcode.identity.officials import (
    TOTP_STEP_SECONDS,
    OfficialAccount,
    account_problems,
    open_account_in,
    totp_uri,
)
from healthcode.identity.passwords import hash_password
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.identity.registration import Register, add_person, validate_registration
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput

# name -> (kind, what it stands for)
DEMO_CHANNELS: Mapping[str, tuple[str, str]] = {
    "alipay": ("app", "an Alipay-like super-app (支付宝)"),
    "wechat": ("app", "a WeChat-like super-app (微信)"),
    "dingtalk": ("app", "a DingTalk-like super-app (钉钉)"),
    "website": ("website", "the city website"),
}


@dataclass(frozen=True)
class SeededChannel:
    name: str
    id: str
    created: bool
    secrets: NewChannel | None  # only when created now: shown once


def seed_demo_channels(
    *,
    uow: IdentityUnitOfWork,
    clock: Clock,
    public_keys: Mapping[str, str],
    webhook_base_url: str,
) -> list[SeededChannel]:
    """Register every demo channel that is not registered yet, with the public key given for
    it, and its webhook at ``{webhook_base_url}/{name}``; one transaction."""
    seeded: list[SeededChannel] = []
    with uow:
        for name, (kind, _about) in DEMO_CHANNELS.items():
            existing = uow.channels.by_name(name)
            if existing is not None:
                seeded.append(SeededChannel(name, existing.id, False, None))
                continue
            created = new_channel(
                uow,
                clock=clock,
                name=name,
                public_key_pem=public_keys[name],
                webhook_url=f"{webhook_base_url.rstrip('/')}/{name}",
                kind=kind,
            )
            seeded.append(SeededChannel(name, created.id, True, created))
        uow.commit()
    return seeded


DEMO_CITIZEN = Register(
    name="张三丰",
    id_type="resident",
    id_number="330106199003070014",
    phone="13800138000",
    address="杭州市西湖区文三路1号",
    consent_location=True,
)
DEMO_CITIZEN_PASSWORD = "demo-citizen-2026"  # noqa: S105 - the demo's published password


@dataclass(frozen=True)
class SeededCitizen:
    subject: str
    phone: str
    password: str
    created: bool
    resident: bool | None = None
    """Whether the login went to a person registered already (the living demo city's
    resident) rather than one made with it; None when the account was kept (not looked at)."""


def seed_demo_citizen(*, uow: IdentityUnitOfWork, clock: Clock, jurisdiction: str) -> SeededCitizen:
    """The demo citizen: a website account (``DEMO_CITIZEN``'s phone and the demo password)
    whose identity counts as confirmed, as a partner app's face check would make it, so the
    citizen's pages show a code at once. When the jurisdiction has registered ``DEMO_CITIZEN``
    already (a resident of the living demo city, ``simulator.demo``), the account is theirs;
    else the person is added. Kept as it is when the phone has an account."""
    valid = validate_registration(DEMO_CITIZEN, clock=clock, jurisdiction=jurisdiction)
    with uow:
        account = uow.accounts.by_phone(valid.phone)
        if account is not None:
            return SeededCitizen(account.subject, valid.phone, DEMO_CITIZEN_PASSWORD, False)
        subject = uow.persons.subject_for_id_number(
            jurisdiction=jurisdiction, id_type=valid.id_type.value, id_number=valid.id_number
        )
        resident = subject is not None
        if subject is None:
            subject = add_person(
                uow,
                clock=clock,
                jurisdiction=jurisdiction,
                valid=valid,
                identity=IdentityState.VERIFIED,
            ).subject
        uow.accounts.add(
            subject=subject,
            phone=valid.phone,
            password_hash=hash_password(DEMO_CITIZEN_PASSWORD),
            created_at=clock.now(),
        )
        uow.commit()
    return SeededCitizen(subject, valid.phone, DEMO_CITIZEN_PASSWORD, True, resident=resident)


DEMO_CONSOLE_PASSWORD = "demo-console-2026"  # noqa: S105 - the demo's published password


@dataclass(frozen=True)
class DemoOfficial:
    """A demo account of the console, with its published TOTP seed (base32): anyone can add it
    to an authenticator app, or run `healthcode demo totp USERNAME` for the current code."""

    username: str
    role: str
    totp_secret: str


DEMO_OFFICIALS: tuple[DemoOfficial, ...] = (
    DemoOfficial("demo.official", "official", "OFFICIALDEMOSEEDHEALTHCODE234567"),
    DemoOfficial("demo.supervisor", "supervisor", "SUPERVISORDEMOSEEDHEALTHCODE2345"),
    DemoOfficial("demo.auditor", "auditor", "AUDITORDEMOSEEDHEALTHCODE234567A"),
)


@dataclass(frozen=True)
class SeededOfficial:
    username: str
    role: str
    password: str
    totp_secret: str
    totp_uri: str
    created: bool


def demo_official(username: str) -> DemoOfficial:
    """The demo account named ``username`` (``InvalidInput`` for any other: a real account's
    TOTP secret is never shown)."""
    for official in DEMO_OFFICIALS:
        if official.username == username:
            return official
    names = ", ".join(o.username for o in DEMO_OFFICIALS)
    raise InvalidInput.one("username", f"must be a demo account: {names}")


def demo_totp(username: str, *, clock: Clock) -> tuple[str, int]:
    """The demo account's TOTP code now, and the seconds it stays valid."""
    official = demo_official(username)
    now = clock.now()
    left = TOTP_STEP_SECONDS - int(now.timestamp()) % TOTP_STEP_SECONDS
    return pyotp.TOTP(official.totp_secret).at(now), left


def seed_demo_officials(
    *, uow: IdentityUnitOfWork, clock: Clock, jurisdiction: str
) -> list[SeededOfficial]:
    """The console's demo accounts (an official, a supervisor and an auditor of
    ``jurisdiction``) with the demo password and their published TOTP seeds; an account whose
    username exists is kept as it is. One transaction."""
    password_hash = hash_password(DEMO_CONSOLE_PASSWORD)
    seeded: list[SeededOfficial] = []
    with uow:
        for demo in DEMO_OFFICIALS:
            account = OfficialAccount(
                username=demo.username,
                role=demo.role,
                jurisdiction=jurisdiction,
                password=DEMO_CONSOLE_PASSWORD,
            )
            created = uow.officials.by_username(demo.username) is None
            if created:
                problems = account_problems(account, serving=jurisdiction, admin=None)
                if problems:
                    raise InvalidInput(problems)
                open_account_in(
                    uow,
                    clock,
                    account,
                    password_hash=password_hash,
                    sponsor=None,
                    totp_secret=demo.totp_secret,
                )
            seeded.append(
                SeededOfficial(
                    demo.username,
                    demo.role,
                    DEMO_CONSOLE_PASSWORD,
                    demo.totp_secret,
                    totp_uri(demo.totp_secret, demo.username),
                    created,
                )
            )
        uow.commit()
    return seeded
