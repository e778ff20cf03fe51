"""`healthcode peer` at the console: an admin proposes Shanghai and a second admin approves,
a sync while it is down (a refused loopback port) fails and keeps nothing lost, the next sync
once it is up takes its list; removing it takes four eyes too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cli_helpers import add_official, ok, run
from federation_helpers import SHANGHAI, LoopbackPeer, PeerCity
from healthcode.settings import Settings

AT = "2026-03-01T09:00:00+08:00"


@pytest.fixture
def peer() -> Iterator[LoopbackPeer]:
    loopback = LoopbackPeer()
    yield loopback
    loopback.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_peers_at_the_console(cli_env: Settings, peer: LoopbackPeer) -> None:
    """Four eyes add and remove; own city refused; sync down then up; list with age."""
    add_official("ada", "admin")
    add_official("wang", "official")
    add_official("bob", "admin")  # the second admin: no third bootstraps
    city = PeerCity()
    add = ("peer", "add", "--jurisdiction", SHANGHAI, "--url", peer.url, "--reason", "visitors")
    proposed = ok(*add, "--root-key", city.root_text, "--as", "ada", "--at", AT)
    assert (proposed["action"], proposed["status"]) == ("add_peer", "pending")
    assert proposed["payload"]["jurisdiction"] == SHANGHAI
    assert ok("peer", "list", "--as", "ada") == []  # pinned only once approved
    code, out, _ = run("proposal", "approve", proposed["id"], "--as", "ada", "--json")
    assert code == 1 and "own proposal" in out + _
    (waiting,) = ok("peer", "proposals", "--status", "pending", "--as", "bob")
    assert waiting["id"] == proposed["id"]
    approved = ok("proposal", "approve", proposed["id"], "--as", "bob", "--at", AT)
    assert approved["status"] == "approved" and approved["result"] == {"added": SHANGHAI}
    code, _, err = run(*add, "--root-key", city.root_text, "--as", "wang", "--json")
    assert code == 1 and "manage_peers" in err
    own = ("peer", "add", "--jurisdiction", "330100", "--url", peer.url, "--reason", "x")
    code, _, err = run(*own, "--root-key", city.root_public.hex(), "--as", "ada", "--json")
    assert code == 1 and "the one this instance serves" in err
    code, out, _ = run("peer", "sync", "--as", "ada", "--at", AT, "--json")
    assert code == 1 and '"outcome": "unreachable"' in out
    issued = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    peer.start(city.trust_list(sequence=7, issued_at=issued))
    (synced,) = ok("peer", "sync", SHANGHAI, "--as", "ada", "--at", AT)
    assert (synced["outcome"], synced["sequence"]) == ("accepted", 7)
    (listed,) = ok("peer", "list", "--as", "ada", "--at", AT)
    assert (listed["list_sequence"], listed["list_age_seconds"]) == (7, 3600)
    assert listed["last_error"].startswith("unreachable") and listed["last_success_at"]
    assert (listed["refusals"], listed["stale"]) == (1, False)
    code, out, _ = run("peer", "list", "--as", "ada", "--at", AT)
    assert code == 0 and "#7" in out and "1h00m" in out
    removal = ok("peer", "remove", SHANGHAI, "--reason", "no longer", "--as", "ada")
    assert removal["action"] == "remove_peer" and len(ok("peer", "list", "--as", "ada")) == 1
    ok("proposal", "approve", removal["id"], "--as", "bob")
    assert ok("peer", "list", "--as", "ada") == []
