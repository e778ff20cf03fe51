"""The course of an infection, drawn from published distributions (docs/simulator.md cites
them): when symptoms start (if ever), how infectious the person is over time, and whether and
when they are tested."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final

DAY: Final = 24 * 60
Z975: Final = 1.959964
Z95: Final = 1.644854


@dataclass(frozen=True, slots=True, kw_only=True)
class DiseaseParams:
    """The disease and the testing behaviour; every default is cited in docs/simulator.md."""

    incubation_median_days: float = 5.1
    incubation_p975_days: float = 11.5
    """Lauer et al. 2020: lognormal incubation, median 5.1 days, 97.5 % within 11.5 days."""
    generation_shape: float = 2.826
    generation_scale_days: float = 5.665
    """Ferretti et al. 2020: infectiousness over time since infection follows the generation
    time, Weibull with mean 5.0 and standard deviation 1.9 days (which this shape and scale
    give)."""
    asymptomatic_share: float = 0.20
    asymptomatic_infectiousness: float = 0.35
    """Buitrago-Garcia et al. 2020: 20 % stay asymptomatic; their secondary attack rate is
    0.35 times that of symptomatic cases."""
    isolation_median_days: float = 3.4
    isolation_p95_days: float = 12.2
    """Bi et al. 2020 (Shenzhen, symptom-based surveillance): half of the cases isolated by
    3.4 days after onset, 95 % by 12.2 days (a lognormal through both)."""
    never_tested: float = 0.2
    """Symptomatic people who never get tested (an assumption: a parameter to vary)."""
    result_minutes: int = 12 * 60
    """From the sample to the result (a PCR laboratory's turnaround, an assumption)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Course:
    """One infection, from its start (minutes from the start of the run): symptom onset (None
    when asymptomatic), when a sample is taken (the person isolates then) and when its result
    is known (both None when never tested), and how infectious the person is relative to a
    symptomatic case."""

    person: int
    infected_at: int
    onset: int | None
    sampled_at: int | None
    result_at: int | None
    relative_infectiousness: float

    def infectious_until(self) -> int | None:
        """When the person stops meeting anyone outside (isolation at sampling), if ever."""
        return self.sampled_at


def lognormal(rng: random.Random, median: float, upper: float, z: float) -> float:
    """A lognormal draw given its median and the quantile ``upper`` at ``z`` standard normal
    deviations (the way the sources report them)."""
    return rng.lognormvariate(math.log(median), math.log(upper / median) / z)


def draw_course(rng: random.Random, params: DiseaseParams, person: int, at: int) -> Course:
    """The course of ``person``'s infection starting at minute ``at``."""
    if rng.random() < params.asymptomatic_share:
        return Course(
            person=person,
            infected_at=at,
            onset=None,
            sampled_at=None,
            result_at=None,
            relative_infectiousness=params.asymptomatic_infectiousness,
        )
    incubation = lognormal(rng, params.incubation_median_days, params.incubation_p975_days, Z975)
    onset = at + round(incubation * DAY)
    sampled = result = None
    if rng.random() >= params.never_tested:
        delay = lognormal(rng, params.isolation_median_days, params.isolation_p95_days, Z95)
        sampled = onset + round(delay * DAY)
        result = sampled + params.result_minutes
    return Course(
        person=person,
        infected_at=at,
        onset=onset,
        sampled_at=sampled,
        result_at=result,
        relative_infectiousness=1.0,
    )


class Infectiousness:
    """The share of a course's infectiousness that falls in a span of minutes: the generation
    time's distribution function (Weibull) between its ends, cut at isolation."""

    def __init__(self, params: DiseaseParams) -> None:
        self.shape = params.generation_shape
        self.scale = params.generation_scale_days * DAY

    def cdf(self, minutes: float) -> float:
        if minutes <= 0:
            return 0.0
        return 1.0 - math.exp(-((minutes / self.scale) ** self.shape))

    def between(self, course: Course, start: int, end: int) -> float:
        """The course's infectiousness over [start, end) (0 after isolation)."""
        stop = course.infectious_until()
        if stop is not None:
            end = min(end, stop)
        if end <= start:
            return 0.0
        share = self.cdf(end - course.infected_at) - self.cdf(start - course.infected_at)
        return share * course.relative_infectiousness

    def mean_days(self) -> float:
        return self.scale / DAY * math.gamma(1 + 1 / self.shape)

    def sd_days(self) -> float:
        scale = self.scale / DAY
        g1, g2 = math.gamma(1 + 1 / self.shape), math.gamma(1 + 2 / self.shape)
        return scale * math.sqrt(g2 - g1 * g1)
