"""The checkpoint scanner's browser tests: a Y4M video of a QR code (Chromium's fake camera
plays it), a person with a code, and enrolling the browser's device key at a venue."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import segno
from playwright.sync_api import Page, expect

from healthcode.codes.issuing import issue_code
from healthcode.container import Container
from healthcode.presence.venues import register_device

WIDTH, HEIGHT = 640, 480


def qr_video(token: str, path: Path, *, frames: int = 10) -> Path:
    """A Y4M file (4:2:0) of ``frames`` still frames showing ``token``'s QR, black on white."""
    matrix = [list(row) for row in segno.make(token, error="m", micro=False).matrix_iter(border=4)]
    size = len(matrix)
    scale = min(WIDTH, HEIGHT) * 9 // 10 // size
    left, top = (WIDTH - size * scale) // 2, (HEIGHT - size * scale) // 2
    luma = bytearray(b"\xff" * (WIDTH * HEIGHT))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + y * scale + dy) * WIDTH + left + x * scale
                    luma[start : start + scale] = b"\x00" * scale
    chroma = b"\x80" * (WIDTH * HEIGHT // 4)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * frames)
    return path


def code_for(container: Container, subject: str) -> str:
    """A code for ``subject`` issued now (the container's clock)."""
    return issue_code(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        subject=subject,
        lifetime=container.settings.code_lifetime,
    ).token


def enrol(page: Page, container: Container, venue_id: str) -> str:
    """Register the key the scanner page shows at ``venue_id`` (as an official would with
    ``healthcode device add --public-key``) and let the page fetch its enrolment."""
    # the page makes its key asynchronously: wait for the whole key (43 base64url characters)
    expect(page.locator("#enrol-key")).to_have_text(re.compile(r"^\s*[A-Za-z0-9_-]{43}\s*$"))
    key_text = page.locator("#enrol-key").inner_text().strip()
    expect(page.locator("#enrol-command")).to_have_value(
        re.compile(f"healthcode device add --venue VENUE --public-key {re.escape(key_text)}(\\s|$)")
    )
    raw = base64.urlsafe_b64decode(key_text + "=" * (-len(key_text) % 4))
    device = register_device(
        uow=container.uow(),
        clock=container.clock,
        venue_id=venue_id,
        public_key=raw,
        serving=container.settings.jurisdiction,
    )
    page.locator("#enrol-check").click()
    expect(page.locator("#scanner")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return device.id
