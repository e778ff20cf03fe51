"""`healthcode keys|trust-list|code|verify`: signed codes from issuing to offline checking."""

from __future__ import annotations

import base64
from datetime import UTC, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.checkpoint.acceptance import (
    DEFAULT_MAX_TRUST_LIST_AGE,
    acceptance_for,
    max_trust_list_age,
)
from healthcode.cli.context import load_settings, reader, system
from healthcode.cli.exit_codes import ExitCode, for_outcome
from healthcode.cli.offline import checkpoint_policy, hold_lists, print_trust_lists
from healthcode.cli.options import AtOpt, BreakGlassOpt, JsonOpt, ReaderOpt
from healthcode.cli.output import emit, parse_at, parse_time, refusals, refuse
from healthcode.cli.table import CommandTable
from healthcode.codes.issuing import issue_code
from healthcode.codes.keys import (
    announce_root,
    init_keys,
    list_keys,
    rotate_signing_key,
    trust_list_document,
)
from healthcode.codes.model import KeyRecord
from healthcode.credentials.qr import qr_png, qr_svg, qr_version
from healthcode.credentials.verify import Acceptance, Decision, Outcome, verify
from healthcode.kernel.clock import SystemClock
from healthcode.kernel.errors import DomainError, InvalidInput
from healthcode.kernel.facts import Colour
from healthcode.presence.settings import accepted_colours
from healthcode.presence.venue_kinds import kinds_text, parse_kind

keys_app = typer.Typer(help="The jurisdiction's root and code-signing keys.", no_args_is_help=True)


trust_app = typer.Typer(help="The signed trust list checkpoints hold.", no_args_is_help=True)


def _key(record: KeyRecord) -> dict[str, Any]:
    return {
        "kid": record.kid,
        "role": record.role,
        "jurisdiction": record.jurisdiction,
        "public_key": base64.urlsafe_b64encode(record.public_key).decode().rstrip("="),
        "valid_from": record.valid_from,
        "valid_until": record.valid_until,
    }


def _keys_table(records: list[KeyRecord], console: Console) -> None:
    table = Table("kid", "role", "valid from", "valid until", "public key")
    for r in records:
        k = _key(r)
        table.add_row(
            k["kid"], k["role"], str(k["valid_from"]), str(k["valid_until"]), k["public_key"]
        )
    console.print(table)


@keys_app.command("init")
def keys_init(
    at: AtOpt = None,
    if_missing: Annotated[
        bool, typer.Option("--if-missing", help="Do nothing (exit 0) when keys exist already.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create the root key and the first signing key (refused if keys exist)."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        if if_missing:
            existing = list_keys(uow=c.uow(), jurisdiction=c.settings.jurisdiction)
            if existing:
                emit(
                    [_key(r) for r in existing],
                    as_json=as_json,
                    human=lambda con: con.print("keys exist already: kept them"),
                )
                return
        created = init_keys(
            uow=c.uow(),
            clock=c.clock,
            private_keys=c.private_keys,
            jurisdiction=c.settings.jurisdiction,
        )
    emit([_key(r) for r in created], as_json=as_json, human=lambda con: _keys_table(created, con))


@keys_app.command("rotate")
def keys_rotate(at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """Start signing with a new key now; old keys stay trusted until their codes expire."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        record = rotate_signing_key(
            uow=c.uow(),
            clock=c.clock,
            private_keys=c.private_keys,
            jurisdiction=c.settings.jurisdiction,
        )
    emit(
        _key(record), as_json=as_json, human=lambda con: con.print(f"now signing with {record.kid}")
    )


@keys_app.command("announce-root")
def keys_announce_root(
    takes_over_at: Annotated[
        str,
        typer.Option(
            "--takes-over-at",
            help="When the new root starts signing trust lists (ISO 8601; at least one list "
            "lifetime ahead, so every checkpoint meets the announcement).",
        ),
    ],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create the next root key; the trust lists signed until it takes over announce it."""
    moment = parse_time(takes_over_at, field="takes_over_at", as_json=as_json)
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        record = announce_root(
            uow=c.uow(),
            clock=c.clock,
            private_keys=c.private_keys,
            jurisdiction=c.settings.jurisdiction,
            takes_over_at=moment,
        )
    emit(
        _key(record),
        as_json=as_json,
        human=lambda con: con.print(
            f"root {record.kid} announced; it signs trust lists from {record.valid_from}"
        ),
    )


@keys_app.command("list")
def keys_list(as_json: JsonOpt = False) -> None:
    """List the keys with their roles and validity periods."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        records = list_keys(uow=c.uow(), jurisdiction=c.settings.jurisdiction)
    emit([_key(r) for r in records], as_json=as_json, human=lambda con: _keys_table(records, con))


@trust_app.command("export")
def trust_list_export(
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print (or write) the current signed trust list."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        document = trust_list_document(
            uow=c.uow(),
            clock=c.clock,
            private_keys=c.private_keys,
            jurisdiction=c.settings.jurisdiction,
            code_lifetime=c.settings.code_lifetime,
            clock_skew=c.settings.clock_skew,
            list_lifetime=c.settings.trust_list_lifetime,
        )
    if out is None:
        typer.echo(document, nl=False)
        return
    out.write_text(document, encoding="utf-8")
    emit({"written": str(out)}, as_json=as_json, human=lambda con: con.print(f"wrote {out}"))


def code(
    subject: str,
    as_: ReaderOpt = None,
    break_glass: BreakGlassOpt = None,
    at: AtOpt = None,
    qr: Annotated[
        Path | None, typer.Option("--qr", help="Also write the QR code to FILE.svg or FILE.png.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue a person's signed code now (or --at a time); optionally write it as a QR image
    (`--as` an official logged in, or `--break-glass REASON`; the read is in the person's
    access log)."""
    with refusals(as_json=as_json):
        if qr is not None and qr.suffix.lower() not in (".svg", ".png"):
            raise InvalidInput.one("qr", "must end in .svg or .png")
    moment = parse_at(at, as_json=as_json)
    with reader(as_, break_glass, at=moment, as_json=as_json) as (c, who):
        issued = issue_code(
            uow=c.uow(),
            clock=c.clock,
            private_keys=c.private_keys,
            subject=subject,
            lifetime=c.settings.code_lifetime,
            reader=who,
        )
    if qr is not None:
        if qr.suffix.lower() == ".svg":
            qr.write_text(qr_svg(issued.token), encoding="utf-8")
        else:
            qr.write_bytes(qr_png(issued.token))
    payload = {
        "token": issued.token,
        "colour": issued.colour,
        "masked_name": issued.masked_name,
        "issuer": issued.issuer,
        "issued_at": issued.issued_at,
        "expires_at": issued.expires_at,
        "kid": issued.kid,
        "qr_version": qr_version(issued.token),
    }
    emit(
        payload,
        as_json=as_json,
        human=lambda con: con.print(
            f"{issued.colour} code for {issued.masked_name}, valid until "
            f"{issued.expires_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z\n{issued.token}"
        ),
    )


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
    token: Annotated[str | None, typer.Argument(help="The code text (HZ2:…).")] = None,
    trust_list: Annotated[
        list[Path],
        typer.Option("--trust-list", help="A trust-list file, or a folder of them (repeatable)."),
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="A trust bundle (a city's /.well-known/healthcode/trust-bundle) instead of "
            "--trust-list: checked under that city's root, its peers' lists under theirs.",
        ),
    ] = None,
    root_key: Annotated[
        list[str],
        typer.Option(
            "--root-key",
            help="A pinned root key, JURISDICTION=KEY (base64url; repeatable); a bare KEY pins "
            "every jurisdiction not named; default: this instance's.",
        ),
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    image: Annotated[
        Path | None, typer.Option("--image", help="Read the code from a photo of its QR.")
    ] = None,
    colour: Annotated[
        list[str], typer.Option("--colour", help="A colour that passes here (repeatable).")
    ] = ["green"],  # noqa: B006 - Typer reads the default, never mutates it
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Decide as a checkpoint at a venue of this kind, by the policy's entry colours "
            "and acceptance rules (instead of --colour).",
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="The policy to decide by (default: the bundled policy of this instance's "
            "jurisdiction).",
        ),
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="Decide as at this ISO 8601 time.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Verify a code offline against trust lists: exit 0 pass, 1 stop, 2 invalid code.
    Needs no database when each list's root key is pinned (--root-key J=KEY)."""
    moment = parse_at(at, as_json=as_json) or SystemClock().now()
    try:
        if (token is None) == (image is None):
            raise InvalidInput.one("token", "give either a TOKEN or --image FILE")
        text = read_qr_image(image) if image is not None else str(token)
        lists = hold_lists(trust_list, bundle, root_keys=root_key, at=moment, as_json=as_json)
        accepted = frozenset(Colour(c) for c in colour if c in {x.value for x in Colour})
        if len(accepted) != len(set(colour)):
            raise InvalidInput.one("colour", "must be green, yellow or red")
        acceptance, limit = _acceptance(
            kind, policy, accepted, lists.store.jurisdictions, as_json=as_json
        )
    except DomainError as error:
        refuse(error, as_json=as_json, code=ExitCode.DATA_ERROR)
    except OSError as error:
        refuse(f"cannot read a file: {error}", as_json=as_json, code=ExitCode.NO_INPUT)
    decision = verify(
        text,
        trust_lists=lists.store,
        at=moment,
        acceptance=acceptance,
        max_trust_list_age=limit,
    )
    held = lists.report(at=moment, limit=limit)

    def human(console: Console) -> None:
        style = _STYLE.get(decision.outcome, "bold white on grey35")
        console.print(f"[{style}] {decision.outcome.value.upper()} [/] {decision.message}")
        if decision.colour is not None:
            console.print(f"{decision.masked_name} · {decision.colour.value} · {decision.issuer}")
        print_trust_lists(console, held)

    emit({**_payload(decision), "trust_lists": held}, as_json=as_json, human=human)
    raise typer.Exit(for_outcome(decision.outcome.value))


def _acceptance(
    kind: str | None,
    policy_file: Path | None,
    colours: frozenset[Colour],
    trusted: frozenset[str],
    *,
    as_json: bool,
) -> tuple[Acceptance, timedelta]:
    """Without --kind: every held list's codes in --colour (as before). With it: as a
    checkpoint at that kind of venue under the policy (its entry colours and acceptance)."""
    chosen = None
    if policy_file is not None:
        chosen = checkpoint_policy(policy_file, None)
    elif kind is not None:
        chosen = checkpoint_policy(None, load_settings(as_json=as_json).jurisdiction)
    limit = DEFAULT_MAX_TRUST_LIST_AGE if chosen is None else max_trust_list_age(chosen)
    if kind is None:
        return Acceptance(trusted, colours), limit
    venue_kind = parse_kind(kind)
    if venue_kind is None:
        raise InvalidInput.one("kind", f"must be one of {kinds_text()}")
    if chosen is None:
        raise InvalidInput.one("policy", "no policy of this jurisdiction ships: pass --policy")
    own = accepted_colours(chosen, venue_kind)
    return acceptance_for(chosen, kind=venue_kind.value, own_colours=own, trusted=trusted), limit


COMMANDS: CommandTable = (
    ("keys", keys_app),
    ("trust-list", trust_app),
    ("code", code),
    ("verify", verify_command),
)
