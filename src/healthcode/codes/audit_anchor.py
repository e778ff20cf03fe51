"""The access log anchored outside the database: its head signed by the root key, published
by the worker and on demand, kept by auditors; verifying against their copies finds a log
cut back to an earlier head or with its tail replaced, which the keyed chain alone cannot
(an older copy of the head row is a valid head)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from healthcode.codes.keys import ROOT, root_key
from healthcode.codes.ports import CodesUnitOfWork, PrivateKeyStore
from healthcode.credentials.anchor import (
    AuditAnchor,
    SignedAnchor,
    dump_anchor,
    load_anchor,
    sign_anchor,
)
from healthcode.credentials.signer import load_public_key
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, Problem
from healthcode.oversight.audit_chain import GENESIS, ChainProblem


def current_anchor(
    *, uow: CodesUnitOfWork, clock: Clock, private_keys: PrivateKeyStore, jurisdiction: str
) -> SignedAnchor:
    """The access log's head now, signed by the jurisdiction's root key."""
    now = clock.now().replace(microsecond=0)
    with uow:
        root = root_key(uow, jurisdiction=jurisdiction, now=now)
        seq, head = uow.audit.head()
    anchor = AuditAnchor(jurisdiction, seq, head, now, bytes.fromhex(root.kid))
    return sign_anchor(anchor, root_private_key=private_keys.load(root.kid))


def anchor_document(
    *, uow: CodesUnitOfWork, clock: Clock, private_keys: PrivateKeyStore, jurisdiction: str
) -> str:
    """``current_anchor`` in its file form (docs/access-and-audit.md#anchors)."""
    return dump_anchor(
        current_anchor(uow=uow, clock=clock, private_keys=private_keys, jurisdiction=jurisdiction)
    )


def publish_anchor(
    *,
    uow: CodesUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    folder: Path,
) -> Path | None:
    """Write the current anchor to ``folder`` as ``audit-anchor-<jurisdiction>-<seq>.json``
    (the worker's publication, for copying off the machine); None when an anchor of this head
    is there already. Files are never overwritten: an earlier anchor stays as evidence."""
    signed = current_anchor(
        uow=uow, clock=clock, private_keys=private_keys, jurisdiction=jurisdiction
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"audit-anchor-{jurisdiction}-{signed.anchor.seq:012d}.json"
    if path.exists():
        return None
    # written whole under a private name, then linked: a reader never sees half a file, and
    # of two workers publishing the same head one wins and the other leaves the file alone
    fd, partial = tempfile.mkstemp(dir=folder, prefix=".anchor-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(dump_anchor(signed))
        os.chmod(partial, 0o644)  # a public document, meant to be copied
        os.link(partial, path)
    except FileExistsError:
        return None
    finally:
        os.unlink(partial)
    return path


@dataclass(frozen=True)
class AnchorProblem:
    """What an anchor shows is wrong with the log (or with the anchor itself)."""

    anchor: str
    seq: int
    kind: Literal["truncated", "replaced", "not_signed", "other_jurisdiction"]
    detail: str

    def __str__(self) -> str:
        return self.detail


@dataclass(frozen=True)
class AnchoredVerification:
    """The chain checked whole, and against each anchor given."""

    records: int
    problem: ChainProblem | None
    anchors: int
    anchor_problems: tuple[AnchorProblem, ...]

    @property
    def intact(self) -> bool:
        return self.problem is None and not self.anchor_problems


def parse_anchors(anchors: Sequence[tuple[str, str]]) -> list[tuple[str, SignedAnchor]]:
    """Each ``(name, text)`` parsed; a malformed one is refused naming the file and field."""
    parsed = []
    for name, text in anchors:
        try:
            parsed.append((name, load_anchor(text)))
        except InvalidInput as exc:
            raise InvalidInput(
                [Problem(f"{name}: {p.field}", p.message) for p in exc.problems]
            ) from None
    return parsed


def _check(
    uow: CodesUnitOfWork, name: str, signed: SignedAnchor, jurisdiction: str
) -> AnchorProblem | None:
    anchor = signed.anchor
    if anchor.jurisdiction != jurisdiction:
        return AnchorProblem(
            name,
            anchor.seq,
            "other_jurisdiction",
            f"anchor {name} is of {anchor.jurisdiction}, not {jurisdiction}",
        )
    roots = [k for k in uow.keys.all(jurisdiction, role=ROOT) if k.kid == anchor.root_kid.hex()]
    if not any(signed.signed_by(load_public_key(k.public_key)) for k in roots):
        return AnchorProblem(
            name,
            anchor.seq,
            "not_signed",
            f"anchor {name} is not signed by a root key of {jurisdiction} (forged or altered)",
        )
    if anchor.seq == 0:
        return None if anchor.head == GENESIS else _replaced(name, anchor)
    record = uow.audit.record_at(anchor.seq)
    if record is None:
        last = uow.audit.last_seq()
        if last < anchor.seq:
            return AnchorProblem(
                name,
                anchor.seq,
                "truncated",
                f"the log ends at seq {last} but anchor {name} says seq {anchor.seq} existed",
            )
        return AnchorProblem(
            name, anchor.seq, "truncated", f"record {anchor.seq} that anchor {name} names is gone"
        )
    return None if record.hash == anchor.head else _replaced(name, anchor)


def _replaced(name: str, anchor: AuditAnchor) -> AnchorProblem:
    return AnchorProblem(
        name,
        anchor.seq,
        "replaced",
        f"record {anchor.seq} is not the one anchor {name} names: the log was replaced from "
        f"there on",
    )


def verify_with_anchors(
    *, uow: CodesUnitOfWork, jurisdiction: str, anchors: Sequence[tuple[str, str]]
) -> AnchoredVerification:
    """Check the whole chain, then each anchor ``(name, text)``: signed by a root key of the
    jurisdiction, and the log still holds a record at its seq with its MAC (the chain check
    makes every later record follow from it). One transaction: one view of the log."""
    parsed = parse_anchors(anchors)
    with uow:
        count, problem = uow.audit.verify()
        found = [_check(uow, name, signed, jurisdiction) for name, signed in parsed]
    return AnchoredVerification(
        records=count,
        problem=problem,
        anchors=len(parsed),
        anchor_problems=tuple(p for p in found if p is not None),
    )
