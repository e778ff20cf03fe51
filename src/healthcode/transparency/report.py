"""The transparency report for a period, in one read-only transaction. It is public: every
figure is a count or a duration, and no one is named."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date

from healthcode.kernel.clock import Clock
from healthcode.transparency.model import (
    UNMASK_PURPOSE,
    BreakGlassFigures,
    Period,
    TransparencyReport,
    appeal_figures,
    bulk_figures,
    colours_by_day,
)
from healthcode.transparency.ports import TransparencyUnitOfWork


def transparency_report(
    *,
    uow: TransparencyUnitOfWork,
    clock: Clock,
    first: date | None,
    last: date | None,
    whole: bool = False,
) -> TransparencyReport:
    """What the system did from ``first`` to ``last`` (whole UTC days, inclusive; by default
    the 30 days up to today). ``whole``: from the day of the instance's first record instead
    of ``first`` (the whole emergency, however many years: the sunset's final report)."""
    now = clock.now()
    today = now.astimezone(UTC).date()
    with uow:
        repo = uow.transparency
        if whole:
            period = Period.since(today, repo.first_record(), last)
        else:
            period = Period.around(today, first, last)
        start, end = period.start, period.end
        reads = repo.reads(start, end)
        uses = repo.break_glass(start, end)
        by_what: Counter[str] = Counter()
        for what, _people in uses:
            by_what[what] += 1
        report = TransparencyReport(
            period=period,
            whole=whole,
            generated_at=now,
            colours=colours_by_day(repo.colour_changes(min(end, now)), period.days()),
            held=repo.held(),
            purged={
                **repo.purged(start, end),
                "closed_accounts": repo.closed_accounts(start, end),
            },
            reads=reads,
            unmaskings=sum(r.count for r in reads if r.purpose == UNMASK_PURPOSE),
            overrides=repo.overrides(start, end),
            appeals=appeal_figures(repo.appeals(start, end), start, end, now),
            break_glass=BreakGlassFigures(
                uses=len(uses), people=sum(p for _w, p in uses), by_what=dict(by_what)
            ),
            bulk_actions=bulk_figures(repo.bulk_proposals(start, end)),
        )
    return report
