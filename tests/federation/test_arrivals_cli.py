"""`healthcode arrival` at the console: a resident's consent token for a peer, refused for a
city that is no peer; an official recording a token of a city that is no peer here, and
asking for a visitor never recorded, is refused."""

from __future__ import annotations

import pytest

from cli_helpers import add_official, ok, run
from federation_helpers import PeerCity
from healthcode.settings import Settings


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_arrivals_at_the_console(cli_env: Settings) -> None:
    """Consent printed for a peer; the commands' refusals name what is wrong."""
    ok("keys", "init")
    add_official("ada", "admin")
    add_official("wang", "official")
    add_official("bob", "admin")
    beijing = PeerCity(jurisdiction="110000")
    add = ("peer", "add", "--jurisdiction", "110000", "--url", "http://127.0.0.1:9")
    proposed = ok(*add, "--root-key", beijing.root_text, "--reason", "visitors", "--as", "ada")
    ok("proposal", "approve", proposed["id"], "--as", "bob")  # four eyes pin Beijing's root
    registered = ok(
        "register",
        "--name",
        "张三丰",
        "--id-number",
        "11010519491231002X",
        "--phone",
        "13812341234",
        "--address",
        "杭州市西湖区1号",
    )
    subject = str(registered["subject"])
    consent = ok("arrival", "consent", subject, "--destination", "110000")
    assert consent["token"].startswith("HZC1:") and consent["destination"] == "110000"
    code, out, _ = run("arrival", "consent", subject, "--destination", "110000")
    assert code == 0 and out.startswith("HZC1:")
    code, _, err = run("arrival", "consent", subject, "--destination", "440300", "--json")
    assert code == 1 and "not a peer" in err
    # this city's own token, presented here: its issuer is no peer of this city
    code, _, err = run("arrival", "record", consent["token"], "--as", "wang", "--json")
    assert code == 1 and "not_a_peer" in err
    code, _, err = run("arrival", "show", "310000", "nobody", "--as", "wang", "--json")
    assert code == 1 and "not found" in err
