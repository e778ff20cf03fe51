"""A jurisdiction's keys: a long-lived root that signs trust lists, and signing keys for codes
that rotate without downtime (an old key stays trusted until the last code it signed expires).

The published trust list is v3: it expires (`HEALTHCODE_TRUST_LIST_LIFETIME_SECONDS`, 7 days by
default) and is published anew, with the next sequence number, once half its life has passed
or half the age at which the policy's checkpoints call a held list stale
(``acceptance.max_trust_list_age``, one day: so every 12 hours), whichever comes first; a
checkpoint that fetches it that often never holds a stale or expired list. A new root
is announced ahead (`announce_root`): until it takes over, the lists the current root signs name
it as `next_root`; from then on the new root signs."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

from healthcode.checkpoint.acceptance import max_trust_list_age
from healthcode.codes.model import KeyRecord, Publication
from healthcode.codes.ports import CodesUnitOfWork, PrivateKeyStore
from healthcode.credentials.cose import kid_of, public_key_bytes
from healthcode.credentials.signer import generate_private_key, load_public_key
from healthcode.credentials.trustfile import TRUST_LIST_FORMAT, dump_trust_list
from healthcode.credentials.trustlist import TrustedKey, build_trust_list, sign_trust_list
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, DomainError, InvalidInput, NotFound

ROOT = "root"
SIGNING = "signing"
ROOT_LIFE = timedelta(days=3650)
SIGNING_LIFE = timedelta(days=90)
ROTATION_OVERLAP = timedelta(seconds=1)
DEFAULT_TRUST_LIST_LIFETIME = timedelta(days=7)
"""How long a published trust list is valid (setting HEALTHCODE_TRUST_LIST_LIFETIME_SECONDS)."""


class NoSigningKey(DomainError):
    """No key may sign now: keys were never initialised or all have expired."""

    def __init__(self, jurisdiction: str) -> None:
        super().__init__(
            f"no signing key of {jurisdiction} is valid now: run `healthcode keys init` "
            "(first time) or `healthcode keys rotate`"
        )


def _new_key(
    *,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    role: str,
    now: datetime,
    life: timedelta,
    starts: datetime | None = None,
) -> KeyRecord:
    private_key = generate_private_key()
    public = public_key_bytes(private_key.public_key())
    record = KeyRecord(
        kid=kid_of(public).hex(),
        jurisdiction=jurisdiction,
        role=role,
        public_key=public,
        created_at=now,
        valid_from=starts or now,
        valid_until=(starts or now) + life,
    )
    private_keys.save(record.kid, private_key)
    return record


def init_keys(
    *, uow: CodesUnitOfWork, clock: Clock, private_keys: PrivateKeyStore, jurisdiction: str
) -> list[KeyRecord]:
    """Create the root key and the first signing key; refuse if keys exist already."""
    now = _second(clock.now())
    with uow:
        if uow.keys.all(jurisdiction):
            raise Conflict("keys", f"{jurisdiction} has keys already: use `healthcode keys rotate`")
        created = [
            _new_key(
                private_keys=private_keys, jurisdiction=jurisdiction, role=role, now=now, life=life
            )
            for role, life in ((ROOT, ROOT_LIFE), (SIGNING, SIGNING_LIFE))
        ]
        for record in created:
            uow.keys.add(record)
        uow.commit()
    return created


def rotate_signing_key(
    *, uow: CodesUnitOfWork, clock: Clock, private_keys: PrivateKeyStore, jurisdiction: str
) -> KeyRecord:
    """A new signing key signs from now on; the keys it replaces stop signing now but stay in
    the trust list until every code they signed has expired."""
    now = _second(clock.now())
    with uow:
        if not uow.keys.all(jurisdiction, role=ROOT):
            raise NoSigningKey(jurisdiction)
        record = _new_key(
            private_keys=private_keys,
            jurisdiction=jurisdiction,
            role=SIGNING,
            now=now,
            life=SIGNING_LIFE,
        )
        # An old key may still sign codes issued within the current second (an issue that read
        # it just before this rotation), so its validity ends one second later, not now.
        for old in uow.keys.all(jurisdiction, role=SIGNING):
            uow.keys.end_validity(old.kid, now + ROTATION_OVERLAP)
        uow.keys.add(record)
        uow.commit()
    return record


def announce_root(
    *,
    uow: CodesUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    takes_over_at: datetime,
) -> KeyRecord:
    """Create the next root key, signing trust lists from `takes_over_at`; until then the lists
    the current root signs announce it (`next_root`), so checkpoints holding one accept it.

    Let at least one list lifetime pass before the takeover: a checkpoint that has not fetched
    an announcing list by then refuses the new root's lists (and must have it pinned anew)."""
    now = _second(clock.now())
    takes_over_at = _second(takes_over_at)
    if takes_over_at <= now:
        raise InvalidInput.one("takes_over_at", "must be in the future")
    with uow:
        root_key(uow, jurisdiction=jurisdiction, now=now)  # there is a root to announce from
        if any(k.valid_from > now for k in uow.keys.all(jurisdiction, role=ROOT)):
            raise Conflict("keys", f"a next root of {jurisdiction} is announced already")
        record = _new_key(
            private_keys=private_keys,
            jurisdiction=jurisdiction,
            role=ROOT,
            now=now,
            life=ROOT_LIFE,
            starts=takes_over_at,
        )
        uow.keys.add(record)
        uow.commit()
    return record


def next_root_key(uow: CodesUnitOfWork, *, jurisdiction: str, now: datetime) -> KeyRecord | None:
    """The root announced to take over after ``now``, if any."""
    later = [k for k in uow.keys.all(jurisdiction, role=ROOT) if k.valid_from > now]
    return min(later, key=lambda k: k.valid_from) if later else None


def list_keys(*, uow: CodesUnitOfWork, jurisdiction: str) -> list[KeyRecord]:
    with uow:
        return uow.keys.all(jurisdiction)


def signing_key_now(uow: CodesUnitOfWork, *, jurisdiction: str, now: datetime) -> KeyRecord:
    """The newest signing key valid at ``now`` (inside the caller's transaction)."""
    valid = [
        k for k in uow.keys.all(jurisdiction, role=SIGNING) if k.valid_from <= now < k.valid_until
    ]
    if not valid:
        raise NoSigningKey(jurisdiction)
    return max(valid, key=lambda k: (k.valid_from, k.kid))


def root_key(uow: CodesUnitOfWork, *, jurisdiction: str, now: datetime) -> KeyRecord:
    roots = [
        k for k in uow.keys.all(jurisdiction, role=ROOT) if k.valid_from <= now < k.valid_until
    ]
    if not roots:
        raise NoSigningKey(jurisdiction)
    return max(roots, key=lambda k: k.valid_from)


def trust_list_document(
    *,
    uow: CodesUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    code_lifetime: timedelta,
    clock_skew: timedelta,
    list_lifetime: timedelta = DEFAULT_TRUST_LIST_LIFETIME,
) -> str:
    """The jurisdiction's current signed trust list (JSON file form).

    It lists every signing key that is valid now or whose codes may still be alive. A new
    sequence number is published only when that content changes; otherwise the last
    publication is returned unchanged."""
    with uow:
        document = current_trust_list(
            uow,
            clock=clock,
            private_keys=private_keys,
            jurisdiction=jurisdiction,
            code_lifetime=code_lifetime,
            clock_skew=clock_skew,
            list_lifetime=list_lifetime,
        )
        uow.commit()
    return document


def current_trust_list(
    uow: CodesUnitOfWork,
    *,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    code_lifetime: timedelta,
    clock_skew: timedelta,
    list_lifetime: timedelta = DEFAULT_TRUST_LIST_LIFETIME,
) -> str:
    """``trust_list_document``, inside the caller's transaction (a new publication is added to
    it when the content changed, or when the last one has lived half its life or half the
    policy's ``max_trust_list_age``)."""
    now = _second(clock.now())
    root = root_key(uow, jurisdiction=jurisdiction, now=now)
    next_root = next_root_key(uow, jurisdiction=jurisdiction, now=now)
    alive = [
        k
        for k in uow.keys.all(jurisdiction, role=SIGNING)
        if k.valid_until + code_lifetime + clock_skew > now
    ]
    # what the list says: its format, root, keys and the longest a code lives (a list of an
    # older format, or published under another lifetime setting, is published anew)
    content = hashlib.sha256(
        repr(
            [
                TRUST_LIST_FORMAT,
                int(code_lifetime.total_seconds()),
                None if next_root is None else next_root.kid,
                *[(root.kid, k.kid, k.valid_from, k.valid_until) for k in alive],
            ]
        ).encode()
    ).hexdigest()
    last = uow.keys.last_publication(jurisdiction)
    renew = _renewal(uow, jurisdiction)
    if last is not None and last.content_sha256 == content and not _due(last.document, now, renew):
        return last.document
    trust_list = build_trust_list(
        jurisdiction=jurisdiction,
        sequence=0 if last is None else last.sequence + 1,
        issued_at=now,
        keys=[TrustedKey(k.public_key, k.valid_from, k.valid_until) for k in alive],
        root_public_key=private_keys.load(root.kid).public_key(),
        max_code_lifetime=code_lifetime,
        expires_at=now + max(list_lifetime, timedelta(seconds=2)),
        next_root=None if next_root is None else load_public_key(next_root.public_key),
    )
    document = dump_trust_list(
        sign_trust_list(trust_list, root_private_key=private_keys.load(root.kid))
    )
    # two requests may find the content changed at once: the first to store it wins
    stored = uow.keys.add_publication(
        Publication(
            sequence=trust_list.sequence,
            jurisdiction=jurisdiction,
            content_sha256=content,
            issued_at=now,
            document=document,
        )
    )
    return stored.document


def _renewal(uow: CodesUnitOfWork, jurisdiction: str) -> timedelta | None:
    """Half the age at which the jurisdiction's policy calls a held list stale (None: no
    policy), so that a checkpoint fetching the list at least that often never holds a stale
    one: its list is then at most the renewal plus the fetch interval old."""
    try:
        policy = uow.policies.active(jurisdiction)
    except NotFound:
        return None
    return max_trust_list_age(policy) / 2


def _due(document: str, now: datetime, renew: timedelta | None) -> bool:
    """True when a published list has lived half its life, or ``renew`` (or has no expiry: an
    older format)."""
    published = json.loads(document)
    if "expires_at" not in published:
        return True
    issued = datetime.strptime(published["issued_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    expires = datetime.strptime(published["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    half = (expires - issued) / 2
    return now >= issued + (half if renew is None else min(half, renew))


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)
