"""The start page (``/``): what this instance is, and the ways in."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep
from healthcode.codes.instance import describe_instance
from healthcode.kernel.regions import time_zone
from healthcode.oversight.access import Action
from healthcode.web.pages import city_name, page_language, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(Public(Action.READ_WEB_PAGE))])


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """The city, the policy version in force, the trust list's sequence, and the faces."""
    settings = container.settings
    jurisdiction = settings.jurisdiction
    instance = describe_instance(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=jurisdiction,
        code_lifetime=settings.code_lifetime,
        clock_skew=settings.clock_skew,
    )
    lang = page_language(request, settings.language)
    return render(
        request,
        "start.html",
        lang=lang,
        jurisdiction=jurisdiction,
        instance=instance,
        city=city_name(jurisdiction, lang),
        issued=_local(instance.trust_list_issued_at, jurisdiction),
    )


def _local(stamp: str | None, jurisdiction: str) -> str | None:
    """The trust list's signing time in the city's time, to the minute (it is published in UTC:
    ``2026-12-07T09:50:41Z`` reads ``2026-12-07 17:50`` in Hangzhou)."""
    if stamp is None:
        return None
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.astimezone(time_zone(jurisdiction)).strftime("%Y-%m-%d %H:%M")
