"""A rule cleared by a count of normal days (Hangzhou's fever: 7 consecutive days) shows how far
it has come and its earliest end, through the API and `healthcode status`, on both databases."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from test_status_cli import _subject

from cli_helpers import run
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.regions import time_zone
from healthcode.settings import Settings
from healthcode.status.assessment import current_status
from healthcode.status.declarations import declare_health
from identity_helpers import website_citizen

CST = time_zone("330100")


def test_the_api_shows_days_counted_and_the_earliest_end(
    client: TestClient, clock: FixedClock
) -> None:
    """After a fever and 3 normal days the reason says 3 of 7 days and the earliest end."""
    clock.set(datetime(2026, 3, 4, 20, tzinfo=CST))
    subject, headers = website_citizen(client)
    container: Container = client.app.state.container  # type: ignore[attr-defined]
    steps = [(1, 38.2), (2, 36.6), (3, 36.6), (4, 36.6)]  # (day of March, temperature) at 09:00
    for day, temperature in steps:
        declare_health(
            uow=container.uow(),
            clock=clock,
            subject=subject,
            temperature=temperature,
            at=datetime(2026, 3, day, 9, tzinfo=CST),
        )
    status = client.get("/api/v1/me/status", headers=headers).json()
    reason = status["reasons"][0]
    assert (reason["rule"], reason["ends_at"]) == ("fever", None)
    # today counted: days 5, 6, 7 and 8 March still to come, the last one from 8 March 00:00
    earliest = datetime(2026, 3, 8, tzinfo=CST)
    assert reason["progress"]["days"] == 3 and reason["progress"]["of"] == 7
    assert datetime.fromisoformat(reason["progress"]["earliest_end"]) == earliest
    # the count lapses if 5 March passes without a declaration: the status says so until then
    assert datetime.fromisoformat(status["valid_until"]) == datetime(2026, 3, 6, tzinfo=CST)
    clock.set(datetime(2026, 3, 6, 9, tzinfo=CST))
    lapsed = current_status(uow=container.uow(), clock=clock, subject=subject).reasons[0]
    assert lapsed.progress is not None and lapsed.progress.days == 0
    assert lapsed.progress.earliest_end == earliest + timedelta(days=4)


def test_status_at_the_console_shows_the_progress(cli_env: Settings) -> None:
    """`healthcode status` prints `2 of 7 days` and the earliest end for a fever rule."""
    subject = _subject()
    steps = [("2026-03-01T10:00:00+08:00", "38.5"), ("2026-03-02T09:00:00+08:00", "36.5")]
    steps.append(("2026-03-03T09:00:00+08:00", "36.6"))
    for at, temperature in steps:
        code, _, err = run("declare", "health", subject, "--temperature", temperature, "--at", at)
        assert code == 0, err
    at = "2026-03-03T12:00:00+08:00"
    code, out, err = run("status", subject, "--as", "reader", "--at", at, "--json")
    assert code == 0, err
    assert json.loads(out)["reasons"][0]["progress"] == {
        "days": 2,
        "of": 7,
        "earliest_end": "2026-03-07T16:00:00+00:00",
    }
    code, out, err = run("status", subject, "--as", "reader", "--at", at)
    assert code == 0, err
    assert "2 of 7 days" in " ".join(out.split())
