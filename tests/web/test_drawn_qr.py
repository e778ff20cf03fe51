"""The QR the code page draws in the browser is the signed token: a screenshot of it decodes
(zxing-cpp) to the token the API issued, which verifies as the API's own verifier says."""

from __future__ import annotations

import io
import json

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from playwright.sync_api import expect

from browser_helpers import Phone
from citizen_pages_helpers import log_in, verified_citizen
from healthcode.app import create_app
from healthcode.container import Container
from healthcode.credentials.token import PREFIX

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_the_drawn_qr_decodes_to_the_issued_token_which_passes(
    container: Container, phone: Phone
) -> None:
    """A screenshot of the page's QR reads back as the token it was given, and that passes."""
    verified_citizen(container, "13900004444", 14)
    page = log_in(phone, "13900004444")
    expect(page.locator("#qr svg")).to_have_count(1)
    kept = json.loads(page.evaluate("localStorage.getItem('hc.lastCode')"))
    image = Image.open(io.BytesIO(page.locator("#qr").screenshot())).convert("L")
    found = [b.text for b in zxingcpp.read_barcodes(image)]
    assert found == [kept["token"]]
    assert kept["token"].startswith(PREFIX)
    with TestClient(create_app(container=container)) as client:
        answer = client.post("/api/v1/verify", json={"token": kept["token"]})
    assert answer.json()["outcome"] == "pass"
    assert answer.json()["masked_name"] == kept["masked_name"]
