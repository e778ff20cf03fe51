"""`healthcode verify`: a checkpoint's decision, offline, from a token or a photo of its QR."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from healthcode.cli.context import system
from healthcode.cli.output import emit, parse_at, refuse
from healthcode.credentials.claims import Colour as CodeColour
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, Decision, Outcome, verify
from healthcode.domain.errors import DomainError, InvalidInput
from healthcode.services.keys import list_keys

EXIT = {Outcome.PASS: 0, Outcome.STOP: 1, Outcome.INVALID: 2}
_STYLE = {Outcome.PASS: "bold white on green", Outcome.STOP: "bold white on red"}


def read_qr_image(path: Path) -> str:
    """The text of the first QR code found in a photo or screenshot."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            found = zxingcpp.read_barcodes(image.convert("L"))
    except (OSError, UnidentifiedImageError) as error:
        raise InvalidInput.one("image", f"cannot read {path}: {error}") from None
    texts = [b.text for b in found if b.format == zxingcpp.BarcodeFormat.QRCode]
    if not texts:
        raise InvalidInput.one("image", f"no QR code found in {path}")
    return texts[0]


def _root_from_text(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise InvalidInput.one("root_key", "must be a base64url Ed25519 public key (32 bytes)")
    return raw


def _pinned_root(jurisdiction: str, root_key: str | None, as_json: bool) -> bytes:
    """The root key to trust: given on the command line, else this instance's own root."""
    if root_key is not None:
        return _root_from_text(root_key)
    with system(as_json=as_json) as c:
        roots = [k for k in list_keys(uow=c.uow(), jurisdiction=jurisdiction) if k.role == "root"]
    if not roots:
        raise InvalidInput.one(
            "root_key", f"no root key of {jurisdiction} is known here: pass --root-key"
        )
    return roots[-1].public_key


def _payload(decision: Decision) -> dict[str, Any]:
    return {
        "outcome": decision.outcome.value,
        "reason": decision.reason.value,
        "message": decision.message,
        "colour": None if decision.colour is None else decision.colour.value,
        "masked_name": decision.masked_name,
        "issuer": decision.issuer,
        "expires_at": decision.expires_at,
        "degraded": decision.degraded,
    }


def verify_command(
    token: Annotated[str | None, typer.Argument(help="The code text (HZ1:…).")] = None,
    trust_list: Annotated[
        list[Path], typer.Option("--trust-list", help="A trust-list file (repeatable).")
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    root_key: Annotated[
        str | None,
        typer.Option(
            "--root-key",
            help="The issuer's pinned root public key (base64url); default: this instance's.",
        ),
    ] = None,
    image: Annotated[
        Path | None, typer.Option("--image", help="Read the code from a photo of its QR.")
    ] = None,
    colour: Annotated[
        list[str], typer.Option("--colour", help="A colour that passes here (repeatable).")
    ] = ["green"],  # noqa: B006 - Typer reads the default, never mutates it
    at: Annotated[str | None, typer.Option("--at", help="Decide as at this ISO 8601 time.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Verify a code offline against trust lists: exit 0 pass, 1 stop, 2 invalid."""
    moment = parse_at(at, as_json=as_json)
    try:
        if (token is None) == (image is None):
            raise InvalidInput.one("token", "give either a TOKEN or --image FILE")
        text = read_qr_image(image) if image is not None else token
        assert text is not None
        if not trust_list:
            raise InvalidInput.one("trust_list", "at least one --trust-list FILE is needed")
        signed = [load_trust_list(p.read_bytes()) for p in trust_list]
        roots = {
            s.trust_list.jurisdiction: load_public_key(
                _pinned_root(s.trust_list.jurisdiction, root_key, as_json)
            )
            for s in signed
        }
        store = TrustStore(roots=roots)
        for s in signed:
            store.accept(s)
        accepted = frozenset(CodeColour(c) for c in colour if c in {x.value for x in CodeColour})
        if len(accepted) != len(set(colour)):
            raise InvalidInput.one("colour", "must be green, yellow or red")
        acceptance = Acceptance(frozenset(roots), accepted)
    except (DomainError, OSError) as error:
        refuse(error if isinstance(error, DomainError) else str(error), as_json=as_json, code=2)
    decision = verify(
        text, trust_lists=store, at=moment or datetime.now(UTC), acceptance=acceptance
    )

    def human(console: Console) -> None:
        style = _STYLE.get(decision.outcome, "bold white on grey35")
        console.print(f"[{style}] {decision.outcome.value.upper()} [/] {decision.message}")
        if decision.colour is not None:
            console.print(f"{decision.masked_name} · {decision.colour.value} · {decision.issuer}")

    emit(_payload(decision), as_json=as_json, human=human)
    raise typer.Exit(EXIT[decision.outcome])
