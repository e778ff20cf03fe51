"""Demo data: three partner super-apps and the city website as channels. Idempotent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from healthcode.identity.channels import NewChannel, new_channel
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.kernel.clock import Clock

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
