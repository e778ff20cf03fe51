"""The simulated health office and the worker, in virtual time.

Two officials of the jurisdiction, their accounts opened through the console's use case
(``identity.officials.add_official``, each with its own TOTP secret): an official reports each
positive result as a case (``tracing.cases.report_case``, a four-eyes proposal) and a supervisor
confirms it (``confirm_case``), which records the case, turns the code red and queues its
tracing. The worker's passes run as ``healthcode worker`` runs them: the due jobs of the kinds
the caller hands over (``jobs.queue.run_due``: tracing, risk areas) and the statuses that stop
holding (``status.assessment.refresh_due_statuses``), with the clock at the pass's moment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from healthcode.identity.officials import OfficialAccount, add_official, official_principal
from healthcode.jobs.model import JobStatus
from healthcode.jobs.queue import JobOutcome, run_due
from healthcode.oversight.access import Role
from healthcode.simulator.drive import Enrolment, System, Timed
from healthcode.simulator.model.disease import Course
from healthcode.status.assessment import refresh_due_statuses
from healthcode.tracing.cases import confirm_case, report_case
from healthcode.tracing.model.cases import CaseReport
from healthcode.tracing.trace import TraceOutcome

REPORTER: Final = "sim.wang"
CONFIRMER: Final = "sim.li"
WORKER: Final = "simulator"
MAX_JOBS_PER_PASS: Final = 1_000


REPORT_REASON: Final = "核酸检测阳性 / positive PCR result"
CONFIRM_NOTE: Final = "已核对实验室结果 / laboratory result checked"
"""What the simulated officials write on a report and its confirmation: in the city's language
and in English, as the console shows them to officials of either."""


@dataclass(frozen=True, kw_only=True)
class OfficeParams:
    """How fast the office works (assumptions, parameters to vary): from a positive result to
    its report, from the report to its confirmation, and between two passes of the worker."""

    report_minutes: int = 60
    confirm_minutes: int = 60
    worker_minutes: int = 30


@dataclass(frozen=True, kw_only=True)
class OfficeAccount:
    """An official's account as opened: the TOTP provisioning URI is shown this once."""

    username: str
    role: str
    totp_uri: str


def open_office(
    system: System, *, password: str, reporter: str = REPORTER, confirmer: str = CONFIRMER
) -> tuple[OfficeAccount, OfficeAccount]:
    """Open the reporting official's and the confirming supervisor's accounts (the console's
    bootstrap path: only while fewer than two admins exist, as on a fresh database)."""
    opened: list[OfficeAccount] = []
    for username, role in ((reporter, Role.OFFICIAL), (confirmer, Role.SUPERVISOR)):
        created = add_official(
            uow=system.uow(),
            clock=system.clock,
            account=OfficialAccount(
                username=username,
                role=role.value,
                jurisdiction=system.jurisdiction,
                password=password,
            ),
            serving=system.jurisdiction,
        )
        opened.append(OfficeAccount(username=username, role=role.value, totp_uri=created.totp_uri))
    return opened[0], opened[1]


@dataclass(frozen=True)
class Step:
    """An official's decision due at ``minute``: ``report`` or ``confirm`` the case of
    ``course``."""

    minute: int
    kind: str
    course: Course


@dataclass
class HealthOffice:
    """The office's pending decisions and the cases it reported (resident -> case id); plain
    data, so a run can be saved between two steps."""

    params: OfficeParams = field(default_factory=OfficeParams)
    reporter: str = REPORTER
    confirmer: str = CONFIRMER
    steps: list[Step] = field(default_factory=list)
    cases: dict[int, str] = field(default_factory=dict)
    confirmed: int = 0
    worker_passes: int = 0
    jobs_done: int = 0

    def schedule(self, results: tuple[Course, ...]) -> None:
        """Plan the report and the confirmation of each positive result."""
        p = self.params
        for course in results:
            if course.result_at is None:
                continue
            report = course.result_at + p.report_minutes
            self.steps.append(Step(report, "report", course))
            self.steps.append(Step(report + p.confirm_minutes, "confirm", course))

    def timed(
        self, system: System, enrolment: Enrolment, *, start: datetime, lo: int, hi: int
    ) -> list[Timed]:
        """The office's decisions and the worker's passes due in minutes ``[lo, hi)``."""
        acts = [
            Timed(s.minute, self._act(system, enrolment, s, start))
            for s in self.steps
            if lo <= s.minute < hi
        ]
        if system.job_kinds is not None:
            every = self.params.worker_minutes
            first = -(-lo // every) * every
            acts += [Timed(m, lambda: self._pass(system)) for m in range(first, hi, every)]
        return acts

    def _act(
        self, system: System, enrolment: Enrolment, step: Step, start: datetime
    ) -> Callable[[], object]:
        def act() -> bool:
            self.steps.remove(step)
            if step.kind == "report":
                self._report(system, enrolment, step.course, start)
                return False
            self._confirm(system, step.course)
            return True  # the case's code turns red

        return act

    def _report(
        self, system: System, enrolment: Enrolment, course: Course, start: datetime
    ) -> None:
        assert course.sampled_at is not None and system.proposal_kinds is not None  # noqa: S101
        sampled = start + timedelta(minutes=course.sampled_at)
        # symptoms not started by the report: reported asymptomatic, as a presymptomatic
        # positive is until its onset (a correction the office does not make here)
        onset = (
            course.onset
            if course.onset is not None and course.onset <= _minute(system, start)
            else None
        )
        proposal = report_case(
            uow=system.uow(),
            clock=system.clock,
            kinds=system.proposal_kinds,
            principal=official_principal(uow=system.uow(), username=self.reporter),
            report=CaseReport(
                subject=enrolment.subjects[course.person],
                sampled_at=sampled,
                onset_at=None if onset is None else start + timedelta(minutes=onset),
                asymptomatic=onset is None,
                isolated_at=sampled,
                test_reference=f"SIM-PCR-{course.person}-{course.sampled_at}",
            ),
            reason=REPORT_REASON,
        )
        self.cases[course.person] = str(proposal.payload["case_id"])

    def _confirm(self, system: System, course: Course) -> None:
        assert system.proposal_kinds is not None  # noqa: S101 - checked when the run began
        confirm_case(
            uow=system.uow(),
            clock=system.clock,
            kinds=system.proposal_kinds,
            principal=official_principal(uow=system.uow(), username=self.confirmer),
            case_id=self.cases[course.person],
            note=CONFIRM_NOTE,
        )
        self.confirmed += 1

    def _pass(self, system: System) -> bool:
        """One pass of the worker, as ``healthcode worker`` makes it; whether it may have
        changed a colour (a trace that recorded nothing did not: the doors' colours stand)."""
        assert system.job_kinds is not None  # noqa: S101 - only scheduled with job kinds
        self.worker_passes += 1
        ran = changed = 0
        while ran < MAX_JOBS_PER_PASS:
            outcomes = run_due(
                uow_factory=system.uow, clock=system.clock, kinds=system.job_kinds, worker=WORKER
            )
            if not outcomes:
                break
            ran += len(outcomes)
            changed += sum(1 for outcome in outcomes if not _recorded_nothing(outcome))
        self.jobs_done += ran
        refreshed = refresh_due_statuses(uow_factory=system.uow, clock=system.clock)
        return changed > 0 or refreshed > 0


def _recorded_nothing(outcome: JobOutcome) -> bool:
    """Whether the job was a trace that recorded and retracted nothing (a quiet rescan, or a
    rescan that found what it had found): no one's facts, so no one's colour, changed."""
    result = outcome.result
    return (
        outcome.status is JobStatus.DONE
        and isinstance(result, TraceOutcome)
        and result.added == 0
        and result.retracted == 0
        and not result.withdrawn
    )


def _minute(system: System, start: datetime) -> int:
    """The minute of the run the clock is at."""
    return int((system.clock.now() - start).total_seconds() // 60)
