"""Secondary contacts of a trace: the close contacts' own visits within their windows, from
the places the trace already read (``reads``) and a read of their presences elsewhere, matched
against everyone else at those places, and their households."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from healthcode.tracing.model.contacts import secondary_contacts, secondary_windows
from healthcode.tracing.model.findings import (
    CLOSE_CONTACT,
    Finding,
    Interval,
    PlaceClass,
    Visit,
    visits_of,
)
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.reads import PlaceReads
from healthcode.tracing.settings import TracingSettings

_PLACES: Final = (PlaceClass.VENUE, PlaceClass.TRIP)


def find_secondary(
    uow: TracingUnitOfWork,
    reads: PlaceReads,
    *,
    case_subject: str,
    primary: list[Finding],
    cutoff: datetime,
    settings: TracingSettings,
    evidence: bool,
) -> list[Finding]:
    """The secondary contacts of the close contacts in ``primary``, each within their own
    window until ``cutoff`` (without ``evidence``: summarised, as ``close_contacts``)."""
    windows = secondary_windows(primary, cutoff)
    if not settings.secondary or not windows:
        return []
    contacts = sorted(windows)
    earliest = min(w.start for w in windows.values())
    # the close contacts' presences at the places already read are taken from those reads
    query, held = reads.query(earliest, cutoff), reads.held(earliest, cutoff)
    read = visits_of(uow.tracing.presences_of(contacts, query, skip_places=held), settings)
    exclude = {case_subject, *(f.subject for f in primary if f.category == CLOSE_CONTACT)}
    # at the places already read, the close contacts' visits there that share no time with
    # someone else's can make no pair (a busy venue: nearly everyone there is a close contact)
    others, met = reads.met_at(held, query, windows, exclude)
    visits = {v.presence_id: v for v in met}
    visits.update((v.presence_id, v) for v in read)
    reads.check()
    by_contact, hulls = _at_places(visits, windows)
    # everyone else at those places: ``others`` holds all who may share time with a close
    # contact there (the excluded are no secondary contacts)
    elsewhere = [(place, hull) for place, hull in hulls.items() if place not in held]
    candidates = others + reads.around(elsewhere, exclude)
    households: Mapping[str, list[str]] = (
        uow.tracing.households(contacts) if "household" in settings.secondary_rules else {}
    )
    return secondary_contacts(
        windows=windows,
        contact_visits=by_contact,
        candidates=candidates,
        households=households,
        settings=settings,
        exclude=exclude,
        evidence=evidence,
    )


def _at_places(
    visits: Mapping[str, Visit], windows: Mapping[str, Interval]
) -> tuple[dict[str, list[Visit]], dict[str, Interval]]:
    """Per close contact, their visits to venues and trips within their window, in order of
    presence id; and per place, from the first start to the last end of those visits, each
    clipped to its contact's window (as ``Interval.overlap`` clips). One pass: a busy venue's
    close contacts made 150,000 visits there."""
    by_contact: dict[str, list[Visit]] = defaultdict(list)
    hulls: dict[str, Interval] = {}
    for key in sorted(visits):
        v = visits[key]
        if v.place not in _PLACES:
            continue
        start, end = v.interval
        low, high = windows[v.subject]
        if end <= start or end <= low or high <= start:  # no overlap with the window
            continue
        by_contact[v.subject].append(v)
        start = low if low > start else start
        end = high if high < end else end
        seen = hulls.get(v.place_id)
        if seen is None:
            hulls[v.place_id] = Interval(start, end)
        elif start < seen.start or end > seen.end:
            hulls[v.place_id] = Interval(min(seen.start, start), max(seen.end, end))
    return by_contact, hulls
