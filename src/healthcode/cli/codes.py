"""`healthcode keys|code|trust-list|verify`: signed codes from issuing to offline checking."""

from __future__ import annotations

import base64
from datetime import UTC
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import system
from healthcode.cli.options import AtOpt, JsonOpt
from healthcode.cli.output import emit, parse_at, refusals
from healthcode.credentials.qr import qr_png, qr_svg, qr_version
from healthcode.domain.errors import InvalidInput
from healthcode.services.codes import issue_code
from healthcode.services.keys import (
    init_keys,
    list_keys,
    rotate_signing_key,
    trust_list_document,
)
from healthcode.services.ports import KeyRecord

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
        )
    if out is None:
        typer.echo(document, nl=False)
        return
    out.write_text(document, encoding="utf-8")
    emit({"written": str(out)}, as_json=as_json, human=lambda con: con.print(f"wrote {out}"))


def code(
    subject: str,
    at: AtOpt = None,
    qr: Annotated[
        Path | None, typer.Option("--qr", help="Also write the QR code to FILE.svg or FILE.png.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue a person's signed code now (or --at a time); optionally write it as a QR image."""
    with refusals(as_json=as_json):
        if qr is not None and qr.suffix.lower() not in (".svg", ".png"):
            raise InvalidInput.one("qr", "must end in .svg or .png")
        with system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
            issued = issue_code(
                uow=c.uow(),
                clock=c.clock,
                private_keys=c.private_keys,
                subject=subject,
                lifetime=c.settings.code_lifetime,
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
