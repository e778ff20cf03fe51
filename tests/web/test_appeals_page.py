"""Appeals and citizen rights in the pages: a red citizen disputes the colour and sees the
appeal with its deadline; an official's correction turns the page green and shows the answer
without a reload; all my data downloads as JSON; closing the account logs out for good."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from browser_helpers import Guard, Phone
from citizen_pages_helpers import verified_citizen
from healthcode.appeals.filing import my_appeals
from healthcode.appeals.kinds import ANSWER_APPEAL
from healthcode.appeals.model import Appeal
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal, Role
from healthcode.status.test_results import record_test_result
from healthcode.web.texts import texts
from identity_helpers import PASSWORD, add_test_official, principal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

PHONE_NUMBER = "13900005555"
CORRECTION = "the positive PCR was another person's sample"


def _red_citizen(container: Container) -> tuple[str, str]:
    """A confirmed website citizen made red by a positive PCR; (subject, the test's fact id)."""
    verified_citizen(container, PHONE_NUMBER, 21)
    with container.uow() as uow:
        account = uow.accounts.by_phone(PHONE_NUMBER)
    assert account is not None
    fact, status = record_test_result(
        uow=container.uow(),
        clock=container.clock,
        subject=account.subject,
        test_kind="pcr",
        result="positive",
        sampled_at=container.clock.now() - timedelta(hours=2),
    )
    assert status.colour.value == "red"
    return account.subject, fact.id


def _log_in(phone: Phone, colour: str) -> Page:
    """Log in on the login page; the code page once it shows ``colour``."""
    page = phone.open("/citizen/login")
    page.locator("#phone").fill(PHONE_NUMBER)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/citizen$"))
    expect(page.locator("#card")).to_have_class(re.compile(rf"\bcolour-{colour}\b"))
    return page


def _appeals_of(container: Container, subject: str) -> list[Appeal]:
    """The citizen's appeals, through the use case."""
    me = Principal(role=Role.CITIZEN, id=subject, channel="website")
    return list(my_appeals(uow=container.uow(), principal=me))


def _correct(container: Container, clock: FixedClock, appeal_id: str, fact_id: str) -> None:
    """Official wang proposes taking the wrong test back; supervisor li approves it."""
    add_test_official(container, "wang", "official")
    add_test_official(container, "li", "supervisor")
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, "wang"),
        action=ANSWER_APPEAL,
        payload={"appeal": appeal_id, "correction": "retract", "fact": fact_id},
        reason=CORRECTION,
    )
    clock.advance(timedelta(minutes=30))
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, "li"),
        proposal_id=proposal.id,
    )


def test_a_red_citizen_appeals_and_sees_the_correction_without_reloading(
    container: Container, clock: FixedClock, phone: Phone
) -> None:
    """Dispute link on a red code, appeal filed with its deadline; a correction shows by itself."""
    subject, fact_id = _red_citizen(container)
    phone.context.clock.install()
    page = _log_in(phone, "red")
    dispute = page.locator("#dispute a")
    words = texts(phone.lang)
    expect(dispute).to_have_text(words["dispute"])
    dispute.click()
    expect(page).to_have_url(re.compile(r"/citizen/appeals"))
    expect(page.locator("#verdict")).to_have_class(re.compile(r"\bcolour-red\b"))
    expect(page.locator("#verdict .symbol")).to_have_text("✕")
    page.get_by_label(words["appeal_reason"]).fill("I was never tested that day")
    page.locator("#evidence").fill("HZ-PCR-77")
    page.locator("#appeal button[type=submit]").click()
    expect(page.locator("#filed")).to_be_visible()
    item = page.locator("#appeals .record")
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-state", "open")
    expect(item).to_contain_text(words["state_open"])
    expect(item).to_contain_text("HZ-PCR-77")
    expect(page.locator("#appeal")).to_be_hidden()  # one open appeal at a time
    (filed,) = _appeals_of(container, subject)
    due = (filed.filed_at + timedelta(hours=6)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert filed.due_at == filed.filed_at + timedelta(hours=6)
    expect(item).to_contain_text(due.strftime("%H:%M:%S"))  # the deadline, in the city's time

    _correct(container, clock, filed.id, fact_id)
    page.clock.fast_forward("00:16")  # the page's next poll
    expect(page.locator("#verdict")).to_have_class(re.compile(r"\bcolour-green\b"))
    expect(page.locator("#verdict .symbol")).to_have_text("✓")
    expect(item).to_have_attribute("data-state", "corrected")
    expect(item).to_contain_text(CORRECTION)
    expect(item).to_contain_text("00:30:00")  # the turnaround
    expect(page.locator("#appeal")).to_be_hidden()  # green: nothing to dispute
    code = phone.open("/citizen")
    expect(code.locator("#card")).to_have_class(re.compile(r"\bcolour-green\b"))
    expect(code.locator("#dispute")).to_be_hidden()


def test_my_data_downloads_and_closing_the_account_logs_out_for_good(
    container: Container, phone: Phone, guard: Guard
) -> None:
    """Export saves JSON naming me; a wrong password keeps me; the right one closes for good."""
    subject, _ = _red_citizen(container)
    page = _log_in(phone, "red")
    page = phone.open("/citizen/my-data", page)
    with page.expect_download() as download:
        page.locator("#export").click()
    saved = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert download.value.suggested_filename.endswith(".json")
    assert saved["identity"]["phone"] == PHONE_NUMBER
    assert saved["identity"]["subject"] == subject
    expect(page.locator("#exported")).to_be_visible()

    page.locator("#close-start").click()
    expect(page.locator("#close-now")).to_be_disabled()  # nothing closes before both are given
    words = texts(phone.lang)
    page.get_by_label(words["close_confirm"]).check()
    page.get_by_label(words["close_password"]).fill("not the password at all")
    page.locator("#close-now").click()
    expect(page.get_by_role("alert")).to_be_visible()  # refused: said here, the session kept
    expect(page).to_have_url(re.compile(r"/citizen/my-data"))
    assert page.evaluate("localStorage.getItem('hc.session')") is not None
    page.get_by_label(words["close_password"]).fill(PASSWORD)
    page.locator("#close-now").click()
    expect(page).to_have_url(re.compile(r"/citizen/login"))
    assert page.evaluate("localStorage.getItem('hc.session')") is None
    page.wait_for_load_state()  # the login page's script is listening before the form is sent
    page.locator("#phone").fill(PHONE_NUMBER)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/citizen/login"))
    phone.context.close()
    guard.errors[:] = [e for e in guard.errors if not re.search(r"status of 401 ", e)]
