"""What the offline checkpoint commands (`scan`, `verify`) share: the trust lists they hold,
the root keys they pin, the policy they decide by.

An offline checkpoint needs only its device file and its trust lists, from any folder. Each
jurisdiction's root key is pinned by ``--root-key JURISDICTION=KEY`` (repeatable), else by a
bare ``--root-key KEY`` (the older single-root form: it pins every jurisdiction not named), else
by the device file (``device add --key-out`` writes its jurisdiction's root into it), else by
this instance's own keys — and those are read only when this instance's database is there: a
command run elsewhere never opens (so never creates) ``var/healthcode.db``.

``--trust-list`` takes files or folders (every ``*.json`` in them). The lists of one
jurisdiction are accepted in the order of their sequence numbers, each against that
jurisdiction's root (so a root rotation announced in one list is followed by the next); a list
refused is reported and the last good one kept; a jurisdiction left with no list is an error
naming it and the file."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.console import Console

from healthcode.cli.context import load_settings, missing_database, system
from healthcode.codes.keys import list_keys
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.trustlist import SignedTrustList
from healthcode.credentials.truststore import TrustStore
from healthcode.federation.bundle import bundle_roots, parse_bundle, verified_bundle
from healthcode.kernel.errors import DomainError, InvalidInput, NotFound
from healthcode.policy.bundled import bundled_policy
from healthcode.policy.loader import load_policy_file
from healthcode.policy.model import Policy

_NAMED = re.compile(r"([1-9][0-9]{5})=(.*)", re.DOTALL)


def root_from_text(text: str) -> bytes:
    """A root key given on the command line (base64url Ed25519 public key)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise InvalidInput.one("root_key", "must be a base64url Ed25519 public key (32 bytes)")
    return raw


def _instance_root(jurisdiction: str, as_json: bool) -> bytes:
    missing = missing_database(load_settings(as_json=as_json).database_url)
    if missing is not None:
        raise InvalidInput.one(
            "root_key",
            f"no root key of {jurisdiction} is pinned: pass --root-key (the issuer's, from "
            "`healthcode keys list`) or use a device file that holds it",
        )
    with system(as_json=as_json) as c:
        roots = [k for k in list_keys(uow=c.uow(), jurisdiction=jurisdiction) if k.role == "root"]
    if not roots:
        raise InvalidInput.one(
            "root_key", f"no root key of {jurisdiction} is known here: pass --root-key"
        )
    return roots[-1].public_key


def root_options(given: Iterable[str]) -> tuple[dict[str, bytes], bytes | None]:
    """The ``--root-key`` options: keys named by jurisdiction, and the one bare key (if any)."""
    named: dict[str, bytes] = {}
    bare: bytes | None = None
    for text in given:
        match = _NAMED.fullmatch(text)
        if match is None:
            if bare is not None:
                raise InvalidInput.one(
                    "root_key", "one bare KEY at most: name the others JURISDICTION=KEY"
                )
            bare = root_from_text(text)
            continue
        jurisdiction, key = match.groups()
        if jurisdiction in named:
            raise InvalidInput.one("root_key", f"{jurisdiction} is given twice")
        try:
            named[jurisdiction] = root_from_text(key)
        except InvalidInput:
            raise InvalidInput.one(
                "root_key", f"{jurisdiction}: must be a base64url Ed25519 public key (32 bytes)"
            ) from None
    return named, bare


def pinned_roots(
    jurisdictions: Iterable[str],
    *,
    given: str | Iterable[str] | None,
    held: Mapping[str, bytes] | None = None,
    as_json: bool,
) -> dict[str, Ed25519PublicKey]:
    """The root key to trust for each jurisdiction whose trust list is given."""
    named, bare = root_options([given] if isinstance(given, str) else given or [])
    roots: dict[str, Ed25519PublicKey] = {}
    for jurisdiction in sorted(jurisdictions):
        if jurisdiction in named:
            raw = named[jurisdiction]
        elif bare is not None:
            raw = bare
        elif held and jurisdiction in held:
            raw = held[jurisdiction]
        else:
            raw = _instance_root(jurisdiction, as_json)
        roots[jurisdiction] = load_public_key(raw)
    return roots


def trust_list_files(given: Iterable[Path]) -> list[Path]:
    """The files of ``--trust-list``: each file given, and every ``*.json`` of a folder."""
    files: list[Path] = []
    for path in given:
        files += sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise InvalidInput.one("trust_list", "at least one --trust-list FILE (or folder) is needed")
    return files


@dataclass
class HeldLists:
    """A checkpoint's store made from files, and what became of each file."""

    store: TrustStore
    files: dict[str, Path] = field(default_factory=dict)  # jurisdiction -> the file held
    refused: dict[str, list[str]] = field(default_factory=dict)  # jurisdiction -> why

    def report(self, *, at: datetime, limit: timedelta) -> list[dict[str, Any]]:
        """Each held list: its age, whether it is stale past ``limit``, the files refused."""
        rows: list[dict[str, Any]] = []
        for jurisdiction in sorted(self.store.jurisdictions):
            tl = self.store.trust_list(jurisdiction)
            age = self.store.age(jurisdiction, at=at)
            if tl is None or age is None:
                continue
            rows.append(
                {
                    "jurisdiction": jurisdiction,
                    "file": str(self.files[jurisdiction]),
                    "sequence": tl.sequence,
                    "issued_at": tl.issued_at,
                    "expires_at": tl.expires_at,
                    "age_seconds": int(age.total_seconds()),
                    "stale": self.store.stale(jurisdiction, at=at, limit=limit),
                    "max_age_seconds": int(limit.total_seconds()),
                    "refused": self.refused.get(jurisdiction, []),
                }
            )
        return rows


def hold_trust_lists(
    given: Iterable[Path],
    *,
    root_keys: str | Iterable[str] | None,
    held: Mapping[str, bytes] | None = None,
    at: datetime,
    as_json: bool,
) -> HeldLists:
    """A trust store holding the lists of ``given`` (files or folders), each checked against
    its own jurisdiction's pinned root at ``at``; a refused list is reported, the last good one
    of its jurisdiction kept, and a jurisdiction left without one is an error naming it."""
    loaded: list[tuple[Path, SignedTrustList]] = []
    for path in trust_list_files(given):
        try:
            loaded.append((path, load_trust_list(path.read_bytes())))
        except InvalidInput as error:
            raise InvalidInput.one("trust_list", f"{path}: {_reason(error)}") from None
    loaded.sort(key=lambda item: (item[1].trust_list.jurisdiction, item[1].trust_list.sequence))
    jurisdictions = {s.trust_list.jurisdiction for _, s in loaded}
    roots = pinned_roots(jurisdictions, given=root_keys, held=held, as_json=as_json)
    result = HeldLists(TrustStore(roots=roots))
    for path, signed in loaded:
        jurisdiction = signed.trust_list.jurisdiction
        try:
            result.store.accept(signed, at=at)
        except DomainError as error:
            result.refused.setdefault(jurisdiction, []).append(f"{path}: {_reason(error)}")
            continue
        result.files[jurisdiction] = path
    for jurisdiction in sorted(jurisdictions - result.store.jurisdictions):
        raise InvalidInput.one(
            "trust_list",
            f"no trust list of {jurisdiction} could be held: "
            + "; ".join(result.refused[jurisdiction]),
        )
    return result


def hold_lists(
    given: Iterable[Path],
    bundle: Path | None,
    *,
    root_keys: str | Iterable[str] | None,
    held: Mapping[str, bytes] | None = None,
    at: datetime,
    as_json: bool,
) -> HeldLists:
    """The lists of ``--bundle`` or of ``--trust-list`` (one or the other)."""
    if bundle is None:
        return hold_trust_lists(given, root_keys=root_keys, held=held, at=at, as_json=as_json)
    if list(given):
        raise InvalidInput.one("bundle", "give --bundle or --trust-list, not both")
    return hold_bundle(bundle, root_keys=root_keys, held=held, at=at, as_json=as_json)


def hold_bundle(
    path: Path,
    *,
    root_keys: str | Iterable[str] | None,
    held: Mapping[str, bytes] | None = None,
    at: datetime,
    as_json: bool,
) -> HeldLists:
    """A trust store of the lists in a trust bundle (``GET
    /.well-known/healthcode/trust-bundle``): the bundle checked under its city's pinned root
    (``--root-key``, the device file's or this instance's), then each list under its own
    jurisdiction's root, the peers' as the bundle vouches for them. A refused peer list is
    reported and left out; this city's own list refused is an error."""
    parsed = parse_bundle(path.read_bytes())
    own = parsed.jurisdiction
    root = pinned_roots([own], given=root_keys, held=held, as_json=as_json)[own]
    bundle = verified_bundle(parsed, root_public_key=root)
    result = HeldLists(TrustStore(roots=bundle_roots(bundle, root_public_key=root)))
    for index, text in enumerate(bundle.lists):
        where = f"{path}: lists[{index}]"
        try:
            signed = load_trust_list(text)
        except InvalidInput as error:
            result.refused.setdefault(own if index == 0 else "?", []).append(
                f"{where}: {_reason(error)}"
            )
            continue
        jurisdiction = signed.trust_list.jurisdiction
        try:
            result.store.accept(signed, at=at)
        except DomainError as error:
            result.refused.setdefault(jurisdiction, []).append(f"{where}: {_reason(error)}")
            continue
        result.files[jurisdiction] = path
    if own not in result.store.jurisdictions:
        raise InvalidInput.one(
            "bundle",
            f"no trust list of {own} could be held: "
            + "; ".join(result.refused.get(own, [f"{path}: it holds none"])),
        )
    return result


def _reason(error: DomainError) -> str:
    problems = getattr(error, "problems", None)
    if problems:
        return "; ".join(f"{p.field}: {p.message}" for p in problems)
    return str(error)


def checkpoint_policy(path: Path | None, jurisdiction: str | None) -> Policy | None:
    """The policy a checkpoint decides by: the file given (``--policy``; it must be of
    ``jurisdiction`` when one is given), else the bundled policy of ``jurisdiction``, else none
    (every held list's codes take the checkpoint's own colours)."""
    if path is not None:
        policy = load_policy_file(path)
        if jurisdiction is not None and policy.jurisdiction != jurisdiction:
            raise InvalidInput.one(
                "policy", f"{path} is the policy of {policy.jurisdiction}, not of {jurisdiction}"
            )
        return policy
    try:
        return None if jurisdiction is None else bundled_policy(jurisdiction)
    except NotFound:
        return None


def print_trust_lists(console: Console, rows: list[dict[str, Any]]) -> None:
    """One line per held trust list: its age, and STALE past the limit; then any refusals."""
    for row in rows:
        hours = row["age_seconds"] / 3600
        stale = " [bold yellow]STALE[/]" if row["stale"] else ""
        console.print(
            f"trust list {row['jurisdiction']} #{row['sequence']}: {hours:.1f} h old "
            f"(limit {row['max_age_seconds'] / 3600:.0f} h){stale}",
            markup=True,
            highlight=False,
        )
        for refusal in row["refused"]:
            console.print(f"  refused: {refusal}", markup=False, highlight=False)
